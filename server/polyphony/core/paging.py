"""Opaque, signed, expiring paging tokens.

A token carries a keyset position (the sort key of the last row served), never an offset, so a deep
page costs what the first one costs. It is HMAC-signed with the server secret (shared by every worker)
and carries its expiry: a forged or mangled token is `InvalidArgument` (400), an expired one `Gone` (410).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from polyphony.core.errors import Gone, InvalidArgument
from polyphony.core.keys import PAGING, derive

_SIG_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PageTokens:
    def __init__(self, secret: str, ttl_seconds: int = 3600, *, clock: Any = time.time) -> None:
        self._key = derive(secret, PAGING)
        self._ttl = ttl_seconds
        self._clock = clock

    def encode(self, scope: str, position: dict[str, Any]) -> str:
        """A token for `position` in the listing identified by `scope` (route + query)."""
        body = json.dumps(
            {"s": scope, "p": position, "e": int(self._clock()) + self._ttl}, separators=(",", ":")
        ).encode()
        sig = hmac.new(self._key, body, hashlib.sha256).digest()[:_SIG_BYTES]
        return _b64(sig + body)

    def decode(self, scope: str, token: str, *, field: str = "page") -> dict[str, Any]:
        try:
            raw = _unb64(token)
        except (ValueError, TypeError):
            raise InvalidArgument("malformed page token", field=field) from None
        sig, body = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        good = hmac.new(self._key, body, hashlib.sha256).digest()[:_SIG_BYTES]
        if len(sig) != _SIG_BYTES or not hmac.compare_digest(sig, good):
            raise InvalidArgument("malformed page token", field=field)
        data = json.loads(body)
        if data.get("s") != scope:
            raise InvalidArgument("page token belongs to a different query", field=field)
        if int(data["e"]) < self._clock():
            raise Gone("page token has expired; start again from the first page", field=field)
        position = data["p"]
        if not isinstance(position, dict):
            raise InvalidArgument("malformed page token", field=field)
        return position
