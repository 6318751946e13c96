"""TAMS webhooks end to end: registration/listing/update/deletion (REST through Envoy and native gRPC),
event delivery to a real HTTP receiver for every event type with the spec's bodies, filters, the api key
header, retries with backoff, the `error` status, and the outbox surviving a server restart."""

from __future__ import annotations

import time
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import yaml
from google.protobuf import struct_pb2
from jsonschema import Draft202012Validator

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.harness import RunningServer, database_url, free_port, run_server
from tests.unit.flow.receiver import Receiver
from tests.unit.flow.spec import BASE, SPEC, _registry, assert_valid, audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

EVENT_TYPES = [
    "flows/created",
    "flows/updated",
    "flows/deleted",
    "flows/segments_added",
    "flows/segments_deleted",
    "sources/created",
    "sources/updated",
    "sources/deleted",
]


@cache
def _event_schemas() -> dict[str, Any]:
    spec = yaml.safe_load((SPEC / "TimeAddressableMediaStore.yaml").read_text())

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: (BASE + v.removeprefix("schemas/") if k == "$ref" else fix(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return {
        name: fix(item["post"]["requestBody"]["content"]["application/json"]["schema"])
        for name, item in spec["webhooks"].items()
    }


def assert_event(body: dict[str, Any]) -> None:
    schema = _event_schemas()[body["event_type"]]
    errors = [
        f"{list(e.absolute_path)}: {e.message}"
        for e in Draft202012Validator(schema, registry=_registry()).iter_errors(body)
    ]
    assert not errors, errors


def _hook(http: httpx.Client, server: RunningServer, **body: Any) -> dict[str, Any]:
    body.setdefault("events", EVENT_TYPES)
    resp = http.post("/tams/service/webhooks", json=body, headers=server.auth())
    assert resp.status_code == 201, resp.text
    doc: dict[str, Any] = resp.json()
    assert_valid("webhook-get.json", doc)
    return doc


def _flow(http: httpx.Client, server: RunningServer, **overrides: Any) -> dict[str, Any]:
    doc = audio_flow(**overrides)
    assert http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth()).status_code == 201
    return doc


def _by_type(received: list[Any]) -> dict[str, dict[str, Any]]:
    return {r.body["event_type"]: r.body for r in received}


def _delete(http: httpx.Client, server: RunningServer, hook: dict[str, Any]) -> None:
    assert http.delete(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).status_code == 204


# ---- registration and management --------------------------------------------------------------------


def test_register_get_update_delete_over_rest(http: httpx.Client, server: RunningServer) -> None:
    flow_id = str(uuid.uuid4())
    body = {
        "url": "http://127.0.0.1:9/a",
        "api_key_name": "X-Api-Key",
        "api_key_value": "s3cret",
        "events": ["flows/created", "flows/updated"],
        "flow_ids": [flow_id],
        "flow_collected_by_ids": [],
        "accept_get_urls": [],
        "presigned": True,
        "include_object_timerange": True,
        "tags": {"team": "news"},
    }
    resp = http.post("/tams/service/webhooks", json=body, headers=server.auth())
    assert resp.status_code == 201, resp.text
    hook = resp.json()
    assert_valid("webhook-get.json", hook)
    assert resp.headers["location"].endswith(f"/tams/service/webhooks/{hook['id']}")
    assert "api_key_value" not in hook  # a secret shared with the receiver is never shown
    assert hook["status"] == "created" and hook["flow_ids"] == [flow_id]
    assert hook["flow_collected_by_ids"] == [] and hook["accept_get_urls"] == []  # empty lists mean something
    assert hook["presigned"] is True and hook["tags"] == {"team": "news"}

    got = http.get(f"/tams/service/webhooks/{hook['id']}", headers=server.auth())
    assert got.status_code == 200 and got.json() == hook
    assert http.head(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).content == b""

    update = {"id": hook["id"], "url": "http://127.0.0.1:9/b", "events": ["flows/deleted"], "status": "disabled"}
    put = http.put(f"/tams/service/webhooks/{hook['id']}", json=update, headers=server.auth())
    assert put.status_code == 201, put.text
    assert_valid("webhook-get.json", put.json())
    assert put.json() == {
        "id": hook["id"],
        "url": "http://127.0.0.1:9/b",
        "events": ["flows/deleted"],
        "status": "disabled",
    }
    mismatch = http.put(
        f"/tams/service/webhooks/{hook['id']}", json={**update, "id": str(uuid.uuid4())}, headers=server.auth()
    )
    assert mismatch.status_code == 400
    missing = str(uuid.uuid4())
    assert (
        http.put(f"/tams/service/webhooks/{missing}", json={**update, "id": missing}, headers=server.auth()).status_code
        == 404
    )

    assert http.delete(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).status_code == 204
    assert http.get(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).status_code == 404
    assert http.delete(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).status_code == 404
    assert http.get("/tams/service/webhooks/not-a-uuid", headers=server.auth()).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1:9/x"},  # no events
        {"url": "http://127.0.0.1:9/x", "events": ["flows/exploded"]},
        {"url": "ftp://127.0.0.1/x", "events": ["flows/created"]},
        {"url": "not a url", "events": ["flows/created"]},
        {"events": ["flows/created"]},
        {"url": "http://127.0.0.1:9/x", "events": ["flows/created"], "flow_ids": ["nope"]},
        {"url": "http://127.0.0.1:9/x", "events": ["flows/created"], "status": "started"},
        {"url": "http://127.0.0.1:9/x", "events": ["flows/created"], "api_key_value": "v"},
        {"url": "http://127.0.0.1:9/x", "events": ["flows/created"], "api_key_name": "bad name"},
        {"url": "http://127.0.0.1:9/x", "events": ["flows/created"], "api_key_name": "k", "api_key_value": "a\nb"},
    ],
)
def test_bad_registrations_are_400(http: httpx.Client, server: RunningServer, body: dict[str, Any]) -> None:
    resp = http.post("/tams/service/webhooks", json=body, headers=server.auth())
    assert resp.status_code == 400, resp.text
    assert_valid("error.json", resp.json())


def test_webhooks_need_write_access(anon: httpx.Client, http: httpx.Client, server: RunningServer) -> None:
    assert anon.get("/tams/service/webhooks").status_code == 401
    read = {"authorization": f"Bearer {server.read_token}"}
    assert http.get("/tams/service/webhooks", headers=read).status_code == 403
    assert anon.post("/tams/service/webhooks", json={"url": "http://a", "events": ["flows/created"]}).status_code == 401


def test_listing_is_sorted_by_url_filtered_by_tag_and_paged(http: httpx.Client, server: RunningServer) -> None:
    tag = uuid.uuid4().hex
    urls = [f"http://127.0.0.1:9/{c}" for c in "cab"]
    hooks = [_hook(http, server, url=u, tags={"suite": tag}) for u in urls]
    try:
        listed = http.get("/tams/service/webhooks", params={"tag.suite": tag}, headers=server.auth())
        assert listed.status_code == 200
        for item in listed.json():
            assert_valid("webhook-get.json", item)
        assert [h["url"] for h in listed.json()] == sorted(urls)
        assert listed.headers["x-paging-reverse-order"] == "false"
        rev = http.get(
            "/tams/service/webhooks", params={"tag.suite": tag, "reverse_order": "true"}, headers=server.auth()
        )
        assert [h["url"] for h in rev.json()] == sorted(urls, reverse=True)
        seen = []
        page = http.get("/tams/service/webhooks", params={"tag.suite": tag, "limit": "2"}, headers=server.auth())
        seen += page.json()
        assert page.headers["x-paging-limit"] == "2" and "x-paging-nextkey" in page.headers
        nxt = page.headers["link"].split(";")[0].strip("<>")
        page = http.get(nxt, headers=server.auth())
        seen += page.json()
        assert "link" not in page.headers
        assert [h["url"] for h in seen] == sorted(urls)
        none = http.get(
            "/tams/service/webhooks", params={"tag_exists.suite": "false", "tag.suite": tag}, headers=server.auth()
        )
        assert none.json() == []
        for params in ({"tag.suite": "a\x00b"}, {"reverse_order": "maybe"}):
            assert http.get("/tams/service/webhooks", params=params, headers=server.auth()).status_code == 400
        assert http.get("/tams/flows", params={"tag.suite": "a\x00b"}).status_code == 400
    finally:
        for h in hooks:
            _delete(http, server, h)


async def test_webhooks_over_native_grpc(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    md = server.grpc_auth()
    hook = flow_pb2.Webhook(
        url="http://127.0.0.1:9/grpc",
        events=["flows/created"],
        api_key_name="k",
        api_key_value="v",
        tags={"via": struct_pb2.Value(string_value="grpc")},
    )
    hook.flow_ids.values.add().string_value = str(uuid.uuid4())
    call = stub.CreateWebhook(flow_pb2.CreateWebhookRequest(webhook=hook), metadata=md)
    created = await call
    assert dict(await call.initial_metadata())["x-http-status"] == "201"
    assert created.id and created.status == "created" and not created.HasField("api_key_value")
    got = await stub.GetWebhook(flow_pb2.GetWebhookRequest(webhook_id=created.id), metadata=md)
    assert got == created
    listed = await stub.ListWebhooks(flow_pb2.ListWebhooksRequest(tag={"via": "grpc"}), metadata=md)
    assert created.id in [w.id for w in listed.webhooks]
    change = flow_pb2.Webhook(
        id=created.id, url="http://127.0.0.1:9/grpc2", events=["flows/deleted"], status="disabled"
    )
    updated = await stub.UpdateWebhook(
        flow_pb2.UpdateWebhookRequest(webhook_id=created.id, webhook=change), metadata=md
    )
    assert updated.status == "disabled" and updated.url.endswith("grpc2")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.CreateWebhook(flow_pb2.CreateWebhookRequest(webhook=flow_pb2.Webhook(url="x")), metadata=md)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListWebhooks(flow_pb2.ListWebhooksRequest())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    await stub.DeleteWebhook(flow_pb2.DeleteWebhookRequest(webhook_id=created.id), metadata=md)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetWebhook(flow_pb2.GetWebhookRequest(webhook_id=created.id), metadata=md)
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


# ---- delivery ---------------------------------------------------------------------------------------


def _upload_segment(http: httpx.Client, server: RunningServer, flow: dict[str, Any], tr: str, data: bytes) -> str:
    storage = http.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 1}, headers=server.auth()).json()
    item = storage["media_objects"][0]
    assert (
        httpx.put(
            item["put_url"]["url"], content=data, headers={"content-type": item["put_url"]["content-type"]}
        ).status_code
        == 200
    )
    resp = http.post(
        f"/tams/flows/{flow['id']}/segments",
        json={"object_id": item["object_id"], "timerange": tr},
        headers=server.auth(),
    )
    assert resp.status_code == 201, resp.text
    return str(item["object_id"])


def test_every_event_type_is_delivered_with_the_spec_body(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port()) as receiver:
        source_id = str(uuid.uuid4())
        hook = _hook(
            http,
            server,
            url=receiver.url,
            api_key_name="X-Tams-Key",
            api_key_value="k-123",
            source_ids=[source_id],
            include_object_timerange=True,
        )
        try:
            flow = _flow(http, server, source_id=source_id)
            first = _by_type(receiver.collect(2))
            assert set(first) == {"flows/created", "sources/created"}
            assert first["flows/created"]["event"]["flow"]["id"] == flow["id"]
            assert first["sources/created"]["event"]["source"]["id"] == source_id

            assert http.put(f"/tams/flows/{flow['id']}/label", json="renamed", headers=server.auth()).status_code == 204
            updated = receiver.next()
            assert updated.body["event_type"] == "flows/updated"
            assert updated.body["event"]["flow"]["label"] == "renamed"
            assert updated.headers["x-tams-key"] == "k-123"

            object_id = _upload_segment(http, server, flow, "[0:0_1:0)", b"segment bytes")
            added = receiver.next().body
            assert added["event_type"] == "flows/segments_added"
            assert added["event"]["flow_id"] == flow["id"]
            [segment] = added["event"]["segments"]
            assert segment["object_id"] == object_id and segment["timerange"] == "[0:0_1:0)"
            assert segment["object_timerange"] == "[0:0_1:0)"
            assert httpx.get(segment["get_urls"][0]["url"]).content == b"segment bytes"

            resp = http.delete(
                f"/tams/flows/{flow['id']}/segments", params={"timerange": "[0:0_5:0)"}, headers=server.auth()
            )
            assert resp.status_code == 204
            deleted = receiver.next().body
            assert deleted["event_type"] == "flows/segments_deleted"
            assert deleted["event"] == {"flow_id": flow["id"], "timerange": "[0:0_1:0)"}

            assert http.delete(f"/tams/flows/{flow['id']}", headers=server.auth()).status_code == 204
            gone = receiver.next().body
            assert gone["event_type"] == "flows/deleted" and gone["event"] == {"flow_id": flow["id"]}

            for body in (*first.values(), updated.body, added, deleted, gone):
                assert_event(body)
            other = _flow(http, server)  # another Source: filtered out
            assert receiver.quiet()
            http.delete(f"/tams/flows/{other['id']}", headers=server.auth())
        finally:
            _delete(http, server, hook)


def test_filters_and_get_urls_options(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port()) as receiver:
        collector = _flow(http, server, label="collection")
        wanted, unwanted = str(uuid.uuid4()), str(uuid.uuid4())
        by_flow = _hook(
            http,
            server,
            url=receiver.url + "/by-flow",
            events=["flows/updated", "flows/segments_added"],
            flow_ids=[wanted],
            accept_get_urls=[],
            include_object_timerange=False,
        )
        uncollected = _hook(
            http, server, url=receiver.url + "/uncollected", events=["flows/created"], flow_collected_by_ids=[]
        )
        collected = _hook(
            http,
            server,
            url=receiver.url + "/collected",
            events=["flows/updated"],
            flow_collected_by_ids=[collector["id"]],
        )
        try:
            a = _flow(http, server, id=wanted)
            b = _flow(http, server, id=unwanted)
            created = receiver.collect(2)
            assert sorted(r.body["event"]["flow"]["id"] for r in created) == sorted([a["id"], b["id"]])

            _upload_segment(http, server, a, "[0:0_1:0)", b"a")
            _upload_segment(http, server, b, "[0:0_1:0)", b"b")
            added = receiver.next().body
            assert added["event"]["flow_id"] == wanted
            assert "get_urls" not in added["event"]["segments"][0]  # accept_get_urls: [] -> no URLs
            assert "object_timerange" not in added["event"]["segments"][0]

            # `b` joins the collection: its updates reach the `collected` hook, `a`'s reach `by_flow` only
            collector_doc = http.get(f"/tams/flows/{collector['id']}").json()
            collector_doc["flow_collection"] = [{"id": b["id"], "role": "audio"}]
            assert (
                http.put(f"/tams/flows/{collector['id']}", json=collector_doc, headers=server.auth()).status_code == 204
            )
            http.put(f"/tams/flows/{b['id']}/label", json="collected", headers=server.auth())
            http.put(f"/tams/flows/{a['id']}/label", json="wanted", headers=server.auth())
            got = receiver.collect(2)
            assert sorted(r.body["event"]["flow"]["label"] for r in got) == ["collected", "wanted"]
            assert receiver.quiet()
        finally:
            for h in (by_flow, uncollected, collected):
                _delete(http, server, h)


def test_failed_deliveries_are_retried_in_order(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port(), fail_first=2) as receiver:
        hook = _hook(http, server, url=receiver.url, events=["flows/created", "flows/updated"])
        try:
            started = time.monotonic()
            flow = _flow(http, server)
            http.put(f"/tams/flows/{flow['id']}/label", json="second", headers=server.auth())
            got = receiver.collect(2, timeout=30)
            assert [r.body["event_type"] for r in got] == ["flows/created", "flows/updated"]
            assert receiver.requests == 4  # two refusals, then both events once each
            # every attempt at one event carries its id; the next event has another (at-least-once: a
            # receiver deduplicates on it)
            first, second = got[0].headers["x-polyphony-event-id"], got[1].headers["x-polyphony-event-id"]
            assert receiver.event_ids == [first, first, first, second] and first != second
            assert all("_polyphony_event_id" not in r.body for r in got)  # the body stays the spec's
            assert time.monotonic() - started >= 1.0 + 2.0 - 0.5  # backoff 1 s then 2 s
            status = http.get(f"/tams/service/webhooks/{hook['id']}", headers=server.auth()).json()["status"]
            assert status == "started"
        finally:
            _delete(http, server, hook)


def test_disabled_webhooks_get_nothing(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port()) as receiver:
        hook = _hook(http, server, url=receiver.url, events=["flows/created"], status="disabled")
        try:
            assert hook["status"] == "disabled"
            _flow(http, server)
            assert receiver.quiet()
            enable = {"id": hook["id"], "url": receiver.url, "events": ["flows/created"], "status": "created"}
            assert (
                http.put(f"/tams/service/webhooks/{hook['id']}", json=enable, headers=server.auth()).status_code == 201
            )
            flow = _flow(http, server)
            assert receiver.next().body["event"]["flow"]["id"] == flow["id"]
        finally:
            _delete(http, server, hook)


# ---- dedicated servers: error status and restarts ---------------------------------------------------


def _wait(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_error_status_after_repeated_failures_then_reenable(tmp_path: Path) -> None:
    env = {"POLYPHONY_TAMS_WEBHOOK_MAX_ATTEMPTS": "3", "POLYPHONY_TAMS_WEBHOOK_RETRY_BASE": "0.1"}
    port = free_port()
    with (
        run_server(tmp_path / "srv", extra_env=env) as srv,
        httpx.Client(base_url=srv.http, headers=srv.read_auth(), timeout=30) as http,
    ):
        hook = _hook(http, srv, url=f"http://127.0.0.1:{port}/hook", events=["flows/created"])
        flow = _flow(http, srv)

        def status() -> dict[str, Any]:
            doc: dict[str, Any] = http.get(f"/tams/service/webhooks/{hook['id']}", headers=srv.auth()).json()
            return doc

        _wait(lambda: status()["status"] == "error")
        doc = status()
        assert_valid("webhook-get.json", doc)
        assert "3 attempts" in doc["error"]["summary"]
        to_disabled = {"id": hook["id"], "url": hook["url"], "events": hook["events"], "status": "disabled"}
        assert (
            http.put(f"/tams/service/webhooks/{hook['id']}", json=to_disabled, headers=srv.auth()).status_code == 400
        )  # error -> disabled is rejected
        with Receiver(port) as receiver:
            enable = {**to_disabled, "status": "created"}
            assert http.put(f"/tams/service/webhooks/{hook['id']}", json=enable, headers=srv.auth()).status_code == 201
            kept = receiver.next()  # the event kept while in error is delivered on re-enabling
            assert kept.body["event"]["flow"]["id"] == flow["id"]
        _wait(lambda: status()["status"] == "started")


def test_undelivered_events_survive_a_restart(tmp_path: Path) -> None:
    env = {"POLYPHONY_TAMS_WEBHOOK_RETRY_BASE": "0.2", "POLYPHONY_TAMS_WEBHOOK_RETRY_MAX": "1"}
    port = free_port()
    data = tmp_path / "srv"
    data.mkdir()
    with database_url(data) as url:
        env["POLYPHONY_DATABASE_URL"] = url
        with (
            run_server(data, extra_env=env) as srv,
            httpx.Client(base_url=srv.http, headers=srv.read_auth(), timeout=30) as http,
        ):
            hook = _hook(http, srv, url=f"http://127.0.0.1:{port}/hook", events=["flows/created", "flows/deleted"])
            flow = _flow(http, srv)  # the receiver is down: the event stays in the outbox
            time.sleep(1.0)
            assert http.delete(f"/tams/flows/{flow['id']}", headers=srv.auth()).status_code == 204
        with Receiver(port) as receiver:
            assert receiver.quiet(0.5)
            with (
                run_server(data, extra_env=env) as srv,
                httpx.Client(base_url=srv.http, headers=srv.read_auth(), timeout=30) as http,
            ):
                got = receiver.collect(2, timeout=20)
                assert [r.body["event_type"] for r in got] == ["flows/created", "flows/deleted"]
                assert got[0].body["event"]["flow"]["id"] == flow["id"]
                for r in got:
                    assert_event(r.body)
                assert receiver.quiet(1.0)  # each event exactly once
                status = http.get(f"/tams/service/webhooks/{hook['id']}", headers=srv.auth()).json()["status"]
                assert status == "started"
