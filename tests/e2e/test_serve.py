"""The README's first command in miniature: `polyphony serve --demo` on fresh data, then shutdown."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.harness import run_server


def test_serve_demo_starts_ready_and_stops_cleanly(tmp_path: Path) -> None:
    with run_server(tmp_path / "demo", args=("--demo",)) as srv:
        resp = httpx.get(f"{srv.http}/aura/server")
        assert resp.status_code == 200 and resp.headers["content-type"] == "application/vnd.api+json"
        tracks = httpx.get(f"{srv.http}/aura/tracks").json()["data"]
        assert len(tracks) == 7
        proc = srv.proc
        assert "polyphony ready in" in srv.log()
    assert proc.returncode == 0, srv.log()[-2000:]
    # Envoy and the worker died with the server: the port is free again
    import socket

    port = int(srv.http.rsplit(":", 1)[1])
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_serve_exits_with_the_error_when_a_service_cannot_start(tmp_path: Path) -> None:
    """A service that fails to start (here: S3 chosen but no bucket) stops everything instead of hanging."""
    import os
    import subprocess
    import sys

    from tests.harness import free_port

    env = dict(
        os.environ,
        POLYPHONY_OBJECT_STORE="s3",
        POLYPHONY_S3_BUCKET="",
        POLYPHONY_WRITE_TOKENS="t",
        POLYPHONY_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "polyphony.cli", "serve", "--http-port", str(free_port()), "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert proc.returncode != 0
    assert "bucket" in (proc.stdout + proc.stderr).lower()
