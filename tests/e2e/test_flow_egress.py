"""The SSRF guard end to end: a server WITHOUT POLYPHONY_TAMS_ALLOW_PRIVATE_WEBHOOKS refuses webhook URLs and
Object copy sources on loopback, private and link-local addresses (400 with the spec's error body), over
REST through Envoy and over native gRPC, and keeps what was stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.harness import RunningServer, run_server
from tests.unit.flow.spec import assert_valid, audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

PUBLIC_HOOK = "https://93.184.216.34/hook"  # a public literal: accepted without any DNS lookup


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with run_server(
        Path(tmp_path_factory.mktemp("guarded")), extra_env={"POLYPHONY_TAMS_ALLOW_PRIVATE_WEBHOOKS": "false"}
    ) as server:
        yield server


@pytest.fixture
def ghttp(guarded: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=guarded.http, headers=guarded.read_auth(), timeout=30) as client:
        yield client


def _error(resp: httpx.Response) -> dict[str, Any]:
    assert resp.status_code == 400, resp.text
    body: dict[str, Any] = resp.json()
    assert_valid("error.json", body)
    return body


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://[::1]:8080/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.7/hook",
        "http://192.168.0.1/hook",
        "http://[::ffff:127.0.0.1]/x",
    ],
)
def test_private_webhook_urls_are_refused(ghttp: httpx.Client, guarded: RunningServer, url: str) -> None:
    body = _error(
        ghttp.post("/tams/service/webhooks", json={"url": url, "events": ["flows/created"]}, headers=guarded.auth())
    )
    assert "does not contact" in body["summary"] or "address" in body["summary"]


def test_updating_a_webhook_to_a_private_url_is_refused_and_changes_nothing(
    ghttp: httpx.Client, guarded: RunningServer
) -> None:
    created = ghttp.post(
        "/tams/service/webhooks", json={"url": PUBLIC_HOOK, "events": ["flows/created"]}, headers=guarded.auth()
    )
    assert created.status_code == 201, created.text
    hook = created.json()
    update = {"id": hook["id"], "url": "http://127.0.0.1:9/b", "events": ["flows/deleted"], "status": "created"}
    _error(ghttp.put(f"/tams/service/webhooks/{hook['id']}", json=update, headers=guarded.auth()))
    got = ghttp.get(f"/tams/service/webhooks/{hook['id']}", headers=guarded.auth())
    assert got.status_code == 200 and got.json()["url"] == PUBLIC_HOOK, got.text
    assert ghttp.delete(f"/tams/service/webhooks/{hook['id']}", headers=guarded.auth()).status_code == 204


def test_copying_an_object_from_a_private_url_is_refused(ghttp: httpx.Client, guarded: RunningServer) -> None:
    flow = audio_flow()
    assert ghttp.put(f"/tams/flows/{flow['id']}", json=flow, headers=guarded.auth()).status_code == 201
    mirrored = f"mirrored-{uuid.uuid4()}"
    # the server's own presigned byte route: a loopback URL the copy must not fetch
    seg = {
        "object_id": mirrored,
        "timerange": "[0:0_1:0)",
        "get_urls": [{"url": f"{guarded.http}/tams/_objects/x?expires=1&signature=x", "label": "mirror"}],
    }
    assert ghttp.post(f"/tams/flows/{flow['id']}/segments", json=seg, headers=guarded.auth()).status_code == 201
    backend = ghttp.get("/tams/service/storage-backends").json()[0]
    body = _error(
        ghttp.post(f"/tams/objects/{mirrored}/instances", json={"storage_id": backend["id"]}, headers=guarded.auth())
    )
    assert "loopback" in body["summary"]
    assert [u["label"] for u in ghttp.get(f"/tams/objects/{mirrored}").json()["get_urls"]] == ["mirror"]


async def test_grpc_private_webhook_url_is_invalid_argument(guarded: RunningServer) -> None:
    async with grpc.aio.insecure_channel(guarded.grpc_target) as channel:
        stub = flow_pb2_grpc.FlowServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.CreateWebhook(
                flow_pb2.CreateWebhookRequest(
                    webhook=flow_pb2.Webhook(url="http://169.254.169.254/", events=["flows/created"])
                ),
                metadata=guarded.grpc_auth(),
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        created = await stub.CreateWebhook(
            flow_pb2.CreateWebhookRequest(webhook=flow_pb2.Webhook(url=PUBLIC_HOOK, events=["flows/created"])),
            metadata=guarded.grpc_auth(),
        )
        assert created.url == PUBLIC_HOOK
        await stub.DeleteWebhook(flow_pb2.DeleteWebhookRequest(webhook_id=created.id), metadata=guarded.grpc_auth())
