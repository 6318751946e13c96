"""Presigned object URLs: HMAC-signed, expiring PUT and GET links to the store's own byte routes.

A URL is `{base}/tams/_objects/{object_id}?expires={unix seconds}&signature={hex}`; the signature covers
the method, the object id and the expiry, keyed with a key derived from the server secret (shared by
every worker), so a URL cannot be reused for another object, another method, or after it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote

from polyphony.core.errors import PermissionDenied
from polyphony.core.keys import TAMS_OBJECT_URLS, derive

BYTES_ROUTE = "/tams/_objects/"
# What /service promises (min_presigned_url_timeout); URLs live a little longer as the spec suggests.
PROMISED_SECONDS = 300
VALID_SECONDS = PROMISED_SECONDS + 60


class ObjectLinks(Protocol):
    """What issues the presigned URLs of Objects: `UrlSigner` for the filesystem store's own byte routes,
    `s3store.S3Links` for S3 (presigned S3 URLs: clients talk to the bucket directly)."""

    def url(self, base: str, method: str, object_id: str) -> str: ...


class UrlSigner:
    def __init__(
        self, secret: str, *, valid_seconds: int = VALID_SECONDS, clock: Callable[[], float] = time.time
    ) -> None:
        self._key = derive(secret, TAMS_OBJECT_URLS)
        self._valid = valid_seconds
        self._clock = clock

    def _mac(self, method: str, object_id: str, expires: int) -> str:
        message = f"{method.upper()}\n{object_id}\n{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def url(self, base: str, method: str, object_id: str) -> str:
        expires = int(self._clock()) + self._valid
        sig = self._mac(method, object_id, expires)
        return f"{base.rstrip('/')}{BYTES_ROUTE}{quote(object_id, safe='')}?expires={expires}&signature={sig}"

    def verify(self, method: str, object_id: str, expires: str | None, signature: str | None) -> None:
        """PermissionDenied (403, as object stores answer) unless the signature is good and unexpired."""
        # ASCII digits only (`²` is a digit to str.isdigit but not to int), and few enough for a time
        if not expires or not signature or not (expires.isascii() and expires.isdigit() and len(expires) <= 20):
            raise PermissionDenied("this URL is not signed")
        if not signature.isascii():
            raise PermissionDenied("the URL signature does not match")
        good = self._mac(method, object_id, int(expires))
        if not hmac.compare_digest(good, signature):
            raise PermissionDenied("the URL signature does not match")
        if int(expires) < self._clock():
            raise PermissionDenied("the presigned URL has expired")
