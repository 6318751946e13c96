"""TAMS property endpoints end to end: Source tags/label/description, Flow flow_collection/max_bit_rate/
avg_bit_rate and `POST /service`, REST through Envoy (bodies, status codes, errors, HEAD, read_only, the
`sources/updated` and `flows/updated` webhook events) and native gRPC."""

from __future__ import annotations

import uuid
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.e2e.test_flow_webhooks import assert_event
from tests.harness import RunningServer, free_port
from tests.unit.flow.receiver import Receiver
from tests.unit.flow.spec import assert_valid, audio_flow, example, rekey

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel


def _error(resp: httpx.Response, status: int) -> None:
    assert resp.status_code == status, resp.text
    assert_valid("error.json", resp.json())


def _flow(http: httpx.Client, server: RunningServer, **overrides: Any) -> dict[str, Any]:
    doc = audio_flow(**overrides)
    resp = http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == 201, resp.text
    return doc


def _no_content(resp: httpx.Response) -> None:
    assert resp.status_code == 204, resp.text
    assert resp.content == b""


# ---- Source properties ------------------------------------------------------------------------------


def test_source_label_and_description(anon: httpx.Client, http: httpx.Client, server: RunningServer) -> None:
    flow = _flow(http, server)
    url = f"/tams/sources/{flow['source_id']}"
    auth = server.auth()
    before = http.get(url).json()
    assert http.get(f"{url}/label").json() == flow["label"]
    head = http.head(f"{url}/label")
    assert head.status_code == 200 and head.content == b""
    _no_content(http.put(f"{url}/label", json="new label", headers=auth))
    assert http.get(f"{url}/label").json() == "new label"
    _no_content(http.put(f"{url}/description", json="long words", headers=auth))
    assert http.get(f"{url}/description").json() == "long words"
    source = http.get(url).json()
    assert_valid("source.json", source)
    assert source["label"] == "new label" and source["description"] == "long words"
    assert source["updated"] >= before["updated"]
    # the label is what `?label=` filters on
    listed = http.get("/tams/sources", params={"label": "new label"}).json()
    assert flow["source_id"] in [s["id"] for s in listed]

    _no_content(http.delete(f"{url}/label", headers=auth))
    _error(http.get(f"{url}/label"), 404)
    assert "label" not in http.get(url).json()
    _no_content(http.delete(f"{url}/label", headers=auth))  # deleting an absent property is fine
    _no_content(http.delete(f"{url}/description", headers=auth))
    _error(http.get(f"{url}/description"), 404)

    _error(http.put(f"{url}/label", json=5, headers=auth), 400)
    _error(http.put(f"{url}/description", json={"a": 1}, headers=auth), 400)
    _error(anon.put(f"{url}/label", json="x"), 401)
    _error(http.put(f"{url}/label", json="x", headers={"authorization": f"Bearer {server.read_token}"}), 403)
    missing = f"/tams/sources/{uuid.uuid4()}"
    _error(http.get(f"{missing}/label"), 404)
    _error(http.put(f"{missing}/label", json="x", headers=auth), 404)
    _error(http.delete(f"{missing}/description", headers=auth), 404)
    _error(http.get("/tams/sources/not-a-uuid/description"), 404)


def test_source_tags(anon: httpx.Client, http: httpx.Client, server: RunningServer) -> None:
    flow = _flow(http, server, tags={})
    source_id = flow["source_id"]
    url = f"/tams/sources/{source_id}"
    auth = server.auth()
    assert http.get(f"{url}/tags").json() == {}
    assert http.head(f"{url}/tags").content == b""
    marker = uuid.uuid4().hex
    _no_content(http.put(f"{url}/tags/genre", json=["jazz", marker], headers=auth))
    _no_content(http.put(f"{url}/tags/team", json="news", headers=auth))
    assert http.get(f"{url}/tags").json() == {"genre": ["jazz", marker], "team": "news"}
    assert http.get(f"{url}/tags/genre").json() == ["jazz", marker]
    assert http.get(f"{url}/tags/team").json() == "news"
    assert_valid("source.json", http.get(url).json())
    # the tag rows the `tag.{name}` filters use follow the edits
    assert [s["id"] for s in http.get("/tams/sources", params={"tag.genre": marker}).json()] == [source_id]
    _no_content(http.put(f"{url}/tags/genre", json="rock", headers=auth))
    assert http.get("/tams/sources", params={"tag.genre": marker}).json() == []

    _error(http.put(f"{url}/tags/bad", json={"a": 1}, headers=auth), 400)
    _error(http.put(f"{url}/tags/bad", json=[1, 2], headers=auth), 400)
    _no_content(http.delete(f"{url}/tags/genre", headers=auth))
    _error(http.get(f"{url}/tags/genre"), 404)
    _error(http.delete(f"{url}/tags/genre", headers=auth), 404)
    assert http.get(f"{url}/tags").json() == {"team": "news"}
    missing = f"/tams/sources/{uuid.uuid4()}"
    _error(http.get(f"{missing}/tags"), 404)
    _error(http.put(f"{missing}/tags/x", json="y", headers=auth), 404)
    _error(anon.put(f"{url}/tags/x", json="y"), 401)


def test_source_changes_emit_sources_updated(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port()) as receiver:
        flow = _flow(http, server)
        source_id = flow["source_id"]
        resp = http.post(
            "/tams/service/webhooks",
            json={"url": receiver.url, "events": ["sources/updated"], "source_ids": [source_id]},
            headers=server.auth(),
        )
        assert resp.status_code == 201, resp.text
        hook = resp.json()
        try:
            url = f"/tams/sources/{source_id}"
            _no_content(http.put(f"{url}/label", json="evented", headers=server.auth()))
            _no_content(http.put(f"{url}/tags/k", json="v", headers=server.auth()))
            _no_content(http.delete(f"{url}/description", headers=server.auth()))
            bodies = [r.body for r in receiver.collect(3)]
            for body in bodies:
                assert_event(body)
                assert body["event_type"] == "sources/updated" and body["event"]["source"]["id"] == source_id
            assert bodies[0]["event"]["source"]["label"] == "evented"
            assert bodies[1]["event"]["source"]["tags"]["k"] == "v"
            assert "description" not in bodies[2]["event"]["source"]
            # no change, no event
            _no_content(http.put(f"{url}/label", json="evented", headers=server.auth()))
            assert receiver.quiet()
        finally:
            http.delete(f"/tams/service/webhooks/{hook['id']}", headers=server.auth())


# ---- Flow properties --------------------------------------------------------------------------------


def test_flow_collection(http: httpx.Client, server: RunningServer) -> None:
    members = [_flow(http, server), _flow(http, server)]
    collector = _flow(http, server)
    url = f"/tams/flows/{collector['id']}"
    auth = server.auth()
    _error(http.get(f"{url}/flow_collection"), 404)
    collection = [{"id": members[0]["id"], "role": "audio"}, {"id": members[1]["id"]}]
    _no_content(http.put(f"{url}/flow_collection", json=collection, headers=auth))
    got = http.get(f"{url}/flow_collection")
    assert got.status_code == 200 and got.json() == collection
    assert_valid("flow-collection.json", got.json())
    assert http.head(f"{url}/flow_collection").content == b""
    assert http.get(f"/tams/flows/{members[0]['id']}").json()["collected_by"] == [collector["id"]]
    assert_valid("flow-get.json", http.get(url).json())

    _error(http.put(f"{url}/flow_collection", json=[{"id": str(uuid.uuid4())}], headers=auth), 400)
    _error(http.put(f"{url}/flow_collection", json=[{"role": "no id"}], headers=auth), 400)
    _error(http.put(f"{url}/flow_collection", json={"id": members[0]["id"]}, headers=auth), 400)
    assert http.get(f"{url}/flow_collection").json() == collection  # unchanged by the failures

    _no_content(http.delete(f"{url}/flow_collection", headers=auth))
    _error(http.get(f"{url}/flow_collection"), 404)
    assert "collected_by" not in http.get(f"/tams/flows/{members[0]['id']}").json()
    _error(http.get(f"/tams/flows/{uuid.uuid4()}/flow_collection"), 404)
    _error(http.put(f"/tams/flows/{uuid.uuid4()}/flow_collection", json=[], headers=auth), 404)


@pytest.mark.parametrize("name", ["max_bit_rate", "avg_bit_rate"])
def test_bit_rates(anon: httpx.Client, http: httpx.Client, server: RunningServer, name: str) -> None:
    flow = _flow(http, server)
    flow.pop(name, None)
    url = f"/tams/flows/{flow['id']}"
    auth = server.auth()
    _no_content(http.delete(f"{url}/{name}", headers=auth))
    _error(http.get(f"{url}/{name}"), 404)
    _no_content(http.put(f"{url}/{name}", json=5000, headers=auth))
    got = http.get(f"{url}/{name}")
    assert got.status_code == 200 and got.json() == 5000 and got.text.strip() == "5000"
    assert http.get(url).json()[name] == 5000
    assert http.head(f"{url}/{name}").content == b""
    for bad in (-1, 1.5, "5000", True, None, 2**40):
        _error(http.put(f"{url}/{name}", json=bad, headers=auth), 400)
    # bare numbers of any length, and a truncated one, get an answer (the edge ends every small JSON body)
    json_type = {**auth, "content-type": "application/json"}
    for raw in (b"1" * 40, b"12345678901234567890123456789012345678901234567890.5e3", b"1e400"):
        _error(http.put(f"{url}/{name}", content=raw, headers=json_type, timeout=5), 400)
    assert http.get(f"{url}/{name}").json() == 5000
    _no_content(http.put(f"{url}/{name}", json=0, headers=auth))
    assert http.get(f"{url}/{name}").json() == 0
    _no_content(http.delete(f"{url}/{name}", headers=auth))
    _error(http.get(f"{url}/{name}"), 404)
    _error(http.put(f"/tams/flows/{uuid.uuid4()}/{name}", json=1, headers=auth), 404)
    _error(anon.put(f"{url}/{name}", json=1), 401)


def test_avg_bit_rate_of_a_profile_flow_is_400(http: httpx.Client, server: RunningServer) -> None:
    ids: dict[str, str] = {}
    profile = rekey(example("profile-put.json"), ids)
    assert http.post(f"/tams/service/profiles/{profile['id']}", json=profile, headers=server.auth()).status_code == 201
    flow = rekey(example("flow-put-profile.json"), ids)
    put = http.put(f"/tams/flows/{flow['id']}", json=flow, headers=server.auth())
    assert put.status_code == 201, put.text
    url = f"/tams/flows/{flow['id']}"
    assert http.get(f"{url}/avg_bit_rate").json() == profile["flow_metadata"]["avg_bit_rate"]
    # the Profile provides it: changing it would break the link (the spec says 400)
    _error(http.put(f"{url}/avg_bit_rate", json=256, headers=server.auth()), 400)
    _error(http.delete(f"{url}/avg_bit_rate", headers=server.auth()), 400)
    _no_content(http.put(f"{url}/max_bit_rate", json=300, headers=server.auth()))  # not a Profile property
    assert http.get(f"{url}/avg_bit_rate").json() == profile["flow_metadata"]["avg_bit_rate"]


def test_read_only_flows_reject_property_writes_with_403(http: httpx.Client, server: RunningServer) -> None:
    member = _flow(http, server)
    flow = _flow(http, server, read_only=True, max_bit_rate=100)
    url = f"/tams/flows/{flow['id']}"
    auth = server.auth()
    _error(http.put(f"{url}/flow_collection", json=[{"id": member["id"]}], headers=auth), 403)
    _error(http.delete(f"{url}/flow_collection", headers=auth), 403)
    for name in ("max_bit_rate", "avg_bit_rate"):
        _error(http.put(f"{url}/{name}", json=7, headers=auth), 403)
        _error(http.delete(f"{url}/{name}", headers=auth), 403)
    assert http.get(f"{url}/max_bit_rate").json() == 100
    _no_content(http.put(f"{url}/read_only", json=False, headers=auth))
    _no_content(http.put(f"{url}/max_bit_rate", json=7, headers=auth))


def test_flow_property_changes_emit_flows_updated(http: httpx.Client, server: RunningServer) -> None:
    with Receiver(free_port()) as receiver:
        member = _flow(http, server)
        flow = _flow(http, server)
        resp = http.post(
            "/tams/service/webhooks",
            json={"url": receiver.url, "events": ["flows/updated"], "flow_ids": [flow["id"]]},
            headers=server.auth(),
        )
        assert resp.status_code == 201, resp.text
        hook = resp.json()
        try:
            url = f"/tams/flows/{flow['id']}"
            _no_content(http.put(f"{url}/max_bit_rate", json=9000, headers=server.auth()))
            _no_content(http.put(f"{url}/avg_bit_rate", json=4000, headers=server.auth()))
            _no_content(http.put(f"{url}/flow_collection", json=[{"id": member["id"]}], headers=server.auth()))
            bodies = [r.body for r in receiver.collect(3)]
            for body in bodies:
                assert_event(body)
                assert body["event_type"] == "flows/updated" and body["event"]["flow"]["id"] == flow["id"]
            assert bodies[0]["event"]["flow"]["max_bit_rate"] == 9000
            assert bodies[1]["event"]["flow"]["avg_bit_rate"] == 4000
            assert bodies[2]["event"]["flow"]["flow_collection"] == [{"id": member["id"]}]
            _no_content(http.put(f"{url}/max_bit_rate", json=9000, headers=server.auth()))  # unchanged
            assert receiver.quiet()
        finally:
            http.delete(f"/tams/service/webhooks/{hook['id']}", headers=server.auth())


# ---- POST /service ----------------------------------------------------------------------------------


def test_post_service_updates_name_and_description(
    anon: httpx.Client, http: httpx.Client, server: RunningServer
) -> None:
    original = http.get("/tams/service").json()
    try:
        resp = http.post(
            "/tams/service", json={"name": "Renamed", "description": "A new description"}, headers=server.auth()
        )
        assert resp.status_code == 200, resp.text
        got = http.get("/tams/service").json()
        assert_valid("service.json", got)
        assert got["name"] == "Renamed" and got["description"] == "A new description"
        assert got["api_version"] == original["api_version"]
        # only what is sent changes
        assert http.post("/tams/service", json={"name": "Again"}, headers=server.auth()).status_code == 200
        got = http.get("/tams/service").json()
        assert got["name"] == "Again" and got["description"] == "A new description"
        _error(http.post("/tams/service", json={"name": 5}, headers=server.auth()), 400)
        _error(
            http.post(
                "/tams/service", content=b"{not json", headers={**server.auth(), "content-type": "application/json"}
            ),
            400,
        )
        _error(anon.post("/tams/service", json={"name": "x"}), 401)
        _error(
            http.post("/tams/service", json={"name": "x"}, headers={"authorization": f"Bearer {server.read_token}"}),
            403,
        )
        assert http.get("/tams/service").json()["name"] == "Again"
    finally:
        http.post(
            "/tams/service",
            json={"name": original["name"], "description": original["description"]},
            headers=server.auth(),
        )


# ---- native gRPC ------------------------------------------------------------------------------------


async def test_properties_over_native_grpc(
    channel: grpc.aio.Channel, server: RunningServer, http: httpx.Client
) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    md = server.grpc_auth()
    member = _flow(http, server)
    flow = _flow(http, server)
    flow_id, source_id = flow["id"], flow["source_id"]

    # Source tags / label / description
    tag = struct_pb2.Value(string_value="grpc")
    await stub.SetSourceTag(flow_pb2.SetSourceTagRequest(source_id=source_id, name="via", value=tag), metadata=md)
    assert (await stub.GetSourceTag(flow_pb2.GetSourceTagRequest(source_id=source_id, name="via"))) == tag
    tags = await stub.GetSourceTags(flow_pb2.GetSourceTagsRequest(source_id=source_id))
    assert tags.fields["via"].string_value == "grpc"
    await stub.DeleteSourceTag(flow_pb2.DeleteSourceTagRequest(source_id=source_id, name="via"), metadata=md)
    call = stub.SetSourceLabel(flow_pb2.SetSourceLabelRequest(source_id=source_id, label="g"), metadata=md)
    await call
    assert dict(await call.initial_metadata())["x-http-status"] == "204"
    label = await stub.GetSourceLabel(flow_pb2.GetSourceLabelRequest(source_id=source_id))
    assert label.string_value == "g"
    await stub.SetSourceDescription(
        flow_pb2.SetSourceDescriptionRequest(source_id=source_id, description="d"), metadata=md
    )
    assert (
        await stub.GetSourceDescription(flow_pb2.GetSourceDescriptionRequest(source_id=source_id))
    ).string_value == "d"
    await stub.DeleteSourceDescription(flow_pb2.DeleteSourceDescriptionRequest(source_id=source_id), metadata=md)
    await stub.DeleteSourceLabel(flow_pb2.DeleteSourceLabelRequest(source_id=source_id), metadata=md)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetSourceLabel(flow_pb2.GetSourceLabelRequest(source_id=source_id))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.SetSourceLabel(flow_pb2.SetSourceLabelRequest(source_id=source_id, label="x"))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED

    # Flow collection and bit rates
    collection = struct_pb2.ListValue()
    collection.append({"id": member["id"], "role": "r"})
    body = struct_pb2.Value(list_value=collection)
    await stub.SetFlowCollection(flow_pb2.SetFlowCollectionRequest(flow_id=flow_id, flow_collection=body), metadata=md)
    got = await stub.GetFlowCollection(flow_pb2.GetFlowCollectionRequest(flow_id=flow_id))
    assert got == collection
    typed = await stub.GetFlow(flow_pb2.GetFlowRequest(flow_id=flow_id))
    assert [(m.id, m.role) for m in typed.flow_collection] == [(member["id"], "r")]
    await stub.DeleteFlowCollection(flow_pb2.DeleteFlowCollectionRequest(flow_id=flow_id), metadata=md)
    await stub.SetFlowMaxBitRate(
        flow_pb2.SetFlowMaxBitRateRequest(flow_id=flow_id, max_bit_rate=struct_pb2.Value(number_value=777)), metadata=md
    )
    assert (await stub.GetFlowMaxBitRate(flow_pb2.GetFlowMaxBitRateRequest(flow_id=flow_id))).number_value == 777
    await stub.SetFlowAvgBitRate(
        flow_pb2.SetFlowAvgBitRateRequest(flow_id=flow_id, avg_bit_rate=struct_pb2.Value(number_value=555)), metadata=md
    )
    assert (await stub.GetFlowAvgBitRate(flow_pb2.GetFlowAvgBitRateRequest(flow_id=flow_id))).number_value == 555
    assert (await stub.GetFlow(flow_pb2.GetFlowRequest(flow_id=flow_id))).avg_bit_rate == 555
    await stub.DeleteFlowAvgBitRate(flow_pb2.DeleteFlowAvgBitRateRequest(flow_id=flow_id), metadata=md)
    await stub.DeleteFlowMaxBitRate(flow_pb2.DeleteFlowMaxBitRateRequest(flow_id=flow_id), metadata=md)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.SetFlowMaxBitRate(
            flow_pb2.SetFlowMaxBitRateRequest(flow_id=flow_id, max_bit_rate=struct_pb2.Value(string_value="fast")),
            metadata=md,
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # Service
    service = await stub.GetService(flow_pb2.GetServiceRequest())
    updated = await stub.UpdateService(flow_pb2.UpdateServiceRequest(description="via gRPC"), metadata=md)
    assert updated.description == "via gRPC" and updated.name == service.name
    await stub.UpdateService(flow_pb2.UpdateServiceRequest(description=service.description), metadata=md)
