"""Every route of every API x every scope: 2xx (or the route's own answer) / 403 / 401 exactly.

The routes come from the descriptor set Envoy serves (each method's google.api.http rules) and the scope
each needs from its `polyphony.api.common.v1.access` option, so a new route cannot be left out.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import jwt
import pytest

from polyphony.app import SERVICES
from polyphony.core import keys
from polyphony.core.auth import SCOPE_PREFIX, Api, Scope
from polyphony.core.registry import error_families
from polyphony.edge.assets import descriptor_set
from polyphony.rpc.access import HttpRoute, HttpRoutes
from tests.harness import RunningServer, run_server

ROUTES = [
    r
    for r in HttpRoutes.from_descriptor_set(descriptor_set().read_bytes(), error_families(SERVICES)).routes
    if r.verb != "HEAD"
]
OPEN_BY_DEFAULT = {Api.AURA, Api.TIMESIDE, Api.OPENTHEATER}  # TAMS declares security on every operation
KINDS = ["none", "bad", *[s.value for s in Scope], "other-api-admin"]


@pytest.fixture(scope="module")
def walk_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    # a server of its own: the walk sends `{}` to every write route with every token
    with run_server(tmp_path_factory.mktemp("scopes")) as srv:
        yield srv


@pytest.fixture(scope="module")
def tokens(walk_server: RunningServer) -> dict[tuple[Api, str], str]:
    key = keys.derive((walk_server.data_dir / "secret.key").read_text().strip(), keys.API_JWT)
    exp = time.time() + 3600
    out = {}
    for api in Api:
        for scope in Scope:
            claims = {"scope": f"{SCOPE_PREFIX[api]}/{scope.value}", "exp": exp, "sub": "walker"}
            out[(api, scope.value)] = jwt.encode(claims, key, algorithm="HS256")
    return out


def _url(route: HttpRoute) -> str:
    path = route.template
    while "{" in path:
        start, end = path.index("{"), path.index("}")
        value = "a/b.txt" if "**" in path[start:end] else str(uuid.uuid4())
        path = path[:start] + value + path[end + 1 :]
    return path


def _headers(kind: str, route: HttpRoute, tokens: dict[tuple[Api, str], str]) -> dict[str, str]:
    if kind == "none":
        return {}
    if kind == "bad":
        return {"authorization": "Bearer not-a-token"}
    api = route.policy.api
    if kind == "other-api-admin":
        api = Api.AURA if api is not Api.AURA else Api.TAMS
        return {"authorization": f"Bearer {tokens[(api, 'admin')]}"}
    return {"authorization": f"Bearer {tokens[(api, kind)]}"}


def _expected(route: HttpRoute, kind: str) -> int | None:
    """401 or 403, or None when the call must get through authorization."""
    scope = route.policy.scope
    assert scope is not None
    if scope is Scope.READ and route.policy.api in OPEN_BY_DEFAULT:
        return None
    if kind in ("none", "bad"):
        return 401
    if kind in (scope.value, "admin"):
        return None
    return 403


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.verb} {r.template}" for r in ROUTES])
def test_route_answers_each_scope_exactly(
    walk_server: RunningServer, tokens: dict[tuple[Api, str], str], route: HttpRoute
) -> None:
    url = _url(route)
    with httpx.Client(base_url=walk_server.http, timeout=30) as http:

        def call(kind: str, body: bytes | None = None) -> httpx.Response:
            content = body if body is not None else (b"{}" if route.body else None)
            headers = {**_headers(kind, route, tokens), "content-type": "application/json"}
            return http.request(route.verb, url, content=content, headers=headers)

        if route.policy.scope is None:  # signed routes check their own signature: a token changes nothing
            assert call("none").status_code == call("admin").status_code
            return
        for kind in KINDS:
            resp = call(kind)
            want = _expected(route, kind)
            if want is None:
                assert resp.status_code not in (401, 403), (kind, resp.status_code, resp.text[:300])
                if route.verb == "GET" and "{" not in route.template:
                    assert 200 <= resp.status_code < 300, (kind, resp.status_code, resp.text[:300])
            else:
                assert resp.status_code == want, (kind, resp.status_code, resp.text[:300])
        if _expected(route, "none") == 401 and route.body:  # 401 comes before any look at the body
            assert call("none", b"{not json").status_code == 401


def test_every_route_has_a_scope_and_delete_routes_need_delete() -> None:
    apis = {r.policy.api for r in ROUTES}
    assert apis == set(Api)
    for r in ROUTES:
        if r.verb == "DELETE":
            assert r.policy.scope is Scope.DELETE, r.template
    service = [r for r in ROUTES if r.verb == "POST" and r.template == "/tams/service"]
    assert service and service[0].policy.scope is Scope.ADMIN


def test_cli_tokens_work_until_revoked(walk_server: RunningServer) -> None:
    env = dict(os.environ, POLYPHONY_DATABASE_URL=walk_server.database_url)
    cli = [sys.executable, "-m", "polyphony.cli", "token", "--data-dir", str(walk_server.data_dir)]

    def run(*args: str) -> str:
        out = subprocess.run([*cli, *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    created = run("create", "--service", "tams", "--scopes", "read,write", "--expires", "1d", "--name", "walk")
    token, info = created.splitlines()[0], created.splitlines()[1]
    token_id = info.split()[1]
    assert "tams-api/read tams-api/write" in info
    with httpx.Client(base_url=walk_server.http, timeout=30, headers={"authorization": f"Bearer {token}"}) as http:
        assert http.get("/tams/flows").status_code == 200
        assert http.delete(f"/tams/flows/{uuid.uuid4()}").status_code == 403  # no delete scope
        listed = run("list")
        assert token_id in listed and "active" in listed and token not in listed
        assert run("revoke", token_id).startswith("revoked")
        deadline = time.monotonic() + 5
        while http.get("/tams/flows").status_code != 401:
            assert time.monotonic() < deadline, "a revoked token still works"
            time.sleep(0.2)
