"""The task function: run a task's experience over its item or selection. The in-process runner and
the Celery worker both call `execute_task`, so a task behaves the same wherever it runs.

Per item the audio is decoded once for all presets that are not cached. A result is reused, not
recomputed, when a done result with the same cache key exists (audio SHA-256, processor pid and
version, normalized parameters). Progress and cancellation go through the task row: a pump writes
the progress fraction every `PROGRESS_EVERY` seconds and stops the decode when the row says the
task is no longer running (a cancel).

Results never sit whole in memory: each preset's analyzer appends its frame-wise values to its HDF5
container in a scratch directory as the decode goes on; the finished file is then streamed into the
object store.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
from sqlalchemy import select

from polyphony.analysis.catalog.service import Catalog
from polyphony.analysis.engine.pipeline import Cancelled, analyze_file
from polyphony.analysis.engine.processors import REGISTRY, Processor, parameters_digest
from polyphony.analysis.engine.series import HDF5Output
from polyphony.analysis.formats import containers
from polyphony.analysis.formats.keys import result_key
from polyphony.analysis.items.downloads import Downloads
from polyphony.analysis.items.service import now
from polyphony.analysis.models import Item, Preset, Result, Task
from polyphony.core.db import Database
from polyphony.core.local_copies import LocalCopies
from polyphony.core.objects import ObjectStore

FAILED, DRAFT, PENDING, RUNNING, DONE = 0, 1, 2, 3, 4
CANCELLED = "Cancelled by request."
PROGRESS_EVERY = 0.2
log = logging.getLogger("polyphony.analysis")


def cache_key(audio_sha256: str, processor: Processor, params: dict[str, Any]) -> str:
    from polyphony.analysis.engine.processors import parameters_digest

    return hashlib.sha256(
        f"{audio_sha256}:{parameters_digest(processor.pid, processor.version, params)}".encode()
    ).hexdigest()


@dataclass
class Progress:
    fraction: float = 0.0


async def file_chunks(path: Path, size: int = 1 << 20) -> AsyncIterator[bytes]:
    """The bytes of the file at `path`, read in pieces of `size` off the event loop."""
    fh = await asyncio.to_thread(open, path, "rb")
    try:
        while chunk := await asyncio.to_thread(fh.read, size):
            yield chunk
    finally:
        fh.close()


def scratch_dir(copies: LocalCopies) -> Path:
    """A new private directory for containers being written: beside the objects when they are local files,
    else beside the local copies of remote objects (the data disk either way, not a RAM-backed /tmp)."""
    anchor = copies.objects.local_path("timeside/scratch/anchor")
    parent = anchor.parent if anchor is not None else copies.root.parent / "scratch"
    parent.mkdir(parents=True, exist_ok=True)
    # the pid in the name: polyphony.core.sweep removes the folders of processes that are gone
    return Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=parent))


async def read_all(objects: ObjectStore, key: str) -> bytes:
    return b"".join([chunk async for chunk in objects.read(key)])


class TaskRun:
    def __init__(self, db: Database, copies: LocalCopies, task_uuid: str) -> None:
        self.db, self.copies, self.task_uuid = db, copies, task_uuid
        self.objects = copies.objects
        self.catalog = Catalog(db)
        self.progress = Progress()
        self.stop = threading.Event()

    async def _claim(self) -> Task | None:
        async with self.db.transaction() as session:
            task = await session.get(Task, self.task_uuid, with_for_update=True)
            if task is None or task.status not in (PENDING, RUNNING):
                return None
            task.status, task.progress, task.error = RUNNING, 0.0, ""
            task.run_started = task.date_modified = now()
            return task

    async def _finish(self, status: int, error: str = "") -> None:
        async with self.db.transaction() as session:
            task = await session.get(Task, self.task_uuid, with_for_update=True)
            if task is not None and task.status == RUNNING:  # a cancel already wrote its own status
                task.status, task.error, task.date_modified = status, error[:1000], now()
                if status == DONE:
                    task.progress = 1.0

    async def _pump(self) -> None:
        written = -1.0
        while True:
            await asyncio.sleep(PROGRESS_EVERY)
            async with self.db.transaction() as session:
                task = await session.get(Task, self.task_uuid, with_for_update=True)
                if task is None or task.status != RUNNING:
                    self.stop.set()
                    return
                if self.progress.fraction != written:
                    written = self.progress.fraction
                    task.progress = round(written, 4)

    async def run(self) -> None:
        task = await self._claim()
        if task is None:
            return
        pump = asyncio.create_task(self._pump())
        try:
            await self._execute(task)
            await self._finish(DONE)
        except Cancelled:
            log.info("analysis task %s cancelled", self.task_uuid)
        except asyncio.CancelledError:
            raise  # shutdown: the task stays `running` and is resumed at the next start
        except Exception as exc:
            log.warning("analysis task %s failed: %s", self.task_uuid, exc)
            await self._finish(FAILED, str(exc) or type(exc).__name__)
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)

    async def _execute(self, task: Task) -> None:
        if task.experience_uuid is None:
            raise RuntimeError("the task has no experience")
        presets = await self.catalog.experience_presets(task.experience_uuid)
        if task.item_uuid is not None:
            items = [task.item_uuid]
        elif task.selection_uuid is not None:
            items = await self.catalog.all_items(task.selection_uuid)
        else:
            raise RuntimeError("the task has neither an item nor a selection")
        for index, item_uuid in enumerate(items):
            await self._item(item_uuid, presets, index, len(items))
            self.progress.fraction = (index + 1) / len(items)

    async def _item(self, item_uuid: str, presets: list[Preset], index: int, count: int) -> None:
        async with self.db.session() as session:
            item = await session.get(Item, item_uuid)
        if item is None:
            raise RuntimeError(f"item {item_uuid} no longer exists")
        if item.source_key is None or item.sha256 is None:
            raise RuntimeError(f"the item {item_uuid} has no audio file")
        todo: list[tuple[Preset, Processor, dict[str, Any], str]] = []
        encoders: list[Preset] = []
        for preset in presets:
            processor = REGISTRY.get(preset.processor_pid)
            if processor is None or processor.version != preset.processor_version:
                raise RuntimeError(f"processor {preset.processor_pid} {preset.processor_version} is not installed")
            if processor.kind == "encoder":
                encoders.append(preset)
                continue
            params = dict(preset.parameters)
            key = cache_key(item.sha256, processor, params)
            hit = await self._cached(key)
            if hit is not None and await self.objects.size(hit.file_key or "") is not None:
                await self._reuse(item, preset, hit, key)
            else:
                todo.append((preset, processor, params, key))
        if encoders:
            await self._encode(item, encoders)
        if not todo:
            return
        async with self.copies.local_file(item.source_key) as path:
            await self._analyze(item, path, todo, index, count)

    async def _analyze(
        self, item: Item, path: Path, todo: list[tuple[Preset, Processor, dict[str, Any], str]], index: int, count: int
    ) -> None:
        def progress(fraction: float) -> None:
            self.progress.fraction = (index + fraction) / count

        scratch = await asyncio.to_thread(scratch_dir, self.copies)
        paths = [scratch / f"{n}.hdf5" for n in range(len(todo))]
        files: list[h5py.File] = []
        try:
            for container in paths:
                files.append(await asyncio.to_thread(h5py.File, container, "w"))
            started = time.monotonic()
            outputs = await asyncio.to_thread(
                analyze_file,
                path,
                [(p, params) for _, p, params, _ in todo],
                progress,
                self.stop.is_set,
                [HDF5Output(f) for f in files],
            )
            run_time = time.monotonic() - started
            for (preset, processor, params, _key), results, f in zip(todo, outputs, files, strict=True):
                await asyncio.to_thread(
                    containers.write_results,
                    f,
                    results,
                    {
                        "description": processor.description,
                        "date": now().isoformat(),
                        "version": processor.version,
                        "author": "Polyphony",
                        "proc_uuid": preset.uuid,
                    },
                    {
                        "uri": item.source_key,
                        "start": 0.0,
                        "duration": item.audio_duration or 0.0,
                        "is_segment": False,
                        "sha1": item.sha1 or "",
                        "channels": item.channels or 0,
                        "channelsManagement": "mean",
                    },
                    params,
                )
                await asyncio.to_thread(f.close)
            for (preset, _processor, _params, key), container in zip(todo, paths, strict=True):
                await self._store(item, preset, key, run_time, source=file_chunks(container))
        finally:
            for f in files:
                if f.id.valid:
                    await asyncio.to_thread(f.close)
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    async def _encode(self, item: Item, presets: list[Preset]) -> None:
        """Encoder presets: the item's whole file transcoded (streamed, never whole in memory) into an audio
        Result, sharing the content-hash cache of `/items/{uuid}/download/{ext}`."""
        downloads = Downloads(self.db, self.copies)
        for preset in presets:
            if self.stop.is_set():
                raise Cancelled()
            processor = REGISTRY[preset.processor_pid]
            digest = parameters_digest(processor.pid, processor.version, dict(preset.parameters))
            await downloads.encode(item, processor.extension, preset.uuid, digest, self.task_uuid)

    async def _cached(self, key: str) -> Result | None:
        async with self.db.session() as session:
            return await session.scalar(
                select(Result)
                .where(Result.cache_key == key, Result.status == DONE, Result.file_key.is_not(None))
                .order_by(Result.date_added)
                .limit(1)
            )

    async def _reuse(self, item: Item, preset: Preset, hit: Result, key: str) -> None:
        source = (
            None
            if (hit.item_uuid, hit.preset_uuid) == (item.uuid, preset.uuid)
            else self.objects.read(hit.file_key or "")
        )
        await self._store(item, preset, key, hit.run_time or 0.0, source=source, reused_from=hit.uuid)

    async def _store(
        self,
        item: Item,
        preset: Preset,
        key: str,
        run_time: float,
        *,
        source: AsyncIterable[bytes] | None,
        reused_from: str | None = None,
    ) -> None:
        """Create or overwrite the (item, preset) result from the container bytes `source` (streamed into the
        object store); `source` None keeps its stored container."""
        written: str | None = None
        old: str | None = None
        try:
            async with self.db.transaction() as session:
                result = await session.scalar(
                    select(Result).where(Result.item_uuid == item.uuid, Result.preset_uuid == preset.uuid)
                )
                stamp = now()
                if result is None:
                    result = Result(
                        uuid=str(uuid.uuid4()), item_uuid=item.uuid, preset_uuid=preset.uuid, date_added=stamp
                    )
                    session.add(result)
                old = result.file_key
                if source is not None:
                    written = result_key(item.uuid, result.uuid)
                    await self.objects.put(written, source)
                    result.file_key = written
                result.mime_type, result.status = containers.MIME["hdf5"], DONE
                result.cache_key, result.reused_from, result.task_uuid = key, reused_from, self.task_uuid
                result.run_time, result.date_modified = run_time, stamp
        except BaseException:
            if written is not None and written != old:
                await self.objects.delete(written)
            raise
        if old is not None and written is not None and old != written:
            await self.objects.delete(old)


async def execute_task(db: Database, copies: LocalCopies, task_uuid: str) -> None:
    """Run one task to its end (done, failed or cancelled). Safe to call for a task that is not pending.
    Input audio is read from the object store (a local copy when the store is remote), containers and
    encoded audio are written to it."""
    await TaskRun(db, copies, task_uuid).run()
