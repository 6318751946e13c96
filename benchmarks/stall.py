"""How long one heavy request stalls everybody else (issue 14: no single request may block others for more
than 50 ms). While a client sends heavy requests (a Flow with 100,000 tags, a 1,000-deep cue, a 16 MiB
description), another polls `GET /tams/service` every 5 ms; prints the poller's latency percentiles and its
worst gap, with and without the heavy traffic.

    python benchmarks/stall.py --url http://127.0.0.1:8080 --token TOKEN [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
import uuid

import httpx


def poll(url: str, token: str, stop: threading.Event, out: list[float]) -> None:
    with httpx.Client(base_url=url, timeout=30, headers={"authorization": f"Bearer {token}"}) as client:
        while not stop.is_set():
            start = time.perf_counter()
            client.get("/tams/service")
            out.append((time.perf_counter() - start) * 1000)
            time.sleep(0.005)


def heavy(url: str, token: str, rounds: int) -> dict[str, float]:
    auth = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    timings: dict[str, float] = {}
    with httpx.Client(base_url=url, timeout=120) as client:
        fid, sid = str(uuid.uuid4()), str(uuid.uuid4())
        flow = {
            "id": fid,
            "source_id": sid,
            "format": "urn:x-nmos:format:audio",
            "codec": "audio/wav",
            "container": "audio/wav",
            "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
        }
        client.put(f"/tams/flows/{fid}", content=json.dumps(flow), headers=auth)
        tags = json.dumps({**flow, "tags": {f"t{i}": "v" for i in range(100_000)}})
        big = json.dumps("x" * (16 * 1024 * 1024 - 16))
        for _ in range(rounds):
            for name, method, path, body in (
                ("100k-tag flow", "PUT", f"/tams/flows/{fid}", tags),
                ("16 MiB description", "PUT", f"/tams/flows/{fid}/description", big),
            ):
                start = time.perf_counter()
                status = client.request(method, path, content=body, headers=auth).status_code
                timings[f"{name} ({status})"] = (time.perf_counter() - start) * 1000
    return timings


def measure(url: str, token: str, rounds: int, load: bool) -> None:
    stop, latencies = threading.Event(), []
    poller = threading.Thread(target=poll, args=(url, token, stop, latencies))
    poller.start()
    timings = heavy(url, token, rounds) if load else (time.sleep(5) or {})
    stop.set()
    poller.join()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    label = "with heavy requests" if load else "idle"
    print(f"{label:22s} polls={len(latencies):5d} p50={p50:7.1f} ms p99={p99:7.1f} ms max={latencies[-1]:7.1f} ms")
    for name, ms in timings.items():
        print(f"  {name}: {ms:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    measure(args.url, args.token, args.rounds, load=False)
    measure(args.url, args.token, args.rounds, load=True)


if __name__ == "__main__":
    main()
