"""TAMS segments at scale: bulk registration rate, timerange page queries on a 1k-segment and a 1M-segment
Flow through Envoy (p50/p99 and their ratio), and presigned PUT throughput against a plain file copy.

    .venv/bin/python benchmarks/tams_segments.py [--segments 1000000] [--queries 500] [--put-mb 256]

It starts `polyphony serve` (SQLite, or POLYPHONY_TEST_DB=postgres) on free ports, builds the big Flow
through the domain layer (`polyphony.flow.segments.bulk_load`, batches of 10,000 in one transaction each),
then measures every query through Envoy with a keep-alive HTTP client. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from polyphony.core.db import Database  # noqa: E402
from polyphony.flow import segments  # noqa: E402
from polyphony.flow.timerange import TimeRange  # noqa: E402
from tests.harness import run_server  # noqa: E402

SECOND = 1_000_000_000


def put_flow(http: httpx.Client, auth: dict[str, str]) -> str:
    flow_id = str(uuid.uuid4())
    doc = {
        "id": flow_id,
        "source_id": str(uuid.uuid4()),
        "format": "urn:x-nmos:format:audio",
        "codec": "audio/pcm",
        "container": "audio/wav",
        "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
    }
    resp = http.put(f"/tams/flows/{flow_id}", json=doc, headers=auth)
    resp.raise_for_status()
    return flow_id


async def bulk(url: str, flow_id: str, count: int, batch: int = 10_000) -> float:
    db = Database(url)
    started = time.perf_counter()
    try:
        for first in range(0, count, batch):
            items = [
                (str(uuid.uuid4()), TimeRange.make(i * SECOND, (i + 1) * SECOND))
                for i in range(first, min(count, first + batch))
            ]
            async with db.transaction() as session:
                await segments.bulk_load(session, flow_id, items)
            done = min(count, first + batch)
            if done % 100_000 == 0 or done == count:
                rate = done / (time.perf_counter() - started)
                print(f"  {done:>9,} segments  {rate:,.0f} segments/s", flush=True)
    finally:
        await db.dispose()
    return count / (time.perf_counter() - started)


def query_latencies(
    http: httpx.Client, auth: dict[str, str], flows: list[tuple[str, int]], queries: int, limit: int
) -> list[list[float]]:
    """`queries` random timerange pages on each (flow id, segment count), interleaved (one query on each flow
    in turn) so that load from elsewhere on the machine weighs on every flow alike. Milliseconds per flow."""
    rng = random.Random(1)
    out: list[list[float]] = [[] for _ in flows]
    for _ in range(queries):
        for i, (flow_id, count) in enumerate(flows):
            start = rng.randrange(0, max(1, count - limit))
            t0 = time.perf_counter()
            resp = http.get(
                f"/tams/flows/{flow_id}/segments",
                params={"timerange": f"[{start}:0_{start + limit}:0)", "limit": limit},
                headers=auth,  # TAMS reads need a token (the spec declares security on every operation)
            )
            out[i].append((time.perf_counter() - t0) * 1000)
            assert resp.status_code == 200 and len(resp.json()) == limit, resp.text
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if q < 100 else max(values)


def put_throughput(http: httpx.Client, auth: dict[str, str], flow_id: str, size_mb: int, tmp: Path) -> None:
    src = tmp / "payload.bin"
    chunk = os.urandom(1 << 20)
    with open(src, "wb") as fh:
        for _ in range(size_mb):
            fh.write(chunk)
    t0 = time.perf_counter()
    shutil.copyfile(src, tmp / "copy.bin")
    os.sync()
    copy_s = time.perf_counter() - t0
    item = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": 1}, headers=auth).json()["media_objects"][0]

    def stream() -> object:
        with open(src, "rb") as fh:
            while data := fh.read(1 << 20):
                yield data

    t0 = time.perf_counter()
    resp = httpx.put(item["put_url"]["url"], content=stream(), headers={"content-type": "audio/wav"}, timeout=600)
    put_s = time.perf_counter() - t0
    resp.raise_for_status()
    print(
        f"presigned PUT {size_mb} MB through Envoy: {size_mb / put_s:,.0f} MB/s   "
        f"plain file copy: {size_mb / copy_s:,.0f} MB/s   ratio {copy_s / put_s:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--limit", type=int, default=10)
    parser.add_argument("--put-mb", type=int, default=256)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        with run_server(tmp / "server") as srv, httpx.Client(base_url=srv.http, timeout=60) as http:
            auth = srv.auth()
            small, big = put_flow(http, auth), put_flow(http, auth)
            print(f"backend: {srv.database_url.split(':')[0]}")
            asyncio.run(bulk(srv.database_url, small, args.small))
            print(f"registering {args.segments:,} segments in batches of 10,000 (domain layer):")
            rate = asyncio.run(bulk(srv.database_url, big, args.segments))
            print(f"bulk registration: {rate:,.0f} segments/s")
            flows = [(small, args.small), (big, args.segments)]
            query_latencies(http, auth, flows, 50, args.limit)  # warm up
            lat_small, lat_big = query_latencies(http, auth, flows, args.queries, args.limit)
            p50s, p99s = pct(lat_small, 50), pct(lat_small, 99)
            p50b, p99b = pct(lat_big, 50), pct(lat_big, 99)
            print(f"timerange page ({args.limit} segments) through Envoy, {args.queries} queries each (interleaved):")
            print(f"  {args.small:>9,}-segment flow: p50 {p50s:.2f} ms  p99 {p99s:.2f} ms")
            print(f"  {args.segments:>9,}-segment flow: p50 {p50b:.2f} ms  p99 {p99b:.2f} ms")
            print(f"  ratio big/small: p50 {p50b / p50s:.2f}  p99 {p99b / p99s:.2f}  (goal <= 1.5, p50 <= 5 ms)")
            put_throughput(http, auth, small, args.put_mb, tmp)


if __name__ == "__main__":
    main()
