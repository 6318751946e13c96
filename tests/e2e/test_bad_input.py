"""Bad input gets a 4xx in the spec's own error shape, never a 500, and no body or content type leaves a
request unanswered (issue 14, "Bad input that still gets a 500"). REST through Envoy; run on SQLite and,
with POLYPHONY_TEST_DB=postgres, on PostgreSQL (where a NUL character in text used to fail the write)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    """Every request carries the write token unless it sets its own (TAMS reads need one too)."""
    with httpx.Client(base_url=server.http, timeout=30, headers=server.auth()) as client:
        yield client


FAMILY_OF = {"/tams": "tams", "/aura": "aura", "/timeside": "timeside", "/opentheater": "opentheater"}


def _shaped(resp: httpx.Response, status: int, path: str) -> dict[str, Any]:
    """The answer has `status` and the error shape of the route family of `path`."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    doc: dict[str, Any] = resp.json()
    family = next(f for prefix, f in FAMILY_OF.items() if path.startswith(prefix))
    if family == "tams":
        assert_valid("error.json", doc)
    elif family == "aura":
        assert doc["errors"][0]["status"] == str(status)
    elif family == "opentheater":
        assert doc["status"] == status and isinstance(doc["error"], str)
    else:
        assert doc and all(isinstance(v, str | list) for v in doc.values())
    assert "DecodeError" not in resp.text and "Traceback" not in resp.text
    return doc


@pytest.fixture
def flow(http: httpx.Client, server: RunningServer) -> Iterator[dict[str, Any]]:
    doc = audio_flow()
    assert http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth()).status_code == 201
    yield doc


@pytest.fixture
def new_project(http: httpx.Client, server: RunningServer) -> Iterator[Any]:
    """Makes Open Theater projects on the shared server and deletes them afterwards: other tests list
    the shared server's projects and must not see these."""
    made: list[str] = []

    def make(path: list[str]) -> str:
        resp = http.post("/opentheater/projects", json={"projectPath": path}, headers=server.auth())
        assert resp.status_code == 201, resp.text
        made.append(resp.json()["projectUuid"])
        return made[-1]

    yield make
    for uid in made:
        assert http.delete(f"/opentheater/projects/{uid}", headers=server.auth()).status_code in (200, 204)


def test_bad_presigned_urls_are_refused_not_crashed(http: httpx.Client) -> None:
    for query in ("expires=%C2%B2&signature=abc", f"expires={'9' * 5000}&signature=abc", "expires=1&signature=%C3%A9"):
        path = f"/tams/_objects/{uuid.uuid4()}?{query}"
        _shaped(http.get(path), 403, path)


@pytest.mark.parametrize(
    "path", ["/tams/flows", "/aura/server", "/timeside/api/items/", "/opentheater/projectList.json"]
)
def test_non_ascii_basic_credentials_are_unauthenticated(http: httpx.Client, path: str) -> None:
    for raw in (b"Basic \xc3\xa9\xc3\xa9", b"Basic \xff\xfe", b"Basic w6k="):  # w6k= decodes to no user:pass
        resp = http.get(path, headers={"authorization": raw})
        assert resp.status_code in (200, 401), (raw, resp.status_code, resp.text)
        if resp.status_code == 401:
            _shaped(resp, 401, path)
    _shaped(http.get(path, headers={"authorization": b"Basic \xc3\xa9\xc3\xa9"}), 401, path)


@pytest.mark.parametrize(
    "path", ["/tams/flows/%ff%fe", "/tams/sources/%ff", "/aura/tracks/%ff", "/opentheater/projects/%ff/cuelist"]
)
def test_invalid_utf8_in_a_path_is_a_client_error(http: httpx.Client, path: str) -> None:
    _shaped(http.get(path), 400, path)


def test_invalid_utf8_in_a_query_is_a_client_error(http: httpx.Client, flow: dict[str, Any]) -> None:
    path = f"/tams/flows/{flow['id']}/segments?timerange=%ff"
    resp = http.get(path)
    assert resp.status_code == 400, resp.text
    _shaped(resp, 400, path)


def test_huge_numbers_in_timeranges(http: httpx.Client, flow: dict[str, Any]) -> None:
    digits = "9" * 5000
    for path in (
        f"/tams/flows/{flow['id']}/segments?timerange=[{digits}:0_10:0)",
        f"/tams/flows?timerange=[0:0_{digits}:0)",
        f"/tams/flows/{flow['id']}?timerange={digits}:0",
    ):
        _shaped(http.get(path), 400, path)


def test_huge_numbers_in_range_headers_are_ignored(http: httpx.Client, server: RunningServer, new_project: Any) -> None:
    auth = server.auth()
    uid = new_project(["BAD", "RANGE"])
    channel = http.post(f"/opentheater/projects/{uid}/channels", json={"label": "c"}, headers=auth).json()
    url = f"/opentheater/files/{uid}/{channel['channelUuid']}/a² 1{'9' * 200}.vtt"
    assert http.put(url, content=b"WEBVTT\n", headers=auth).status_code == 201
    for header in ("bytes=" + "9" * 5000 + "-", "bytes=-" + "9" * 5000, "bytes=0-" + "9" * 5000):
        resp = http.get(url, headers={"range": header})
        assert resp.status_code == 200 and resp.content == b"WEBVTT\n", (header[:20], resp.status_code)
    listed = http.get(f"/opentheater/files/{uid}/{channel['channelUuid']}/fileList.json")
    assert listed.status_code == 200, listed.text  # natural sort of names with `²` and long digit runs


def test_nul_characters_are_refused_everywhere(http: httpx.Client, server: RunningServer, flow: dict[str, Any]) -> None:
    auth = server.auth()
    fid = flow["id"]
    for method, path, body in (
        ("GET", "/aura/tracks?filter[title]=a%00b", None),
        ("GET", "/tams/flows?label=a%00b", None),
        ("GET", "/tams/flows?tag.genre=a%00b", None),
        ("PUT", f"/tams/flows/{fid}/label", "a\u0000b"),
        ("PUT", f"/tams/flows/{fid}/description", "a\u0000b"),
        ("PUT", f"/tams/flows/{fid}/tags/genre", "a\u0000b"),
        ("PUT", f"/tams/flows/{fid}/tags/genre", ["ok", "a\u0000b"]),
        ("PUT", f"/tams/flows/{fid}/tags/a%00b", "x"),
        ("PUT", f"/tams/flows/{fid}", {**flow, "tags": {"k\u0000": "v"}}),
        ("PUT", f"/tams/sources/{flow['source_id']}/label", "a\u0000b"),
        ("POST", "/opentheater/projects", {"projectPath": ["A\u0000", "B"]}),
    ):
        resp = http.request(method, path, json=body, headers=auth)
        _shaped(resp, 400, path)
    assert http.get(f"/tams/flows/{fid}").status_code == 200  # nothing broke the Flow
    # TimeSide: JSON, form and multipart bodies (titles, file names)
    path = "/timeside/api/items/"
    _shaped(http.post(path, json={"title": "a\u0000b"}, headers=auth), 400, path)
    _shaped(http.post(path, data={"title": "a\u0000b"}, headers=auth), 400, path)
    _shaped(http.post(path, files={"source_file": ("a\u0000b.wav", b"RIFF")}, headers=auth), 400, path)


def test_deep_json_in_a_cue_is_refused(http: httpx.Client, server: RunningServer, new_project: Any) -> None:
    auth = server.auth()
    uid = new_project(["BAD", "DEEP"])
    path = f"/opentheater/projects/{uid}/cues"
    deep = "[" * 1000 + "1" + "]" * 1000
    body = ('{"content":{"text_de":' + deep + "}}").encode()
    _shaped(http.post(path, content=body, headers={**auth, "content-type": "application/json"}), 400, path)
    cues = [{"label": "x", "payload": {"content": {"text_de": json.loads("[" * 40 + "1" + "]" * 40)}}}]
    resp = http.put(f"/opentheater/projects/{uid}/cuelist", json={"cues": cues}, headers=auth)
    assert 400 <= resp.status_code < 500, resp.text


def test_bad_urls_are_refused(http: httpx.Client, server: RunningServer) -> None:
    path = "/timeside/api/items/"
    for url in ("http://[::1\\]/a.wav", "http://example.com\\@127.0.0.1/a.wav", "http:\\\\example.com\\a.wav"):
        _shaped(http.post(path, json={"title": "t", "source_url": url}, headers=server.auth()), 400, path)
    path = "/tams/service/webhooks"
    hook = {"url": "http://[::1\\]/hook", "events": ["flows/created"]}
    _shaped(http.post(path, json=hook, headers=server.auth()), 400, path)


def test_tag_limits(http: httpx.Client, server: RunningServer, flow: dict[str, Any]) -> None:
    auth = server.auth()
    path = f"/tams/flows/{flow['id']}"
    doc = _shaped(
        http.put(path, json={**flow, "tags": {f"t{i}": "v" for i in range(100_000)}}, headers=auth), 400, path
    )
    assert "1000" in doc["summary"]
    _shaped(http.put(path, json={**flow, "tags": {"t": "v" * 5000}}, headers=auth), 400, path)
    _shaped(http.put(path + "/tags/" + "n" * 300, json="v", headers=auth), 400, path)
    many = {f"t{i}": "v" for i in range(1000)}
    assert http.put(path, json={**flow, "tags": many}, headers=auth).status_code in (200, 201, 204)
    _shaped(http.put(path + "/tags/one-more", json="v", headers=auth), 400, path)
    assert len(http.get(path + "/tags").json()) == 1000


def test_413_is_wrapped_once(http: httpx.Client, server: RunningServer, flow: dict[str, Any]) -> None:
    path = f"/tams/flows/{flow['id']}/description"
    body = json.dumps("x" * (17 * 1024 * 1024)).encode()
    doc = _shaped(
        http.put(path, content=body, headers={**server.auth(), "content-type": "application/json"}), 413, path
    )
    assert not doc["summary"].startswith("{"), doc


@pytest.mark.parametrize("content_type", ["text/plain", None, "application/octet-stream", "application/json"])
def test_bare_numbers_in_any_content_type_get_an_answer(
    http: httpx.Client, server: RunningServer, flow: dict[str, Any], content_type: str | None
) -> None:
    headers = server.auth() | ({"content-type": content_type} if content_type else {})
    url = f"/tams/flows/{flow['id']}/avg_bit_rate"
    resp = http.put(url, content=b"3246", headers=headers, timeout=10)
    assert resp.status_code == 204, resp.text
    assert http.get(url).json() == 3246
    resp = http.put(f"/tams/flows/{flow['id']}/read_only", content=b"true", headers=headers, timeout=10)
    assert resp.status_code == 204, resp.text
    assert http.put(f"/tams/flows/{flow['id']}/read_only", content=b"false", headers=headers).status_code == 204

    def chunks() -> Iterator[bytes]:  # chunked framing, no content length
        yield b"32"
        yield b"47"

    resp = http.put(url, content=chunks(), headers=headers, timeout=10)
    assert resp.status_code == 204, resp.text
    assert http.get(url).json() == 3247


def test_label_and_description_limits(http: httpx.Client, server: RunningServer, flow: dict[str, Any]) -> None:
    auth = server.auth()
    base = f"/tams/flows/{flow['id']}"
    _shaped(http.put(base + "/description", json="x" * 65537, headers=auth), 400, base)
    _shaped(http.put(base, json={**flow, "label": "l" * 65537}, headers=auth), 400, base)
    _shaped(http.put(f"/tams/sources/{flow['source_id']}/description", json="x" * 65537, headers=auth), 400, base)
    assert http.put(base + "/description", json="x" * 65536, headers=auth).status_code == 204
    assert len(http.get(base + "/description").json()) == 65536
