"""End to end: the API root, processor parameter endpoints, preset update/delete, task delete, the
download alias, analysis-track defaults, and large result containers streamed in every format —
REST through Envoy and native gRPC."""

from __future__ import annotations

import io
import json
import uuid
import xml.etree.ElementTree as ET

import grpc
import h5py
import httpx
import numpy as np
import pytest
import yaml
from google.protobuf import struct_pb2

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis_tasks import audio, new_item, preset, wait
from tests.harness import RunningServer

API = "/timeside/api"


def test_api_root_and_processor_parameters(http: httpx.Client, server: RunningServer) -> None:
    root = http.get(f"{API}/")
    assert root.status_code == 200
    assert root.json()["items"] == f"{server.http}{API}/items/"
    assert {"presets", "experiences", "tasks", "results", "analysis_tracks", "users"} <= set(root.json())
    assert http.get(root.json()["processors"]).status_code == 200
    schema = http.get(f"{API}/processors/mfcc/parameters_schema/")
    assert schema.status_code == 200
    assert schema.json()["parameters_schema"]["properties"]["n_mfcc"]["default"] == 13
    default = http.get(f"{API}/processors/mfcc/parameters_default/").json()
    assert default == {"parameters_default": http.get(f"{API}/processors/mfcc/").json()["parameters_default"]}
    assert http.get(f"{API}/processors/nope/parameters_default/").status_code == 404


def test_preset_update_and_delete(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(1.0))
    blocksize = 1024 + 2 * int(uuid.uuid4().int % 500)  # a preset no other test has
    p = preset(http, server, "zero_crossing_rate", blocksize=blocksize)
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()["url"],
    )
    assert task["status"] == 4
    (result,) = http.get(f"{API}/results/", params={"preset_uuid": p["uuid"]}).json()
    assert http.get(result["files"]["json"]).status_code == 200
    # Changing the parameters normalizes them and drops the results computed with the old ones.
    r = http.patch(p["url"], json={"parameters": {"blocksize": blocksize + 1.0}}, headers=server.auth())
    assert r.status_code == 200, r.text
    assert r.json()["uuid"] == p["uuid"] and r.json()["parameters"] == {"blocksize": blocksize + 1, "stepsize": 512}
    assert http.get(result["url"]).status_code == 404
    assert http.get(f"{API}/results/", params={"preset_uuid": p["uuid"]}).json() == []
    # An update into a copy of another preset is a conflict; bad parameters are a 400; nothing changes.
    other = preset(http, server, "zero_crossing_rate", blocksize=blocksize + 2)
    r = http.put(p["url"], json={"parameters": {"blocksize": blocksize + 2}}, headers=server.auth())
    assert r.status_code == 409 and list(r.json()) == ["parameters"]
    r = http.patch(p["url"], json={"parameters": {"blocksize": "big"}}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["parameters"]
    assert http.get(p["url"]).json()["parameters"]["blocksize"] == blocksize + 1
    assert http.patch(p["url"], json={"is_public": False}).status_code == 401
    # Delete: 204, then 404; its results go with it.
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": other["url"], "item": item["url"]}, headers=server.auth()).json()[
            "url"
        ],
    )
    (result,) = http.get(f"{API}/results/", params={"preset_uuid": other["uuid"]}).json()
    assert http.delete(other["url"], headers=server.auth()).status_code == 204
    assert http.get(other["url"]).status_code == 404
    assert http.get(result["url"]).status_code == 404
    assert http.get(task["url"]).status_code == 404
    assert http.delete(other["url"], headers=server.auth()).status_code == 404


def test_task_delete_and_download_alias(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(1.0))
    p = preset(http, server, "level")
    r = http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"], "status": 1}, headers=server.auth())
    assert r.status_code == 201
    task = r.json()
    assert http.delete(task["url"]).status_code == 401
    assert http.delete(task["url"], headers=server.auth()).status_code == 204
    assert http.get(task["url"]).status_code == 404
    assert http.delete(task["url"], headers=server.auth()).status_code == 404
    alias = http.get(f"/timeside/items/{item['uuid']}/download/wav")
    assert alias.status_code == 200 and alias.headers["content-type"].startswith("audio/")
    assert alias.content == http.get(f"{API}/items/{item['uuid']}/download/wav").content


def test_analysis_track_parameters_default(http: httpx.Client, server: RunningServer) -> None:
    item = new_item(http, server, audio(1.0))
    p = preset(http, server, "pitch_yin")
    sub = next(s for s in http.get(f"{API}/subprocessors/").json() if s["sub_processor_id"] == "pitch_yin.pitch")
    analysis = http.post(
        f"{API}/analysis/",
        json={"title": "pitch", "preset": p["url"], "sub_processor": sub["url"]},
        headers=server.auth(),
    )
    assert analysis.status_code == 201, analysis.text
    track = http.post(
        f"{API}/analysis_tracks/", json={"analysis": analysis.json()["url"], "item": item["url"]}, headers=server.auth()
    )
    assert track.status_code == 201, track.text
    r = http.get(f"{track.json()['url']}parameters_default/")
    assert r.status_code == 200 and r.json()["parameters_default"]["fmin"] == 40.0
    assert http.get(f"{API}/analysis_tracks/{uuid.uuid4()}/parameters_default/").status_code == 404
    # set_parameters: a preset with these parameters, an analysis of it, the track moved there, its result started.
    fmin = 50.0 + uuid.uuid4().int % 100
    url = f"{track.json()['url']}set_parameters/"
    assert http.post(url, json={"fmin": fmin}).status_code == 401
    r = http.post(url, json={"fmin": fmin}, headers=server.auth())
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["uuid"] == track.json()["uuid"] and moved["analysis"] != analysis.json()["url"]
    new_analysis = http.get(moved["analysis"]).json()
    new_preset = http.get(new_analysis["preset"]).json()
    assert new_preset["parameters"]["fmin"] == fmin and new_preset["parameters"]["fmax"] == 2000.0
    assert new_analysis["sub_processor"] == sub["url"] and new_analysis["title"] == "pitch"
    # The same parameters again (nested form): the same preset and analysis.
    again = http.post(url, json={"parameters": {"fmin": fmin}}, headers=server.auth()).json()
    assert again["analysis"] == moved["analysis"]
    bad = http.post(url, json={"fmin": "low"}, headers=server.auth())
    assert bad.status_code == 400 and list(bad.json()) == ["parameters"]
    assert http.get(track.json()["url"]).json()["analysis"] == moved["analysis"]


def test_long_result_streams_in_every_format(http: httpx.Client, server: RunningServer) -> None:
    """A spectrogram of 8 s (345 frames x 513 bins: several slices, many HTTP chunks) in every format."""
    item = new_item(http, server, audio(8.0, rate=22050))
    p = preset(http, server, "spectrogram_analyzer", blocksize=1024, stepsize=512)
    task = wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()["url"],
    )
    assert task["status"] == 4
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": p["uuid"]}).json()
    with h5py.File(io.BytesIO(http.get(result["files"]["hdf5"]).content), "r") as f:
        stored = f["spectrogram_analyzer"]["data_object"]["value"]
        assert stored.maxshape[0] is None  # appended block by block while the task ran
        expected = stored[()]
    assert expected.shape == (-(-8 * 22050 // 512), 513)
    as_json = json.loads(http.get(result["files"]["json"]).content)
    np.testing.assert_allclose(np.array(as_json[0]["data_object"]["value"]), expected, rtol=1e-6)
    assert yaml.safe_load(http.get(result["files"]["yaml"]).content) == as_json
    node = ET.fromstring(http.get(result["files"]["xml"]).content).find("result/data_object/value")
    assert node is not None and node.get("shape") == f"{expected.shape[0]} {expected.shape[1]}"
    np.testing.assert_allclose(
        np.array(node.text.split(), dtype=float).reshape(expected.shape),
        expected,  # type: ignore[union-attr]
        rtol=1e-6,
    )
    visual = http.get(f"{API}/results/{result['uuid']}/visual/", params={"width": 200, "height": 50})
    assert visual.status_code == 200 and visual.content.startswith(b"\x89PNG")


async def test_grpc_new_endpoints(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    root = await stub.GetApiRoot(pb.GetApiRootRequest())
    assert root["tasks"].endswith("/timeside/api/tasks/")
    schema = await stub.GetProcessorParametersSchema(pb.GetProcessorRequest(pid="tempo"))
    assert "start_bpm" in schema.parameters_schema["properties"]
    default = await stub.GetProcessorParametersDefault(pb.GetProcessorRequest(pid="tempo"))
    assert default.parameters_default["start_bpm"] == 120.0
    made = await stub.CreatePreset(
        pb.CreatePresetRequest(preset=pb.Preset(processor="silence")), metadata=server.grpc_auth()
    )
    body = struct_pb2.Struct()
    body.update({"parameters": {"threshold": -61.0 - (uuid.uuid4().int % 1000) / 10}})
    changed = await stub.UpdatePreset(pb.UpdatePresetRequest(uuid=made.uuid, body=body), metadata=server.grpc_auth())
    assert changed.uuid == made.uuid and changed.parameters["threshold"] == body["parameters"]["threshold"]
    await stub.DeletePreset(pb.DeletePresetRequest(uuid=made.uuid), metadata=server.grpc_auth())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetPreset(pb.GetPresetRequest(uuid=made.uuid))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    item = new_item(http, server, audio(0.5))
    sub = next(s for s in http.get(f"{API}/subprocessors/").json() if s["sub_processor_id"] == "tempo.bpm")
    tempo = preset(http, server, "tempo")
    analysis = http.post(
        f"{API}/analysis/", json={"preset": tempo["url"], "sub_processor": sub["url"]}, headers=server.auth()
    ).json()
    track = http.post(
        f"{API}/analysis_tracks/", json={"analysis": analysis["url"], "item": item["url"]}, headers=server.auth()
    ).json()
    body = struct_pb2.Struct()
    body.update({"start_bpm": 121.0 + uuid.uuid4().int % 50})  # never the preset's 120: the track must move
    moved = await stub.SetAnalysisTrackParameters(
        pb.SetAnalysisTrackParametersRequest(uuid=track["uuid"], body=body), metadata=server.grpc_auth()
    )
    assert moved.uuid == track["uuid"] and not moved.analysis.endswith(f"/{analysis['uuid']}/")
    level = preset(http, server, "level")
    task = await stub.CreateTask(
        pb.CreateTaskRequest(task=pb.Task(preset=level["uuid"], item=item["uuid"], status=1)),
        metadata=server.grpc_auth(),
    )
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.DeleteTask(pb.DeleteTaskRequest(uuid=task.uuid))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    await stub.DeleteTask(pb.DeleteTaskRequest(uuid=task.uuid), metadata=server.grpc_auth())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetTask(pb.GetTaskRequest(uuid=task.uuid))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


def test_elan_and_sonic_visualiser_exports(http: httpx.Client, server: RunningServer) -> None:
    rate = 22050
    x = np.zeros(3 * rate)
    x[rate : 2 * rate] = 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)  # silence, tone, silence
    x[[rate // 2, (5 * rate) // 2]] = 0.9  # two clicks in the silences
    buf = io.BytesIO()
    import soundfile as sf

    sf.write(buf, x, rate, format="WAV")
    item = new_item(http, server, buf.getvalue())
    silence = preset(http, server, "silence")
    wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": silence["url"], "item": item["url"]}, headers=server.auth()).json()[
            "url"
        ],
    )
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": silence["uuid"]}).json()
    segments = json.loads(http.get(result["files"]["json"]).content)[0]["data_object"]
    r = http.get(f"/timeside/results/{result['uuid']}/silence/elan/")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/xml" and ".eaf" in r.headers["content-disposition"]
    doc = ET.fromstring(r.content)
    slots = {s.get("TIME_SLOT_ID"): int(s.get("TIME_VALUE", "-1")) for s in doc.iter("TIME_SLOT")}
    spans = [
        (slots[a.get("TIME_SLOT_REF1")], slots[a.get("TIME_SLOT_REF2")], a.findtext("ANNOTATION_VALUE"))
        for a in doc.iter("ALIGNABLE_ANNOTATION")
    ]
    expected = [
        (round(t * 1000), round((t + d) * 1000), {0: "Silence", 1: "Not Silence"}[label])
        for t, d, label in zip(segments["time"], segments["duration"], segments["label"], strict=True)
    ]
    assert spans == expected and len(spans) >= 3
    assert doc.find("TIER").get("TIER_ID") == "silence"  # type: ignore[union-attr]
    sv = ET.fromstring(http.get(f"/timeside/results/{result['uuid']}/silence/sonic/").content)
    model = sv.find("data/model")
    assert model is not None and model.get("dimensions") == "3" and model.get("sampleRate") == str(rate)
    points = sv.findall("data/dataset/point")
    assert [(int(p.get("frame", "")), int(p.get("duration", "")), p.get("label")) for p in points] == [
        (round(t * rate), round(d * rate), span[2])
        for t, d, span in zip(segments["time"], segments["duration"], spans, strict=True)
    ]
    assert sv.find("display/layer").get("type") == "regions"  # type: ignore[union-attr]
    # An event result gives time instants; frame-wise or unknown sub-results are refused.
    onsets = preset(http, server, "onsets")
    wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": onsets["url"], "item": item["url"]}, headers=server.auth()).json()[
            "url"
        ],
    )
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": onsets["uuid"]}).json()
    times = json.loads(http.get(result["files"]["json"]).content)[0]["data_object"]["time"]
    sv = ET.fromstring(http.get(f"/timeside/results/{result['uuid']}/onsets/sonic/").content)
    assert sv.find("display/layer").get("type") == "timeinstants"  # type: ignore[union-attr]
    assert [int(p.get("frame", "")) for p in sv.findall("data/dataset/point")] == [round(t * rate) for t in times]
    assert times and all(p.get("label") == "Onset" for p in sv.findall("data/dataset/point"))
    assert http.get(f"/timeside/results/{result['uuid']}/nope/elan/").status_code == 404
    assert http.get(f"/timeside/results/{result['uuid']}/onsets/praat/").status_code == 404
    spectrogram = preset(http, server, "zero_crossing_rate")
    wait(
        http,
        http.post(
            f"{API}/tasks/", json={"preset": spectrogram["url"], "item": item["url"]}, headers=server.auth()
        ).json()["url"],
    )
    (zcr,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": spectrogram["uuid"]}).json()
    r = http.get(f"/timeside/results/{zcr['uuid']}/zero_crossing_rate/elan/")
    assert r.status_code == 400 and list(r.json()) == ["res_id"]


async def test_grpc_export(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    item = new_item(http, server, audio(1.0))
    p = preset(http, server, "silence")
    wait(
        http,
        http.post(f"{API}/tasks/", json={"preset": p["url"], "item": item["url"]}, headers=server.auth()).json()["url"],
    )
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": p["uuid"]}).json()
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    body = await stub.ExportResultTrack(pb.ExportResultTrackRequest(uuid=result["uuid"], res_id="silence", tool="elan"))
    assert body.content_type == "application/xml" and ET.fromstring(body.data).tag == "ANNOTATION_DOCUMENT"
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ExportResultTrack(pb.ExportResultTrackRequest(uuid=result["uuid"], res_id="x", tool="elan"))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
    png = http.get(f"/timeside/results/{result['uuid']}/png/")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    chunks = [c async for c in stub.GetResultData(pb.GetResultDataRequest(uuid=result["uuid"], format="png"))]
    assert chunks[0].content_type == "image/png" and b"".join(c.data for c in chunks) == png.content
