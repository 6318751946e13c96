"""`serve --demo` (what `scripts/serve` runs) gives every API something to see, and a restart adds nothing twice."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import httpx

from polyphony import demo
from tests.harness import RunningServer, run_server


def _rows(doc: Any) -> list[dict[str, Any]]:
    return list(doc.get("results", doc) if isinstance(doc, dict) else doc)


def _inventory(server: RunningServer) -> dict[str, Any]:
    with httpx.Client(base_url=server.http, timeout=30) as http:
        projects = http.get("/opentheater/projectList.json").json()["projects"]
        project = next(p for p in projects if p["projectUuid"] == demo.PROJECT)
        channel = demo.CHANNELS[0][0]
        files = http.get(f"/opentheater/files/{demo.PROJECT}/{channel}/fileList.json")
        cues = http.get(f"/opentheater/projects/{demo.PROJECT}/cuelist").json()["cueList"]["cues"]
        api = "/timeside/api"
        items = [i for i in _rows(http.get(f"{api}/items/").json()) if i["title"] == demo.ITEM_TITLE]
        experiences = [e for e in _rows(http.get(f"{api}/experiences/").json()) if e["title"] == demo.EXPERIENCE_TITLE]
        deadline = time.monotonic() + 90
        while True:
            tasks = [t for t in _rows(http.get(f"{api}/tasks/").json()) if items[0]["uuid"] in str(t.get("item"))]
            if (tasks and tasks[0]["status"] in (0, 4)) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        results = _rows(http.get(f"{api}/results/").json())
        tams = server.auth()
        flow = http.get(f"/tams/flows/{demo.FLOW}", headers=tams)
        source = http.get(f"/tams/sources/{demo.SOURCE}", headers=tams)
        segments = http.get(f"/tams/flows/{demo.FLOW}/segments", headers=tams).json()
        first = segments[0]["get_urls"][0]["url"] if segments and segments[0].get("get_urls") else None
        wav = http.get(first, headers=tams).content[:4] if first else b""
    return {
        "channels": sorted(c["channelUuid"] for c in project["channelList"]),
        "files": files.json() if files.status_code == 200 else files.status_code,
        "cues": [c["label"] for c in cues],
        "items": len(items),
        "experiences": len(experiences),
        "tasks": [(t["status"], t["experience"] and experiences[0]["uuid"] in t["experience"]) for t in tasks],
        "results": sum(1 for r in results if items[0]["uuid"] in str(r.get("item"))),
        "flow": flow.status_code,
        "flow_codec": flow.json().get("codec"),
        "source": source.status_code,
        "segments": [s["timerange"] for s in segments],
        "wav": wav,
    }


def test_demo_has_something_for_every_api_and_restarts_idempotently(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with run_server(data, args=("--demo",), timeout=180) as first:
        assert "demo content is incomplete" not in first.log()
        seen = _inventory(first)
        assert seen["channels"] == sorted(uid for uid, _, _ in demo.CHANNELS)
        assert demo.ASSET in str(seen["files"])
        assert seen["cues"] == [c["label"] for c in demo.CUES]
        assert seen["items"] == 1 and seen["experiences"] == 1
        assert seen["tasks"] == [(4, True)], seen["tasks"]  # the item was analysed
        assert seen["results"] >= 1
        assert seen["flow"] == 200 and seen["flow_codec"] == "audio/wav" and seen["source"] == 200
        assert seen["segments"] == ["[0:0_2:0)", "[2:0_4:0)"]
        assert seen["wav"] == b"RIFF"
        first.proc.send_signal(signal.SIGTERM)
        first.proc.wait(30)
        again_env = {"POLYPHONY_DATABASE_URL": first.database_url}  # the same database on PostgreSQL too
        with run_server(data, args=("--demo",), extra_env=again_env, timeout=180) as second:
            assert "demo content is incomplete" not in second.log()
            assert _inventory(second) == seen
