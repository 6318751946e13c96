"""N minutes of mixed load through Envoy on a real `polyphony serve --workers 2 --demo`, with plain
WebSocket audiences following an Open Theater project. Prints requests, errors by status, p50/p99
latency, the RSS of every server process at the start and the end, and cues sent vs delivered.

    .venv/bin/python benchmarks/soak.py [--minutes 10] [--concurrency 8] [--audiences 50] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import itertools
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Server, command, free_port, rss_kib

FLOW = {
    "format": "urn:x-nmos:format:audio",
    "codec": "audio/pcm",
    "container": "audio/wav",
    "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
}


SEGMENT_SECONDS = itertools.count(1000)


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.statuses: collections.Counter[int] = collections.Counter()
        self.by_kind: collections.Counter[str] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()
        self.cues_sent = 0
        self.samples: dict[str, str] = {}


async def audience(url: str, marker: str, received: list[int], index: int, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            async with websockets.connect(url, open_timeout=10, max_queue=None) as ws:
                while not stop.is_set():
                    try:
                        text = await asyncio.wait_for(ws.recv(), 1.0)
                    except TimeoutError:
                        continue
                    if marker in str(text):
                        received[index] += 1
        except (OSError, websockets.WebSocketException):
            await asyncio.sleep(0.5)  # counted as missed cues; reconnect


async def client(
    http: httpx.AsyncClient,
    server: Server,
    stats: Stats,
    flows: list[str],
    project: str,
    marker: str,
    stop: asyncio.Event,
    rng: random.Random,
) -> None:
    auth = server.auth
    n = 0
    while not stop.is_set():
        n += 1
        kind = rng.choices(
            [
                "aura list",
                "aura track",
                "tams flows",
                "tams segments",
                "tams put label",
                "tams register",
                "timeside processors",
                "opentheater list",
                "cue",
            ],
            weights=[20, 15, 15, 10, 8, 8, 8, 8, 8],
        )[0]
        flow = rng.choice(flows)
        started = time.perf_counter()
        try:
            if kind == "aura list":
                r = await http.get("/aura/tracks", params={"limit": 5, "sort": "-year"})
            elif kind == "aura track":
                r = await http.get(f"/aura/tracks/{rng.randint(1, 7)}", params={"include": "albums,artists"})
            elif kind == "tams flows":
                r = await http.get("/tams/flows", params={"limit": 10}, headers=auth)
            elif kind == "tams segments":
                r = await http.get(f"/tams/flows/{flow}/segments", params={"limit": 20}, headers=auth)
            elif kind == "tams put label":
                r = await http.put(f"/tams/flows/{flow}/label", json=f"label {n}", headers=auth)
            elif kind == "tams register":
                s = await http.post(f"/tams/flows/{flow}/storage", json={"limit": 1}, headers=auth)
                if s.status_code != 201:
                    r = s
                else:
                    item = s.json()["media_objects"][0]
                    put = await http.put(
                        item["put_url"]["url"],
                        content=rng.randbytes(4096),
                        headers={"content-type": item["put_url"]["content-type"]},
                    )
                    if put.status_code // 100 != 2:
                        r = put
                    else:
                        t = next(SEGMENT_SECONDS)  # one second each, never overlapping
                        r = await http.post(
                            f"/tams/flows/{flow}/segments",
                            json={"object_id": item["object_id"], "timerange": f"[{t}:0_{t + 1}:0)"},
                            headers=auth,
                        )
            elif kind == "timeside processors":
                r = await http.get("/timeside/api/processors/")
            elif kind == "opentheater list":
                r = await http.get("/opentheater/projectList.json")
            else:
                r = await http.post(
                    f"/opentheater/projects/{project}/cues",
                    json={"content": {"text_en": f"{marker} {n}"}},
                    headers=auth,
                )
                if r.status_code == 201:
                    stats.cues_sent += 1
        except httpx.HTTPError as exc:
            stats.failures[type(exc).__name__] += 1
            continue
        stats.latencies.append(time.perf_counter() - started)
        stats.statuses[r.status_code] += 1
        if r.status_code >= 400:
            stats.by_kind[f"{kind} {r.status_code}"] += 1
            stats.samples.setdefault(f"{kind} {r.status_code}", r.text[:300])


def rss_table(server: Server) -> dict[str, int]:
    return {f"{command(pid)} [{pid}]": rss_kib(pid) for pid in sorted(server.pids())}


async def soak(args: argparse.Namespace) -> int:
    work = Path(tempfile.mkdtemp(prefix="polyphony-soak-"))
    server = Server(work / "data", free_port(), args.workers, args.database_url, extra=("--demo",))
    print(f"started in {server.start():.1f}s", flush=True)
    stats = Stats()
    rng = random.Random(args.seed)
    marker = uuid.uuid4().hex[:8]
    try:
        async with httpx.AsyncClient(
            base_url=server.base, timeout=30, limits=httpx.Limits(max_connections=args.concurrency * 2)
        ) as http:
            flows = []
            for _ in range(5):
                fid = str(uuid.uuid4())
                r = await http.put(
                    f"/tams/flows/{fid}", json={"id": fid, "source_id": str(uuid.uuid4()), **FLOW}, headers=server.auth
                )
                assert r.status_code == 201, r.text
                flows.append(fid)
            r = await http.post("/opentheater/projects", json={"projectPath": ["SOAK"]}, headers=server.auth)
            assert r.status_code == 201, r.text
            project = r.json()["projectUuid"]
            stop = asyncio.Event()
            received = [0] * args.audiences
            ws_url = (
                server.base.replace("http://", "ws://")
                + f"/ws/opentheater/{project}?token={server.auth['authorization'][7:]}"
            )
            listeners = [
                asyncio.create_task(audience(ws_url, marker, received, i, stop)) for i in range(args.audiences)
            ]
            await asyncio.sleep(2)
            rss_start = rss_table(server)
            began = time.monotonic()
            clients = [
                asyncio.create_task(
                    client(http, server, stats, flows, project, marker, stop, random.Random(rng.random()))
                )
                for _ in range(args.concurrency)
            ]
            next_report = began + 60
            while time.monotonic() - began < args.minutes * 60:
                await asyncio.sleep(1)
                if time.monotonic() >= next_report:
                    next_report += 60
                    print(
                        f"  {(time.monotonic() - began) / 60:.0f} min: {sum(stats.statuses.values())} requests, "
                        f"{sum(v for k, v in stats.statuses.items() if k >= 500)} 5xx",
                        flush=True,
                    )
            stop.set()
            await asyncio.gather(*clients)
            await asyncio.sleep(3)  # the last cues reach the audiences
            elapsed = time.monotonic() - began
            rss_end = rss_table(server)
            for task in listeners:
                task.cancel()
            await asyncio.gather(*listeners, return_exceptions=True)
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)

    total = sum(stats.statuses.values())
    lat = sorted(stats.latencies)
    q = statistics.quantiles(lat, n=100) if len(lat) > 100 else [float("nan")] * 99
    print(
        f"\nsoak: {elapsed / 60:.1f} min, workers={args.workers}, concurrency={args.concurrency}, "
        f"{args.audiences} plain WebSocket audiences, "
        f"database={'postgresql' if 'postgres' in args.database_url else 'sqlite'}"
    )
    print(f"requests: {total} ({total / elapsed:.0f}/s), transport failures: {dict(stats.failures) or 0}")
    print(f"by status: {dict(sorted(stats.statuses.items()))}")
    print(f"server errors (5xx): {sum(v for k, v in stats.statuses.items() if k >= 500)}")
    if stats.by_kind:
        print(f"non-2xx by kind: {dict(stats.by_kind.most_common(10))}")
        for kind, text in stats.samples.items():
            print(f"  e.g. {kind}: {text}")
    print(f"latency p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms")
    expected = stats.cues_sent * args.audiences
    print(
        f"cues: {stats.cues_sent} sent, {sum(received)} of {expected} deliveries "
        f"({100 * sum(received) / max(1, expected):.2f}%), min per audience {min(received)}"
    )
    print(f"{'process':<28}{'RSS start MiB':>14}{'RSS end MiB':>13}{'growth':>9}")
    worst = 0.0
    for name, start in rss_start.items():
        end = rss_end.get(name, 0)
        growth = 100 * (end - start) / max(1, start)
        worst = max(worst, growth)
        print(f"{name:<28}{start / 1024:>14.1f}{end / 1024:>13.1f}{growth:>8.1f}%")
    print(f"largest RSS growth: {worst:.1f}%")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--audiences", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seed", type=int, default=1)
    return asyncio.run(soak(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
