"""One replica vs two behind the front edge (`polyphony edge`): requests per second for AURA track lists and
TAMS segment registration, the multi-machine set-up of the README on one machine (PostgreSQL, moto S3,
Redis for cues).

    .venv/bin/python benchmarks/replicas.py [--seconds 10] [--concurrency 16] [--tracks 200]

Needs PostgreSQL on 127.0.0.1:5432 (a fresh database is made and dropped) and Redis on 127.0.0.1:6379. Both
replicas run on this machine, so two replicas only beat one when cores are idle: the load average is
printed with the numbers. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile as sf
from mutagen.flac import FLAC

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POLYPHONY_TEST_DB", "postgres")

from tests.e2e.test_replicas import AUTH, BUCKET, Proc  # noqa: E402
from tests.harness import (  # noqa: E402
    READ_TOKEN,
    WRITE_TOKEN,
    database_url,
    free_port,
    moto_s3,
)
from tests.unit.flow.spec import audio_flow  # noqa: E402


def _library(root: Path, tracks: int) -> None:
    root.mkdir(parents=True)
    tone = 0.2 * np.sin(2 * np.pi * 330 * np.arange(2205) / 22050)
    for i in range(tracks):
        path = root / f"t{i:05d}.flac"
        sf.write(str(path), tone, 22050, format="FLAC")
        tags = FLAC(path)
        tags["title"], tags["artist"], tags["album"] = f"Track {i}", [f"Artist {i % 20}"], f"Album {i % 40}"
        tags.save()


async def _run(seconds: float, concurrency: int, request: Any) -> tuple[int, int]:
    """Requests `request(client, n)` from `concurrency` tasks for `seconds`: (successes, failures)."""
    ok = failed = 0
    counter = iter(range(10**9))
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def worker() -> None:
            nonlocal ok, failed
            while time.monotonic() < deadline:
                try:
                    good = await request(client, next(counter))
                except httpx.HTTPError:
                    good = False
                ok, failed = ok + good, failed + (not good)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return ok, failed


async def _objects(front: str, flow_id: str, count: int) -> list[str]:
    ids: list[str] = []
    sem = asyncio.Semaphore(16)
    async with httpx.AsyncClient(timeout=60) as client:
        while len(ids) < count:
            storage = await client.post(
                f"{front}/tams/flows/{flow_id}/storage", json={"limit": min(200, count - len(ids))}, headers=AUTH
            )
            storage.raise_for_status()
            items = storage.json()["media_objects"]

            async def put(item: dict[str, Any]) -> None:
                async with sem:
                    url, kind = item["put_url"]["url"], item["put_url"]["content-type"]
                    (await client.put(url, content=b"x" * 100, headers={"content-type": kind})).raise_for_status()

            await asyncio.gather(*(put(i) for i in items))
            ids += [i["object_id"] for i in items]
    return ids


async def _measure(front: str, seconds: float, concurrency: int) -> dict[str, tuple[float, int]]:
    async def aura(client: httpx.AsyncClient, _n: int) -> bool:
        return (await client.get(f"{front}/aura/tracks", params={"page[limit]": "50"})).status_code == 200

    ok, failed = await _run(seconds, concurrency, aura)
    results = {"AURA GET /aura/tracks (50 a page)": (ok / seconds, failed)}

    flow = audio_flow()
    async with httpx.AsyncClient(timeout=30) as client:
        (await client.put(f"{front}/tams/flows/{flow['id']}", json=flow, headers=AUTH)).raise_for_status()
    objects = await _objects(front, flow["id"], int(seconds * 150))

    async def register(client: httpx.AsyncClient, n: int) -> bool:
        if n >= len(objects):
            await asyncio.sleep(0.01)
            return False
        body = {"object_id": objects[n], "timerange": f"[{n}:0_{n + 1}:0)"}
        resp = await client.post(f"{front}/tams/flows/{flow['id']}/segments", json=body, headers=AUTH)
        return resp.status_code == 201

    ok, failed = await _run(seconds, concurrency, register)
    results["TAMS POST segments (one a request)"] = (ok / seconds, failed)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tracks", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="polyphony-replicas-") as tmp_name, moto_s3(BUCKET) as endpoint:
        tmp = Path(tmp_name)
        library = tmp / "music"
        _library(library, args.tracks)
        with database_url(tmp / "shared") as url:
            env = dict(os.environ) | {
                "POLYPHONY_DATABASE_URL": url,
                "POLYPHONY_SECRET": uuid.uuid4().hex,
                "POLYPHONY_WRITE_TOKENS": WRITE_TOKEN,
                "POLYPHONY_READ_TOKENS": READ_TOKEN,
                "POLYPHONY_OBJECT_STORE": "s3",
                "POLYPHONY_S3_ENDPOINT_URL": endpoint,
                "POLYPHONY_S3_BUCKET": BUCKET,
                "POLYPHONY_S3_ACCESS_KEY_ID": "testing",
                "POLYPHONY_S3_SECRET_ACCESS_KEY": "testing",
                "POLYPHONY_CUE_BUS": "redis",
                "POLYPHONY_LIBRARY_DIRS": str(library),
                "POLYPHONY_LOG_LEVEL": "warning",
            }
            replicas = []
            for name in ("a", "b"):
                (tmp / name).mkdir()
                port = free_port()
                replicas.append(
                    (
                        port,
                        Proc(
                            ["serve", "--http-port", str(port), "--data-dir", str(tmp / name)],
                            env,
                            tmp / name / "serve.log",
                            "polyphony ready",
                        ),
                    )
                )
            try:
                for _, proc in replicas:
                    proc.start()
                subprocess.run(
                    [sys.executable, "-m", "polyphony.cli", "scan", str(library), "--data-dir", str(tmp / "a")],
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=600,
                )
                print(
                    f"cores: {os.cpu_count()}, seconds per measurement: {args.seconds:g}, clients: {args.concurrency}"
                )
                for count in (1, 2):
                    port = free_port()
                    targets = ",".join(f"127.0.0.1:{p}" for p, _ in replicas[:count])
                    front = Proc(
                        [
                            "edge",
                            "--http-port",
                            str(port),
                            "--run-dir",
                            str(tmp / f"front{count}"),
                            "--replica",
                            targets,
                        ],
                        env,
                        tmp / f"front{count}.log",
                        "polyphony edge ready",
                    )
                    front.start()
                    try:
                        time.sleep(3)  # first health checks
                        load = os.getloadavg()[0]
                        numbers = asyncio.run(_measure(f"http://127.0.0.1:{port}", args.seconds, args.concurrency))
                    finally:
                        front.stop()
                    print(f"{count} replica(s) behind the front edge (load average before: {load:.1f})")
                    for what, (rate, failed) in numbers.items():
                        print(f"  {what:<38} {rate:8.1f} req/s   failed: {failed}")
            finally:
                for _, proc in replicas:
                    proc.stop()


if __name__ == "__main__":
    main()
