"""One error renderer: the bodies the Envoy Lua filter writes for the transcoder's own errors (bad JSON,
bad numbers, unknown routes, oversized bodies) have the same shape, names and content type as the bodies
the server renders for the same status, in every route family."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from polyphony.core.errors import ErrorFamily, error_for_status, render_error
from tests.harness import RunningServer

MISSING = str(uuid.uuid4())


def _shape(family: ErrorFamily, body: Any) -> Any:
    """What must agree between two error bodies of one status: every key and every fixed value (the
    detail and the time differ from error to error, and so may JSON:API's optional `source`)."""
    if family is ErrorFamily.AURA:
        [error] = body["errors"]
        return sorted(body), sorted(set(error) - {"source"}), error["status"], error["title"]
    if family is ErrorFamily.TAMS:
        return sorted(body), body["type"], isinstance(body["summary"], str), isinstance(body["time"], str)
    if family is ErrorFamily.TIMESIDE:
        return sorted(body) if "detail" in body else "field errors"
    return sorted(body), body["status"]


# (family, status, a request the transcoder or Lua answers itself, a request the server answers);
# a body `multipart:...` is sent as multipart/form-data, any other as JSON
CASES: list[tuple[ErrorFamily, int, tuple[str, str, bytes], tuple[str, str, bytes]]] = [
    (ErrorFamily.AURA, 400, ("GET", "/aura/tracks?limit=abc", b""), ("GET", "/aura/tracks?page=%00bad", b"")),
    (ErrorFamily.AURA, 404, ("GET", "/aura/no-such-route", b""), ("GET", "/aura/tracks/999999999", b"")),
    (ErrorFamily.TAMS, 400, ("PUT", f"/tams/flows/{MISSING}", b"{bad json"), ("GET", "/tams/flows?limit=-1", b"")),
    (ErrorFamily.TAMS, 404, ("GET", "/tams/no-such-route", b""), ("GET", f"/tams/flows/{MISSING}", b"")),
    (
        ErrorFamily.TIMESIDE,
        400,
        ("POST", "/timeside/api/presets/", b"{bad json"),
        ("POST", "/timeside/api/items/", b"multipart:no boundary"),
    ),
    (
        ErrorFamily.TIMESIDE,
        404,
        ("GET", "/timeside/api/no-such-route/", b""),
        ("GET", f"/timeside/api/items/{MISSING}/", b""),
    ),
    (
        ErrorFamily.OPENTHEATER,
        400,
        ("POST", "/opentheater/projects", b"{bad json"),
        ("POST", "/opentheater/projects", b'{"projectPath": []}'),
    ),
    (
        ErrorFamily.OPENTHEATER,
        404,
        ("GET", "/opentheater/no-such-route", b""),
        ("GET", f"/opentheater/projects/{MISSING}/cues", b""),
    ),
]


def _send(http: httpx.Client, server: RunningServer, request: tuple[str, str, bytes]) -> httpx.Response:
    method, path, body = request
    kind, _, rest = body.partition(b":")
    content_type = "application/json"
    if kind == b"multipart":
        content_type, body = "multipart/form-data", rest
    headers = {"content-type": content_type, **server.auth()} if body else server.auth()
    return http.request(method, path, content=body or None, headers=headers)


@pytest.mark.parametrize(("family", "status", "edge", "domain"), CASES, ids=lambda c: getattr(c, "value", None))
def test_edge_and_server_errors_agree(
    http: httpx.Client,
    server: RunningServer,
    family: ErrorFamily,
    status: int,
    edge: tuple[str, str, bytes],
    domain: tuple[str, str, bytes],
) -> None:
    by_edge, by_server = _send(http, server, edge), _send(http, server, domain)
    assert (by_edge.status_code, by_server.status_code) == (status, status), (by_edge.text, by_server.text)
    assert by_edge.headers["content-type"] == by_server.headers["content-type"]
    assert _shape(family, by_edge.json()) == _shape(family, by_server.json())
    # and both are what the one renderer makes of the canonical error for the status
    expected = render_error(family, error_for_status(status, "x"))
    assert _shape(family, by_edge.json()) == _shape(family, expected)


def test_an_oversized_body_is_named_like_the_servers_payload_too_large(
    http: httpx.Client, server: RunningServer
) -> None:
    resp = http.put(
        f"/tams/flows/{MISSING}",
        content=b"x" * (17 * 1024 * 1024),
        headers={"content-type": "application/json", **server.auth()},
    )
    assert resp.status_code == 413
    assert resp.json()["type"] == "PayloadTooLarge"
