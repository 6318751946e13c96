"""An S3 object store (boto3): the configured store of every service when `object_store` is `s3`.

It satisfies `polyphony.core.objects.ObjectStore`. boto3 is synchronous: every call runs in a worker
thread so the event loop never blocks.
"""

from __future__ import annotations

import asyncio
import hashlib
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import Any

from polyphony.core.config import Settings
from polyphony.core.errors import NotFound, PayloadTooLarge
from polyphony.core.objects import CHUNK, StoredObject, check_key

SPOOL_BYTES = 8 * 1024 * 1024  # uploads larger than this spill to a temporary file before going to S3


def make_client(settings: Settings) -> Any:
    import boto3  # type: ignore[import-untyped]
    from botocore.config import Config  # type: ignore[import-untyped]

    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def _missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in ("404", "NoSuchKey", "NotFound")


class S3ObjectStore:
    def __init__(self, client: Any, bucket: str) -> None:
        self.client = client
        self.bucket = bucket

    def local_path(self, key: str) -> Path | None:
        return None

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None) -> StoredObject:
        check_key(key)
        digest = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise PayloadTooLarge(f"object larger than {max_bytes} bytes")
                digest.update(chunk)
                await asyncio.to_thread(spool.write, chunk)
            spool.seek(0)
            await asyncio.to_thread(self.client.upload_fileobj, spool, self.bucket, key)
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes `start`..`end` (exclusive; None = to the end), streamed from S3 in chunks."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": check_key(key)}
        if start or end is not None:
            args["Range"] = f"bytes={start}-{'' if end is None else end - 1}"
        try:
            answer = await asyncio.to_thread(self.client.get_object, **args)
        except self.client.exceptions.ClientError as exc:
            if _missing(exc):
                raise NotFound(f"object {key} not found") from None
            raise
        body = answer["Body"]
        try:
            while chunk := await asyncio.to_thread(body.read, CHUNK):
                yield chunk
        finally:
            body.close()

    async def size(self, key: str) -> int | None:
        try:
            head = await asyncio.to_thread(self.client.head_object, Bucket=self.bucket, Key=check_key(key))
        except self.client.exceptions.ClientError as exc:
            if _missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    async def delete(self, key: str) -> bool:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=check_key(key))
        return True
