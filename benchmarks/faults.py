"""kill -9 `polyphony serve` (every process of it at once) in the middle of segment registration, object
uploads, analysis tasks and a library scan; restart it on the same data, then check that every write that
was acknowledged (2xx) is there and whole. Prints counts per scenario; exits 1 when anything was lost.

    .venv/bin/python benchmarks/faults.py [--rounds 3] [--workers 2] [--database-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import Server, free_port


@dataclass
class Tally:
    acknowledged: int = 0
    verified: int = 0
    lost: list[str] = field(default_factory=list)
    errors_5xx: int = 0


def wav(seconds: float, seed: int) -> bytes:
    rate = 22050
    t = np.arange(int(seconds * rate)) / rate
    x = 0.3 * np.sin(2 * np.pi * (220 + seed) * t)
    buf = io.BytesIO()
    soundfile.write(buf, x, rate, format="WAV")
    return buf.getvalue()


def flow_doc(flow_id: str, source_id: str) -> dict[str, object]:
    return {
        "id": flow_id,
        "source_id": source_id,
        "format": "urn:x-nmos:format:audio",
        "codec": "audio/pcm",
        "container": "audio/wav",
        "essence_parameters": {"sample_rate": 48000, "channels": 2, "bit_depth": 16},
    }


def load_until(stop: threading.Event, work, threads: int = 3) -> None:  # type: ignore[no-untyped-def]
    def loop() -> None:
        while not stop.is_set():
            with contextlib.suppress(httpx.TransportError, httpx.HTTPStatusError, ValueError):
                work()  # a request the server was killed under is not acknowledged

    pool = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    return pool  # type: ignore[return-value]


def segments_round(server: Server, http: httpx.Client, segs: Tally, objs: Tally, rng: random.Random) -> None:
    flow_id, source_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert http.put(f"/tams/flows/{flow_id}", json=flow_doc(flow_id, source_id), headers=server.auth).status_code == 201
    acked_segments: list[tuple[str, str, str]] = []
    acked_objects: list[tuple[str, str]] = []
    lock = threading.Lock()
    counter = iter(range(10**9))

    def work() -> None:
        n = next(counter)
        resp = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": 1}, headers=server.auth)
        if resp.status_code >= 500:
            segs.errors_5xx += 1
        if resp.status_code != 201:
            return
        item = resp.json()["media_objects"][0]
        data = rng.randbytes(rng.randint(1_000, 400_000))
        put = http.put(item["put_url"]["url"], content=data, headers={"content-type": item["put_url"]["content-type"]})
        if put.status_code >= 500:
            objs.errors_5xx += 1
        if put.status_code // 100 != 2:
            return
        digest = hashlib.sha256(data).hexdigest()
        with lock:
            acked_objects.append((item["object_id"], digest))
        tr = f"[{n}:0_{n + 1}:0)"
        reg = http.post(
            f"/tams/flows/{flow_id}/segments",
            json={"object_id": item["object_id"], "timerange": tr},
            headers=server.auth,
        )
        if reg.status_code >= 500:
            segs.errors_5xx += 1
        if reg.status_code == 201:
            with lock:
                acked_segments.append((item["object_id"], tr, digest))

    stop = threading.Event()
    pool = load_until(stop, work)
    time.sleep(rng.uniform(1.5, 4.0))
    server.kill9()
    stop.set()
    for t in pool:
        t.join(10)
    server.start()
    segs.acknowledged += len(acked_segments)
    objs.acknowledged += len(acked_objects)
    registered = {s[0] for s in acked_segments}
    for object_id, tr, digest in acked_segments:
        listed = http.get(f"/tams/flows/{flow_id}/segments", params={"timerange": tr}, headers=server.auth).json()
        match = [s for s in listed if s["object_id"] == object_id]
        if match and hashlib.sha256(http.get(match[0]["get_urls"][0]["url"]).content).hexdigest() == digest:
            segs.verified += 1
        else:
            segs.lost.append(f"segment {object_id} {tr}")
    # an acknowledged upload that was not registered before the kill can still be registered and read
    spare = 10**6
    for object_id, digest in acked_objects:
        already = http.get(f"/tams/flows/{flow_id}/segments", params={"object_id": object_id}, headers=server.auth)
        # a registration sent just before the kill may have been committed without its answer arriving
        if object_id not in registered and not already.json():
            spare += 1
            tr = f"[{spare}:0_{spare + 1}:0)"
            reg = http.post(
                f"/tams/flows/{flow_id}/segments", json={"object_id": object_id, "timerange": tr}, headers=server.auth
            )
            if reg.status_code != 201:
                objs.lost.append(f"object {object_id}: {reg.status_code} {reg.text[:200]}")
                continue
        listed = http.get(f"/tams/objects/{object_id}", headers=server.auth)
        got = http.get(f"/tams/flows/{flow_id}/segments", params={"object_id": object_id}, headers=server.auth).json()
        urls = [u["url"] for s in got for u in s.get("get_urls", [])] if listed.status_code == 200 else []
        if urls and hashlib.sha256(http.get(urls[0]).content).hexdigest() == digest:
            objs.verified += 1
        else:
            objs.lost.append(f"object {object_id}")


def analysis_round(server: Server, http: httpx.Client, items: Tally, tasks: Tally, rng: random.Random) -> None:
    api = "/timeside/api"
    preset = http.post(
        f"{api}/presets/", json={"processor": "spectral_descriptors", "parameters": {}}, headers=server.auth
    )
    preset_url = preset.json()["url"] if preset.status_code == 201 else None
    acked_items: list[tuple[str, str]] = []
    acked_tasks: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        data = wav(rng.uniform(5, 20), rng.randint(0, 500))
        r = http.post(
            f"{api}/items/",
            data={"title": "fault"},
            files={"source_file": ("a.wav", data, "audio/wav")},
            headers=server.auth,
        )
        if r.status_code >= 500:
            items.errors_5xx += 1
        if r.status_code != 201:
            return
        item = r.json()
        with lock:
            acked_items.append((item["uuid"], hashlib.sha256(data).hexdigest()))
        if preset_url:
            t = http.post(f"{api}/tasks/", json={"preset": preset_url, "item": item["url"]}, headers=server.auth)
            if t.status_code >= 500:
                tasks.errors_5xx += 1
            if t.status_code == 201:
                with lock:
                    acked_tasks.append(t.json()["uuid"])

    stop = threading.Event()
    pool = load_until(stop, work, threads=2)
    time.sleep(rng.uniform(2.0, 5.0))
    server.kill9()
    stop.set()
    for t in pool:
        t.join(10)
    server.start()
    items.acknowledged += len(acked_items)
    tasks.acknowledged += len(acked_tasks)
    for item_uuid, _digest in acked_items:
        r = http.get(f"{api}/items/{item_uuid}/", headers=server.auth)
        if r.status_code == 200:
            items.verified += 1
        else:
            items.lost.append(f"item {item_uuid}: {r.status_code}")
    for task_uuid in acked_tasks:
        r = http.get(f"{api}/tasks/{task_uuid}/", headers=server.auth)
        if r.status_code == 200:
            tasks.verified += 1
        else:
            tasks.lost.append(f"task {task_uuid}: {r.status_code}")


def scan_round(server: Server, http: httpx.Client, scans: Tally, library: Path, rng: random.Random) -> None:
    files = sorted(library.rglob("*.wav"))
    env = server.env()
    proc = subprocess.Popen(
        [sys.executable, "-m", "polyphony.cli", "scan", str(library), "--data-dir", str(server.data_dir)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(rng.uniform(1.0, 3.0))
    proc.kill()  # kill -9 the scan
    proc.wait()
    server.kill9()  # and the server
    server.start()
    done = subprocess.run(
        [sys.executable, "-m", "polyphony.cli", "scan", str(library), "--data-dir", str(server.data_dir)],
        env=env,
        capture_output=True,
        timeout=600,
    )
    scans.acknowledged += len(files)
    if done.returncode != 0:
        scans.lost.append(f"rescan failed: {done.stderr[-500:]!r}")
        return
    tracks = http.get("/aura/tracks", params={"filter[artist]": "Fault Band", "limit": 1000}).json()["data"]
    paths = sorted(t["attributes"].get("title") for t in tracks)
    expected = sorted(f.stem for f in files)
    scans.verified += sum(1 for p in set(paths) if p in expected)
    if paths != expected:
        scans.lost.append(f"library has {len(paths)} tracks for {len(expected)} files")


def make_library(root: Path, n: int) -> None:
    from mutagen.wave import WAVE

    for i in range(n):
        path = root / f"album {i // 10}" / f"fault-track-{i:03d}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav(3.0, i))
        tags = WAVE(path)
        tags.add_tags()
        from mutagen.id3 import TALB, TIT2, TPE1

        tags.tags.add(TIT2(encoding=3, text=path.stem))  # type: ignore[union-attr]
        tags.tags.add(TPE1(encoding=3, text="Fault Band"))  # type: ignore[union-attr]
        tags.tags.add(TALB(encoding=3, text=f"Fault {i // 10}"))  # type: ignore[union-attr]
        tags.save()


def leftovers(data_dir: Path) -> tuple[int, int]:
    parts = sum(1 for p in (data_dir / "objects").rglob("*.part"))
    scratch = (
        sum(1 for p in (data_dir / "objects" / "timeside" / "scratch").glob("run-*"))
        if (data_dir / "objects" / "timeside" / "scratch").exists()
        else 0
    )
    return parts, scratch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--tracks", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="polyphony-faults-"))
    server = Server(work / "data", free_port(), args.workers, args.database_url)
    tallies = {
        name: Tally() for name in ("segment registration", "object upload", "analysis item", "analysis task", "scan")
    }
    swept_leftovers = []
    make_library(work / "library", args.tracks)
    try:
        server.start()
        with httpx.Client(base_url=server.base, timeout=60) as http:
            for r in range(args.rounds):
                segments_round(server, http, tallies["segment registration"], tallies["object upload"], rng)
                swept_leftovers.append(leftovers(server.data_dir))
                analysis_round(server, http, tallies["analysis item"], tallies["analysis task"], rng)
                swept_leftovers.append(leftovers(server.data_dir))
                scan_round(server, http, tallies["scan"], work / "library", rng)
                print(f"round {r + 1}/{args.rounds} done", flush=True)
    finally:
        server.stop()
    print(
        f"\nkill -9 of every server process x {args.rounds} rounds per scenario, workers={args.workers}, "
        f"database={'postgresql' if 'postgres' in args.database_url else 'sqlite'}"
    )
    print(f"{'scenario':<22}{'acknowledged':>13}{'verified':>10}{'lost':>6}{'5xx':>6}")
    lost = 0
    for name, t in tallies.items():
        print(f"{name:<22}{t.acknowledged:>13}{t.verified:>10}{len(t.lost):>6}{t.errors_5xx:>6}")
        for what in t.lost[:5]:
            print(f"    lost: {what}")
        lost += len(t.lost)
    log = (server.data_dir / "serve.log").read_text(errors="replace")
    swept = re.findall(r"swept (\d+) partial object file\(s\) and (\d+) analysis scratch folder\(s\)", log)
    print(
        f"swept at restarts: {sum(int(p) for p, _ in swept)} partial object files, "
        f"{sum(int(s) for _, s in swept)} analysis scratch folders; "
        f".part files / scratch folders left after each restart: {swept_leftovers}"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
