"""End to end: experiences, selections, tasks (progress, cache reuse, cancel, events), result
containers, visuals, waveforms and downloads — REST through Envoy and native gRPC."""

from __future__ import annotations

import io
import json
import time
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import grpc
import h5py
import httpx
import numpy as np
import pytest
import soundfile as sf
import yaml
from google.protobuf import struct_pb2

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.harness import RunningServer

API = "/timeside/api"


def audio(seconds: float = 2.0, rate: int = 22050, freq: float = 440.0, seed: int = 0) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * freq * t) + 0.001 * np.random.default_rng(seed).standard_normal(t.size)
    buf = io.BytesIO()
    sf.write(buf, x, rate, format="WAV")
    return buf.getvalue()


def new_item(http: httpx.Client, server: RunningServer, data: bytes, title: str = "t") -> dict[str, Any]:
    r = http.post(
        f"{API}/items/",
        data={"title": title},
        files={"source_file": ("a.wav", data, "audio/wav")},
        headers=server.auth(),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def preset(http: httpx.Client, server: RunningServer, pid: str, **params: Any) -> dict[str, Any]:
    r = http.post(f"{API}/presets/", json={"processor": pid, "parameters": params}, headers=server.auth())
    assert r.status_code in (200, 201), r.text
    return dict(r.json())


def wait(http: httpx.Client, url: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = dict(http.get(url).json())
        if task["status"] in (0, 4):
            return task
        time.sleep(0.05)
    raise AssertionError(f"{url} did not finish")


def test_presets_are_normalized_and_validated(http: httpx.Client, server: RunningServer) -> None:
    a = http.post(f"{API}/presets/", json={"processor": "mfcc", "parameters": {"n_mfcc": 20}}, headers=server.auth())
    assert a.status_code == 201
    same = http.post(
        f"{API}/presets/",
        json={"processor": "mfcc", "parameters": {"n_mfcc": 20.0, "n_mels": 40}},
        headers=server.auth(),
    )
    assert same.status_code == 200 and same.json()["uuid"] == a.json()["uuid"]
    assert a.json()["parameters"]["n_mels"] == 40 and a.json()["parameters"]["blocksize"] == 2048
    for body, field in (
        ({"processor": "mfcc", "parameters": {"n_mfcc": "x"}}, "parameters"),
        ({"processor": "mfcc", "parameters": {"fmin": 5000, "fmax": 100}}, "parameters"),
        ({"processor": "nope"}, "processor"),
        ({"parameters": {}}, "processor"),
    ):
        r = http.post(f"{API}/presets/", json=body, headers=server.auth())
        assert r.status_code == 400 and list(r.json()) == [field], (body, r.text)
    processors = {p["pid"]: p for p in http.get(f"{API}/processors/").json()}
    assert {
        "spectrogram_analyzer",
        "onsets",
        "tempo",
        "pitch_yin",
        "mfcc",
        "mel_energy",
        "spectral_descriptors",
        "silence",
        "loudness_itu",
        "waveform_analyzer",
        "onset_detection_function",
    } <= set(processors)
    assert uuid.UUID(processors["mfcc"]["uuid"]).version == 4
    assert processors["mfcc"]["parameters_default"]["n_mfcc"] == 13


def test_experiences_and_nested_selections_crud(http: httpx.Client, server: RunningServer) -> None:
    p1, p2 = preset(http, server, "level"), preset(http, server, "loudness_itu")
    r = http.post(f"{API}/experiences/", json={"title": "E", "presets": [p1["url"], p2["uuid"]]}, headers=server.auth())
    assert r.status_code == 201, r.text
    exp = r.json()
    assert exp["presets"] == [p1["url"], p2["url"]] and r.headers["location"] == exp["url"]
    assert http.get(exp["url"]).json() == exp
    assert exp["uuid"] in [e["uuid"] for e in http.get(f"{API}/experiences/").json()]
    r = http.patch(exp["url"], json={"presets": [p2["url"]]}, headers=server.auth())
    assert r.status_code == 200 and r.json()["presets"] == [p2["url"]] and r.json()["title"] == "E"
    for body, field in (
        ({"presets": "x"}, "presets"),
        ({"presets": [str(uuid.uuid4())]}, "presets"),
        ({"title": 5}, "title"),
        ({"title": "x" * 600}, "title"),
    ):
        bad = http.post(f"{API}/experiences/", json=body, headers=server.auth())
        assert bad.status_code == 400 and list(bad.json()) == [field], (body, bad.text)
    i1, i2 = new_item(http, server, audio(0.5)), new_item(http, server, audio(0.5, seed=1))
    inner = http.post(f"{API}/selections/", json={"title": "in", "items": [i2["url"]]}, headers=server.auth()).json()
    outer = http.post(
        f"{API}/selections/",
        json={"title": "out", "items": [i1["uuid"]], "selections": [inner["url"]]},
        headers=server.auth(),
    )
    assert outer.status_code == 201 and outer.json()["selections"] == [inner["url"]]
    cycle = http.patch(inner["url"], json={"selections": [outer.json()["url"]]}, headers=server.auth())
    assert cycle.status_code == 400 and list(cycle.json()) == ["selections"]
    assert http.get(inner["url"]).json().get("selections", []) == []  # empty lists are omitted on this route
    assert http.delete(exp["url"], headers=server.auth()).status_code == 204
    assert http.get(exp["url"]).status_code == 404


def test_experience_over_a_nested_selection_with_cache_reuse(http: httpx.Client, server: RunningServer) -> None:
    data_a, data_b = audio(1.0, freq=330), audio(1.0, freq=550)
    a, b = new_item(http, server, data_a, "a"), new_item(http, server, data_b, "b")
    presets = [preset(http, server, pid) for pid in ("level", "pitch_yin", "spectral_descriptors")]
    exp = http.post(
        f"{API}/experiences/", json={"title": "x", "presets": [p["url"] for p in presets]}, headers=server.auth()
    ).json()
    inner = http.post(f"{API}/selections/", json={"items": [b["url"]]}, headers=server.auth()).json()
    outer = http.post(
        f"{API}/selections/", json={"items": [a["url"]], "selections": [inner["url"]]}, headers=server.auth()
    ).json()
    r = http.post(f"{API}/tasks/", json={"experience": exp["url"], "selection": outer["url"]}, headers=server.auth())
    assert r.status_code == 201 and r.json()["experience"] == exp["url"] and r.json()["selection"] == outer["url"]
    task = wait(http, r.json()["url"])
    assert task["status"] == 4 and task["progress"] == 1.0, task
    for item, freq in ((a, 330), (b, 550)):
        results = http.get(f"{API}/results/", params={"item_uuid": item["uuid"]}).json()
        assert len(results) == 3 and not any(res.get("reused") for res in results)
        pitch = next(res for res in results if res["preset"] == presets[1]["url"])
        container = http.get(pitch["files"]["json"]).json()
        f0 = {e["id_metadata"]["id"]: e for e in container}["pitch_yin.pitch"]["data_object"]["value"]
        assert np.median(f0) == pytest.approx(freq, rel=0.01)
    # The same audio uploaded again: every result is reused, not recomputed.
    c = new_item(http, server, data_a, "copy of a")
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"experience": exp["uuid"], "item": c["uuid"]}, headers=server.auth()).json()[
            "url"
        ],
    )
    assert task["status"] == 4
    copies = http.get(f"{API}/results/", params={"item_uuid": c["uuid"]}).json()
    originals = {res["preset"]: res for res in http.get(f"{API}/results/", params={"item_uuid": a["uuid"]}).json()}
    assert len(copies) == 3 and all(res["reused"] for res in copies)
    for res in copies:
        assert res["reused_from"] == originals[res["preset"]]["url"]
        assert (
            http.get(res["files"]["json"]).json()[0]["data_object"]
            == http.get(originals[res["preset"]]["files"]["json"]).json()[0]["data_object"]
        )


def test_result_containers_in_every_format(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(1.0))
    p = preset(http, server, "silence")
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()["url"],
    )
    assert task["status"] == 4
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": p["uuid"]}).json()
    as_json = http.get(result["files"]["json"])
    assert as_json.headers["content-type"] == "application/json"
    (entry,) = as_json.json()
    assert entry["time_mode"] == "segment" and entry["data_mode"] == "label"
    assert set(entry) >= {"id_metadata", "audio_metadata", "data_object", "parameters"}
    assert entry["data_object"]["label"] == [1] and entry["parameters"]["threshold"] == -60.0
    as_yaml = yaml.safe_load(http.get(result["files"]["yaml"]).content)
    assert as_yaml == as_json.json()
    root = ET.fromstring(http.get(result["files"]["xml"]).content)
    assert root.find("result").get("id") == "silence"  # type: ignore[union-attr]
    hdf5 = http.get(result["files"]["hdf5"])
    assert hdf5.headers["content-type"] == "application/x-hdf5"
    with h5py.File(io.BytesIO(hdf5.content), "r") as f:
        assert list(f["silence"]["data_object"]["label"][()]) == [1]
        assert json.loads(f["silence"].attrs["parameters"])["blocksize"] == 1024
    assert http.get(f"/timeside/results/{result['uuid']}/pickle/").status_code == 404


def test_visual_waveform_and_download(http: httpx.Client, server: RunningServer) -> None:
    data = audio(2.0)
    item = new_item(http, server, data)
    p = preset(http, server, "spectrogram_analyzer", scale="log")
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()["url"],
    )
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": p["uuid"]}).json()
    assert task["status"] == 4
    png = http.get(f"{API}/results/{result['uuid']}/visual/", params={"width": 200, "height": 64})
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n") and png.content[16:24] == bytes.fromhex("000000c800000040")
    bad = http.get(f"{API}/results/{result['uuid']}/visual/", params={"width": "wide"})
    assert bad.status_code == 400 and list(bad.json()) == ["width"]
    wave = http.get(f"{API}/items/{item['uuid']}/waveform/", params={"nb_pixels": 100, "start": 0.5, "stop": 1.5})
    assert wave.status_code == 200, wave.text
    body = wave.json()
    assert body["nb_pixels"] == 100 and len(body["min"]) == len(body["max"]) == len(body["time"]) == 100
    assert max(body["max"]) == pytest.approx(0.3, abs=0.01) and min(body["min"]) == pytest.approx(-0.3, abs=0.01)
    assert body["time"][0] == 0.5
    bad = http.get(f"{API}/items/{item['uuid']}/waveform/", params={"start": 3, "stop": 1})
    assert bad.status_code == 400 and list(bad.json()) == ["stop"]
    wav = http.get(f"{API}/items/{item['uuid']}/download/wav")
    assert wav.status_code == 200 and wav.headers["content-type"] == "audio/wav"
    decoded, rate = sf.read(io.BytesIO(wav.content))
    assert rate == 22050 and len(decoded) == 2 * 22050
    part = http.get(f"{API}/items/{item['uuid']}/download/wav", headers={"range": "bytes=0-99"})
    assert part.status_code == 206 and part.content == wav.content[:100]
    assert part.headers["content-range"] == f"bytes 0-99/{len(wav.content)}"
    flac = http.get(f"{API}/items/{item['uuid']}/download/flac", params={"start": 0.5, "stop": 1.0})
    assert flac.status_code == 200 and flac.headers["content-type"] == "audio/flac"
    excerpt, _ = sf.read(io.BytesIO(flac.content))
    assert len(excerpt) == pytest.approx(0.5 * 22050, abs=2)
    for ext in ("ogg", "mp3", "opus"):
        r = http.get(f"{API}/items/{item['uuid']}/download/{ext}")
        assert r.status_code == 200 and len(r.content) > 1000, ext
    assert http.get(f"{API}/items/{item['uuid']}/download/xyz").status_code == 404


def _sse(raw: str) -> list[dict[str, str]]:
    frames = []
    for block in raw.strip().split("\n\n"):
        frame = dict(line.split(": ", 1) for line in block.splitlines())
        frames.append(frame)
    return frames


def test_task_events_as_server_sent_events(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(240.0, rate=16000))
    exp = http.post(
        f"{API}/experiences/",
        json={"presets": [preset(http, server, "pitch_yin", stepsize=128)["url"], preset(http, server, "mfcc")["url"]]},
        headers=server.auth(),
    ).json()
    task = http.post(
        f"{API}/tasks/", json={"experience": exp["url"], "item": item["url"]}, headers=server.auth()
    ).json()
    with http.stream("GET", f"{API}/tasks/{task['uuid']}/events") as r:
        assert r.status_code == 200 and r.headers["content-type"] == "text/event-stream"
        raw = "".join(r.iter_text())
    frames = _sse(raw)
    kinds = [f["event"] for f in frames]
    assert kinds[-1] == "done" and kinds.count("result") == 2, kinds
    assert [int(f["id"]) for f in frames] == list(range(1, len(frames) + 1))
    progress = [
        json.loads(f["data"])["progress"]
        for f in frames
        if f["event"] == "progress" and "progress" in json.loads(f["data"])
    ]
    assert progress == sorted(progress) and any(0 < p < 1 for p in progress), progress
    assert {json.loads(f["data"])["preset"] for f in frames if f["event"] == "result"} == set(exp["presets"])
    assert http.get(f"{API}/tasks/{uuid.uuid4()}/events").status_code == 404


def test_cancel_a_running_task(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(600.0, rate=16000))
    p = preset(http, server, "pitch_yin", stepsize=64)
    task = http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()
    deadline = time.monotonic() + 20
    while http.get(task["url"]).json()["status"] != 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    r = http.post(f"{API}/tasks/{task['uuid']}/cancel/", json={}, headers=server.auth())
    assert r.status_code == 200 and r.json()["status"] == 0 and r.json()["error"] == "Cancelled by request."
    time.sleep(0.5)
    final = http.get(task["url"]).json()
    assert final["status"] == 0 and final["progress"] < 1
    assert http.get(f"{API}/results/", params={"item_uuid": item["uuid"]}).json() == []
    again = http.post(f"{API}/tasks/{task['uuid']}/cancel/", json={}, headers=server.auth())
    assert again.status_code == 400 and list(again.json()) == ["status"]
    r = http.patch(task["url"], json={"status": 7}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["status"]


def test_task_input_errors(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(0.3))
    exp = http.post(f"{API}/experiences/", json={"presets": []}, headers=server.auth()).json()
    sel = http.post(f"{API}/selections/", json={}, headers=server.auth()).json()
    for body, field in (
        ({"item": item["url"]}, "experience"),
        ({"experience": exp["url"]}, "item"),
        ({"experience": exp["url"], "item": item["url"], "selection": sel["url"]}, "item"),
        ({"experience": str(uuid.uuid4()), "item": item["url"]}, "experience"),
        ({"experience": exp["url"], "selection": "nope"}, "selection"),
        ({"experience": exp["url"], "item": item["url"], "status": 4}, "status"),
    ):
        r = http.post(f"{API}/tasks/", json=body, headers=server.auth())
        assert r.status_code == 400 and list(r.json()) == [field], (body, r.text)
    draft = http.post(
        f"{API}/tasks/", json={"experience": exp["url"], "item": item["url"], "status": 1}, headers=server.auth()
    ).json()
    assert http.get(draft["url"]).json()["status"] == 1
    r = http.put(draft["url"], json={"status": 2}, headers=server.auth())
    assert r.status_code == 200
    assert wait(http, draft["url"])["status"] == 4


async def test_grpc_experience_task_and_watch(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    data = audio(5.0, freq=220)

    async def upload() -> Any:
        yield pb.UploadItemRequest(fields=pb.ItemFields(title="grpc", source_filename="g.wav"))
        yield pb.UploadItemRequest(chunk=data)

    item = await stub.UploadItem(upload(), metadata=server.grpc_auth())
    made = await stub.CreatePreset(
        pb.CreatePresetRequest(preset=pb.Preset(processor="pitch_yin")), metadata=server.grpc_auth()
    )
    body = struct_pb2.Struct()
    body.update({"title": "g", "presets": [made.uuid]})
    exp = await stub.CreateExperience(pb.CreateExperienceRequest(body=body), metadata=server.grpc_auth())
    assert list(exp.presets) == [made.url]
    task = await stub.CreateTask(
        pb.CreateTaskRequest(task=pb.Task(experience=exp.uuid, item=item.uuid)), metadata=server.grpc_auth()
    )
    events = [e async for e in stub.WatchTask(pb.WatchTaskRequest(uuid=task.uuid))]
    assert events[-1].event == "done" and events[-1].task.status == 4
    results = [e.result for e in events if e.event == "result"]
    assert len(results) == 1 and results[0].item == item.url
    bad = struct_pb2.Struct()
    bad.update({"presets": "nope"})
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.CreateExperience(pb.CreateExperienceRequest(body=bad), metadata=server.grpc_auth())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    wave = await stub.GetItemWaveform(pb.GetItemWaveformRequest(uuid=item.uuid, points=10))
    assert wave.nb_pixels == 10 and max(wave.max) == pytest.approx(0.3, abs=0.01)
    chunks = [c async for c in stub.GetResultData(pb.GetResultDataRequest(uuid=results[0].uuid, format="yaml"))]
    assert chunks[0].content_type == "application/x-yaml" and yaml.safe_load(b"".join(c.data for c in chunks))
