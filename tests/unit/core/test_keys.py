"""One key-derivation helper for everything derived from the server secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from types import SimpleNamespace
from typing import Any

import pytest

from polyphony.core import keys
from polyphony.core.errors import InvalidArgument, PermissionDenied
from polyphony.core.paging import PageTokens
from polyphony.flow.urls import UrlSigner


def test_derive_is_hmac_sha256_of_the_purpose() -> None:
    assert keys.derive("s3cret", "paging") == hmac.new(b"s3cret", b"paging", hashlib.sha256).digest()
    purposes = [keys.PAGING, keys.TAMS_OBJECT_URLS, keys.TIMESIDE_JWT, keys.user_token_purpose("u", "salt")]
    assert len({keys.derive("s3cret", p) for p in purposes}) == len(purposes)
    assert keys.derive("one", keys.PAGING) != keys.derive("two", keys.PAGING)


def test_issued_timeside_credentials_stay_valid() -> None:
    # user DRF tokens are stored as sha256(token) and JWTs are signed with the derived key: both are the
    # values the service computed before the helper existed
    from polyphony.analysis.auth.users import UserService

    users = UserService(db=None, secret="s3cret")  # type: ignore[arg-type]
    assert users.jwt_key == hmac.new(b"s3cret", b"polyphony timeside jwt hs256", hashlib.sha256).digest()
    user: Any = SimpleNamespace(uuid="7d0f8c1e-0000-4000-8000-000000000001", token_salt="abc123")
    old = hmac.new(b"s3cret", f"{user.uuid}:{user.token_salt}".encode(), hashlib.sha256).digest()
    assert users.token_of(user) == base64.urlsafe_b64encode(old).decode().rstrip("=")


def test_a_value_for_one_purpose_is_worthless_for_another() -> None:
    page = PageTokens("s3cret").encode("scope", {"id": 1})
    signer = UrlSigner("s3cret", clock=lambda: 1000.0)
    url = signer.url("http://x", "GET", "obj")
    expires = url.split("expires=")[1].split("&")[0]
    with pytest.raises(PermissionDenied):
        signer.verify("GET", "obj", expires, page)
    with pytest.raises(InvalidArgument):
        PageTokens("s3cret").decode("scope", url.split("signature=")[1])
