"""A task run by a real Celery worker (`polyphony worker`) against the real Redis on 127.0.0.1:6379.

CI guarantees Redis: this test fails (never skips) when it is not there.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import redis
import soundfile as sf

from tests.harness import database_url, run_server

BROKER = "redis://127.0.0.1:6379/13"


def test_task_runs_on_a_celery_worker(tmp_path: Path) -> None:
    assert redis.Redis.from_url(BROKER).ping()
    data_dir = tmp_path / "celery"
    buf = io.BytesIO()
    sf.write(buf, 0.5 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050), 22050, format="WAV")
    with database_url(data_dir) as url:
        env = {
            "POLYPHONY_DATABASE_URL": url,
            "POLYPHONY_JOBS": "celery",
            "POLYPHONY_BROKER_URL": BROKER,
            # a queue of its own, so parallel test runs on one Redis never take each other's tasks
            "POLYPHONY_CELERY_QUEUE": f"polyphony-test-{uuid.uuid4().hex}",
        }
        with run_server(data_dir, extra_env=env) as server, httpx.Client(base_url=server.http) as http:
            log = (tmp_path / "worker.log").open("wb")
            worker = subprocess.Popen(
                [sys.executable, "-m", "polyphony.cli", "worker", "--data-dir", str(data_dir)],
                env={**os.environ, **env, "POLYPHONY_DATA_DIR": str(data_dir)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                item = http.post(
                    "/timeside/api/items/", files={"source_file": ("a.wav", buf.getvalue())}, headers=server.auth()
                ).json()
                preset = http.post("/timeside/api/presets/", json={"processor": "level"}, headers=server.auth()).json()
                task = http.post(
                    "/timeside/api/tasks/", json={"item": item["url"], "preset": preset["url"]}, headers=server.auth()
                ).json()
                deadline = time.monotonic() + 60
                state = task
                while time.monotonic() < deadline and state["status"] not in (0, 4):
                    time.sleep(0.1)
                    state = http.get(task["url"]).json()
                assert state["status"] == 4, (state, (tmp_path / "worker.log").read_text()[-3000:])
                (result,) = http.get("/timeside/api/results/", params={"item_uuid": item["uuid"]}).json()
                assert result["task"] == task["url"]
                values = {
                    e["id_metadata"]["id"]: e["data_object"]["value"][0]
                    for e in http.get(result["files"]["json"]).json()
                }
                assert abs(values["level.max"] - (-6.02)) < 0.05
                # The worker, not the server process, ran it.
                assert "polyphony.analysis.run_task" in (tmp_path / "worker.log").read_text()
            finally:
                worker.terminate()
                worker.wait(timeout=30)
                log.close()
