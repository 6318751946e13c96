"""TAMS details that real clients trip on (issue 15), each through Envoy REST and native gRPC: frame-accurate
edits, init_segments Flows, webhooks with no events, bulk failures with an empty object_id, `limit=0` on the
lists that document no 400, and HEAD with an unparsable query."""

from __future__ import annotations

import itertools
import json
import math
import uuid
from fractions import Fraction
from typing import Any

import grpc
import httpx
import pytest

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from polyphony.flow.mapping import python_to_value, to_document
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow, example, rekey

SECOND = 1_000_000_000
RATES = {"24": (24, 1), "25": (25, 1), "30": (30, 1), "29.97": (30000, 1001)}


def _ts(ns: int) -> str:
    return f"{ns // SECOND}:{ns % SECOND}"


def _tr(lo: int, hi: int) -> str:
    return f"[{_ts(lo)}_{_ts(hi)})"


def _video_flow(http: httpx.Client, server: RunningServer, rate: tuple[int, int], **essence: Any) -> str:
    doc = rekey(example("flow-get-200-video-h264.json"))
    doc.pop("collected_by", None)
    doc["essence_parameters"]["frame_rate"] = {"numerator": rate[0], "denominator": rate[1]}
    doc["essence_parameters"].update(essence)
    resp = http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == 201, resp.text
    return str(doc["id"])


def _object(http: httpx.Client, server: RunningServer, flow_id: str) -> str:
    resp = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": 1}, headers=server.auth())
    assert resp.status_code == 201, resp.text
    item = resp.json()["media_objects"][0]
    put = http.put(item["put_url"]["url"], content=b"frames", headers={"content-type": item["put_url"]["content-type"]})
    assert put.status_code == 200, put.text
    return str(item["object_id"])


def _frames_with_float_rounding(rate: tuple[int, int]) -> int:
    """A frame count whose end an ingest client computing in floating point (truncating) writes 1 ns before
    the exact end that an edit client computing in whole frames (rounding up) writes."""
    frame = Fraction(SECOND * rate[1], rate[0])
    return next(n for n in range(200, 2000) if math.ceil(n * frame) - int(n * rate[1] / rate[0] * 1e9) == 1)


def _cut(rate: tuple[int, int], frames: int, start: int) -> list[tuple[int, int]]:
    """Object-timeline [lo, hi) of 2 s pieces of `frames` frames, frame boundaries rounded up to whole ns."""
    frame = Fraction(SECOND * rate[1], rate[0])
    per_piece = math.ceil(2 * SECOND / frame)
    bounds = [*range(0, frames, per_piece), frames]
    return [(start + math.ceil(a * frame), start + math.ceil(b * frame)) for a, b in itertools.pairwise(bounds)]


@pytest.mark.parametrize("transport", ["rest", "grpc"])
@pytest.mark.parametrize("fps", list(RATES))
async def test_frame_accurate_cut_edits_are_accepted_and_real_overruns_refused(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel, fps: str, transport: str
) -> None:
    rate = RATES[fps]
    frames = _frames_with_float_rounding(rate)
    start = 10 * SECOND
    # the original: one Object holding `frames` frames, its end written by a floating-point ingest client
    source_flow = _video_flow(http, server, rate)
    oid = _object(http, server, source_flow)
    own_end = start + int(frames * rate[1] / rate[0] * 1e9)
    resp = http.post(
        f"/tams/flows/{source_flow}/segments",
        json={"object_id": oid, "timerange": _tr(start, own_end)},
        headers=server.auth(),
    )
    assert resp.status_code == 201, resp.text
    # the edit: the Object cut into 2 s pieces at exact frame boundaries, placed at 100 s of a new Flow
    edit_flow = _video_flow(http, server, rate)
    place = 100 * SECOND
    pieces = _cut(rate, frames, start)
    assert pieces[-1][1] == own_end + 1  # the last piece ends 1 ns past the Object's own timerange
    body = [
        {"object_id": oid, "timerange": _tr(lo + place - start, hi + place - start), "ts_offset": _ts(place - start)}
        for lo, hi in pieces
    ]
    stub = flow_pb2_grpc.FlowServiceStub(channel)

    async def register(segments: Any) -> tuple[int, dict[str, Any]]:
        if transport == "rest":
            r = http.post(f"/tams/flows/{edit_flow}/segments", json=segments, headers=server.auth())
            return r.status_code, (r.json() if r.content else {})
        try:
            answer = await stub.CreateSegments(
                flow_pb2.CreateSegmentsRequest(flow_id=edit_flow, segments=python_to_value(segments)),
                metadata=server.grpc_auth(),
            )
        except grpc.aio.AioRpcError as err:
            assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err
            return 400, {}
        return (200 if answer.failed_segments else 201), to_document(answer)

    status, failures = await register(body)
    assert status == 201, failures
    listed = http.get(f"/tams/flows/{edit_flow}/segments", headers=server.read_auth()).json()
    assert [s["timerange"] for s in listed] == [b["timerange"] for b in body]
    # a real overrun, one whole frame past the Object, is still refused
    frame = math.ceil(Fraction(SECOND * rate[1], rate[0]))
    late = place + (own_end - start) + SECOND
    overrun = {
        "object_id": oid,
        "timerange": _tr(late, late + (own_end - start) + frame),
        "ts_offset": _ts(late - start),
    }
    status, _ = await register(overrun)
    assert status == 400
    # and so is a start one frame before it
    early = {"object_id": oid, "timerange": _tr(late - frame, late + SECOND), "ts_offset": _ts(late - start)}
    status, _ = await register(early)
    assert status == 400


def test_audio_overruns_below_one_sample_are_accepted(http: httpx.Client, server: RunningServer) -> None:
    doc = audio_flow(container="audio/wav", codec="audio/pcm")  # 48 kHz: one sample is 20,833⅓ ns
    assert doc["essence_parameters"]["sample_rate"] == 48000
    assert http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth()).status_code == 201
    oid = _object(http, server, doc["id"])
    base = f"/tams/flows/{doc['id']}/segments"
    assert http.post(base, json={"object_id": oid, "timerange": "[0:0_1:0)"}, headers=server.auth()).status_code == 201
    near = {"object_id": oid, "timerange": "[5:0_6:20833)", "ts_offset": "5:0"}  # 20,833 ns: under a sample
    assert http.post(base, json=near, headers=server.auth()).status_code == 201
    far = {"object_id": oid, "timerange": "[7:0_8:20834)", "ts_offset": "7:0"}  # 20,834 ns: over a sample
    resp = http.post(base, json=far, headers=server.auth())
    assert resp.status_code == 400 and resp.json()["type"] == "InvalidArgument", resp.text


@pytest.mark.parametrize("transport", ["rest", "grpc"])
async def test_init_segments_flows_refuse_objects_without_an_init_object(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel, transport: str
) -> None:
    flow_id = _video_flow(http, server, (25, 1), init_segments=True)
    plain = _object(http, server, flow_id)
    init, media = _object(http, server, flow_id), _object(http, server, flow_id)
    stub = flow_pb2_grpc.FlowServiceStub(channel)

    async def register(segment: dict[str, Any]) -> int:
        if transport == "rest":
            return http.post(f"/tams/flows/{flow_id}/segments", json=segment, headers=server.auth()).status_code
        try:
            await stub.CreateSegments(
                flow_pb2.CreateSegmentsRequest(flow_id=flow_id, segments=python_to_value(segment)),
                metadata=server.grpc_auth(),
            )
        except grpc.aio.AioRpcError as err:
            assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, err
            return 400
        return 201

    assert await register({"object_id": plain, "timerange": "[0:0_1:0)"}) == 400
    assert await register({"object_id": media, "timerange": "[0:0_1:0)", "init_object_id": init}) == 201
    seg = http.get(f"/tams/flows/{flow_id}/segments", headers=server.read_auth()).json()
    assert [s["object_id"] for s in seg] == [media] and seg[0]["init_object"]["object_id"] == init


def test_a_flow_without_init_segments_takes_objects_without_an_init_object(
    http: httpx.Client, server: RunningServer
) -> None:
    flow_id = _video_flow(http, server, (25, 1), init_segments=False)
    oid = _object(http, server, flow_id)
    resp = http.post(
        f"/tams/flows/{flow_id}/segments", json={"object_id": oid, "timerange": "[0:0_1:0)"}, headers=server.auth()
    )
    assert resp.status_code == 201, resp.text


# ---- webhooks with no events ---------------------------------------------------------------------------


def test_a_webhook_with_no_events_is_accepted_and_shown_with_events(http: httpx.Client, server: RunningServer) -> None:
    url = f"http://127.0.0.1:9/{uuid.uuid4()}"
    created = http.post("/tams/service/webhooks", json={"url": url, "events": []}, headers=server.auth())
    assert created.status_code == 201, created.text
    assert created.json()["events"] == []
    assert_valid("webhook-get.json", created.json())
    hook_id = created.json()["id"]
    got = http.get(f"/tams/service/webhooks/{hook_id}", headers=server.auth())
    assert got.status_code == 200 and got.json()["events"] == [] and got.json()["url"] == url
    assert_valid("webhook-get.json", got.json())
    update = {"id": hook_id, "url": url, "events": [], "status": "disabled"}
    put = http.put(f"/tams/service/webhooks/{hook_id}", json=update, headers=server.auth())
    assert put.status_code == 201 and put.json()["events"] == [] and put.json()["status"] == "disabled", put.text
    listed = http.get("/tams/service/webhooks", headers=server.auth()).json()
    assert [h["events"] for h in listed if h["id"] == hook_id] == [[]]
    # `events` stays required in REST bodies
    missing = http.post("/tams/service/webhooks", json={"url": url}, headers=server.auth())
    assert missing.status_code == 400 and "events" in missing.json()["summary"], missing.text


async def test_a_webhook_with_no_events_over_grpc(server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    hook = await stub.CreateWebhook(
        flow_pb2.CreateWebhookRequest(webhook=flow_pb2.Webhook(url=f"http://127.0.0.1:9/{uuid.uuid4()}")),
        metadata=server.grpc_auth(),
    )
    assert hook.id and list(hook.events) == []
    got = await stub.GetWebhook(flow_pb2.GetWebhookRequest(webhook_id=hook.id), metadata=server.grpc_auth())
    assert got.url == hook.url and list(got.events) == []


# ---- bulk failures keep their object_id ----------------------------------------------------------------


@pytest.mark.parametrize("transport", ["rest", "grpc"])
async def test_a_failed_bulk_segment_sent_with_an_empty_object_id_keeps_it(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel, transport: str
) -> None:
    flow_id = _video_flow(http, server, (25, 1))
    oid = _object(http, server, flow_id)
    body = [{"object_id": oid, "timerange": "[0:0_1:0)"}, {"object_id": "", "timerange": "[1:0_2:0)"}]
    if transport == "rest":
        resp = http.post(f"/tams/flows/{flow_id}/segments", json=body, headers=server.auth())
        assert resp.status_code == 200, resp.text
        answer = resp.json()
        assert_valid("flow-segment-bulk-failure.json", answer)
    else:
        stub = flow_pb2_grpc.FlowServiceStub(channel)
        message = await stub.CreateSegments(
            flow_pb2.CreateSegmentsRequest(flow_id=flow_id, segments=python_to_value(body)),
            metadata=server.grpc_auth(),
        )
        assert message.failed_segments[0].HasField("object_id")
        answer = to_document(message)
    assert [f["object_id"] for f in answer["failed_segments"]] == [""]


# ---- limit=0 on the lists that document no 400 ---------------------------------------------------------

NO_400_LISTS = ("/tams/flow-delete-requests", "/tams/service/storage-backends", "/tams/service/webhooks")


@pytest.mark.parametrize("path", NO_400_LISTS)
@pytest.mark.parametrize("limit", ["0", "-3"])
def test_limit_below_one_on_lists_without_a_400_uses_the_default(
    http: httpx.Client, server: RunningServer, path: str, limit: str
) -> None:
    resp = http.get(path, params={"limit": limit}, headers=server.auth())
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-paging-limit"] == "100"
    assert isinstance(resp.json(), list)
    capped = http.get(path, params={"limit": "5000"}, headers=server.auth())
    assert capped.status_code == 200 and capped.headers["x-paging-limit"] == "1000"


async def test_limit_below_one_over_grpc(server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    md = server.grpc_auth()
    calls: list[Any] = [
        stub.ListFlowDeleteRequests(flow_pb2.ListFlowDeleteRequestsRequest(limit=-3), metadata=md),
        stub.ListStorageBackends(flow_pb2.ListStorageBackendsRequest(limit=-3), metadata=md),
        stub.ListWebhooks(flow_pb2.ListWebhooksRequest(limit=-3), metadata=md),
    ]
    for call in calls:
        await call
        assert dict(await call.initial_metadata())["x-paging-limit"] == "100"


def test_lists_with_a_400_still_refuse_limit_zero(http: httpx.Client, server: RunningServer) -> None:
    resp = http.get("/tams/flows", params={"limit": "0"}, headers=server.read_auth())
    assert resp.status_code == 400 and resp.json()["type"] == "InvalidArgument"


# ---- HEAD answers like GET -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/tams/flows?limit=abc",
        "/tams/flows?frame_width=wide",
        "/tams/service/storage-backends?reverse_order=maybe",
        f"/tams/flows/{uuid.uuid4()}/segments?limit=x",
        f"/tams/flows/{uuid.uuid4()}",
    ],
)
def test_head_answers_the_status_and_headers_of_get(http: httpx.Client, server: RunningServer, url: str) -> None:
    auth = server.read_auth()  # TAMS reads need a token
    get, head = http.get(url, headers=auth), http.head(url, headers=auth)
    assert get.status_code >= 400 and get.headers["content-type"] == "application/json", get.text
    json.loads(get.text)
    assert head.status_code == get.status_code and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_booleans_are_the_specs_true_and_false_only(http: httpx.Client, server: RunningServer) -> None:
    """Envoy's transcoder would also read `yes`, `no`, `1`... as booleans; the spec's booleans are true/false."""
    flow_id, auth = _video_flow(http, server, (25, 1)), server.read_auth()
    assert http.get(f"/tams/flows/{flow_id}", params={"include_timerange": "true"}, headers=auth).status_code == 200
    for url, name in (
        (f"/tams/flows/{flow_id}", "include_timerange"),
        ("/tams/flows", "reverse_order"),
        (f"/tams/flows/{flow_id}/segments", "presigned"),
    ):
        resp = http.get(url, params={name: "yes"}, headers=auth)
        assert resp.status_code == 400 and resp.json()["type"] == "InvalidArgument", (url, resp.text)
