"""User passwords and the run-time issued tokens the Authorizer accepts (the TimeSide user mapping)."""

from __future__ import annotations

import hashlib

import pytest

from polyphony.analysis.auth.users import check_password, hash_password
from polyphony.core.auth import Api, Authorizer, Credentials, Scope, credentials_from
from polyphony.core.errors import PermissionDenied, Unauthenticated


def test_password_hash_round_trip() -> None:
    stored = hash_password("s3cret")
    assert stored.startswith("scrypt$") and "s3cret" not in stored
    assert check_password("s3cret", stored) and not check_password("S3cret", stored)
    assert not check_password("s3cret", "garbage")


def test_drf_token_scheme_is_a_bearer_token() -> None:
    assert credentials_from("Token abc") == Credentials("abc") == credentials_from("Bearer abc")


def test_issued_tokens_grant_their_scope_only() -> None:
    auth = Authorizer(("r",), ("w",), open_reads=frozenset())
    digest = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    auth.set_issued({digest("writer"): Scope.WRITE, digest("reader"): Scope.READ})
    auth.check(Api.TIMESIDE, Scope.WRITE, Credentials("writer"))
    auth.check(Api.TIMESIDE, Scope.READ, Credentials("writer"))
    auth.check(Api.TIMESIDE, Scope.READ, Credentials("reader"))
    with pytest.raises(PermissionDenied):
        auth.check(Api.TIMESIDE, Scope.WRITE, Credentials("reader"))
    auth.set_issued({})  # revoked
    with pytest.raises(Unauthenticated):
        auth.check(Api.TIMESIDE, Scope.READ, Credentials("writer"))
    auth.check(Api.TIMESIDE, Scope.WRITE, Credentials("w"))  # configured tokens are unaffected
