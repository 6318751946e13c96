"""Cue lists: store, GO (next), previous, jump, over REST through Envoy and over native gRPC; the
fired cues reach the audience like any other cue."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import grpc
import httpx
import pytest

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client import json_of
from tests.harness import RunningServer

MANNHEIM = "ff277516-121b-4304-b256-d5a8b70e136a"
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
CUES = [
    {"label": "Q1 house lights", "payload": {"content": {"text_DE": "Akt 1"}}},
    {
        "label": "Q2",
        "payload": {
            "content": {"text_DE": "Szene 2"},
            "styles": {"#text_DE": {"inline": {"color": "red"}, "transitions": {"fadeInTime": 100}}},
        },
    },
    {"label": "Q3 blackout", "payload": {"content": {"text_DE": ""}}},
]


def test_cue_list_over_rest(http: httpx.Client, server: RunningServer) -> None:
    url = f"/opentheater/projects/{MANNHEIM}/cuelist"
    json_headers = server.auth() | {"content-type": "application/json"}
    assert http.put(url, json={"cues": CUES}).status_code == 401
    stored = http.put(url, json={"cues": CUES}, headers=json_headers)
    assert stored.status_code == 200, stored.text
    cue_list = stored.json()["cueList"]
    assert [c["label"] for c in cue_list["cues"]] == [c["label"] for c in CUES]
    assert [c["position"] for c in cue_list["cues"]] == [0, 1, 2] and "current" not in cue_list
    assert cue_list["cues"][1]["payload"] == CUES[1]["payload"]  # whole numbers stay whole
    assert http.get(url).json()["cueList"] == cue_list
    # GO, GO, back, jump, GO past the end
    fired = []
    for action, body, position in [("next", {}, 0), ("next", {}, 1), ("previous", {}, 0), ("jump", {"position": 2}, 2)]:
        resp = http.post(f"{url}/{action}", json=body, headers=json_headers)
        assert resp.status_code == 200, resp.text
        doc = resp.json()
        assert doc["cueList"]["current"] == position
        payload = doc["cue"]["payload"]
        assert payload["content"] == CUES[position]["payload"]["content"]
        fired.append(doc["cue"]["sequence"])
    end = http.post(f"{url}/next", json={}, headers=json_headers)
    assert end.status_code == 400 and end.json() == {"error": end.json()["error"], "status": 400}
    jump_by_id = http.post(f"{url}/jump", json={"cueId": cue_list["cues"][1]["cueId"]}, headers=json_headers)
    assert jump_by_id.json()["cueList"]["current"] == 1
    history = http.get(f"/opentheater/projects/{MANNHEIM}/cues", params={"after": fired[0] - 1}).json()["cues"]
    assert [c["sequence"] for c in history][:4] == fired
    # bad input: the spec's error shape, nothing stored
    for body, status in [
        ({"cues": [{"label": "x", "payload": {"timestamp": 1}}]}, 400),
        ({"cues": [{"label": "x"}]}, 400),
    ]:
        bad = http.put(url, json=body, headers=json_headers)
        assert bad.status_code == status and bad.json()["status"] == status, bad.text
    assert http.get(url).json()["cueList"]["cues"] == cue_list["cues"]
    for action, body in [("jump", {"position": 7}), ("jump", {}), ("jump", {"cueId": "nope"})]:
        resp = http.post(f"{url}/{action}", json=body, headers=json_headers)
        assert resp.status_code in (400, 404) and resp.json()["status"] == resp.status_code
    assert http.get(f"/opentheater/projects/{UNKNOWN}/cuelist").status_code == 404
    # a new list starts before its first cue again
    again = http.put(url, json={"cues": CUES[:1]}, headers=json_headers).json()["cueList"]
    assert "current" not in again and len(again["cues"]) == 1


async def test_cue_list_over_grpc(server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    auth = server.grpc_auth()
    request = pb.ReplaceCueListRequest(project_uuid=PIECE)
    for i in range(3):
        entry = request.cues.add(label=f"Q{i + 1}")
        entry.payload.update({"content": {"text_de": f"cue {i + 1}"}})
    stored = (await stub.ReplaceCueList(request, metadata=auth)).cue_list
    assert [c.label for c in stored.cues] == ["Q1", "Q2", "Q3"] and not stored.HasField("current")
    stream = stub.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
    await stream.initial_metadata()
    first = await stub.NextCue(pb.NextCueRequest(project_uuid=PIECE), metadata=auth)
    second = await stub.NextCue(pb.NextCueRequest(project_uuid=PIECE), metadata=auth)
    back = await stub.PreviousCue(pb.PreviousCueRequest(project_uuid=PIECE), metadata=auth)
    jump = await stub.JumpToCue(pb.JumpToCueRequest(project_uuid=PIECE, cue_id=stored.cues[2].cue_id), metadata=auth)
    assert [r.cue_list.current for r in (first, second, back, jump)] == [0, 1, 0, 2]
    texts = [json_of((await asyncio.wait_for(stream.read(), 10)).cue.payload)["content"]["text_de"] for _ in range(4)]
    stream.cancel()
    assert texts == ["cue 1", "cue 2", "cue 1", "cue 3"]
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.NextCue(pb.NextCueRequest(project_uuid=PIECE), metadata=auth)
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.NextCue(pb.NextCueRequest(project_uuid=PIECE))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    listed = await stub.GetCueList(pb.GetCueListRequest(project_uuid=PIECE))
    assert listed.cue_list.current == 2 and len(listed.cue_list.cues) == 3


async def test_concurrent_go_fires_consecutive_cues(server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    auth = server.grpc_auth()
    request = pb.ReplaceCueListRequest(project_uuid=MANNHEIM)
    for i in range(6):
        request.cues.add(label=f"Q{i}").payload.update({"content": {"text_EN": str(i)}})
    await stub.ReplaceCueList(request, metadata=auth)
    replies = await asyncio.gather(
        *[stub.NextCue(pb.NextCueRequest(project_uuid=MANNHEIM), metadata=auth) for _ in range(6)]
    )
    assert sorted(r.cue_list.current for r in replies) == list(range(6))


def _cli(server: RunningServer, *args: str, token: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POLYPHONY_URL=server.http)
    env.pop("POLYPHONY_TOKEN", None)
    extra = ("--token", server.write_token) if token else ("--data-dir", str(server.data_dir / "none"))
    return subprocess.run(
        [sys.executable, "-m", "polyphony.cli", "cue", *extra, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_cue_cli_through_envoy(server: RunningServer, http: httpx.Client, tmp_path: Path) -> None:
    cue_file = tmp_path / "cues.yaml"
    cue_file.write_text(
        "cues:\n"
        "  - label: Prolog\n    payload: {content: {text_DE: 'Prolog'}}\n"
        "  - label: Akt 1\n    payload: {content: {text_DE: 'Akt 1'}, styles: {'#text_DE': {inline: {color: red}}}}\n"
    )
    loaded = _cli(server, "load", MANNHEIM, str(cue_file))
    assert loaded.returncode == 0, loaded.stderr
    assert "Prolog" in loaded.stdout and "Akt 1" in loaded.stdout
    go = _cli(server, "go", MANNHEIM)
    assert go.returncode == 0 and "fired cue 0" in go.stdout and "Prolog" in go.stdout, go.stderr
    go = _cli(server, "go", MANNHEIM)
    assert "fired cue 1" in go.stdout
    assert http.get(f"/opentheater/projects/{MANNHEIM}/cuelist").json()["cueList"]["current"] == 1
    back = _cli(server, "back", MANNHEIM)
    assert "fired cue 0" in back.stdout
    jump = _cli(server, "jump", MANNHEIM, "1")
    assert "fired cue 1" in jump.stdout
    listed = _cli(server, "list", MANNHEIM)
    assert listed.returncode == 0 and ">    1  Akt 1" in listed.stdout
    fired = _cli(server, "fire", MANNHEIM, '{"content": {"text_EN": "ad hoc"}}')
    assert json.loads(fired.stdout)["payload"]["content"] == {"text_EN": "ad hoc"}
    end = _cli(server, "go", MANNHEIM)
    assert end.returncode == 1 and "FAILED_PRECONDITION" in end.stderr
    refused = _cli(server, "go", MANNHEIM, token=False)
    assert refused.returncode == 1 and "UNAUTHENTICATED" in refused.stderr
