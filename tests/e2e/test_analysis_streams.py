"""End to end: streams of the TimeSide surface that a client holds open or leaves early — a draft task's
events (subscribe first, start after) over Server-Sent Events and gRPC, and result downloads abandoned
after the first bytes."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import grpc
import httpx

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis_tasks import API, _sse, audio, new_item, preset, wait
from tests.harness import RunningServer


def draft_task(http: httpx.Client, server: RunningServer, seconds: float = 20.0) -> dict[str, Any]:
    item = new_item(http, server, audio(seconds, rate=16000))
    p = preset(http, server, "pitch_yin", stepsize=256)
    r = http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"], "status": 1}, headers=server.auth())
    assert r.status_code == 201 and r.json()["status"] == 1, r.text
    return dict(r.json())


def test_events_of_a_draft_task_stay_open_through_the_run(http: httpx.Client, server: RunningServer) -> None:
    task = draft_task(http, server)
    received: list[str] = []
    opened = threading.Event()

    def subscribe() -> None:
        with (
            httpx.Client(base_url=str(http.base_url), timeout=60) as client,
            client.stream("GET", f"{API}/tasks/{task['uuid']}/events") as r,
        ):
            assert r.status_code == 200 and r.headers["content-type"] == "text/event-stream"
            opened.set()
            for text in r.iter_text():
                received.append(text)

    reader = threading.Thread(target=subscribe)
    reader.start()
    assert opened.wait(20)
    time.sleep(0.5)  # still a draft: the stream stays open
    assert reader.is_alive()
    assert http.patch(task["url"], json={"status": 2}, headers=server.auth()).status_code == 200
    reader.join(60)
    assert not reader.is_alive()
    frames = _sse("".join(received))
    kinds = [f["event"] for f in frames]
    assert kinds[0] == "progress" and json.loads(frames[0]["data"])["status"] == 1, kinds
    assert kinds[-1] == "done" and "result" in kinds and "draft" not in kinds, kinds
    assert [int(f["id"]) for f in frames] == list(range(1, len(frames) + 1))
    assert wait(http, task["url"])["status"] == 4


async def test_grpc_watch_of_a_draft_task_ends_after_the_run(
    http: httpx.Client, channel: grpc.aio.Channel, server: RunningServer
) -> None:
    task = draft_task(http, server)
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    events: list[pb.TaskEvent] = []

    async def watch() -> None:
        async for event in stub.WatchTask(pb.WatchTaskRequest(uuid=task["uuid"]), metadata=server.grpc_auth()):
            events.append(event)

    watching = asyncio.create_task(watch())
    while not events:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    assert not watching.done() and [e.event for e in events] == ["progress"]
    await stub.UpdateTask(
        pb.UpdateTaskRequest(uuid=task["uuid"], body=json_body({"status": 2})), metadata=server.grpc_auth()
    )
    await asyncio.wait_for(watching, 60)
    assert events[-1].event == "done" and events[-1].task.status == 4
    assert any(e.event == "result" for e in events)


async def test_watching_a_task_that_is_deleted_ends_the_stream(
    http: httpx.Client, channel: grpc.aio.Channel, server: RunningServer
) -> None:
    task = draft_task(http, server, seconds=1.0)
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    stream = stub.WatchTask(pb.WatchTaskRequest(uuid=task["uuid"]), metadata=server.grpc_auth())
    first = await stream.read()
    assert isinstance(first, pb.TaskEvent) and first.event == "progress"
    assert http.delete(task["url"], headers=server.auth()).status_code == 204
    assert await asyncio.wait_for(stream.read(), 10) == grpc.aio.EOF


def json_body(value: dict[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    body = struct_pb2.Struct()
    body.update(value)
    return body


def test_a_result_download_left_early_logs_no_error(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(300.0, rate=22050))
    p = preset(http, server, "mfcc")
    created = http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth())
    assert wait(http, created.json()["url"], timeout=120)["status"] == 4
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": p["uuid"]}).json()
    whole = len(http.get(result["files"]["yaml"]).content)
    assert whole > 2_000_000  # many chunks: a reader that stops after one leaves most of it unsent
    before = len(server.log())
    for fmt in ("yaml", "json", "xml", "hdf5") * 3:
        with (
            httpx.Client(base_url=str(http.base_url), timeout=30) as client,
            client.stream("GET", result["files"][fmt]) as r,
        ):
            assert r.status_code == 200
            got = next(r.iter_raw())
            assert 0 < len(got) < whole
        # leaving the `with` closes the connection with most of the body unread
    time.sleep(2.0)
    log = server.log()[before:]
    assert "generator already executing" not in log and "Traceback" not in log and " ERROR " not in log, log[-3000:]
    # the server is fine afterwards: the whole container still comes out
    assert len(http.get(result["files"]["yaml"]).content) == whole
