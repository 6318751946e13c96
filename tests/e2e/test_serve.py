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
