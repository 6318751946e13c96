import base64

import pytest

from polyphony.core.auth import Authorizer, Credentials, Scope, credentials_from
from polyphony.core.errors import PermissionDenied, Unauthenticated


def test_bearer_basic_and_query_tokens() -> None:
    assert credentials_from("Bearer abc") == Credentials("abc")
    basic = base64.b64encode(b"user:abc").decode()
    assert credentials_from(f"Basic {basic}") == Credentials("abc")
    assert credentials_from(None, "abc") == Credentials("abc")
    assert credentials_from(None) == Credentials(None)


def test_unknown_scheme_is_unauthenticated() -> None:
    with pytest.raises(Unauthenticated):
        credentials_from("Digest xyz")


def test_open_reads_closed_writes() -> None:
    auth = Authorizer(("r",), ("w",), open_reads=True)
    auth.check(Scope.READ, Credentials(None))
    auth.check(Scope.WRITE, Credentials("w"))
    with pytest.raises(Unauthenticated):
        auth.check(Scope.WRITE, Credentials(None))
    with pytest.raises(PermissionDenied):
        auth.check(Scope.WRITE, Credentials("r"))
    with pytest.raises(Unauthenticated):
        auth.check(Scope.WRITE, Credentials("nope"))


def test_closed_reads() -> None:
    auth = Authorizer(("r",), ("w",), open_reads=False)
    auth.check(Scope.READ, Credentials("r"))
    auth.check(Scope.READ, Credentials("w"))
    with pytest.raises(Unauthenticated):
        auth.check(Scope.READ, Credentials(None))
