"""The edge contract every service relies on: status mapping, error shapes, HEAD, gRPC on the same port."""

from __future__ import annotations

import json
import socket

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from polyphony.api.media.v1 import media_pb2, media_pb2_grpc
from tests.harness import RunningServer


def _no_grpc_leaks(resp: httpx.Response) -> None:
    for header in resp.headers:
        assert not header.startswith("grpc-"), header
        assert not header.startswith("x-http-status") and header != "x-error-body"
    assert resp.headers.get("content-type", "").split(";")[0] != "application/grpc"


@pytest.mark.parametrize(
    ("path", "family_check"),
    [
        ("/aura/does-not-exist", lambda b: b["errors"][0]["status"] == "404"),
        ("/tams/does-not-exist", lambda b: set(b) >= {"type", "summary", "time"}),
        ("/timeside/api/does-not-exist/", lambda b: "detail" in b),
        ("/opentheater/does-not-exist", lambda b: b["status"] == 404 and "error" in b),
        ("/nothing-here", lambda b: b["status"] == 404),
    ],
)
def test_unknown_routes_answer_404_in_the_family_shape(http: httpx.Client, path: str, family_check) -> None:  # type: ignore[no-untyped-def]
    resp = http.get(path)
    assert resp.status_code == 404
    assert family_check(resp.json())
    _no_grpc_leaks(resp)
    if path.startswith("/aura/"):
        assert resp.headers["content-type"] == "application/vnd.api+json"


def test_aura_content_type_and_no_grpc_headers(http: httpx.Client) -> None:
    resp = http.get("/aura/server")
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "application/vnd.api+json"
    _no_grpc_leaks(resp)


def test_head_has_headers_but_no_body(server: RunningServer) -> None:
    # raw socket: make sure no body bytes follow a HEAD answer (they would corrupt keep-alive)
    host, port = server.grpc_target.split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(b"HEAD /aura/server HTTP/1.1\r\nHost: x\r\n\r\nGET /aura/server HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        s.settimeout(5)
        while data.count(b"HTTP/1.1") < 2 or not data.rstrip().endswith(b"}}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    first, second = data.split(b"HTTP/1.1 ")[1:3]
    assert first.startswith(b"200") and b"application/vnd.api+json" in first
    assert first.endswith(b"\r\n\r\n"), "HEAD answer carried a body"
    assert second.startswith(b"200") and b'"aura-version"' in second


def test_transcoder_errors_are_wrapped(http: httpx.Client) -> None:
    resp = http.get("/aura/tracks", params={"limit": "abc"})
    assert resp.status_code == 400
    body = resp.json()
    assert body["errors"][0]["status"] == "400" and "limit" in body["errors"][0]["detail"]
    _no_grpc_leaks(resp)


def test_wrong_method_is_404_not_500(http: httpx.Client) -> None:
    resp = http.post("/aura/server", content=b"{bad json")
    assert resp.status_code in (404, 405)
    assert "errors" in resp.json()


def test_oversized_body_is_413_in_family_shape(http: httpx.Client, server: RunningServer) -> None:
    resp = http.put(
        "/tams/flows/3b8d4e5c-6f70-4a1b-9c2d-0e1f2a3b4c5d",
        content=b"x" * (17 * 1024 * 1024),
        headers={"content-type": "application/json", **server.auth()},
    )
    assert resp.status_code == 413
    assert set(resp.json()) >= {"type", "summary", "time"}


async def test_native_grpc_health_and_reflection(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    reply = await health.Check(health_pb2.HealthCheckRequest(service="polyphony.api.media.v1.MediaService"))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)

    async def ask() -> list[str]:
        async for resp in stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")])):
            return [s.name for s in resp.list_services_response.service]
        return []

    services = await ask()
    assert "polyphony.api.media.v1.MediaService" in services
    assert "grpc.health.v1.Health" in services


async def test_grpc_errors_carry_google_rpc_details(channel: grpc.aio.Channel) -> None:
    stub = media_pb2_grpc.MediaServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetTrack(media_pb2.GetTrackRequest(id="424242"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    trailers = dict(err.value.trailing_metadata() or ())
    status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info) and info.reason == "NOT_FOUND"
    assert json.loads(trailers["x-error-body"])["errors"][0]["status"] == "404"


async def test_grpc_invalid_argument_names_the_field(channel: grpc.aio.Channel) -> None:
    stub = media_pb2_grpc.MediaServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListTracks(media_pb2.ListTracksRequest(limit=-5))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = status_pb2.Status.FromString(dict(err.value.trailing_metadata() or ())["grpc-status-details-bin"])
    bad = error_details_pb2.BadRequest()
    assert status.details[1].Unpack(bad) and bad.field_violations[0].field == "limit"
