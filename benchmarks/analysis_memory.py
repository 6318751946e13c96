"""Peak memory (RSS) of one analysis task over a long file, end to end, in a child process.

    .venv/bin/python benchmarks/analysis_memory.py [--minutes 60] [--rate 22050] [--mode task|memory]

`task` (default) is what the server does: the child migrates a scratch SQLite database, uploads the
WAV as an item, creates the default experience's presets (level, spectrogram, onsets, tempo, pitch,
MFCC, loudness) and runs the task through `execute_task` (streaming decode, frame-wise results
appended to the HDF5 containers on disk, containers streamed into the object store). `memory` runs
the same analyzers keeping every result in memory and building the containers in memory, as the
pipeline did before results were streamed to disk: the contrast shows what streaming saves.
The parent reads the child's peak RSS (getrusage RUSAGE_CHILDREN) and prints it.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import soundfile as sf

GOAL_MB = 500


def synthesize(path: Path, minutes: float, rate: int) -> float:
    """Harmonic notes on a steady pulse plus a little noise, written block by block (16-bit WAV)."""
    rng = np.random.default_rng(0)
    note = 0.5
    seconds = minutes * 60
    t = np.arange(int(note * rate)) / rate
    with sf.SoundFile(str(path), "w", rate, 1, format="WAV", subtype="PCM_16") as out:
        for _ in range(int(seconds / note)):
            f0 = 110 * 2 ** (rng.integers(0, 24) / 12)
            tone = sum(0.2 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 5)) * np.exp(-3 * t)
            out.write((tone + 0.005 * rng.standard_normal(t.size)).astype(np.float32))
    return seconds


async def run_task(wav: Path, data: Path) -> str:
    from polyphony.analysis.catalog.service import Catalog
    from polyphony.analysis.engine.processors import DEFAULT_EXPERIENCE
    from polyphony.analysis.items.service import ItemService
    from polyphony.analysis.models import Result, Task
    from polyphony.analysis.tasks.jobs import DONE, PENDING, execute_task, file_chunks
    from polyphony.app import migrate
    from polyphony.core.db import Database
    from polyphony.core.local_copies import LocalCopies
    from polyphony.core.objects import FilesystemObjectStore

    db = Database(f"sqlite+aiosqlite:///{data / 'db.sqlite'}")
    await migrate(db)
    objects = FilesystemObjectStore(data / "objects")
    try:
        item = await ItemService(db, objects).create_from_upload({"title": "long"}, wav.name, file_chunks(wav))
        catalog = Catalog(db)
        await catalog.sync_processors()
        presets = [
            (await catalog.create_preset({"processor": pid, "parameters": {}}))[0].uuid for pid in DEFAULT_EXPERIENCE
        ]
        experience = await catalog.create_experience({"title": "default", "presets": presets})
        async with db.transaction() as session:
            from polyphony.analysis.items.service import now

            stamp = now()
            task = Task(
                uuid=str(uuid.uuid4()),
                item_uuid=item.uuid,
                experience_uuid=experience.row.uuid,
                status=PENDING,
                progress=0.0,
                error="",
                date_added=stamp,
                date_modified=stamp,
            )
            session.add(task)
        await execute_task(db, LocalCopies(objects, data / "cache", 1 << 30), task.uuid)
        async with db.session() as session:
            done = await session.get(Task, task.uuid)
            assert done is not None and done.status == DONE, (done.status, done.error) if done else None
            from sqlalchemy import select

            results = (await session.scalars(select(Result).where(Result.task_uuid == task.uuid))).all()
        sizes = [await objects.size(r.file_key or "") or 0 for r in results]
        return f"{len(results)} results, containers {sum(sizes) / 1e6:.0f} MB on disk"
    finally:
        await db.dispose()


def in_memory(wav: Path) -> str:
    from polyphony.analysis.engine.pipeline import analyze_file
    from polyphony.analysis.engine.processors import DEFAULT_EXPERIENCE, PROCESSORS, normalize_parameters
    from polyphony.analysis.formats import containers

    jobs = [(PROCESSORS[p], normalize_parameters(PROCESSORS[p], {})) for p in DEFAULT_EXPERIENCE]
    size = 0
    for (_, params), results in zip(jobs, analyze_file(wav, jobs), strict=True):
        size += len(containers.to_hdf5(containers.build(results, {}, {}, params)))
    return f"{len(jobs)} containers built in memory, {size / 1e6:.0f} MB"


def child(mode: str, wav: Path, data: Path) -> None:
    started = time.perf_counter()
    summary = asyncio.run(run_task(wav, data)) if mode == "task" else in_memory(wav)
    print(f"{summary}; {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--rate", type=int, default=22050)
    parser.add_argument("--mode", choices=("task", "memory"), default="task")
    parser.add_argument("--child", nargs=2, metavar=("WAV", "DATA_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.mode, Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        wav = Path(tmp) / "long.wav"
        seconds = synthesize(wav, args.minutes, args.rate)
        data = Path(tmp) / "data"
        data.mkdir()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run(
            [sys.executable, __file__, "--mode", args.mode, "--child", str(wav), str(data)],
            check=True,
            capture_output=True,
            text=True,
        )
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb <= before:
        print("warning: the child's peak did not exceed an earlier child's; the number below is a floor")
    print(f"audio: {seconds / 60:.0f} min at {args.rate} Hz mono ({wav.name}, 16-bit WAV)")
    print(f"mode {args.mode}: {out.stdout.strip()}")
    print(f"peak RSS of the analysis process: {peak_kb / 1024:.0f} MB (goal < {GOAL_MB} MB)")


if __name__ == "__main__":
    main()
