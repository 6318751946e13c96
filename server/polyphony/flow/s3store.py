"""Presigned S3 URLs clients use to read and write TAMS Objects directly in the bucket (`get_urls` /
`put_url`). The S3 object store itself is core's (`polyphony.core.s3objects`), the configured store of
every service; it is re-exported here for the flow service's callers.
"""

from __future__ import annotations

from typing import Any

from polyphony.core.s3objects import S3ObjectStore, make_client
from polyphony.flow.objects import storage_key
from polyphony.flow.urls import VALID_SECONDS

__all__ = ["S3Links", "S3ObjectStore", "make_client"]


class S3Links:
    """Presigned S3 URLs for an Object's bytes (the `base` of our own routes is not used)."""

    def __init__(self, client: Any, bucket: str, *, valid_seconds: int = VALID_SECONDS) -> None:
        self.client = client
        self.bucket = bucket
        self.valid = valid_seconds

    def url(self, base: str, method: str, object_id: str) -> str:
        operation = {"GET": "get_object", "PUT": "put_object"}[method.upper()]
        return str(
            self.client.generate_presigned_url(
                operation, Params={"Bucket": self.bucket, "Key": storage_key(object_id)}, ExpiresIn=self.valid
            )
        )
