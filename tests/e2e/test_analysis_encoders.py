"""End to end: encoders (`<ext>_encoder`) are registered processors — listed, presettable, run by tasks into
audio Results that share the content-hash cache of whole-file downloads — REST through Envoy and native gRPC."""

from __future__ import annotations

import io
import uuid

import grpc
import httpx
import numpy as np
import pytest
import soundfile as sf
from google.protobuf import struct_pb2

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis_tasks import audio, new_item, preset, wait
from tests.harness import RunningServer

API = "/timeside/api"
ENCODERS = {
    "wav_encoder": "audio/wav",
    "flac_encoder": "audio/flac",
    "ogg_encoder": "audio/ogg",
    "mp3_encoder": "audio/mpeg",
    "opus_encoder": "audio/opus",
}


def _seed() -> int:
    return uuid.uuid4().int % 1_000_000


def _audio_results(http: httpx.Client, item_uuid: str) -> list[dict[str, object]]:
    rows = http.get(f"{API}/results/", params={"item_uuid": item_uuid}).json()
    return [r for r in rows if str(r["mime_type"]).startswith("audio/")]


def test_encoders_are_listed_processors(http: httpx.Client, server: RunningServer) -> None:
    listed = {p["pid"]: p for p in http.get(f"{API}/processors/").json()}
    assert set(ENCODERS) <= set(listed) and "level" in listed
    for pid in ENCODERS:
        one = http.get(f"{API}/processors/{pid}/")
        assert one.status_code == 200, one.text
        body = one.json()
        assert (
            body["pid"] == pid and body["version"] == "1" and uuid.UUID(body["uuid"]) == uuid.UUID(listed[pid]["uuid"])
        )
        assert body["parameters_schema"]["type"] == "object" and body.get("parameters_default", {}) == {}
    # A preset on an encoder is normalized like any other: the same one comes back; unknown parameters are 400.
    first = preset(http, server, "flac_encoder")
    again = http.post(f"{API}/presets/", json={"processor": "flac_encoder", "parameters": {}}, headers=server.auth())
    assert again.status_code == 200 and again.json()["uuid"] == first["uuid"]
    assert first["processor"].endswith("/processors/flac_encoder/")
    bad = http.post(
        f"{API}/presets/", json={"processor": "flac_encoder", "parameters": {"bitrate": 5}}, headers=server.auth()
    )
    assert bad.status_code == 400 and list(bad.json()) == ["parameters"]
    assert http.get(f"{API}/processors/aiff_encoder/").status_code == 404


def test_task_with_encoder_presets_and_reuse_with_downloads(http: httpx.Client, server: RunningServer) -> None:
    seed = _seed()
    data = audio(1.0, seed=seed)
    item = new_item(http, server, data)
    presets = [preset(http, server, pid) for pid in ("flac_encoder", "ogg_encoder", "level")]
    exp = http.post(
        f"{API}/experiences/", json={"title": "enc", "presets": [p["url"] for p in presets]}, headers=server.auth()
    ).json()
    r = http.post(f"{API}/tasks/", json={"experience": exp["url"], "item": item["url"]}, headers=server.auth())
    assert r.status_code == 201, r.text
    task = wait(http, r.json()["url"])
    assert task["status"] == 4, task
    results = {res["preset"]: res for res in http.get(f"{API}/results/", params={"item_uuid": item["uuid"]}).json()}
    assert set(results) == {p["url"] for p in presets}
    assert results[presets[2]["url"]]["mime_type"] == "application/x-hdf5"
    original, _ = sf.read(io.BytesIO(data))
    for p, mime in ((presets[0], "audio/flac"), (presets[1], "audio/ogg")):
        res = results[p["url"]]
        assert res["status"] == 4 and res["mime_type"] == mime and res["reused"] is False
        got = http.get(f"/timeside/results/{res['uuid']}/audio/")
        assert got.status_code == 200 and got.headers["content-type"] == mime
        decoded, rate = sf.read(io.BytesIO(got.content))
        assert rate == 22050 and abs(len(decoded) - len(original)) < 2048
        if mime == "audio/flac":
            assert np.max(np.abs(decoded - original)) < 1e-3
    # A download after the task reuses the task's result: same row, same bytes, not re-encoded.
    flac = results[presets[0]["url"]]
    down = http.get(f"{API}/items/{item['uuid']}/download/flac")
    assert down.status_code == 200 and down.headers["content-type"] == "audio/flac"
    assert down.content == http.get(f"/timeside/results/{flac['uuid']}/audio/").content
    after = {res["uuid"]: res for res in _audio_results(http, item["uuid"])}
    assert len(after) == 2 and after[flac["uuid"]]["date_modified"] == flac["date_modified"]
    # A download first, then a task on the same audio: the task reuses the downloaded bytes.
    twin = new_item(http, server, audio(1.0, seed=seed + 1))
    wav = http.get(f"{API}/items/{twin['uuid']}/download/wav")
    assert wav.status_code == 200
    [downloaded] = _audio_results(http, twin["uuid"])
    wav_preset = preset(http, server, "wav_encoder")
    assert downloaded["preset"] == wav_preset["url"]
    copy = new_item(http, server, audio(1.0, seed=seed + 1))
    exp2 = http.post(
        f"{API}/experiences/", json={"title": "wav", "presets": [wav_preset["url"]]}, headers=server.auth()
    ).json()
    for target in (twin, copy):
        t = http.post(f"{API}/tasks/", json={"experience": exp2["url"], "item": target["url"]}, headers=server.auth())
        assert wait(http, t.json()["url"])["status"] == 4
    [kept] = _audio_results(http, twin["uuid"])
    assert kept["uuid"] == downloaded["uuid"] and kept["reused"] is False
    [reused] = _audio_results(http, copy["uuid"])
    assert reused["reused"] is True and reused["reused_from"] == downloaded["url"]
    assert http.get(f"/timeside/results/{reused['uuid']}/audio/").content == wav.content


async def test_grpc_encoder_processor_and_task(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel
) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    listed = [p async for p in stub.ListProcessors(pb.ListProcessorsRequest())]
    assert set(ENCODERS) <= {p.pid for p in listed}
    got = await stub.GetProcessor(pb.GetProcessorRequest(pid="mp3_encoder"))
    assert got.pid == "mp3_encoder" and got.version == "1" and got.url.endswith("/processors/mp3_encoder/")
    item = new_item(http, server, audio(1.0, seed=_seed()))
    made = await stub.CreatePreset(
        pb.CreatePresetRequest(preset=pb.Preset(processor="mp3_encoder")), metadata=server.grpc_auth()
    )
    body = struct_pb2.Struct()
    body.update({"title": "mp3", "presets": [made.uuid]})
    exp = await stub.CreateExperience(pb.CreateExperienceRequest(body=body), metadata=server.grpc_auth())
    task = await stub.CreateTask(
        pb.CreateTaskRequest(task=pb.Task(experience=exp.uuid, item=item["uuid"])), metadata=server.grpc_auth()
    )
    events = [e async for e in stub.WatchTask(pb.WatchTaskRequest(uuid=task.uuid))]
    assert events[-1].event == "done" and events[-1].task.status == 4
    [result] = [e.result for e in events if e.event == "result"]
    assert result.mime_type == "audio/mpeg"
    chunks = [c async for c in stub.GetResultData(pb.GetResultDataRequest(uuid=result.uuid, format="audio"))]
    assert chunks[0].content_type == "audio/mpeg"
    decoded, rate = sf.read(io.BytesIO(b"".join(c.data for c in chunks)))
    assert rate == 22050 and len(decoded) > 0.9 * 22050
    # The download then reuses the task's result.
    down = [c async for c in stub.DownloadItem(pb.DownloadItemRequest(uuid=item["uuid"], ext="mp3"))]
    assert b"".join(c.data for c in down) == b"".join(c.data for c in chunks)
    assert len(_audio_results(http, item["uuid"])) == 1
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetProcessor(pb.GetProcessorRequest(pid="aiff_encoder"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
