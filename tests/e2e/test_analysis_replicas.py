"""TimeSide across machines: two servers and a Celery worker, each with its own data directory, sharing the
database, the broker and an S3 bucket (moto on loopback). An item uploaded through one server is analysed
by the worker, and its results, waveform, source file and downloads are served by the other; every TimeSide
byte lives in the bucket, the data directories hold at most local copies in their caches."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import numpy as np
import pytest
import redis
import soundfile as sf

from tests.harness import S3_CREDENTIALS, RunningServer, database_url, moto_s3, run_server

BUCKET = "polyphony-replicas"
CREDENTIALS = S3_CREDENTIALS
BROKER = "redis://127.0.0.1:6379/13"
API = "/timeside/api"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3(BUCKET) as endpoint:
        yield endpoint


def _timeside_files(data_dir: Path) -> list[Path]:
    """TimeSide files in a data directory outside its cache of local copies."""
    return [
        p
        for p in data_dir.rglob("*")
        if p.is_file() and "timeside" in p.parts and not p.is_relative_to(data_dir / "cache")
    ]


def _wait(http: httpx.Client, url: str, timeout: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    state = dict(http.get(url).json())
    while time.monotonic() < deadline and state["status"] not in (0, 4):
        time.sleep(0.1)
        state = dict(http.get(url).json())
    return state


def test_an_item_uploaded_on_one_server_is_analysed_by_a_worker_and_served_by_another(
    s3_endpoint: str, tmp_path: Path
) -> None:
    assert redis.Redis.from_url(BROKER).ping()
    bucket = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    rate = 22050
    samples = 0.5 * np.sin(2 * np.pi * 440 * np.arange(3 * rate) / rate)
    wav = io.BytesIO()
    sf.write(wav, samples, rate, format="WAV")
    (tmp_path / "shared").mkdir()
    with database_url(tmp_path / "shared") as url:
        env = {
            "POLYPHONY_DATABASE_URL": url,
            "POLYPHONY_SECRET": "replicas-test-secret",
            "POLYPHONY_OBJECT_STORE": "s3",
            "POLYPHONY_S3_ENDPOINT_URL": s3_endpoint,
            "POLYPHONY_S3_BUCKET": BUCKET,
            "POLYPHONY_S3_REGION": "us-east-1",
            "POLYPHONY_S3_ACCESS_KEY_ID": "testing",
            "POLYPHONY_S3_SECRET_ACCESS_KEY": "testing",
            "POLYPHONY_JOBS": "celery",
            "POLYPHONY_BROKER_URL": BROKER,
            "POLYPHONY_CELERY_QUEUE": f"polyphony-test-{uuid.uuid4().hex}",
        }
        worker_dir = tmp_path / "worker"
        worker_dir.mkdir()
        with (
            run_server(tmp_path / "a", extra_env=env) as a,
            run_server(tmp_path / "b", extra_env=env) as b,
            httpx.Client(base_url=a.http, timeout=60) as on_a,
            httpx.Client(base_url=b.http, timeout=60) as on_b,
            (tmp_path / "worker.log").open("wb") as log,
        ):
            worker = subprocess.Popen(
                [sys.executable, "-m", "polyphony.cli", "worker", "--data-dir", str(worker_dir)],
                env={**os.environ, **env, "POLYPHONY_DATA_DIR": str(worker_dir)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                _walk(a, b, on_a, on_b, wav.getvalue(), tmp_path)
            finally:
                worker.terminate()
                worker.wait(timeout=30)
        keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=BUCKET, Prefix="timeside/").get("Contents", [])]
        assert any(k.startswith("timeside/items/") for k in keys), keys
        assert sum(k.startswith("timeside/results/") for k in keys) >= 3, keys  # level, flac encoder, wav download
        for data_dir in (tmp_path / "a", tmp_path / "b", worker_dir):
            assert _timeside_files(data_dir) == [], data_dir


def _walk(a: RunningServer, b: RunningServer, on_a: httpx.Client, on_b: httpx.Client, wav: bytes, tmp: Path) -> None:
    item = on_a.post(f"{API}/items/", data={"title": "far"}, files={"source_file": ("far.wav", wav)}, headers=a.auth())
    assert item.status_code == 201, item.text
    item_uuid = item.json()["uuid"]
    level = on_a.post(f"{API}/presets/", json={"processor": "level"}, headers=a.auth()).json()
    flac = on_a.post(f"{API}/presets/", json={"processor": "flac_encoder"}, headers=a.auth()).json()
    exp = on_a.post(f"{API}/experiences/", json={"presets": [level["url"], flac["url"]]}, headers=a.auth()).json()
    task = on_a.post(f"{API}/tasks/", json={"experience": exp["url"], "item": item.json()["url"]}, headers=a.auth())
    assert task.status_code == 201, task.text
    state = _wait(on_b, f"{API}/tasks/{task.json()['uuid']}/")
    assert state["status"] == 4, (state, (tmp / "worker.log").read_text()[-3000:])
    assert "polyphony.analysis.run_task" in (tmp / "worker.log").read_text()  # the worker ran it

    # everything below is answered by the other server, which never saw the upload
    results = {
        r["preset"].rstrip("/").rsplit("/", 1)[-1]: r
        for r in on_b.get(f"{API}/results/", params={"item_uuid": item_uuid}).json()
    }
    values = {
        e["id_metadata"]["id"]: e["data_object"]["value"][0]
        for e in on_b.get(results[level["uuid"]]["files"]["json"]).json()
    }
    assert abs(values["level.max"] - (-6.02)) < 0.05
    assert on_b.get(results[level["uuid"]]["files"]["hdf5"]).content[:8] == b"\x89HDF\r\n\x1a\n"
    encoded = on_b.get(f"/timeside/results/{results[flac['uuid']]['uuid']}/audio/")
    assert encoded.status_code == 200 and encoded.headers["content-type"] == "audio/flac"
    assert len(sf.read(io.BytesIO(encoded.content))[0]) == 3 * 22050
    waveform = on_b.get(f"{API}/items/{item_uuid}/waveform/", params={"nb_pixels": 50})
    assert waveform.status_code == 200, waveform.text
    assert len(waveform.json()["max"]) == 50 and max(waveform.json()["max"]) == pytest.approx(0.5, abs=0.01)
    download = on_b.get(f"{API}/items/{item_uuid}/download/wav")
    assert download.status_code == 200, download.text
    assert len(sf.read(io.BytesIO(download.content))[0]) == 3 * 22050
    excerpt = on_b.get(f"{API}/items/{item_uuid}/download/flac", params={"start": 1.0, "stop": 2.0})
    assert excerpt.status_code == 200 and len(sf.read(io.BytesIO(excerpt.content))[0]) == pytest.approx(22050, abs=2)
    source = on_b.get(on_b.get(f"{API}/items/{item_uuid}/").json()["source_file"])
    assert source.status_code == 200 and source.content == wav
    page = on_b.get(f"/timeside/items/{item_uuid}/")
    assert page.status_code == 200
