"""AURA throughput: Polyphony vs beets' AURA plugin, same library, same load tool, same run.

    .venv/bin/python benchmarks/aura_vs_beets.py --tracks 100000 --duration 10

Builds the same synthetic library for both servers (scripts/synth_library.py: N tracks, a few hundred
real FLAC files), installs beets + flask + gunicorn into a scratch virtualenv (first run only), imports
the library into beets through its Python API (`beet import` costs ~15 ms per track), starts
`polyphony serve --workers 2` and `gunicorn -w 2 'beetsplug.aura:create_app()'`, then measures each
endpoint with wrk (32 connections) and prints requests/s, p50 and p99 side by side. Single-track requests
pick a random id per request (wrk Lua), so neither server answers from a warm cache of one resource.
Each measurement starts once the machine is idle (gunicorn is restarted when its workers are still busy
with requests wrk gave up on, which otherwise slowed the next measurement down by half).
Needs `wrk` (Debian package).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import synth_library  # noqa: E402

BEETS_VENV = Path(tempfile.gettempdir()) / "polyphony-bench-beets"
BEETS_PACKAGES = ["beets==2.14.0", "flask", "flask-cors", "gunicorn"]

BEETS_IMPORT = textwrap.dedent("""
    import json, sys
    from beets.library import Library, Item
    db, root, rows_file, real = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    rows = json.load(open(rows_file))
    lib = Library(db, directory=root)
    with lib.transaction():
        album_items = []
        for i, tags in enumerate(rows):
            if i < real:
                item = Item.from_path(tags["path"])
            else:
                item = Item(title=tags["title"], artist=tags["artist"], album=tags["album"],
                            albumartist=tags["artist"], track=tags["track"], tracktotal=tags["tracktotal"],
                            year=tags["year"], genre=tags["genre"], path=tags["path"].encode(), format="FLAC",
                            length=180.0, bitrate=900000, samplerate=44100, channels=2, bitdepth=16)
            album_items.append(item)
            if len(album_items) == tags["tracktotal"]:
                lib.add_album(album_items)
                album_items = []
        if album_items:
            lib.add_album(album_items)
""")

RANDOM_ID_LUA = textwrap.dedent("""
    math.randomseed(os.time())
    request = function()
      return wrk.format("GET", "/aura/tracks/" .. math.random(1, {n}))
    end
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 900.0, fast: float | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            t = time.monotonic()
            with urllib.request.urlopen(url, timeout=5) as resp:
                resp.read()
            if fast is None or time.monotonic() - t < fast:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(url)


def busy_fraction(window: float = 0.5) -> float:
    """How busy the machine's CPUs were over `window` seconds (0..1), from /proc/stat."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    total0, idle0 = sample()
    time.sleep(window)
    total1, idle1 = sample()
    return 1.0 - (idle1 - idle0) / max(1, total1 - total0)


def wait_idle(limit: float = 0.15, timeout: float = 20.0) -> bool:
    """Wait until the machine is idle (below `limit` busy); False if it is still busy after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if busy_fraction() < limit:
            return True
    return False


def wrk(url: str, seconds: int, headers: dict[str, str], script: Path | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout

    def latency(label: str) -> float:
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
        return float(m.group(1)) * scale

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency("50%"), "p99": latency("99%"), "non2xx": float(errors.group(1)) if errors else 0}


def ensure_beets() -> Path:
    python = BEETS_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BEETS_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *BEETS_PACKAGES], check=True)
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--real-files", type=int, default=300)
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint and server")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", help="reuse/keep this work directory")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="aura-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    poly_dir, beets_dir = work / "polyphony", work / "beets"

    if not (poly_dir / "polyphony.db").exists():
        print(f"building the {args.tracks}-track library for polyphony ...", flush=True)
        seconds = asyncio.run(synth_library.build(poly_dir, args.tracks, args.real_files))
        print(f"  {seconds:.1f}s")
    beets_python = ensure_beets()
    beets_dir.mkdir(exist_ok=True)
    beets_port, poly_port = free_port(), free_port()
    (beets_dir / "config.yaml").write_text(
        f"plugins: aura\nlibrary: {beets_dir / 'library.db'}\ndirectory: {poly_dir / 'synth-library'}\n"
        "import: {copy: no, write: no, autotag: no, quiet: yes}\n"
        f"aura: {{host: 127.0.0.1, port: {beets_port}, page_limit: 50}}\n"
    )
    if not (beets_dir / "library.db").exists():
        print("importing the same library into beets ...", flush=True)
        rows = []
        root = poly_dir / "synth-library"
        for i, tags in enumerate(synth_library.metadata(args.tracks)):
            path = (
                synth_library.real_file_path(root, tags)
                if i < args.real_files
                else Path(f"/nonexistent/synthetic/{i:07d}.flac")
            )
            rows.append({**tags, "path": str(path)})
        rows_file = beets_dir / "rows.json"
        rows_file.write_text(json.dumps(rows))
        t = time.monotonic()
        subprocess.run(
            [
                str(beets_python),
                "-c",
                BEETS_IMPORT,
                str(beets_dir / "library.db"),
                str(root),
                str(rows_file),
                str(args.real_files),
            ],
            check=True,
            env=dict(os.environ, BEETSDIR=str(beets_dir)),
        )
        print(f"  {time.monotonic() - t:.1f}s")

    env = dict(os.environ, BEETSDIR=str(beets_dir))

    def start_beets() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                str(BEETS_VENV / "bin" / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{beets_port}",
                "--control-socket",
                str(beets_dir / "gunicorn.ctl"),
                "beetsplug.aura:create_app()",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop_beets(proc: subprocess.Popen[bytes]) -> None:
        """Kill gunicorn with its workers (alone, a busy worker outlives its master and keeps the port)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    beets = start_beets()
    poly = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "polyphony"),
            "serve",
            "--data-dir",
            str(poly_dir),
            "--http-port",
            str(poly_port),
            "--workers",
            str(args.workers),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    script = work / "random_track.lua"
    script.write_text(RANDOM_ID_LUA.format(n=args.tracks))
    endpoints = [
        ("server", "/aura/server", {}, None),
        ("first tracks page (limit 50)", "/aura/tracks?limit=50", {}, None),
        ("tracks filtered by artist", "/aura/tracks?filter%5Bartist%5D=Artist%2001234", {}, None),
        ("include=albums,artists", "/aura/tracks?limit=50&include=albums,artists", {}, None),
        ("single track (random id)", "/aura/tracks/1", {}, script),
        ("64 KiB audio range", "/aura/tracks/1/audio", {"Accept": "*/*", "Range": "bytes=0-65535"}, None),
    ]
    try:
        wait_http(f"http://127.0.0.1:{beets_port}/aura/server")
        wait_http(f"http://127.0.0.1:{poly_port}/aura/server")
        results = []
        for label, path, headers, lua in endpoints:
            row = [label]
            for port in (poly_port, beets_port):
                # Every measurement starts on an idle machine. gunicorn's sync workers finish every request
                # they accepted even after wrk hung up, so after a run where beets could not answer in
                # time (first page, include) they keep both cores busy for minutes and would slow down the
                # next measurement, whichever server it is for: such a gunicorn is restarted.
                if not wait_idle():
                    print("  (restarting gunicorn: its workers are still busy with abandoned requests)", flush=True)
                    stop_beets(beets)
                    beets = start_beets()
                    wait_http(f"http://127.0.0.1:{beets_port}/aura/server")
                    wait_idle()
                wait_http(f"http://127.0.0.1:{port}/aura/server", fast=0.05)
                url = f"http://127.0.0.1:{port}{path}"
                wrk(url, 1, headers, lua)  # warm-up
                row.append(wrk(url, args.duration, headers, lua))
            results.append(row)
            p, b = row[1], row[2]
            ratio = p["rps"] / b["rps"] if b["rps"] else float("inf")
            errors = ""
            if p["non2xx"] or b["non2xx"]:
                errors = f" (non-2xx: poly {p['non2xx']:.0f}, beets {b['non2xx']:.0f})"
            print(
                f"{label:32s} polyphony {p['rps']:8.1f}/s p50 {p['p50']:7.1f} ms p99 {p['p99']:7.1f} ms"
                f" | beets {b['rps']:8.1f}/s p50 {b['p50']:7.1f} ms p99 {b['p99']:7.1f} ms | x{ratio:.1f}{errors}",
                flush=True,
            )
    finally:
        poly.send_signal(signal.SIGTERM)
        stop_beets(beets)
        try:
            poly.wait(20)
        except subprocess.TimeoutExpired:
            poly.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
