"""Envoy's memory under the chunked-body attack of issue 14: large chunked PUTs on a transcoded JSON route.

Starts `polyphony serve` (or uses --url and --envoy-pid), samples Envoy's resident memory every 20 ms
while N clients send chunked bodies of S MiB each without a token (and, with --with-token, N more with a
write token), and prints Envoy's RSS before, at its peak and after, with the status codes clients got.

    python benchmarks/chunked_drain.py --clients 4 --mib 200 --with-token
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def envoy_pid(data_dir: Path) -> int:
    """The Envoy process serving `data_dir` (found by its rendered config path on the command line)."""
    config = str(data_dir / "run" / "envoy.json").encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if config in cmdline and b"envoy" in cmdline.split(b"\0")[0]:
                return int(entry.name)
    raise RuntimeError(f"no envoy process for {data_dir}")


def chunks(mib: int) -> Iterator[bytes]:
    piece = b"x" * (1 << 20)
    yield b'"'
    for _ in range(mib):
        yield piece
    yield b'"'


def send(base: str, headers: dict[str, str], mib: int, statuses: Counter[str]) -> None:
    url = f"{base}/tams/flows/{uuid.uuid4()}/description"
    try:
        with httpx.Client(timeout=120) as client:
            resp = client.put(url, content=chunks(mib), headers={"content-type": "application/json", **headers})
            statuses[str(resp.status_code)] += 1
    except httpx.HTTPError as exc:  # the edge may close the connection once it has answered
        statuses[type(exc).__name__] += 1


def attack(base: str, pid: int, *, clients: int, mib: int, token: str | None) -> dict[str, object]:
    """Send the bodies concurrently; return RSS before/peak/after (MiB) and the outcomes."""
    before = rss_mib(pid)
    peak = before
    statuses: Counter[str] = Counter()
    threads = [threading.Thread(target=send, args=(base, {}, mib, statuses)) for _ in range(clients)]
    if token:
        auth = {"authorization": f"Bearer {token}"}
        threads += [threading.Thread(target=send, args=(base, auth, mib, statuses)) for _ in range(clients)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_mib(pid))
        time.sleep(0.02)
    after = rss_mib(pid)
    return {"before": before, "peak": max(peak, after), "after": after, "statuses": dict(statuses)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--with-token", action="store_true", help="also send as many bodies with a write token")
    parser.add_argument("--url", help="a running server (needs --envoy-pid)")
    parser.add_argument("--envoy-pid", type=int)
    parser.add_argument("--token", default="bench-write-token")
    args = parser.parse_args()
    token = args.token if args.with_token else None
    if args.url:
        result = attack(args.url, args.envoy_pid, clients=args.clients, mib=args.mib, token=token)
    else:
        from tests.harness import run_server

        with (
            tempfile.TemporaryDirectory() as tmp,
            run_server(Path(tmp), extra_env={"POLYPHONY_WRITE_TOKENS": args.token}) as srv,
        ):
            pid = envoy_pid(srv.data_dir)
            result = attack(srv.http, pid, clients=args.clients, mib=args.mib, token=token)
    print(
        f"envoy RSS before {result['before']:.0f} MiB, peak {result['peak']:.0f} MiB, after {result['after']:.0f} MiB"
        f"  ({args.clients} x {args.mib} MiB chunked without a token"
        + (f", {args.clients} x {args.mib} MiB with one" if token else "")
        + f"); answers {result['statuses']}"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
