"""JSON Web Tokens signed with HS256 (RFC 7519 / RFC 7515 compact form), with hmac and base64 only.

`encode` signs a claims object; `decode` checks the header (`alg` HS256), the signature (in constant
time) and the `exp` / `nbf` claims, and raises `InvalidToken` for anything else.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

HEADER = {"alg": "HS256", "typ": "JWT"}


class InvalidToken(Exception):
    """Malformed, wrongly signed, expired or not yet valid."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("bad base64") from None


def _sign(signing_input: bytes, key: bytes) -> bytes:
    return hmac.new(key, signing_input, hashlib.sha256).digest()


def encode(claims: dict[str, Any], key: bytes) -> str:
    head = _b64(json.dumps(HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    signing_input = f"{head}.{body}".encode()
    return f"{head}.{body}.{_b64(_sign(signing_input, key))}"


def decode(token: str, key: bytes, *, now: float | None = None) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidToken("not a compact JWS")
    head_b64, body_b64, sig_b64 = parts
    if not hmac.compare_digest(_sign(f"{head_b64}.{body_b64}".encode(), key), _unb64(sig_b64)):
        raise InvalidToken("bad signature")
    try:
        header = json.loads(_unb64(head_b64))
        claims = json.loads(_unb64(body_b64))
    except (ValueError, UnicodeDecodeError):
        raise InvalidToken("bad JSON") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise InvalidToken("unsupported header")
    moment = time.time() if now is None else now
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or isinstance(exp, bool) or moment >= exp:
        raise InvalidToken("expired")
    nbf = claims.get("nbf")
    if isinstance(nbf, int | float) and moment < nbf:
        raise InvalidToken("not yet valid")
    return claims
