"""The list filters and orders of `/flows`, `/sources`, `/service/storage-backends`, the storage backend and
flow tag filters of segments and objects, and `GET /tams/` (REST through Envoy and native gRPC)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import grpc
import httpx
import pytest

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow, example, rekey

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel


def _put(http: httpx.Client, server: RunningServer, doc: dict[str, Any], status: int = 201) -> None:
    resp = http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == status, resp.text


def _ids(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [item["id"] for item in resp.json()]


def _all_pages(http: httpx.Client, path: str, params: dict[str, Any]) -> list[str]:
    seen: list[str] = []
    resp = http.get(path, params=params)
    while True:
        seen += _ids(resp)
        link = resp.headers.get("link")
        if link is None:
            return seen
        resp = http.get(link[1 : link.index(">")])


def test_root_lists_the_api_paths(http: httpx.Client) -> None:
    for path in ("/tams", "/tams/"):
        resp = http.get(path)
        assert resp.status_code == 200 and resp.json() == ["service", "flows", "sources", "flow-delete-requests"]
        head = http.head(path)
        assert head.status_code == 200 and head.content == b""


def test_flow_sorts_reverse_and_paging(http: httpx.Client, server: RunningServer) -> None:
    tag = str(uuid.uuid4())
    docs = []
    for label in ("b", None, "a", "c", None):
        doc = audio_flow(tags={"suite": tag})
        doc.pop("label", None)
        if label is not None:
            doc["label"] = label
        _put(http, server, doc)
        docs.append(doc)
        time.sleep(0.002)  # distinct creation times
    created = [d["id"] for d in docs]
    base = {"tag.suite": tag}
    assert _ids(http.get("/tams/flows", params=base)) == created[::-1]  # newest first by default
    assert _ids(http.get("/tams/flows", params={**base, "reverse_order": "true"})) == created
    unlabelled = sorted(d["id"] for d in docs if "label" not in d)
    by_label = [docs[2]["id"], docs[0]["id"], docs[3]["id"], *unlabelled]  # a, b, c, then the rest by id
    assert _ids(http.get("/tams/flows", params={**base, "sort_by": "label"})) == by_label
    reverse_label = by_label[::-1]
    assert _ids(http.get("/tams/flows", params={**base, "sort_by": "label", "reverse_order": "true"})) == reverse_label
    # paging keeps each order exactly
    for params, expected in (
        ({"sort_by": "label"}, by_label),
        ({"sort_by": "label", "reverse_order": "true"}, reverse_label),
        ({}, created[::-1]),
    ):
        assert _all_pages(http, "/tams/flows", {**base, **params, "limit": 2}) == expected
    # metadata_updated: touching the oldest makes it the most recently updated
    assert (
        http.put(f"/tams/flows/{docs[0]['id']}/description", json="touched", headers=server.auth()).status_code == 204
    )
    assert _ids(http.get("/tams/flows", params={**base, "sort_by": "metadata_updated"}))[0] == docs[0]["id"]
    assert (
        _all_pages(http, "/tams/flows", {**base, "sort_by": "metadata_updated", "reverse_order": "true", "limit": 2})[
            -1
        ]
        == docs[0]["id"]
    )


def test_flow_status_init_segments_and_collected_by_filters(http: httpx.Client, server: RunningServer) -> None:
    tag = str(uuid.uuid4())
    ingesting = audio_flow(tags={"suite": tag}, status="ingesting")
    closed = audio_flow(tags={"suite": tag}, status="closed_complete")
    init = audio_flow(tags={"suite": tag})
    init["essence_parameters"] = {**init["essence_parameters"], "init_segments": True}
    for doc in (ingesting, closed, init):
        _put(http, server, doc)
    base = {"tag.suite": tag}
    assert _ids(http.get("/tams/flows", params={**base, "status": "ingesting"})) == [ingesting["id"]]
    assert _ids(http.get("/tams/flows", params={**base, "init_segments": "true"})) == [init["id"]]
    assert set(_ids(http.get("/tams/flows", params={**base, "init_segments": "false"}))) == {
        ingesting["id"],
        closed["id"],
    }
    # a collection of two of them
    multi = rekey(example("flow-put-multi.json"))
    multi["tags"] = {"suite": tag}
    multi["flow_collection"] = [{"id": ingesting["id"], "role": "a"}, {"id": closed["id"], "role": "b"}]
    _put(http, server, multi)
    collected = http.get("/tams/flows", params={**base, "collected_by_ids": multi["id"]})
    for flow in collected.json():
        assert_valid("flow-get.json", flow)
    assert set(_ids(collected)) == {ingesting["id"], closed["id"]}
    top = set(_ids(http.get("/tams/flows", params={**base, "collected_by_ids": ""})))
    assert top == {init["id"], multi["id"]}
    assert _ids(http.get("/tams/flows", params={**base, "collected_by_ids": str(uuid.uuid4())})) == []
    # Sources: the collection's Source collects the members' Sources
    src = set(_ids(http.get("/tams/sources", params={"collected_by_ids": multi["source_id"]})))
    assert src == {ingesting["source_id"], closed["source_id"]}
    top_sources = set(_ids(http.get("/tams/sources", params={"collected_by_ids": ""})))
    assert init["source_id"] in top_sources and ingesting["source_id"] not in top_sources


def test_source_sorts(http: httpx.Client, server: RunningServer) -> None:
    tag = str(uuid.uuid4())
    docs = []
    for label in ("z", "x", "y"):
        doc = audio_flow(label=label)
        _put(http, server, doc)
        assert (
            http.put(f"/tams/sources/{doc['source_id']}/tags/suite", json=tag, headers=server.auth()).status_code == 204
        )
        docs.append(doc)
        time.sleep(0.002)
    sources = [d["source_id"] for d in docs]
    base = {"tag.suite": tag}
    assert _ids(http.get("/tams/sources", params={**base, "sort_by": "label"})) == [sources[1], sources[2], sources[0]]
    assert _ids(http.get("/tams/sources", params={**base, "reverse_order": "true"})) == sources
    assert http.put(f"/tams/sources/{sources[0]}/description", json="new", headers=server.auth()).status_code == 204
    assert _ids(http.get("/tams/sources", params={**base, "sort_by": "updated"}))[0] == sources[0]
    assert _all_pages(http, "/tams/sources", {**base, "sort_by": "label", "limit": 1}) == [
        sources[1],
        sources[2],
        sources[0],
    ]
    for bad in ({"sort_by": "metadata_updated"}, {"reverse_order": "x"}, {"collected_by_ids": "a,b"}):
        assert http.get("/tams/sources", params=bad).status_code == 400


def test_storage_backend_filters(http: httpx.Client) -> None:
    every = http.get("/tams/service/storage-backends")
    assert every.status_code == 200 and len(every.json()) == 1
    assert every.headers["x-paging-limit"] == "100"
    assert http.get("/tams/service/storage-backends", params={"tag.region": "eu"}).json() == []
    assert http.get("/tams/service/storage-backends", params={"tag_exists.region": "true"}).json() == []
    assert http.get("/tams/service/storage-backends", params={"tag_exists.region": "false"}).json() == every.json()
    assert (
        http.get("/tams/service/storage-backends", params={"reverse_order": "true", "limit": 1}).json() == every.json()
    )
    for bad in ({"page": "forged"}, {"tag_exists.x": "maybe"}, {"reverse_order": "no"}):
        assert http.get("/tams/service/storage-backends", params=bad).status_code == 400


def test_storage_backend_and_flow_tag_filters_on_segments_and_objects(
    http: httpx.Client, server: RunningServer
) -> None:
    flow = audio_flow(tags={"team": "red"})
    _put(http, server, flow)
    item = http.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 1}, headers=server.auth()).json()[
        "media_objects"
    ][0]
    assert (
        httpx.put(
            item["put_url"]["url"], content=b"x" * 100, headers={"content-type": item["put_url"]["content-type"]}
        ).status_code
        == 200
    )
    seg = {
        "object_id": item["object_id"],
        "timerange": "[0:0_1:0)",
        "get_urls": [{"url": "https://93.184.216.34/copy", "label": "mirror"}],
    }
    assert http.post(f"/tams/flows/{flow['id']}/segments", json=seg, headers=server.auth()).status_code == 201
    url = f"/tams/flows/{flow['id']}/segments"
    assert len(http.get(url).json()[0]["get_urls"]) == 2
    # our backend has no tags: a tag value filter keeps nothing, an absence filter keeps everything
    assert "get_urls" not in http.get(url, params={"storage_backend_tag.region": "eu"}).json()[0]
    kept = http.get(url, params={"storage_backend_tag_exists.region": "false"}).json()[0]
    assert len(kept["get_urls"]) == 2
    obj = f"/tams/objects/{item['object_id']}"
    assert http.get(obj, params={"storage_backend_tag.region": "eu"}).json().get("get_urls", []) == []
    assert http.get(obj, params={"flow_tag.team": "red"}).json()["referenced_by_flows"] == [flow["id"]]
    assert http.get(obj, params={"flow_tag.team": "blue"}).json()["referenced_by_flows"] == []
    assert http.get(obj, params={"flow_tag_exists.team": "false"}).json()["referenced_by_flows"] == []
    assert_valid("object.json", http.get(obj, params={"flow_tag_exists.team": "true"}).json())
    assert http.get(obj, params={"flow_tag_exists.team": "maybe"}).status_code == 400


async def test_grpc_list_filters(channel: grpc.aio.Channel, server: RunningServer, http: httpx.Client) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    tag = str(uuid.uuid4())
    docs = [audio_flow(tags={"suite": tag}, label=label, status="ingesting") for label in ("b", "a")]
    for doc in docs:
        _put(http, server, doc)
    got = await stub.ListFlows(flow_pb2.ListFlowsRequest(tag={"suite": tag}, sort_by="label"))
    assert [f.id for f in got.flows] == [docs[1]["id"], docs[0]["id"]]
    got = await stub.ListFlows(
        flow_pb2.ListFlowsRequest(
            tag={"suite": tag}, reverse_order=True, status="ingesting", init_segments=False, collected_by_ids=""
        )
    )
    assert [f.id for f in got.flows] == [d["id"] for d in docs]
    sources = await stub.ListSources(flow_pb2.ListSourcesRequest(label="a", sort_by="label"))
    assert docs[1]["source_id"] in [s.id for s in sources.sources]
    backends = await stub.ListStorageBackends(flow_pb2.ListStorageBackendsRequest(tag_exists={"x": "true"}))
    assert list(backends.storage_backends) == []
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListFlows(flow_pb2.ListFlowsRequest(sort_by="size"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    root = await stub.ListRootEndpoints(flow_pb2.ListRootEndpointsRequest())
    assert list(root) == ["service", "flows", "sources", "flow-delete-requests"]
