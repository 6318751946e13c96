import base64
import time

import jwt
import pytest

from polyphony.core.auth import (
    Api,
    Authorizer,
    Credentials,
    Grant,
    Scope,
    credentials_from,
    parse_open_reads,
    parse_scope_name,
    scope_name,
    token_digest,
)
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
    auth = Authorizer(("r",), ("w",), open_reads=frozenset({Api.AURA}))
    auth.check(Api.AURA, Scope.READ, Credentials(None))
    auth.check(Api.AURA, Scope.WRITE, Credentials("w"))
    with pytest.raises(Unauthenticated):
        auth.check(Api.AURA, Scope.WRITE, Credentials(None))
    with pytest.raises(PermissionDenied):
        auth.check(Api.AURA, Scope.WRITE, Credentials("r"))
    with pytest.raises(Unauthenticated):
        auth.check(Api.AURA, Scope.WRITE, Credentials("nope"))
    with pytest.raises(Unauthenticated):  # TAMS reads are not open here
        auth.check(Api.TAMS, Scope.READ, Credentials(None))


def test_closed_reads() -> None:
    auth = Authorizer(("r",), ("w",), open_reads=frozenset())
    auth.check(Api.TAMS, Scope.READ, Credentials("r"))
    auth.check(Api.TAMS, Scope.READ, Credentials("w"))
    with pytest.raises(Unauthenticated):
        auth.check(Api.TAMS, Scope.READ, Credentials(None))


def test_open_reads_setting() -> None:
    assert parse_open_reads("aura,timeside,opentheater") == {Api.AURA, Api.TIMESIDE, Api.OPENTHEATER}
    assert parse_open_reads("all") == set(Api) and parse_open_reads("true") == set(Api)
    assert parse_open_reads("none") == set() and parse_open_reads("false") == set()
    assert parse_open_reads("tams-api,media") == {Api.TAMS, Api.AURA}
    with pytest.raises(ValueError):
        parse_open_reads("aura,nope")


def test_scope_names_follow_the_tams_reference_deployment() -> None:
    assert scope_name(Api.TAMS, Scope.DELETE) == "tams-api/delete"
    assert parse_scope_name("tams-api/write") == (Api.TAMS, Scope.WRITE)
    assert parse_scope_name("aura/read") == (Api.AURA, Scope.READ)
    assert parse_scope_name("tams-api/fly") is None and parse_scope_name("x/read") is None


def test_admin_implies_the_other_scopes_of_its_api_only() -> None:
    grant = Grant.from_names(["tams-api/admin"])
    assert all(grant.allows(Api.TAMS, s) for s in Scope)
    assert not grant.allows(Api.AURA, Scope.READ)
    write_only = Grant.from_names(["tams-api/write"])
    assert write_only.allows(Api.TAMS, Scope.WRITE) and not write_only.allows(Api.TAMS, Scope.READ)
    assert not write_only.allows(Api.TAMS, Scope.DELETE)


def test_bearer_jwts_carry_scopes() -> None:
    auth = Authorizer((), (), open_reads=frozenset(), jwt_keys=("k3y",))
    good = jwt.encode({"scope": "tams-api/read tams-api/delete", "exp": time.time() + 60}, "k3y", algorithm="HS256")
    auth.check(Api.TAMS, Scope.READ, Credentials(good))
    auth.check(Api.TAMS, Scope.DELETE, Credentials(good))
    with pytest.raises(PermissionDenied):
        auth.check(Api.TAMS, Scope.WRITE, Credentials(good))
    expired = jwt.encode({"scope": "tams-api/read", "exp": time.time() - 60}, "k3y", algorithm="HS256")
    forged = jwt.encode({"scope": "tams-api/read", "exp": time.time() + 60}, "other", algorithm="HS256")
    no_exp = jwt.encode({"scope": "tams-api/read"}, "k3y", algorithm="HS256")
    for token in (expired, forged, no_exp):
        with pytest.raises(Unauthenticated):
            auth.check(Api.TAMS, Scope.READ, Credentials(token))


async def test_stored_tokens_are_reloaded_and_revocation_takes_effect() -> None:
    store: dict[str, tuple[Grant, float | None]] = {}

    async def load() -> dict[str, tuple[Grant, float | None]]:
        return dict(store)

    auth = Authorizer((), (), open_reads=frozenset())
    auth.set_token_loader(load)
    store[token_digest("pt_new")] = (Grant.from_names(["aura/write"]), None)
    await auth.check_async(Api.AURA, Scope.WRITE, Credentials("pt_new"))  # unknown at first: reloaded at once
    with pytest.raises(PermissionDenied):
        await auth.check_async(Api.AURA, Scope.READ, Credentials("pt_new"))
    store[token_digest("pt_old")] = (Grant.from_names(["aura/read"]), time.time() - 1)
    await auth.refresh(force=True)
    with pytest.raises(Unauthenticated):  # expired
        await auth.check_async(Api.AURA, Scope.READ, Credentials("pt_old"))
    store.clear()  # revoked
    await auth.refresh(force=True)
    with pytest.raises(Unauthenticated):
        await auth.check_async(Api.AURA, Scope.WRITE, Credentials("pt_new"))
