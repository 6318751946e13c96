"""Every console screen's main journey in headless Chromium (Debian's `chromium`, driven by playwright-core
from console/node_modules) against a real server and Envoy with the demo library and the Open Theater
test projects: Home counts, Library browse/play/seek/queue/transcode/rescan, Show GO/back/jump with live
history and asset upload/replace/delete, API docs rendered offline. Screenshots of every screen are
saved to test-artifacts/console/ (the README's pictures come from there)."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from polyphony.edge import assets
from tests.conftest import FIXTURES
from tests.harness import RunningServer, run_server

ROOT = Path(__file__).resolve().parents[2]
CONSOLE = ROOT / "console"
ARTIFACTS = ROOT / "test-artifacts" / "console"
PROJECT = "09a7506a-d399-4d42-983f-47a12e028586"  # its channels take uploads (no provisioningUri)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed (scripts/test installs it with apt-get)")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    if not (assets.console_dist() / "index.html").exists():
        pytest.fail("the console is not built: scripts/setup builds it")
    data = tmp_path_factory.mktemp("console")
    env = {
        "POLYPHONY_PROJECTS_FILE": str(FIXTURES / "opentheater" / "projects.yaml"),
        "POLYPHONY_LIBRARY_DIRS": str(data / "demo-library"),  # so Rescan has a folder to scan
    }
    with run_server(data, extra_env=env, args=("--demo",)) as srv:
        cues = [{"label": f"Cue {i}", "payload": {"content": {"text_DE": f"Zeile {i}"}}} for i in range(4)]
        resp = httpx.put(
            f"{srv.http}/opentheater/projects/{PROJECT}/cuelist", json={"cues": cues}, headers=srv.auth(), timeout=30
        )
        assert resp.status_code == 200, resp.text
        _flow_with_segments(srv)
        yield srv


def _flow_with_segments(srv: RunningServer, n: int = 40) -> None:
    """An audio flow with `n` one-second segments and a gap after the 20th, for the Media store screen."""
    flow_id, source_id = str(uuid.uuid4()), str(uuid.uuid4())
    with httpx.Client(base_url=srv.http, headers=srv.auth(), timeout=30) as http:
        doc = {
            "id": flow_id,
            "source_id": source_id,
            "format": "urn:x-nmos:format:audio",
            "codec": "audio/wav",
            "container": "audio/wav",
            "label": "Console test flow",
            "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
        }
        assert http.put(f"/tams/flows/{flow_id}", json=doc).status_code == 201
        storage = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": n})
        assert storage.status_code == 201, storage.text
        segments = []
        for i, item in enumerate(storage.json()["media_objects"]):
            put = item["put_url"]
            assert (
                http.put(put["url"], content=b"RIFF", headers={"content-type": put["content-type"]}).status_code == 200
            )
            start = i + (5 if i >= 20 else 0)
            segments.append({"object_id": item["object_id"], "timerange": f"[{start}:0_{start + 1}:0)"})
        resp = http.post(f"/tams/flows/{flow_id}/segments", json=segments)
        assert resp.status_code == 201, resp.text


def test_every_screen_in_chromium(demo: RunningServer) -> None:
    node = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
    run = subprocess.run(
        [node, "e2e/journeys.mjs", demo.http, demo.write_token, PROJECT, str(ARTIFACTS)],
        cwd=CONSOLE,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": str(Path(node).parent) + ":/usr/bin:/bin", "CHROMIUM": _chromium(), "HOME": str(demo.data_dir)},
    )
    print(run.stdout, run.stderr)
    assert run.returncode == 0, run.stdout + run.stderr + demo.log()[-3000:]
    for name in (
        "home",
        "home-dark",
        "library",
        "library-phone",
        "show",
        "show-phone",
        "docs-tams",
        "docs-timeside",
        "docs-grpc",
    ):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000, name
