"""TAMS segments, storage, objects and deletion end to end: REST through Envoy and native gRPC."""

from __future__ import annotations

import time
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


def _flow(http: httpx.Client, server: RunningServer, **overrides: Any) -> str:
    doc = audio_flow(container="audio/wav", codec="audio/pcm", **overrides)
    resp = http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == 201, resp.text
    return str(doc["id"])


def _allocate(http: httpx.Client, server: RunningServer, flow_id: str, n: int) -> list[dict[str, Any]]:
    resp = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": n}, headers=server.auth())
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert_valid("flow-storage.json", body)
    assert len(body["media_objects"]) == n
    return list(body["media_objects"])


def _upload(http: httpx.Client, item: dict[str, Any], data: bytes) -> None:
    resp = http.put(item["put_url"]["url"], content=data, headers={"content-type": item["put_url"]["content-type"]})
    assert resp.status_code == 200, resp.text


def _ingest(http: httpx.Client, server: RunningServer, flow_id: str, ranges: list[str]) -> list[str]:
    items = _allocate(http, server, flow_id, len(ranges))
    for i, item in enumerate(items):
        _upload(http, item, f"object {i}".encode())
    body = [{"object_id": item["object_id"], "timerange": tr} for item, tr in zip(items, ranges, strict=True)]
    resp = http.post(f"/tams/flows/{flow_id}/segments", json=body, headers=server.auth())
    assert resp.status_code == 201, resp.text
    return [item["object_id"] for item in items]


def _segments(http: httpx.Client, flow_id: str, **params: Any) -> httpx.Response:
    resp = http.get(f"/tams/flows/{flow_id}/segments", params=params)
    assert resp.status_code == 200, resp.text
    for seg in resp.json():
        assert_valid("flow-segment.json", seg)
    return resp


RANGES = [f"[{i * 10}:0_{(i + 1) * 10}:0)" for i in range(5)]


def test_storage_put_register_and_read_back(http: httpx.Client, server: RunningServer) -> None:
    flow_id = _flow(http, server)
    oids = _ingest(http, server, flow_id, RANGES)
    segs = _segments(http, flow_id).json()
    assert [s["timerange"] for s in segs] == RANGES and [s["object_id"] for s in segs] == oids
    url = segs[2]["get_urls"][0]
    assert url["presigned"] is True and url["label"]
    got = http.get(url["url"])
    assert got.status_code == 200 and got.content == b"object 2" and got.headers["content-type"] == "audio/wav"
    part = http.get(url["url"], headers={"range": "bytes=2-4"})
    assert part.status_code == 206 and part.content == b"jec" and part.headers["content-range"] == "bytes 2-4/8"
    assert http.get(url["url"], headers={"range": "bytes=100-"}).status_code == 416
    head = http.head(url["url"])
    assert head.status_code == 200 and head.content == b"" and head.headers["accept-ranges"] == "bytes"
    forged = url["url"].replace("signature=", "signature=0")
    assert http.get(forged).status_code == 403
    unsigned = url["url"].split("?")[0]
    assert http.get(unsigned).status_code == 403
    # an allocated object cannot be written through another object's URL, nor with a GET URL
    assert http.put(url["url"], content=b"x").status_code == 403


def test_timerange_queries_paging_and_headers(http: httpx.Client, server: RunningServer) -> None:
    flow_id = _flow(http, server)
    _ingest(http, server, flow_id, RANGES)
    got = _segments(http, flow_id, timerange="[15:0_30:0]").json()
    assert [s["timerange"] for s in got] == RANGES[1:4]  # [30:0_40:0) touches 30:0 inclusively
    got = _segments(http, flow_id, timerange="[15:0_30:0)").json()
    assert [s["timerange"] for s in got] == RANGES[1:3]
    rev = _segments(http, flow_id, reverse_order="true").json()
    assert [s["timerange"] for s in rev] == RANGES[::-1]
    first = _segments(http, flow_id, limit=2)
    assert first.headers["x-paging-limit"] == "2" and first.headers["x-paging-count"] == "2"
    assert first.headers["x-paging-timerange"] == "[0:0_20:0)"
    assert first.headers["x-paging-reverse-order"] == "false"
    seen = [s["timerange"] for s in first.json()]
    link = first.headers["link"]
    while link:
        nxt = http.get(link.split(";")[0].strip("<>"))
        seen += [s["timerange"] for s in nxt.json()]
        link = nxt.headers.get("link", "")
    assert seen == RANGES
    page = _segments(http, flow_id, limit=2, reverse_order="true", page="")
    assert page.headers["x-paging-reverse-order"] == "true"
    assert http.head(f"/tams/flows/{flow_id}/segments").content == b""
    assert _segments(http, str(uuid.uuid4())).json() == []  # the spec: a missing flow lists nothing
    for bad in (
        {"timerange": "[5:0)"},
        {"reverse_order": "maybe"},
        {"limit": "0"},
        {"page": "nope"},
        {"accept_storage_ids": "x"},
    ):
        assert http.get(f"/tams/flows/{flow_id}/segments", params=bad).status_code == 400, bad
    # get_urls filters
    assert "get_urls" not in _segments(http, flow_id, accept_get_urls="").json()[0]
    assert "get_urls" not in _segments(http, flow_id, presigned="false").json()[0]
    verbose = _segments(http, flow_id, verbose_storage="true").json()[0]["get_urls"][0]
    assert verbose["controlled"] is True and verbose["store_type"] == "http_object_store"


def test_flow_timerange_and_flow_filter(http: httpx.Client, server: RunningServer) -> None:
    flow_id, empty_id = _flow(http, server), _flow(http, server)
    _ingest(http, server, flow_id, ["[100:0_110:0)", "[110:0_120:0)"])
    doc = http.get(f"/tams/flows/{flow_id}", params={"include_timerange": "true"}).json()
    assert doc["timerange"] == "[100:0_120:0)" and doc["segments_updated"]
    assert_valid("flow-get.json", doc)
    limited = http.get(f"/tams/flows/{flow_id}", params={"include_timerange": "true", "timerange": "[105:0_"})
    assert limited.json()["timerange"] == "[105:0_120:0)"
    assert http.get(f"/tams/flows/{empty_id}", params={"include_timerange": "true"}).json()["timerange"] == "()"
    hit = {f["id"] for f in http.get("/tams/flows", params={"timerange": "[119:0]", "limit": 1000}).json()}
    assert flow_id in hit and empty_id not in hit
    miss = {f["id"] for f in http.get("/tams/flows", params={"timerange": "[120:0_", "limit": 1000}).json()}
    assert flow_id not in miss
    never = {f["id"] for f in http.get("/tams/flows", params={"timerange": "()", "limit": 1000}).json()}
    assert empty_id in never and flow_id not in never


def test_registration_rules_and_partial_failure(anon: httpx.Client, http: httpx.Client, server: RunningServer) -> None:
    flow_id, other = _flow(http, server), _flow(http, server)
    oids = _ingest(http, server, flow_id, ["[0:0_10:0)"])
    spare = _allocate(http, server, flow_id, 3)
    _upload(http, spare[0], b"a")
    _upload(http, spare[1], b"b")
    url = f"/tams/flows/{flow_id}/segments"
    overlap = http.post(
        url, json={"object_id": spare[0]["object_id"], "timerange": "[5:0_15:0)"}, headers=server.auth()
    )
    assert overlap.status_code == 400 and overlap.json()["type"]
    # not uploaded yet, allocated for another flow, unknown
    foreign = _allocate(http, server, other, 1)[0]
    _upload(http, foreign, b"f")
    batch = [
        {"object_id": spare[0]["object_id"], "timerange": "[10:0_20:0)"},
        {"object_id": spare[1]["object_id"], "timerange": "[15:0_25:0)"},
        {"object_id": spare[2]["object_id"], "timerange": "[30:0_40:0)"},
        {"object_id": foreign["object_id"], "timerange": "[40:0_50:0)"},
        {"object_id": "unknown", "timerange": "[50:0_60:0)"},
    ]
    resp = http.post(url, json=batch, headers=server.auth())
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert_valid("flow-segment-bulk-failure.json", body)
    assert [f["object_id"] for f in body["failed_segments"]] == [b["object_id"] for b in batch[1:]]
    assert [s["timerange"] for s in _segments(http, flow_id).json()] == ["[0:0_10:0)", "[10:0_20:0)"]
    # instants next to an exclusive end are fine; the reused object must contain the segment
    outside = http.post(
        url, json={"object_id": oids[0], "timerange": "[20:0_25:0)", "ts_offset": "-20:0"}, headers=server.auth()
    )
    assert outside.status_code == 400  # object ts = segment ts - ts_offset = [40:0_45:0): not in [0:0_10:0)
    conflict = http.post(
        url,
        json={"object_id": oids[0], "timerange": "[20:0_25:0)", "ts_offset": "20:0", "object_timerange": "[0:0_20:0)"},
        headers=server.auth(),
    )
    assert conflict.status_code == 400  # a reused object's timerange cannot change
    ok = http.post(
        url,
        json={"object_id": oids[0], "timerange": "[20:0_25:0)", "ts_offset": "20:0", "object_timerange": "[0:0_10:0)"},
        headers=server.auth(),
    )
    assert ok.status_code == 201, ok.text
    bad = [
        {"timerange": "[0:0_1:0)"},
        {"object_id": spare[1]["object_id"], "timerange": "_"},
        {"object_id": spare[1]["object_id"], "timerange": "()"},
    ]
    for doc in bad:
        assert http.post(url, json=doc, headers=server.auth()).status_code == 400, doc
    assert anon.post(url, json={"object_id": "x", "timerange": "[0:0_1:0)"}).status_code == 401
    assert http.post(f"/tams/flows/{uuid.uuid4()}/segments", json=batch[0], headers=server.auth()).status_code == 404
    http.put(f"/tams/flows/{flow_id}/read_only", json=True, headers=server.auth())
    locked = http.post(
        url, json={"object_id": spare[1]["object_id"], "timerange": "[60:0_61:0)"}, headers=server.auth()
    )
    assert locked.status_code == 403
    assert http.post(f"/tams/flows/{flow_id}/storage", json={}, headers=server.auth()).status_code == 403
    assert http.delete(url, headers=server.auth()).status_code == 403
    http.put(f"/tams/flows/{flow_id}/read_only", json=False, headers=server.auth())


def test_objects_shared_between_flows_and_reclaimed(http: httpx.Client, server: RunningServer) -> None:
    ingest_id, edit_id = _flow(http, server), _flow(http, server)
    oids = _ingest(http, server, ingest_id, RANGES[:3])
    unregistered = _allocate(http, server, ingest_id, 1)[0]["object_id"]
    assert http.get(f"/tams/objects/{unregistered}").status_code == 404
    edit = [
        {"object_id": oids[2], "timerange": "[0:0_10:0)", "ts_offset": "-20:0"},
        {"object_id": oids[0], "timerange": "[10:0_15:0)", "ts_offset": "10:0", "object_timerange": "[0:0_10:0)"},
    ]
    assert http.post(f"/tams/flows/{edit_id}/segments", json=edit, headers=server.auth()).status_code == 201
    obj = http.get(f"/tams/objects/{oids[0]}")
    assert obj.status_code == 200, obj.text
    body = obj.json()
    assert_valid("object.json", body)
    assert sorted(body["referenced_by_flows"]) == sorted([ingest_id, edit_id])
    assert body["first_referenced_by_flow"] == ingest_id and body["timerange"] == "[0:0_10:0)"
    assert http.head(f"/tams/objects/{oids[0]}").content == b""
    # uncontrolled instances
    inst = http.post(
        f"/tams/objects/{oids[0]}/instances",
        json={"url": "https://elsewhere.example/x", "label": "mirror"},
        headers=server.auth(),
    )
    assert inst.status_code == 201, inst.text
    urls = http.get(f"/tams/objects/{oids[0]}").json()["get_urls"]
    assert [u["label"] for u in urls][1:] == ["mirror"]
    only = http.get(f"/tams/objects/{oids[0]}", params={"accept_get_urls": "mirror"}).json()["get_urls"]
    assert [u["url"] for u in only] == ["https://elsewhere.example/x"]
    assert (
        http.post(
            f"/tams/objects/{oids[0]}/instances", json={"url": "u", "label": "mirror"}, headers=server.auth()
        ).status_code
        == 409
    )
    assert http.post(f"/tams/objects/{oids[0]}/instances", json={"nope": 1}, headers=server.auth()).status_code == 400
    assert (
        http.delete(f"/tams/objects/{oids[0]}/instances", params={"label": "mirror"}, headers=server.auth()).status_code
        == 204
    )
    assert (
        http.delete(
            f"/tams/objects/{oids[0]}/instances", params={"label": "polyphony-local"}, headers=server.auth()
        ).status_code
        == 400
    )  # the last instance stays
    backends = http.get("/tams/service/storage-backends").json()
    assert_valid("storage-backends-list.json", backends)
    assert backends[0]["default_storage"] is True
    # deleting the ingest flow keeps what the edit flow uses and reclaims the rest
    get_url = _segments(http, ingest_id).json()[1]["get_urls"][0]["url"]
    assert http.delete(f"/tams/flows/{ingest_id}", headers=server.auth()).status_code == 204
    assert http.get(f"/tams/objects/{oids[1]}").status_code == 404
    assert http.get(get_url).status_code == 404
    kept = http.get(f"/tams/objects/{oids[0]}").json()
    assert kept["referenced_by_flows"] == [edit_id] and kept["first_referenced_by_flow"] == ingest_id
    reused = _segments(http, edit_id).json()
    assert http.get(reused[1]["get_urls"][0]["url"]).content == b"object 0"
    # deleting segments by timerange reclaims their objects too
    assert (
        http.delete(
            f"/tams/flows/{edit_id}/segments", params={"timerange": "[0:0_10:0)"}, headers=server.auth()
        ).status_code
        == 204
    )
    assert http.get(f"/tams/objects/{oids[2]}").status_code == 404
    assert [s["timerange"] for s in _segments(http, edit_id).json()] == ["[10:0_15:0)"]


async def test_native_grpc_upload_stream_and_objects(
    channel: grpc.aio.Channel, server: RunningServer, http: httpx.Client
) -> None:
    flow_id = _flow(http, server)
    stub = flow_pb2_grpc.FlowServiceStub(channel)

    async def parts(i: int) -> Any:
        yield flow_pb2.UploadSegmentRequest(
            header=flow_pb2.UploadSegmentHeader(flow_id=flow_id, timerange=f"[{i}:0_{i + 1}:0)")
        )
        for k in range(3):
            yield flow_pb2.UploadSegmentRequest(data=bytes([i]) * (100_000 + k))

    for i in range(4):
        seg = await stub.UploadSegment(parts(i), metadata=server.grpc_auth())
        assert seg.timerange == f"[{i}:0_{i + 1}:0)"
    streamed = [s async for s in stub.StreamSegments(flow_pb2.ListSegmentsRequest(flow_id=flow_id, timerange="[1:0_"))]
    assert [s.timerange for s in streamed] == ["[1:0_2:0)", "[2:0_3:0)", "[3:0_4:0)"]
    data = http.get(streamed[0].get_urls[0].url).content
    assert data == bytes([1]) * 300_003
    page = await stub.ListSegments(flow_pb2.ListSegmentsRequest(flow_id=flow_id, limit=3))
    assert len(page.segments) == 3 and page.next_page and page.paging_timerange == "[0:0_3:0)"
    rest = await stub.ListSegments(flow_pb2.ListSegmentsRequest(flow_id=flow_id, limit=3, page=page.next_page))
    assert [s.timerange for s in rest.segments] == ["[3:0_4:0)"] and not rest.next_page
    obj = await stub.GetObject(flow_pb2.GetObjectRequest(object_id=streamed[0].object_id))
    assert list(obj.referenced_by_flows) == [flow_id]
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UploadSegment(parts(2), metadata=server.grpc_auth())  # overlaps
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    backends = await stub.ListStorageBackends(flow_pb2.ListStorageBackendsRequest())
    assert backends.storage_backends[0].store_type == "http_object_store"
    storage = await stub.AllocateStorage(
        flow_pb2.AllocateStorageRequest(flow_id=flow_id, limit=2), metadata=server.grpc_auth()
    )
    assert len(storage.media_objects) == 2 and storage.media_objects[0].put_url["url"].startswith("http")


# ---- deletion through Flow Delete Requests (a server with a small synchronous-delete limit) ------------


@pytest.fixture(scope="module")
def small_delete(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data: Path = tmp_path_factory.mktemp("tams-delete")
    with run_server(data, extra_env={"POLYPHONY_TAMS_SYNC_DELETE_LIMIT": "3"}) as srv:
        yield srv


def _wait_done(http: httpx.Client, location: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        doc: dict[str, Any] = http.get(location).json()
        assert_valid("deletion-request.json", doc)
        if doc["status"] == "done" or time.monotonic() > deadline:
            return doc
        time.sleep(0.1)


def test_large_deletes_become_flow_delete_requests(small_delete: RunningServer) -> None:
    srv = small_delete
    with httpx.Client(base_url=srv.http, headers=srv.read_auth(), timeout=30) as http:
        keep = _flow(http, srv)
        flow_id = _flow(http, srv)
        ranges = [f"[{i}:0_{i + 1}:0)" for i in range(12)]
        oids = _ingest(http, srv, flow_id, ranges)
        shared = {"object_id": oids[0], "timerange": "[0:0_1:0)"}
        assert http.post(f"/tams/flows/{keep}/segments", json=shared, headers=srv.auth()).status_code == 201
        small = http.delete(f"/tams/flows/{flow_id}/segments", params={"timerange": "[9:0_12:0)"}, headers=srv.auth())
        assert small.status_code == 204 and small.content == b""
        big = http.delete(f"/tams/flows/{flow_id}/segments", params={"timerange": "[3:0_9:0)"}, headers=srv.auth())
        assert big.status_code == 202, big.text
        assert_valid("deletion-request.json", big.json())
        assert big.json()["delete_flow"] is False and big.headers["location"].endswith(big.json()["id"])
        assert _wait_done(http, big.headers["location"])["status"] == "done"
        assert [s["timerange"] for s in http.get(f"/tams/flows/{flow_id}/segments").json()] == ranges[:3]
        gone = http.delete(f"/tams/flows/{flow_id}", headers=srv.auth())
        assert gone.status_code == 204  # 3 segments left: at once
        flow2 = _flow(http, srv)
        oids2 = _ingest(http, srv, flow2, ranges)
        resp = http.delete(f"/tams/flows/{flow2}", headers=srv.auth())
        assert resp.status_code == 202 and resp.json()["delete_flow"] is True
        assert http.get(f"/tams/flows/{flow2}").status_code == 404  # the flow goes at once
        done = _wait_done(http, resp.headers["location"])
        assert done["status"] == "done" and done["timerange_to_delete"] == "[0:0_12:0)"
        listed = http.get("/tams/flow-delete-requests")
        assert listed.status_code == 200 and resp.json()["id"] in [r["id"] for r in listed.json()]
        assert listed.headers["x-paging-count"]
        assert http.get(f"/tams/flow-delete-requests/{uuid.uuid4()}").status_code == 404
        for oid in oids2:
            assert http.get(f"/tams/objects/{oid}").status_code == 404
        assert http.get(f"/tams/objects/{oids[0]}").json()["referenced_by_flows"] == [keep]


def test_nul_characters_in_segments_are_400_and_store_nothing(http: httpx.Client, server: RunningServer) -> None:
    flow_id = _flow(http, server)
    url = f"/tams/flows/{flow_id}/segments"
    bad = {
        "object_id": "a\x00b",
        "timerange": "[0:0_1:0)",
        "get_urls": [{"url": "https://93.184.216.34/x", "label": "l"}],
    }
    resp = http.post(url, json=bad, headers=server.auth())
    assert resp.status_code == 400, resp.text
    assert_valid("error.json", resp.json())
    listed = http.post(url, json=[bad, {**bad, "object_id": "ok", "init_object_id": "i\x00"}], headers=server.auth())
    assert listed.status_code == 200 and len(listed.json()["failed_segments"]) == 2
    missing = http.post(f"/tams/flows/{uuid.uuid4()}/segments", json=bad, headers=server.auth())
    assert missing.status_code == 404
    assert http.get(url).json() == []
