"""The Go client (generated/go + clients/go) against the real server through Envoy.

Go builds in GOPATH mode against Debian's sources (`scripts/test` installs them as root); without a Go
toolchain these tests fail, they do not skip.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

from polyphony.api.flow.v1 import flow_pb2
from polyphony.api.media.v1 import media_pb2
from polyphony.api.trigger.v1 import trigger_pb2
from polyphony.client import AsyncPolyphonyClient, json_of
from tests.harness import RunningServer

ROOT = Path(__file__).resolve().parents[2]
GOPATH_SOURCES = Path("/usr/share/gocode")  # Debian's golang-*-dev packages
PROJECT = "09a7506a-d399-4d42-983f-47a12e028586"  # tests/fixtures/opentheater/projects.yaml


def _go() -> str:
    go = shutil.which("go")
    assert go and GOPATH_SOURCES.is_dir(), (
        "the Go client tests need Debian's golang-go and golang-google-grpc-dev (scripts/test installs them as root)"
    )
    return go


@pytest.fixture(scope="module")
def go_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """GOPATH mode with the repository at $GOPATH/src/polyphony and Debian's sources behind it."""
    gopath = tmp_path_factory.mktemp("gopath")
    (gopath / "src").mkdir()
    (gopath / "src" / "polyphony").symlink_to(ROOT, target_is_directory=True)
    return dict(os.environ, GO111MODULE="off", GOPATH=f"{gopath}:{GOPATH_SOURCES}", GOFLAGS="")


def _go_run(go_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    gopath = go_env["GOPATH"].split(":")[0]
    return subprocess.run([_go(), *args], cwd=gopath, env=go_env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def tour(go_env: dict[str, str]) -> Path:
    """clients/go/cmd/polyphony-tour, built."""
    binary = Path(go_env["GOPATH"].split(":")[0]) / "bin" / "polyphony-tour"
    build = _go_run(go_env, "build", "-o", str(binary), "polyphony/clients/go/cmd/polyphony-tour")
    assert build.returncode == 0, build.stdout + build.stderr
    return binary


def _env(server: RunningServer, token: str | None) -> dict[str, str]:
    env = dict(os.environ, POLYPHONY_TARGET=server.grpc_target)
    env.pop("POLYPHONY_TOKEN", None)
    if token:
        env["POLYPHONY_TOKEN"] = token
    return env


def _run(tour: Path, server: RunningServer, *args: str, token: str | None = None) -> list[dict[str, Any]]:
    run = subprocess.run(
        [str(tour), *args], env=_env(server, token), capture_output=True, text=True, timeout=120, check=False
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert run.returncode == 0 or "error" in lines[-1], run.stderr
    return lines


def test_go_sources_are_gofmt_and_vet_clean(go_env: dict[str, str]) -> None:
    gofmt = Path(_go()).with_name("gofmt")
    found = subprocess.run([str(gofmt), "-l", "clients/go"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert found.stdout == ""
    vet = _go_run(go_env, "vet", "polyphony/clients/go/polyphony", "polyphony/clients/go/cmd/polyphony-tour")
    assert vet.returncode == 0, vet.stdout + vet.stderr


async def test_go_lists_the_same_tracks_as_python(tour: Path, demo_server: RunningServer) -> None:
    lines = _run(tour, demo_server, "tracks", "-limit", "4")
    async with AsyncPolyphonyClient(demo_server.grpc_target) as polyphony:
        page = await polyphony.media.ListTracks(media_pb2.ListTracksRequest(limit=4, sort="title"))
    expected = [{"id": t.id, "title": t.attributes.title, "artist": t.attributes.artist} for t in page.data]
    assert len(expected) == 4  # the demo library has more than four tracks
    assert lines == [*expected, {"tracks": 4}]


async def test_go_registers_a_tams_segment(tour: Path, demo_server: RunningServer) -> None:
    flow_id, source_id = str(uuid.uuid4()), str(uuid.uuid4())
    [done] = _run(tour, demo_server, "segment", "-flow", flow_id, "-source", source_id, token=demo_server.write_token)
    assert done["flow"] == flow_id and done["size"] == 96000 and done["segments"] == ["[0:0_1:0)"]
    # TAMS reads need a token (the spec declares security on every operation)
    async with AsyncPolyphonyClient(demo_server.grpc_target, token=demo_server.read_token) as polyphony:
        flow = await polyphony.flow.GetFlow(flow_pb2.GetFlowRequest(flow_id=flow_id))
        listed = await polyphony.flow.ListSegments(flow_pb2.ListSegmentsRequest(flow_id=flow_id))
    assert flow.source_id == source_id and flow.label == "made by the Go client"
    assert [(s.object_id, s.timerange) for s in listed.segments] == [(done["object"], "[0:0_1:0)")]


def test_go_without_a_token_is_refused(tour: Path, demo_server: RunningServer) -> None:
    flow_id = str(uuid.uuid4())
    [refused] = _run(tour, demo_server, "segment", "-flow", flow_id, "-source", str(uuid.uuid4()))
    assert refused["error"] == "Unauthenticated"


async def test_go_receives_a_published_cue(tour: Path, demo_server: RunningServer) -> None:
    proc = await asyncio.create_subprocess_exec(
        str(tour),
        "cues",
        "-project",
        PROJECT,
        "-count",
        "2",
        env=_env(demo_server, None),
        stdout=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        first = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))
        assert first == {"subscribed": PROJECT}
        sent = []
        async with AsyncPolyphonyClient(demo_server.grpc_target, token=demo_server.write_token) as polyphony:
            for text in ("eins", "zwei"):
                payload = json.dumps({"content": {"text_de": text}})
                reply = await polyphony.trigger.Publish(
                    trigger_pb2.PublishRequest(project_uuid=PROJECT, payload=payload)
                )
                sent.append(reply.cue)
        out, _ = await asyncio.wait_for(proc.communicate(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == 0
    got = [json.loads(line) for line in out.decode().splitlines()]
    assert [g["sequence"] for g in got] == [int(c.sequence) for c in sent]
    assert [g["payload"] for g in got] == [json_of(c.payload) for c in sent]  # a Struct: a JSON object in Go too
