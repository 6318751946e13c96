"""HEAD through Envoy answers exactly the headers GET answers (status, content type, content length, ranges,
ETag...) and no body, on a representative route of every family: JSON and bytes, whole and ranged."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import FIXTURES
from tests.e2e.test_analysis import upload, wav
from tests.e2e.test_media import _write
from tests.harness import RunningServer, run_server
from tests.unit.flow.spec import audio_flow

PIECE = "09a7506a-d399-4d42-983f-47a12e028586"  # tests/fixtures/opentheater/projects.yaml
DE_SIGN = "d40dcbb7-f740-4f94-bb9e-0da4d19650fb"
RANGE = {"range": "bytes=10-109"}
# headers that differ between any two answers whatever the method (`connection`: the test asks to close)
VOLATILE = {
    "connection",
    "date",
    "x-request-id",
    "x-envoy-upstream-service-time",
    "content-length",
    "transfer-encoding",
}


@dataclass
class Route:
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _scan(server: RunningServer, root: Path) -> None:
    """Add tests/e2e/test_media's library (its tracks and an album cover) to the server's."""
    _write(root)
    env = dict(os.environ, POLYPHONY_DATABASE_URL=server.database_url)
    command = [sys.executable, "-m", "polyphony.cli", "scan", str(root), "--data-dir", str(server.data_dir)]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def _routes(server: RunningServer) -> dict[str, Route]:
    auth = server.auth()
    with httpx.Client(base_url=server.http, timeout=60, headers=auth) as http:
        track = http.get("/aura/tracks", params={"page[limit]": "1"}).json()["data"][0]["id"]
        albums = http.get("/aura/albums", params={"filter[title]": "White"}).json()["data"]
        image = albums[0]["relationships"]["images"]["data"][0]["id"]
        flow = audio_flow(container="audio/wav", codec="audio/pcm")
        assert http.put(f"/tams/flows/{flow['id']}", json=flow).status_code == 201
        storage = http.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 1}).json()["media_objects"][0]
        put = storage["put_url"]
        data = bytes(range(256)) * 40
        assert http.put(put["url"], content=data, headers={"content-type": put["content-type"]}).status_code == 200
        segment = {"object_id": storage["object_id"], "timerange": "[0:0_1:0)"}
        assert http.post(f"/tams/flows/{flow['id']}/segments", json=[segment]).status_code == 201
        get_url = http.get(f"/tams/flows/{flow['id']}/segments").json()[0]["get_urls"][0]["url"]
        item = upload(http, server, wav(1.0), name=f"h{uuid.uuid4().hex[:6]}.wav").json()
    return {
        "aura-json": Route(f"/aura/tracks/{track}"),
        "aura-audio": Route(f"/aura/tracks/{track}/audio"),
        "aura-audio-range": Route(f"/aura/tracks/{track}/audio", RANGE, 206),
        "aura-image": Route(f"/aura/images/{image}/file"),
        "tams-json": Route(f"/tams/flows/{flow['id']}", auth),
        "tams-object": Route(get_url.removeprefix(server.http)),
        "tams-object-range": Route(get_url.removeprefix(server.http), RANGE, 206),
        "timeside-json": Route(f"/timeside/api/items/{item['uuid']}/"),
        "timeside-audio": Route(item["source_file"].removeprefix(server.http)),
        "opentheater-json": Route("/opentheater/projectList.json"),
        "opentheater-asset": Route(f"/opentheater/files/{PIECE}/{DE_SIGN}/1.vtt"),
        "opentheater-asset-range": Route(f"/opentheater/files/{PIECE}/{DE_SIGN}/1.vtt", {"range": "bytes=2-20"}, 206),
    }
    return routes


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own (its library gains an album cover): the demo library, the test Open Theater
    projects."""
    env = {"POLYPHONY_PROJECTS_FILE": str(FIXTURES / "opentheater" / "projects.yaml")}
    with run_server(tmp_path_factory.mktemp("head"), extra_env=env, args=("--demo",)) as srv:
        _scan(srv, tmp_path_factory.mktemp("covers"))
        yield srv


@pytest.fixture(scope="module")
def routes(edge: RunningServer) -> dict[str, Route]:
    return _routes(edge)


def _raw_head(server: RunningServer, route: Route) -> tuple[int, dict[str, str], bytes]:
    """A HEAD over a raw socket (Connection: close): its status, headers, and every byte after them."""
    host, port = server.grpc_target.split(":")
    lines = [f"HEAD {route.path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in route.headers.items()]
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in fields:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, rest


def _stable(headers: Any) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in VOLATILE}


@pytest.mark.parametrize(
    "name",
    [
        "aura-json",
        "aura-audio",
        "aura-audio-range",
        "aura-image",
        "tams-json",
        "tams-object",
        "tams-object-range",
        "timeside-json",
        "timeside-audio",
        "opentheater-json",
        "opentheater-asset",
        "opentheater-asset-range",
    ],
)
def test_head_answers_the_headers_of_get_without_the_body(
    edge: RunningServer, routes: dict[str, Route], name: str
) -> None:
    route = routes[name]
    with httpx.Client(base_url=edge.http, timeout=60) as http:
        got = http.get(route.path, headers=route.headers)
    assert got.status_code == route.status, got.text[:300]
    status, headers, body = _raw_head(edge, route)
    assert body == b"", "HEAD answer carried a body"
    assert status == got.status_code
    assert headers["content-length"] == str(len(got.content))
    if "content-length" in got.headers:
        assert got.headers["content-length"] == headers["content-length"]
    assert _stable(headers) == _stable(got.headers)
    if route.status == 206:
        assert headers["content-range"].startswith("bytes ") and "accept-ranges" in headers
