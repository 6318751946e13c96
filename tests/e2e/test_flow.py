"""TAMS end to end: REST through Envoy and native gRPC against a real server."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from polyphony.flow.principal import principal
from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow, example, rekey

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

ERROR_KEYS = {"type", "summary", "time"}


def _error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert_valid("error.json", body)
    assert set(body) >= ERROR_KEYS
    for header in resp.headers:
        assert not header.startswith("grpc-") and header not in ("x-http-status", "x-error-body")
    return body


def _put(http: httpx.Client, server: RunningServer, doc: dict[str, Any], status: int = 201) -> httpx.Response:
    resp = http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == status, resp.text
    return resp


def _client_view(doc: dict[str, Any]) -> dict[str, Any]:
    """What a client set, minus the properties the service manages."""
    managed = ("created", "metadata_updated", "segments_updated", "timerange", "collected_by", "metadata_version")
    return {k: v for k, v in doc.items() if k not in managed}


# ---- /service ---------------------------------------------------------------------------------------


def test_service_info_matches_the_schema(http: httpx.Client) -> None:
    resp = http.get("/tams/service")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert_valid("service.json", body)
    assert body["api_version"] == "8.2"
    assert body["type"].startswith("urn:x-tams:service")
    assert body["event_stream_mechanisms"] == [{"name": "webhooks"}]
    head = http.head("/tams/service")
    assert head.status_code == 200 and head.content == b""


# ---- PUT / GET flows --------------------------------------------------------------------------------


def test_put_creates_flow_and_source_and_everything_round_trips(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    created = _put(http, server, doc).json()
    assert_valid("flow-get.json", created)
    for key, value in doc.items():
        assert created[key] == value, key
    assert created["created"].endswith("Z") and created["metadata_version"]

    got = http.get(f"/tams/flows/{doc['id']}")
    assert got.status_code == 200
    assert_valid("flow-get.json", got.json())
    assert _client_view(got.json()) == _client_view(created)

    source = http.get(f"/tams/sources/{doc['source_id']}")
    assert source.status_code == 200
    body = source.json()
    assert_valid("source.json", body)
    assert body["id"] == doc["source_id"] and body["format"] == doc["format"]
    assert body["created"] and body["updated"]
    assert http.head(f"/tams/sources/{doc['source_id']}").content == b""


def test_second_put_replaces_with_204_and_bumps_metadata_version(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    first = _put(http, server, doc).json()
    changed = {**doc, "label": "renamed", "tags": {"genre": ["a", "b"]}}
    del changed["description"]
    resp = _put(http, server, changed, 204)
    assert resp.content == b""
    got = http.get(f"/tams/flows/{doc['id']}").json()
    assert got["label"] == "renamed" and got["tags"] == {"genre": ["a", "b"]} and "description" not in got
    assert got["metadata_version"] != first["metadata_version"]
    assert got["created"] == first["created"]
    # replaying the same document keeps the version
    _put(http, server, changed, 204)
    assert http.get(f"/tams/flows/{doc['id']}").json()["metadata_version"] == got["metadata_version"]


@pytest.mark.parametrize(
    "name",
    [
        "flow-get-200-video-h264.json",
        "flow-get-200-video-raw.json",
        "flow-get-200-image-jpeg.json",
        "flow-get-200-data-ttml.json",
        "flow-get-200-video-h264-vfr.json",
        "flow-get-200-audio-wav.json",
    ],
)
def test_every_format_round_trips(http: httpx.Client, server: RunningServer, name: str) -> None:
    doc = rekey(example(name))
    doc.pop("collected_by", None)
    created = _put(http, server, doc).json()
    assert_valid("flow-get.json", created)
    caller = principal(f"Bearer {server.write_token}")  # the default created_by / updated_by
    assert _client_view(created) == {
        "created_by": caller,
        "updated_by": caller,
        **_client_view(doc),
        "read_only": created["read_only"],
    }


def test_every_flow_put_example_is_accepted(http: httpx.Client, server: RunningServer) -> None:
    # flow-put.json
    _put(http, server, rekey(example("flow-put.json")))
    # flow-put-profile.json needs its Profile first (the spec answers 400 for an unknown profile_id)
    ids: dict[str, str] = {}
    profile = rekey(example("profile-put.json"), ids)
    created_profile = http.post(f"/tams/service/profiles/{profile['id']}", json=profile, headers=server.auth())
    assert created_profile.status_code == 201, created_profile.text
    assert_valid("profile.json", created_profile.json())
    flow = rekey(example("flow-put-profile.json"), ids)
    got = _put(http, server, flow).json()
    assert_valid("flow-get.json", got)
    assert got["profile_id"] == profile["id"]
    assert got["codec"] == profile["flow_metadata"]["codec"]
    assert got["essence_parameters"] == profile["flow_metadata"]["essence_parameters"]
    # flow-put-multi.json collects flows that must already exist (and itself)
    ids = {}
    multi = rekey(example("flow-put-multi.json"), ids)
    for item in multi["flow_collection"]:
        if item["id"] != multi["id"]:
            _put(http, server, audio_flow(id=item["id"]))
    got = _put(http, server, multi).json()
    assert_valid("flow-get.json", got)
    assert got["flow_collection"] == multi["flow_collection"]


def test_collections_are_reflected_in_collected_by_and_sources(http: httpx.Client, server: RunningServer) -> None:
    video, audio = rekey(example("flow-get-200-video-h264.json")), audio_flow()
    video.pop("collected_by")
    _put(http, server, video)
    _put(http, server, audio)
    multi = rekey(example("flow-put-multi.json"))
    multi["flow_collection"] = [{"id": video["id"], "role": "picture"}, {"id": audio["id"]}]
    _put(http, server, multi)
    assert http.get(f"/tams/flows/{video['id']}").json()["collected_by"] == [multi["id"]]
    source = http.get(f"/tams/sources/{multi['source_id']}").json()
    assert_valid("source.json", source)
    assert source["source_collection"] == [{"id": video["source_id"], "role": "picture"}, {"id": audio["source_id"]}]
    member = http.get(f"/tams/sources/{audio['source_id']}").json()
    assert member["collected_by"] == [multi["source_id"]]


def test_profile_flows_reject_technical_metadata_and_unknown_ids(http: httpx.Client, server: RunningServer) -> None:
    flow = rekey(example("flow-put-profile.json"))
    _error(_put(http, server, flow, 400), 400)  # profile does not exist
    ids: dict[str, str] = {}
    profile = rekey(example("profile-put.json"), ids)
    url = f"/tams/service/profiles/{profile['id']}"
    assert http.post(url, json=profile, headers=server.auth()).status_code == 201
    again = http.post(url, json=profile, headers=server.auth())
    _error(again, 400)  # profiles are immutable
    got = http.get(f"/tams/service/profiles/{profile['id']}")
    assert got.status_code == 200 and got.json()["flow_metadata"] == profile["flow_metadata"]
    flow = rekey(example("flow-put-profile.json"), ids)
    _error(_put(http, server, {**flow, "codec": "video/h264"}, 400), 400)


# ---- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.pop("codec"),  # required for audio
        lambda d: d.update(generation=-1),
        lambda d: d.update(format="urn:x-nmos:format:nonsense"),
        lambda d: d.update(source_id="not-a-uuid"),
        lambda d: d.update(id=str(uuid.uuid4())),  # does not match the path
        lambda d: d["essence_parameters"].update(sample_rate=0),
        lambda d: d["essence_parameters"].update(unexpected=1),  # additionalProperties: false
        lambda d: d.update(tags={"a": 1}),
        lambda d: d.update(status="sleeping"),
    ],
)
def test_invalid_flows_are_400_and_change_nothing(http: httpx.Client, server: RunningServer, mutate: Any) -> None:
    doc = audio_flow()
    _put(http, server, doc)
    before = http.get(f"/tams/flows/{doc['id']}").json()
    bad = copy.deepcopy(doc)
    mutate(bad)
    resp = http.put(f"/tams/flows/{doc['id']}", json=bad, headers=server.auth())
    _error(resp, 400)
    assert http.get(f"/tams/flows/{doc['id']}").json() == before


def test_malformed_json_and_wrong_types_are_400(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    url = f"/tams/flows/{doc['id']}"
    _error(http.put(url, content=b'{"id": ', headers={**server.auth(), "content-type": "application/json"}), 400)
    _error(http.put(url, json={**doc, "generation": 1.5}, headers=server.auth()), 400)
    _error(http.put(url, json={**doc, "label": ["x"]}, headers=server.auth()), 400)
    assert http.get(url).status_code == 404  # nothing was created


def test_video_flows_need_a_frame_rate_unless_vfr(http: httpx.Client, server: RunningServer) -> None:
    doc = rekey(example("flow-get-200-video-h264.json"))
    doc.pop("collected_by")
    del doc["essence_parameters"]["frame_rate"]
    _error(_put(http, server, doc, 400), 400)
    doc["essence_parameters"]["vfr"] = True
    _put(http, server, doc)


def test_format_conflicting_with_the_source_is_400(http: httpx.Client, server: RunningServer) -> None:
    audio = audio_flow()
    _put(http, server, audio)
    video = rekey(example("flow-get-200-video-h264.json"))
    video.pop("collected_by")
    video["source_id"] = audio["source_id"]
    _error(_put(http, server, video, 400), 400)


def test_unknown_and_malformed_ids(http: httpx.Client, server: RunningServer) -> None:
    _error(http.get(f"/tams/flows/{uuid.uuid4()}"), 404)
    _error(http.get(f"/tams/sources/{uuid.uuid4()}"), 404)
    # the spec answers 404 for "the Flow ID in the path is invalid"
    _error(http.get("/tams/flows/not-a-uuid"), 404)
    _error(http.put("/tams/flows/NOT-A-UUID", json=audio_flow(), headers=server.auth()), 404)
    assert http.head(f"/tams/flows/{uuid.uuid4()}").status_code == 404


def test_writes_need_a_token(anon: httpx.Client, http: httpx.Client) -> None:
    doc = audio_flow()
    _error(anon.put(f"/tams/flows/{doc['id']}", json=doc), 401)


# ---- read_only, properties, delete ------------------------------------------------------------------


def test_read_only_flows_reject_writes_with_403(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow(read_only=True)
    _put(http, server, doc)
    url = f"/tams/flows/{doc['id']}"
    assert http.get(f"{url}/read_only").json() is True
    _error(http.put(url, json={**doc, "label": "changed"}, headers=server.auth()), 403)
    _error(http.put(f"{url}/label", json="changed", headers=server.auth()), 403)
    _error(http.delete(url, headers=server.auth()), 403)
    assert http.get(url).json()["label"] == doc["label"]
    # read_only itself may always change
    assert http.put(f"{url}/read_only", json=False, headers=server.auth()).status_code == 204
    assert http.put(url, json={**doc, "read_only": False, "label": "changed"}, headers=server.auth()).status_code == 204
    assert http.get(f"{url}/label").json() == "changed"
    _error(http.put(f"{url}/read_only", json="yes", headers=server.auth()), 400)


def test_flow_property_endpoints(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    _put(http, server, doc)
    url = f"/tams/flows/{doc['id']}"
    auth = server.auth()
    assert http.get(f"{url}/label").json() == doc["label"]
    assert http.put(f"{url}/description", json="new words", headers=auth).status_code == 204
    assert http.get(f"{url}/description").json() == "new words"
    assert http.delete(f"{url}/label", headers=auth).status_code == 204
    _error(http.get(f"{url}/label"), 404)
    assert "label" not in http.get(url).json()
    assert http.get(f"{url}/tags").json() == doc["tags"]
    resp = http.put(f"{url}/tags/genre", json=["jazz", "blues"], headers=auth)
    assert resp.status_code == 204 and resp.content == b""
    assert http.get(f"{url}/tags/genre").json() == ["jazz", "blues"]
    _error(http.put(f"{url}/tags/bad", json={"a": 1}, headers=auth), 400)
    _error(http.put(f"{url}/tags/bad", json=[1, 2], headers=auth), 400)
    assert http.delete(f"{url}/tags/genre", headers=auth).status_code == 204
    _error(http.get(f"{url}/tags/genre"), 404)
    assert_valid("flow-get.json", http.get(url).json())


def test_delete_flow(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow()
    _put(http, server, doc)
    resp = http.delete(f"/tams/flows/{doc['id']}", headers=server.auth())
    assert resp.status_code == 204 and resp.content == b""
    _error(http.get(f"/tams/flows/{doc['id']}"), 404)
    _error(http.delete(f"/tams/flows/{doc['id']}", headers=server.auth()), 404)
    assert http.get(f"/tams/sources/{doc['source_id']}").status_code == 200  # sources outlive their flows


# ---- listings ---------------------------------------------------------------------------------------


def test_list_flows_filters_and_pages(http: httpx.Client, server: RunningServer) -> None:
    label = f"list-{uuid.uuid4()}"
    docs = [audio_flow(label=label, tags={"batch": label, "n": str(i)}) for i in range(5)]
    for d in docs:
        _put(http, server, d)
    seen: list[str] = []
    resp = http.get("/tams/flows", params={"label": label, "limit": 2})
    while True:
        assert resp.status_code == 200
        page = resp.json()
        for flow in page:
            assert_valid("flow-get.json", flow)
        assert len(page) <= 2 and resp.headers["x-paging-limit"] == "2"
        seen += [f["id"] for f in page]
        if "link" not in resp.headers:
            assert "x-paging-nextkey" not in resp.headers
            break
        link = resp.headers["link"]
        assert link.endswith('>; rel="next"') and resp.headers["x-paging-nextkey"] in link
        resp = http.get(link[1 : link.index(">")])
    assert sorted(seen) == sorted(d["id"] for d in docs) and len(seen) == 5
    assert seen == [d["id"] for d in reversed(docs)]  # newest first
    tagged = http.get("/tams/flows", params={"tag.n": "1,3", "tag.batch": label}).json()
    assert sorted(f["id"] for f in tagged) == sorted([docs[1]["id"], docs[3]["id"]])
    none = http.get("/tams/flows", params={"tag_exists.n": "false", "label": label}).json()
    assert none == []
    by_source = http.get("/tams/flows", params={"source_id": docs[0]["source_id"]}).json()
    assert [f["id"] for f in by_source] == [docs[0]["id"]]
    _error(http.get("/tams/flows", params={"format": "urn:nope"}), 400)
    _error(http.get("/tams/flows", params={"reverse_order": "maybe"}), 400)
    _error(http.get("/tams/flows", params={"sort_by": "nope"}), 400)
    _error(http.get("/tams/flows", params={"status": "nope"}), 400)
    _error(http.get("/tams/flows", params={"collected_by_ids": "not-a-uuid"}), 400)
    _error(http.get("/tams/flows", params={"timerange": "[5:0)"}), 400)  # an instant cannot be exclusive
    _error(http.get("/tams/flows", params={"page": "forged"}), 400)
    assert http.head("/tams/flows", params={"label": label}).content == b""


def test_list_sources(http: httpx.Client, server: RunningServer) -> None:
    label = f"src-{uuid.uuid4()}"
    docs = [audio_flow(label=label) for _ in range(3)]
    for d in docs:
        _put(http, server, d)
    resp = http.get("/tams/sources", params={"label": label, "limit": 2})
    assert resp.status_code == 200 and len(resp.json()) == 2 and "link" in resp.headers
    for s in resp.json():
        assert_valid("source.json", s)
    rest = http.get("/tams/sources", params={"label": label, "limit": 2, "page": resp.headers["x-paging-nextkey"]})
    ids = [s["id"] for s in resp.json() + rest.json()]
    assert sorted(ids) == sorted(d["source_id"] for d in docs)


# ---- native gRPC ------------------------------------------------------------------------------------


async def test_grpc_put_get_and_errors(channel: grpc.aio.Channel, server: RunningServer, http: httpx.Client) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    doc = audio_flow()
    flow = json_format.ParseDict(doc, flow_pb2.Flow())
    call = stub.PutFlow(flow_pb2.PutFlowRequest(flow_id=doc["id"], flow=flow), metadata=server.grpc_auth())
    created = await call
    assert dict(await call.initial_metadata()).get("x-http-status") == "201"
    assert created.label == doc["label"] and created.essence_parameters["sample_rate"] == 48000
    got = await stub.GetFlow(flow_pb2.GetFlowRequest(flow_id=doc["id"]))
    assert got.source_id == doc["source_id"] and got.avg_bit_rate == 128 and got.created
    source = await stub.GetSource(flow_pb2.GetSourceRequest(source_id=doc["source_id"]))
    assert source.format == doc["format"]
    # what gRPC wrote, REST reads
    assert _client_view(http.get(f"/tams/flows/{doc['id']}").json())["label"] == doc["label"]
    listed = await stub.ListFlows(flow_pb2.ListFlowsRequest(label=doc["label"], source_id=doc["source_id"]))
    assert [f.id for f in listed.flows] == [doc["id"]] and listed.next_page == ""
    service = await stub.GetService(flow_pb2.GetServiceRequest())
    assert service.api_version == "8.2"
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetFlow(flow_pb2.GetFlowRequest(flow_id=str(uuid.uuid4())))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    bad = flow_pb2.Flow()
    bad.CopyFrom(flow)
    bad.generation = -3
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PutFlow(flow_pb2.PutFlowRequest(flow_id=doc["id"], flow=bad), metadata=server.grpc_auth())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.PutFlow(flow_pb2.PutFlowRequest(flow_id=doc["id"], flow=flow))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    label = await stub.GetFlowLabel(flow_pb2.GetFlowLabelRequest(flow_id=doc["id"]))
    assert label.string_value == doc["label"]
