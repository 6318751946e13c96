"""HS256 JWTs: round trip, signature, algorithm and expiry checks."""

from __future__ import annotations

import base64
import json
import time

import pytest

from polyphony.analysis.auth import jwt_hs256

KEY = b"k" * 32


def test_round_trip_and_standard_form() -> None:
    claims = {"token_type": "access", "exp": int(time.time()) + 60, "user_id": "u"}
    token = jwt_hs256.encode(claims, KEY)
    head = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert head == {"alg": "HS256", "typ": "JWT"} and "=" not in token
    assert jwt_hs256.decode(token, KEY) == claims


@pytest.mark.parametrize("mutate", ["key", "payload", "signature", "alg_none", "parts"])
def test_tampering_is_refused(mutate: str) -> None:
    token = jwt_hs256.encode({"exp": int(time.time()) + 60, "user_id": "u"}, KEY)
    head, body, sig = token.split(".")
    key = KEY
    if mutate == "key":
        key = b"other"
    elif mutate == "payload":
        body = base64.urlsafe_b64encode(json.dumps({"exp": 2**40, "user_id": "admin"}).encode()).decode().rstrip("=")
    elif mutate == "signature":
        sig = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    elif mutate == "alg_none":
        head = base64.urlsafe_b64encode(b'{"alg":"none"}').decode().rstrip("=")
        sig = ""
    else:
        body = body + "." + body
    with pytest.raises(jwt_hs256.InvalidToken):
        jwt_hs256.decode(f"{head}.{body}.{sig}", key)


def test_expiry_and_not_before() -> None:
    now = time.time()
    expired = jwt_hs256.encode({"exp": int(now) - 1}, KEY)
    with pytest.raises(jwt_hs256.InvalidToken):
        jwt_hs256.decode(expired, KEY)
    with pytest.raises(jwt_hs256.InvalidToken):
        jwt_hs256.decode(jwt_hs256.encode({"user_id": "no exp"}, KEY), KEY)
    later = jwt_hs256.encode({"exp": int(now) + 60, "nbf": int(now) + 30}, KEY)
    with pytest.raises(jwt_hs256.InvalidToken):
        jwt_hs256.decode(later, KEY, now=now)
    assert jwt_hs256.decode(later, KEY, now=now + 31)["nbf"] == int(now) + 30
