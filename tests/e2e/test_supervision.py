"""`polyphony serve` heals and tells the truth: ready means every worker answers, a killed worker or
Envoy is restarted while the others keep serving, a busy port is refused at once, and a project created
through one worker is served to plain WebSocket audiences at once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import httpx
import pytest
import websockets
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.harness import RunningServer, run_server


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of the direct children of `pid`."""
    found: dict[int, str] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found[int(child)] = cmdline
    return found


def _child(srv: RunningServer, needle: str) -> int:
    [pid] = [pid for pid, cmd in _children(srv.proc.pid).items() if needle in cmd]
    return pid


def _wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def _serving(socket_path: Path) -> bool:
    with grpc.insecure_channel(f"unix:{socket_path}") as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        except grpc.RpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_ready_is_true_and_killed_workers_and_envoy_come_back(tmp_path: Path) -> None:
    with run_server(tmp_path / "data", args=("--workers", "2")) as srv, httpx.Client(base_url=srv.http) as api:
        # "ready" means every worker answers: no 503 right after it
        statuses = [api.get("/aura/server").status_code for _ in range(60)]
        assert statuses == [200] * 60

        worker = _child(srv, "_worker")
        os.kill(worker, signal.SIGKILL)
        # the other worker keeps answering while the killed one is restarted: a request that cannot reach
        # the dead one goes to the other; only a request Envoy already sent on the connection that died with
        # it can fail (one at most here: Envoy then drops that connection)
        deadline = time.monotonic() + 3
        failed = []
        while time.monotonic() < deadline:
            resp = api.get("/aura/server")
            if resp.status_code != 200:
                failed.append((resp.status_code, resp.text))
        assert len(failed) <= 1, failed
        _wait_for(lambda: "worker 2 restarted" in srv.log(), 15, "worker 2 restarted")
        restarted = _child(srv, "_worker")
        assert restarted != worker
        sockets = list((srv.data_dir / "run").glob("worker-2.sock")) or list(
            Path("/tmp").glob("polyphony-*/worker-2.sock")
        )
        _wait_for(lambda: _serving(sockets[0]), 30, "the restarted worker serves")
        # through Envoy, round robin reaches both workers again
        assert [api.get("/aura/server").status_code for _ in range(20)] == [200] * 20
        assert "worker 2 (pid" in srv.log() and "exited with status -9" in srv.log()

        envoy = _child(srv, "envoy")
        os.kill(envoy, signal.SIGKILL)
        _wait_for(lambda: "envoy restarted" in srv.log(), 15, "envoy restarted")

        def answers() -> bool:
            try:
                return api.get("/aura/server").status_code == 200
            except httpx.TransportError:
                return False

        _wait_for(answers, 15, "requests answered after Envoy's restart")
        assert [api.get("/aura/server").status_code for _ in range(20)] == [200] * 20
        assert srv.proc.poll() is None


def test_a_second_server_on_a_busy_port_fails_at_once(tmp_path: Path) -> None:
    with run_server(tmp_path / "first") as srv:
        port = srv.http.rsplit(":", 1)[1]
        env = dict(
            os.environ,
            POLYPHONY_WRITE_TOKENS="t",
            POLYPHONY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'second.db'}",
        )
        started = time.monotonic()
        second = subprocess.run(
            [
                sys.executable,
                "-m",
                "polyphony.cli",
                "serve",
                "--http-port",
                port,
                "--data-dir",
                str(tmp_path / "second"),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert f"port {port} on 127.0.0.1 is already in use" in second.stderr
        assert "polyphony ready" not in second.stdout
        assert time.monotonic() - started < 15
        # the first server still answers every request
        assert [httpx.get(f"{srv.http}/aura/server").status_code for _ in range(20)] == [200] * 20


def test_a_new_project_reaches_plain_websockets_at_once(tmp_path: Path) -> None:
    """Projects are created through either worker (round robin); the live app, in the first, serves them
    to a plain WebSocket the moment the creation has answered."""
    with run_server(tmp_path / "data", args=("--workers", "2")) as srv, httpx.Client(base_url=srv.http) as api:
        ws_base = srv.http.replace("http://", "ws://")

        async def connect(project: str) -> None:
            async with websockets.connect(f"{ws_base}/ws/opentheater/{project}", open_timeout=5) as ws:
                assert ws.protocol.state.name == "OPEN"

        for n in range(8):
            resp = api.post("/opentheater/projects", json={"projectPath": ["HOUSE", f"S{n}"]}, headers=srv.auth())
            assert resp.status_code == 201, resp.text
            asyncio.run(connect(resp.json()["projectUuid"]))
