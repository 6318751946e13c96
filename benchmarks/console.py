"""The web console's size and speed: initial JavaScript (gzipped) from the Vite build, and how long after
navigation the first page of tracks is painted on /library with a 100k-track library, measured in headless
Chromium with the Performance API (console/e2e/measure.mjs).

    .venv/bin/python benchmarks/console.py --tracks 100000 --runs 5 [--keep DIR]

Budget (issue 16): initial JS <= 250 KB gzipped, first tracks page painted <= 300 ms after navigation.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "console" / "dist"
sys.path.insert(0, str(ROOT / "scripts"))
import synth_library  # noqa: E402


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), 9))


def chunk_closure(manifest: dict[str, dict[str, object]], key: str, seen: set[str]) -> set[str]:
    """The files a chunk needs before it runs: itself and its static imports, transitively."""
    if key in seen:
        return seen
    seen.add(key)
    for dep in manifest[key].get("imports", []):  # type: ignore[union-attr]
        chunk_closure(manifest, str(dep), seen)
    return seen


def js_sizes() -> dict[str, int]:
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text())
    entry = next(k for k, v in manifest.items() if v.get("isEntry"))
    initial = chunk_closure(manifest, entry, set())
    sizes = {"initial (entry + static imports)": sum(gz(DIST / manifest[k]["file"]) for k in initial)}
    css = sum(gz(DIST / c) for k in initial for c in manifest[k].get("css", []))
    sizes["initial CSS"] = css
    for key, chunk in manifest.items():
        if chunk.get("isDynamicEntry") and key.startswith("src/screens/"):
            extra = chunk_closure(manifest, key, set()) - initial
            sizes[f"+ {Path(key).stem} screen"] = sum(gz(DIST / manifest[k]["file"]) for k in extra)
    sizes["API docs renderer (loaded on /docs only)"] = gz(DIST / "vendor" / "rapidoc-min.js")
    return sizes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--real-files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="reuse/keep this work directory")
    args = parser.parse_args()
    if not (DIST / ".vite" / "manifest.json").exists():
        raise SystemExit("console/dist is missing: run scripts/setup")

    print("initial JavaScript, gzipped (budget 250 KB):")
    for label, size in js_sizes().items():
        print(f"  {label:45s} {size / 1000:8.1f} KB")

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="console-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "polyphony.db").exists():
        print(f"building the {args.tracks}-track library ...", flush=True)
        print(f"  {asyncio.run(synth_library.build(work, args.tracks, args.real_files)):.1f}s")
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "polyphony"), "serve", "--data-dir", str(work), "--http-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/aura/server", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        node = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
        env = dict(os.environ, CHROMIUM=shutil.which("chromium") or "/usr/bin/chromium")
        out = subprocess.run(
            [node, "e2e/measure.mjs", f"http://127.0.0.1:{port}", str(args.runs)],
            cwd=ROOT / "console",
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        if out.returncode != 0:
            raise SystemExit(f"measure.mjs failed:\n{out.stdout}\n{out.stderr}")
        runs = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"/library on {args.tracks} tracks, {len(runs)} cold navigations (ms after navigation start):")
    for key, label in [
        ("fcp", "first contentful paint"),
        ("inDom", "first track row in the DOM"),
        ("painted", "first tracks page painted (budget 300)"),
    ]:
        values = [r[key] for r in runs if r[key] is not None]
        print(
            f"  {label:40s} median {statistics.median(values):7.1f}   min {min(values):7.1f}   max {max(values):7.1f}"
        )
    print(f"  rows in the DOM (virtualised list):         {runs[0]['rows']}")
    scrolled = statistics.median(r["msPerScrolledPage"] for r in runs)
    print(f"  scrolling to the end 20 times: {runs[0]['scrolledTo']} tracks loaded, median {scrolled:.0f} ms per page")


if __name__ == "__main__":
    main()
