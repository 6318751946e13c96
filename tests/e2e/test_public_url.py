"""Absolute URLs: POLYPHONY_PUBLIC_URL when set; X-Forwarded-* believed only from trusted proxies; a bad
scheme or host is never echoed (issue 14)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import RunningServer, run_server


def _location(http: httpx.Client, server: RunningServer, headers: dict[str, str]) -> str:
    name = uuid.uuid4().hex[:8].upper()
    resp = http.post(
        "/opentheater/projects",
        json={"projectPath": ["URLS", name], "projectLabel": ["Urls", name]},
        headers={**server.auth(), **headers},
    )
    assert resp.status_code == 201, resp.text
    _forget(http, server, resp)
    return str(resp.headers["location"])


def _forget(http: httpx.Client, server: RunningServer, created: httpx.Response) -> None:
    """Delete a project made here (other tests read the shared server's project list)."""
    gone = http.delete(f"/opentheater/projects/{created.json()['projectUuid']}", headers=server.auth())
    assert gone.status_code in (200, 204), gone.text


def test_forwarded_headers_from_a_client_are_ignored(http: httpx.Client, server: RunningServer) -> None:
    location = _location(http, server, {"x-forwarded-proto": "javascript:", "x-forwarded-host": "evil.example"})
    assert location.startswith(server.http + "/opentheater/projects/")
    location = _location(http, server, {"x-forwarded-proto": "https"})
    assert location.startswith(server.http + "/")


@pytest.mark.parametrize("host", ['evil"><script>', "javascript:x", "a_b:1"])
def test_a_bad_host_is_never_echoed(http: httpx.Client, server: RunningServer, host: str) -> None:
    # Envoy itself refuses most malformed Host headers (400); what it lets through, links ignore
    name = uuid.uuid4().hex[:8].upper()
    resp = http.post(
        "/opentheater/projects",
        json={"projectPath": ["URLS", name], "projectLabel": ["Urls", name]},
        headers={**server.auth(), "host": host},
    )
    assert resp.status_code in (201, 400), resp.text
    assert host not in resp.text and host not in resp.headers.get("location", "")
    if resp.status_code == 201:
        _forget(http, server, resp)
        port = server.http.rsplit(":", 1)[1]
        assert resp.headers["location"].startswith(f"http://localhost:{port}/opentheater/projects/")


@pytest.fixture(scope="module")
def behind_proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(tmp_path_factory.mktemp("proxied"), extra_env={"POLYPHONY_TRUSTED_PROXIES": "127.0.0.0/8"}) as srv:
        yield srv


def test_a_trusted_proxy_sets_scheme_and_host(behind_proxy: RunningServer) -> None:
    with httpx.Client(base_url=behind_proxy.http, timeout=30) as http:
        location = _location(
            http, behind_proxy, {"x-forwarded-proto": "https", "x-forwarded-host": "media.example.org"}
        )
        assert location.startswith("https://media.example.org/opentheater/projects/")
        # even a trusted proxy cannot put a script scheme or a broken host into links
        location = _location(http, behind_proxy, {"x-forwarded-proto": "javascript:", "x-forwarded-host": "a b"})
        assert location.startswith(behind_proxy.http + "/opentheater/projects/")


def test_public_url_wins(tmp_path: Path) -> None:
    with (
        run_server(tmp_path, extra_env={"POLYPHONY_PUBLIC_URL": "https://polyphony.example.com/"}) as srv,
        httpx.Client(base_url=srv.http, timeout=30) as http,
    ):
        location = _location(http, srv, {"x-forwarded-proto": "http", "x-forwarded-host": "other.example"})
        assert location.startswith("https://polyphony.example.com/opentheater/projects/")
