"""How long one heavy request stalls everybody else (issue 14: no single request may block others for more
than 50 ms). While a client sends one kind of heavy request (a Flow with 100,000 tags, a 16 MiB description,
1,000-deep JSON), another polls `GET /tams/service` every 5 ms; prints the poller's latency percentiles and
its worst, idle and for each kind.

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


def heavy_requests(flow_id: str, flow: dict[str, object]) -> dict[str, tuple[str, str, str]]:
    tags = json.dumps({**flow, "tags": {f"t{i}": "v" for i in range(100_000)}})
    big = json.dumps("x" * (16 * 1024 * 1024 - 16))
    deep = '{"content":{"text_de":' + "[" * 1000 + "1" + "]" * 1000 + "}}"
    return {
        "100k-tag flow": ("PUT", f"/tams/flows/{flow_id}", tags),
        "16 MiB description": ("PUT", f"/tams/flows/{flow_id}/description", big),
        "1000-deep JSON flow tag": ("PUT", f"/tams/flows/{flow_id}/tags/deep", "[" * 1000 + "]" * 1000),
        "1000-deep cue": ("POST", "/opentheater/projects/{project}/cues", deep),
    }


def measure(url: str, token: str, rounds: int, name: str | None) -> None:
    """Poll while `name`'s heavy request is sent `rounds` times (None: idle for 3 s)."""
    auth = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    with httpx.Client(base_url=url, timeout=120) as client:
        flow_id = str(uuid.uuid4())
        flow = {
            "id": flow_id,
            "source_id": str(uuid.uuid4()),
            "format": "urn:x-nmos:format:audio",
            "codec": "audio/wav",
            "container": "audio/wav",
            "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
        }
        client.put(f"/tams/flows/{flow_id}", content=json.dumps(flow), headers=auth)
        project = client.post("/opentheater/projects", json={"projectPath": ["STALL", flow_id[:8]]}, headers=auth)
        project_uuid = project.json().get("projectUuid", "")
        stop, latencies = threading.Event(), []
        poller = threading.Thread(target=poll, args=(url, token, stop, latencies))
        poller.start()
        statuses: list[int] = []
        start = time.perf_counter()
        if name is None:
            time.sleep(3)
        else:
            method, path, body = heavy_requests(flow_id, flow)[name]
            for _ in range(rounds):
                answer = client.request(method, path.format(project=project_uuid), content=body, headers=auth)
                statuses.append(answer.status_code)
        elapsed = (time.perf_counter() - start) * 1000 / max(rounds, 1)
        stop.set()
        poller.join()
    latencies.sort()
    p50 = statistics.median(latencies)
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)]
    label = name or "idle"
    extra = f" request {elapsed:6.0f} ms, status {sorted(set(statuses))}" if name else ""
    print(f"{label:24s} polls={len(latencies):4d} p50={p50:6.1f} p99={p99:6.1f} max={latencies[-1]:6.1f} ms{extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--token", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    measure(args.url, args.token, args.rounds, None)
    for name in heavy_requests("", {}):
        measure(args.url, args.token, args.rounds, name)


if __name__ == "__main__":
    main()
