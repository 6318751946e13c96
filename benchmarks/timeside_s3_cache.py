"""What the local-copies cache saves when TimeSide's bytes live in S3 (moto's S3 server on loopback).

    .venv/bin/python benchmarks/timeside_s3_cache.py [--minutes 10] [--rate 22050] [--rounds 3]

An item's WAV is uploaded to the bucket; then the item's waveform (what `/items/{uuid}/waveform/` and the
item page compute) is drawn from a local file of it: the first time the file is fetched from S3 into the
cache, the next times it is read from the cache. Also printed: the upload through `LocalCopies.put`,
which keeps the local copy as the bytes pass (no fetch back for the probe), against a plain `put`
followed by a fetch. Numbers only, no assertions; moto on loopback is far faster than real S3, so the
fetch times here are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import boto3
import numpy as np
import soundfile as sf
from moto.server import ThreadedMotoServer

from polyphony.analysis.engine import visuals
from polyphony.core.local_copies import LocalCopies
from polyphony.core.s3objects import S3ObjectStore

BUCKET = "bench"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def file_chunks(path: Path, size: int = 1 << 20) -> AsyncIterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(size):
            yield chunk


async def run(wav: Path, root: Path, endpoint: str, rounds: int) -> None:
    client = boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=BUCKET)
    store = S3ObjectStore(client, BUCKET)

    started = time.perf_counter()
    await store.put("timeside/items/plain.wav", file_chunks(wav))
    cold = LocalCopies(store, root / "cold", 1 << 34)
    async with cold.local_file("timeside/items/plain.wav"):
        pass
    plain = time.perf_counter() - started
    started = time.perf_counter()
    teed = LocalCopies(store, root / "teed", 1 << 34)
    await teed.put("timeside/items/teed.wav", file_chunks(wav))
    async with teed.local_file("timeside/items/teed.wav"):
        pass
    tee = time.perf_counter() - started
    print(f"upload then first local file: put + fetch {plain:.2f} s, put keeping the copy {tee:.2f} s")

    copies = LocalCopies(store, root / "cache", 1 << 34)
    for n in range(rounds + 1):
        started = time.perf_counter()
        async with copies.local_file("timeside/items/plain.wav") as path:
            fetched = time.perf_counter() - started
            await asyncio.to_thread(visuals.waveform, path, None, None, 600)
        total = time.perf_counter() - started
        label = "first (fetch from S3)" if n == 0 else f"again #{n} (cache)  "
        print(f"waveform {label}: local file {fetched * 1000:7.1f} ms, with the waveform {total * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=int, default=22050)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    try:
        with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
            wav = Path(tmp) / "item.wav"
            t = np.arange(int(args.minutes * 60 * args.rate)) / args.rate
            sf.write(wav, (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), args.rate, subtype="PCM_16")
            print(f"audio: {args.minutes:.0f} min at {args.rate} Hz mono, {wav.stat().st_size / 1e6:.0f} MB WAV")
            asyncio.run(run(wav, Path(tmp), f"http://127.0.0.1:{port}", args.rounds))
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
