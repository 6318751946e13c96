"""Cue fan-out: publish -> receive latency for thousands of audience connections, Polyphony vs. a
plain Node socket.io relay.

    flock /tmp/polyphony-bench.lock .venv/bin/python benchmarks/cue_fanout.py \
        [--sizes 1000,5000,10000] [--cues 10] [--procs 3] [--rounds 2]

For each size and transport (plain WebSocket and socket.io over WebSocket) the script opens N
receiver connections on loopback from a few Python processes (speaking Engine.IO 4 / socket.io
directly with the `websockets` library), then a sender publishes `--cues` cues, one at a time, as
`broadcast-message` on a socket.io connection (for plain WebSocket on Polyphony: a text frame on a
write-token WebSocket). Latency = receive time in a receiver process - send time in the sender
(same clock, same machine). Reported: delivered/expected, p50 and p99 in ms over every message, and
per cue when its first and its last subscriber got it (medians over the cues: `first` is how long
the server took before it wrote anything, `last` how long the whole fan-out took). With `--rounds N` every
measurement is repeated, alternating which peer goes first, and the table shows the medians (the
machine's other load changes from minute to minute). The receivers freeze and pause their own
garbage collector once connected, so that their pauses do not count as anyone's latency.

Peers, both single processes on loopback, no proxy in front:
- Polyphony: `polyphony serve` (SQLite, in-process cue bus); receivers connect to its live ASGI
  port directly (POLYPHONY_LIVE_PORT), as they would behind Envoy minus the proxy hop. Every cue is
  validated, normalised and stored (history + merged state) before it is fanned out.
- Node: socket.io 4 (npm, installed into a temp dir by this script) relaying `broadcast-message`
  to `displayContent` in the same namespaces, plus a `ws` relay on /ws/... for the WebSocket case.
  It stores nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import websockets

ROOT = Path(__file__).resolve().parents[1]
PROJECTS = ROOT / "tests" / "fixtures" / "opentheater" / "projects.yaml"
PROJECT = "09a7506a-d399-4d42-983f-47a12e028586"
NAMESPACE = f"/opentheater/{PROJECT}"
TOKEN = "bench-write-token"
SOCKET_IO_VERSION = "4.8.1"

NODE_RELAY = r"""
const http = require("http");
const { Server } = require("socket.io");
const { WebSocketServer } = require("ws");
const port = Number(process.argv[2]);
const server = http.createServer();
const io = new Server(server, { cors: { origin: "*" } });
io.of(/^\/opentheater\/[^/]+$/).on("connection", (socket) => {
  socket.on("broadcast-message", (data) => socket.nsp.emit("displayContent", data));
});
const wss = new WebSocketServer({ noServer: true });
const rooms = new Map();
server.on("upgrade", (req, sock, head) => {
  if (!req.url.startsWith("/ws/")) return;  // socket.io handles its own upgrades
  wss.handleUpgrade(req, sock, head, (ws) => {
    const room = req.url.split("?")[0];
    if (!rooms.has(room)) rooms.set(room, new Set());
    rooms.get(room).add(ws);
    ws.on("close", () => rooms.get(room).delete(ws));
    ws.on("message", (data) => { const text = data.toString(); for (const peer of rooms.get(room)) peer.send(text); });
  });
});
server.listen(port, "127.0.0.1", () => console.log("node relay ready"));
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raise_nofile() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@dataclass(frozen=True)
class Target:
    name: str
    port: int
    transport: str  # "socketio" | "websocket"

    def url(self, *, writer: bool = False) -> str:
        if self.transport == "socketio":
            return f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"
        query = f"?token={TOKEN}" if writer and self.name == "polyphony" else ""
        return f"ws://127.0.0.1:{self.port}/ws{NAMESPACE}{query}"


async def open_socketio(url: str, auth: dict[str, str] | None = None) -> Any:
    ws = await websockets.connect(url, max_size=None, ping_interval=None, open_timeout=60)
    opened = await ws.recv()
    assert str(opened).startswith("0"), opened
    await ws.send(f"40{NAMESPACE}," + json.dumps(auth or {}))
    while True:
        reply = str(await ws.recv())
        if reply.startswith(f"40{NAMESPACE},"):
            return ws
        if reply.startswith(f"44{NAMESPACE},"):
            raise RuntimeError(f"namespace refused: {reply}")


def cue_id_of(text: str) -> str | None:
    marker = text.find('"bench":"')
    if marker < 0:
        return None
    start = marker + 9
    return text[start : text.index('"', start)]


async def receive_forever(ws: Any, transport: str, seen: list[tuple[str, int]], run: str = "") -> None:
    async for message in ws:
        now = time.time_ns()
        text = str(message)
        if transport == "socketio":
            if text == "2":
                await ws.send("3")
                continue
            if not text.startswith("42"):
                continue
        cid = cue_id_of(text)
        if cid is not None and cid.startswith(run):  # not the state of an earlier run
            seen.append((cid, now))


async def receiver_main(
    target: Target, run: str, count: int, cues: int, ready: Any, done: Any, stop: Any, results: Any
) -> None:
    raise_nofile()
    seen: list[tuple[str, int]] = []
    sockets: list[Any] = []
    gate = asyncio.Semaphore(100)

    async def one() -> None:
        async with gate:
            for attempt in range(5):
                try:
                    if target.transport == "socketio":
                        ws = await open_socketio(target.url())
                    else:
                        ws = await websockets.connect(target.url(), max_size=None, ping_interval=None, open_timeout=60)
                    break
                except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5)
            sockets.append(ws)
            # read (and answer Engine.IO pings) from the start: the server drops silent clients
            tasks.append(asyncio.create_task(receive_forever(ws, target.transport, seen, run)))

    tasks: list[asyncio.Task[None]] = []
    await asyncio.gather(*[one() for _ in range(count)])
    # The receivers' own garbage collector must not show up as latency: the connections' objects are
    # long-lived, so move them out of the collector's way and pause it while cues are measured.
    gc.collect()
    gc.freeze()
    gc.disable()
    ready.set()
    while not stop.is_set():
        if len(seen) >= count * cues:
            done.set()
        await asyncio.sleep(0.05)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.gather(*[ws.close() for ws in sockets], return_exceptions=True)
    results.put(seen)


def receiver_process(
    target: Target, run: str, count: int, cues: int, ready: Any, done: Any, stop: Any, results: Any
) -> None:
    asyncio.run(receiver_main(target, run, count, cues, ready, done, stop, results))


async def send_cues(target: Target, cues: int, run: str, gap: float) -> dict[str, int]:
    sent: dict[str, int] = {}
    if target.transport == "socketio":
        ws = await open_socketio(target.url(), {"token": TOKEN})
    else:
        ws = await websockets.connect(target.url(writer=True), max_size=None, ping_interval=None)
    drain = asyncio.create_task(receive_forever(ws, target.transport, []))
    await asyncio.sleep(0.5)
    for i in range(cues):
        cid = f"{run}-{i}"
        payload = {"content": {"text_de": f"cue {i}", "bench": cid}}
        sent[cid] = time.time_ns()
        if target.transport == "socketio":
            await ws.send(f"42{NAMESPACE}," + json.dumps(["broadcast-message", payload], separators=(",", ":")))
        else:
            await ws.send(json.dumps(payload, separators=(",", ":")))
        await asyncio.sleep(gap)
    drain.cancel()
    await ws.close()
    return sent


def measure(target: Target, size: int, cues: int, procs: int, gap: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    stop, results = ctx.Event(), ctx.Queue()
    shares = [size // procs + (1 if i < size % procs else 0) for i in range(procs)]
    readies, dones = [ctx.Event() for _ in shares], [ctx.Event() for _ in shares]
    run = f"{target.name}-{target.transport}-{size}-{time.time_ns()}"
    workers = [
        ctx.Process(target=receiver_process, args=(target, run, n, cues, r, d, stop, results), daemon=True)
        for n, r, d in zip(shares, readies, dones, strict=True)
    ]
    for w in workers:
        w.start()
    t0 = time.monotonic()
    for r in readies:
        if not r.wait(600):
            raise TimeoutError("receivers did not connect in time")
    connect_s = time.monotonic() - t0
    time.sleep(3.0)  # late-joiner state messages and the servers' connection work settle
    sent = asyncio.run(send_cues(target, cues, run, gap))
    deadline = time.monotonic() + 30  # a cue not received 30 s after the last one counts as lost
    for d in dones:
        d.wait(max(0.0, deadline - time.monotonic()))
    stop.set()
    seen: list[tuple[str, int]] = []
    for _ in workers:
        seen += results.get(timeout=60)
    for w in workers:
        w.join(10)
    latencies = sorted((t - sent[cid]) / 1e6 for cid, t in seen if cid in sent)
    per_cue: dict[str, list[float]] = {}
    for cid, t in seen:
        if cid in sent:
            per_cue.setdefault(cid, []).append((t - sent[cid]) / 1e6)
    # when the first and the last subscriber got each cue (medians over the cues): the first says how
    # long the server took before it wrote anything, the last how long the whole fan-out took
    first = statistics.median(min(v) for v in per_cue.values()) if per_cue else None
    last = statistics.median(max(v) for v in per_cue.values()) if per_cue else None
    expected = size * cues
    return {
        "peer": target.name,
        "transport": target.transport,
        "subscribers": size,
        "cues": cues,
        "delivered": len(latencies),
        "expected": expected,
        "connect_s": round(connect_s, 1),
        "first_ms": round(first, 2) if first is not None else None,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 2) if latencies else None,
        "last_ms": round(last, 2) if last is not None else None,
    }


@contextlib.contextmanager
def polyphony_server(tmp: Path) -> Iterator[int]:
    live_port, http_port = free_port(), free_port()
    env = dict(
        os.environ,
        POLYPHONY_PROJECTS_FILE=str(PROJECTS),
        POLYPHONY_WRITE_TOKENS=TOKEN,
        POLYPHONY_LIVE_PORT=str(live_port),
        POLYPHONY_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    env.pop("POLYPHONY_DATABASE_URL", None)
    log = open(tmp / "polyphony.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polyphony.cli",
            "serve",
            "--http-port",
            str(http_port),
            "--data-dir",
            str(tmp / "data"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 90
        while "polyphony ready" not in (tmp / "polyphony.log").read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((tmp / "polyphony.log").read_text(errors="replace")[-3000:])
            time.sleep(0.1)
        yield live_port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def node_relay(tmp: Path) -> Iterator[int]:
    node = shutil.which("node")
    npm = shutil.which("npm")
    if not node or not npm:
        raise SystemExit("node and npm are needed for the Node socket.io relay")
    relay = tmp / "node-relay"
    relay.mkdir()
    (relay / "package.json").write_text(json.dumps({"private": True, "dependencies": {"socket.io": SOCKET_IO_VERSION}}))
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=relay, check=True)
    (relay / "relay.js").write_text(NODE_RELAY)
    port = free_port()
    proc = subprocess.Popen([node, "relay.js", str(port)], cwd=relay, stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert b"ready" in proc.stdout.readline()
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--cues", type=int, default=10)
    parser.add_argument("--procs", type=int, default=3, help="receiver processes")
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between cues")
    parser.add_argument("--transports", default="websocket,socketio")
    parser.add_argument("--peers", default="polyphony,node")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="repeat every measurement, alternating which peer goes first; the table shows "
        "the median p50/p99 over the rounds (the machine's other load varies)",
    )
    args = parser.parse_args()
    raise_nofile()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory(prefix="cue-fanout-") as tmp_name:
        tmp = Path(tmp_name)
        with contextlib.ExitStack() as stack:
            ports = {}
            if "polyphony" in args.peers:
                ports["polyphony"] = stack.enter_context(polyphony_server(tmp))
            if "node" in args.peers:
                ports["node"] = stack.enter_context(node_relay(tmp))
            for size in sizes:
                for transport in args.transports.split(","):
                    for round_no in range(args.rounds):
                        order = list(ports.items())
                        if round_no % 2:
                            order.reverse()
                        for peer, port in order:
                            row = measure(Target(peer, port, transport), size, args.cues, args.procs, args.gap)
                            rows.append(row | {"round": round_no + 1})
                            print(json.dumps(rows[-1]), flush=True)
    print()
    print(
        f"{'subscribers':>11} {'transport':>9} {'peer':>9} {'delivered':>15} {'first ms':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'last ms':>8}" + ("   p99 per round" if args.rounds > 1 else "")
    )
    groups: dict[tuple[int, str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["subscribers"], r["transport"], r["peer"]), []).append(r)
    for (size, transport, peer), group in groups.items():
        first = statistics.median(r["first_ms"] or float("inf") for r in group)
        last = statistics.median(r["last_ms"] or float("inf") for r in group)
        p50 = statistics.median(r["p50_ms"] or float("inf") for r in group)
        p99 = statistics.median(r["p99_ms"] or float("inf") for r in group)
        delivered, expected = sum(r["delivered"] for r in group), sum(r["expected"] for r in group)
        per_round = "  " + " ".join(str(r["p99_ms"]) for r in group) if args.rounds > 1 else ""
        print(
            f"{size:>11} {transport:>9} {peer:>9} {delivered:>7}/{expected:<7} {first:>8.1f} {p50:>8.1f} "
            f"{p99:>8.1f} {last:>8.1f}{per_round}"
        )


if __name__ == "__main__":
    main()
