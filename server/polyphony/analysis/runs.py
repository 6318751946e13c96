"""Presets, tasks and results, and the in-process job runner that turns a task into a result.

A task runs its preset over its item: the audio is decoded once, in blocks, in a worker thread; the
analyzer container (TimeSide's JSON container layout) goes to the object store and the (item, preset)
Result row is created or overwritten. Status codes are TimeSide's: 0 failed, 1 draft, 2 pending,
3 running, 4 done. Tasks still pending or running when the server stopped are run again at start.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import soundfile as sf
from sqlalchemy import select

from polyphony.analysis.items import now, parse_uuid
from polyphony.analysis.mapping import iso
from polyphony.analysis.models import Item, Preset, Result, Task
from polyphony.analysis.processors import AnalyzerResult, Processor, get_processor, validate_parameters
from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.core.objects import ObjectStore

FAILED, DRAFT, PENDING, RUNNING, DONE = 0, 1, 2, 3, 4
BLOCK_FRAMES = 65536
log = logging.getLogger("polyphony.analysis")
_REF = re.compile(r"/(?P<kind>items|presets|processors)/(?P<key>[^/?#]+)/?(?:[?#].*)?$")


def reference(value: object, kind: str, field: str) -> str:
    """The key of a hyperlinked relation (`http://.../timeside/api/<kind>/<key>/`) or of a bare key."""
    if value is None or value == "":
        raise InvalidArgument("This field is required.", field=field)
    if not isinstance(value, str):
        raise InvalidArgument("Incorrect type. Expected URL string.", field=field)
    if "/" not in value:
        return value
    match = _REF.search(value)
    if match is None or match.group("kind") != kind:
        raise InvalidArgument("Invalid hyperlink - No URL match.", field=field)
    return match.group("key")


def analyze_file(path: Path, jobs: list[tuple[Processor, dict[str, Any]]]) -> list[list[AnalyzerResult]]:
    """Decode `path` once (mono mixdown, float64 blocks) through every job's analyzer."""
    with sf.SoundFile(str(path)) as f:
        analyzers = [p.analyzer(f.samplerate, params) for p, params in jobs]
        for block in f.blocks(blocksize=BLOCK_FRAMES, dtype="float64", always_2d=True):
            mono = block.mean(axis=1)
            for analyzer in analyzers:
                analyzer.feed(mono)
    return [a.finish() for a in analyzers]


def container(results: list[AnalyzerResult], processor: Processor, preset: Preset, item: Item) -> list[dict[str, Any]]:
    """TimeSide's JSON container: one dict per analyzer result with its four metadata blocks."""
    out = []
    for r in results:
        entry: dict[str, Any] = {
            "id_metadata": {"id": r.id, "name": r.name, "unit": r.unit, "description": processor.description,
                            "date": iso(now()), "version": processor.version, "author": "Polyphony",
                            "proc_uuid": preset.uuid},
            "audio_metadata": {"uri": item.source_key or "", "start": 0.0, "duration": item.audio_duration,
                               "is_segment": False, "sha1": item.sha1, "channels": item.channels,
                               "channelsManagement": "mean"},
            "data_object": {"value": r.value},
            "parameters": {**processor.parameters_default, **preset.parameters},
            "data_mode": "value",
            "time_mode": r.time_mode,
        }
        if r.frame_metadata is not None:
            entry["frame_metadata"] = r.frame_metadata
        out.append(entry)
    return out


class RunService:
    def __init__(self, db: Database, objects: ObjectStore) -> None:
        self.db = db
        self.objects = objects
        self._running: dict[str, asyncio.Task[None]] = {}

    # presets -------------------------------------------------------------------------------
    async def create_preset(self, raw: Mapping[str, object]) -> Preset:
        processor = get_processor_field(raw.get("processor"))
        params = validate_parameters(processor, raw.get("parameters", {}) or {})
        stamp = now()
        preset = Preset(uuid=str(uuid.uuid4()), processor_pid=processor.pid, processor_version=processor.version,
                        parameters=params, is_public=bool(raw.get("is_public", True)), date_added=stamp,
                        date_modified=stamp)
        async with self.db.transaction() as session:
            session.add(preset)
        return preset

    async def list_presets(self) -> list[Preset]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Preset).order_by(Preset.date_added, Preset.uuid))).all())

    async def get_preset(self, key: str) -> Preset:
        async with self.db.session() as session:
            preset = await session.get(Preset, _uuid_or_404(key, "Preset"))
        if preset is None:
            raise NotFound("No Preset matches the given query.")
        return preset

    # tasks ---------------------------------------------------------------------------------
    async def create_task(self, raw: Mapping[str, object]) -> Task:
        item_key = reference(raw.get("item"), "items", "item")
        preset_key = reference(raw.get("preset"), "presets", "preset")
        status = raw.get("status", PENDING)
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if status not in (DRAFT, PENDING):
            raise InvalidArgument("A new task's status must be 1 (draft) or 2 (pending).", field="status")
        stamp = now()
        async with self.db.transaction() as session:
            item = await session.get(Item, _uuid_or_invalid(item_key, "item"))
            if item is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="item")
            preset = await session.get(Preset, _uuid_or_invalid(preset_key, "preset"))
            if preset is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="preset")
            task = Task(uuid=str(uuid.uuid4()), item_uuid=item.uuid, preset_uuid=preset.uuid, status=int(status),
                        error="", date_added=stamp, date_modified=stamp)
            session.add(task)
        if task.status == PENDING:
            self.submit(task.uuid)
        return task

    async def list_tasks(self) -> list[Task]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Task).order_by(Task.date_added, Task.uuid))).all())

    async def get_task(self, key: str) -> Task:
        async with self.db.session() as session:
            task = await session.get(Task, _uuid_or_404(key, "Task"))
        if task is None:
            raise NotFound("No Task matches the given query.")
        return task

    # results -------------------------------------------------------------------------------
    async def list_results(self, item_uuid: str | None = None, preset_uuid: str | None = None) -> list[Result]:
        stmt = select(Result).order_by(Result.date_added, Result.uuid)
        if item_uuid is not None:
            stmt = stmt.where(Result.item_uuid == item_uuid)
        if preset_uuid is not None:
            stmt = stmt.where(Result.preset_uuid == preset_uuid)
        async with self.db.session() as session:
            return list((await session.scalars(stmt)).all())

    async def get_result(self, key: str) -> Result:
        async with self.db.session() as session:
            result = await session.get(Result, _uuid_or_404(key, "Result"))
        if result is None:
            raise NotFound("No Result matches the given query.")
        return result

    def read_result_file(self, result: Result) -> AsyncIterator[bytes]:
        if result.file_key is None:
            raise NotFound("This result has no data yet.")
        return self.objects.read(result.file_key)

    # the job runner ------------------------------------------------------------------------
    def submit(self, task_uuid: str) -> None:
        job = asyncio.create_task(self._run(task_uuid), name=f"analysis-task-{task_uuid}")
        self._running[task_uuid] = job
        job.add_done_callback(lambda _: self._running.pop(task_uuid, None))

    async def wait(self, task_uuid: str) -> None:
        job = self._running.get(task_uuid)
        if job is not None:
            await asyncio.shield(job)

    async def resume(self) -> None:
        """Run again whatever was pending or running when the server last stopped."""
        async with self.db.session() as session:
            keys = (await session.scalars(select(Task.uuid).where(Task.status.in_((PENDING, RUNNING))))).all()
        for key in keys:
            self.submit(key)

    async def close(self) -> None:
        for job in list(self._running.values()):
            job.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def _set_status(self, task_uuid: str, status: int, error: str = "") -> None:
        async with self.db.transaction() as session:
            task = await session.get(Task, task_uuid)
            if task is not None:
                task.status, task.error, task.date_modified = status, error, now()

    async def _run(self, task_uuid: str) -> None:
        try:
            await self._set_status(task_uuid, RUNNING)
            await self._execute(task_uuid)
            await self._set_status(task_uuid, DONE)
        except asyncio.CancelledError:
            raise  # shutdown: the task stays `running` and is resumed at the next start
        except Exception as exc:
            log.warning("analysis task %s failed: %s", task_uuid, exc)
            await self._set_status(task_uuid, FAILED, str(exc)[:1000])

    async def _execute(self, task_uuid: str) -> None:
        async with self.db.session() as session:
            task = await session.get(Task, task_uuid)
            if task is None:
                return
            item = await session.get(Item, task.item_uuid)
            preset = await session.get(Preset, task.preset_uuid)
        if item is None or preset is None:
            raise RuntimeError("the task's item or preset no longer exists")
        if item.source_key is None:
            raise RuntimeError("the item has no audio file")
        processor = get_processor(preset.processor_pid)
        path = self.objects.local_path(item.source_key)
        if path is None:
            raise RuntimeError("the object store has no local files")
        started = time.monotonic()
        (results,) = await asyncio.to_thread(analyze_file, path, [(processor, dict(preset.parameters))])
        data = json.dumps(container(results, processor, preset, item)).encode()
        run_time = time.monotonic() - started
        await self._store_result(item, preset, data, run_time)

    async def _store_result(self, item: Item, preset: Preset, data: bytes, run_time: float) -> None:
        async with self.db.transaction() as session:
            result = await session.scalar(
                select(Result).where(Result.item_uuid == item.uuid, Result.preset_uuid == preset.uuid))
            stamp = now()
            if result is None:
                result = Result(uuid=str(uuid.uuid4()), item_uuid=item.uuid, preset_uuid=preset.uuid,
                                date_added=stamp)
                session.add(result)
            key = f"timeside/results/{item.uuid}/{result.uuid}.json"

            async def one() -> AsyncIterator[bytes]:
                yield data

            await self.objects.put(key, one())
            result.file_key, result.mime_type, result.status = key, "application/json", DONE
            result.run_time, result.date_modified = run_time, stamp


def get_processor_field(value: object) -> Processor:
    pid = reference(value, "processors", "processor")
    try:
        return get_processor(pid)
    except NotFound:
        raise InvalidArgument(f'Object with pid={pid} does not exist.', field="processor") from None


def _uuid_or_404(key: str, model: str) -> str:
    try:
        return parse_uuid(key)
    except NotFound:
        raise NotFound(f"No {model} matches the given query.") from None


def _uuid_or_invalid(key: str, field: str) -> str:
    try:
        return parse_uuid(key)
    except NotFound:
        raise InvalidArgument("Invalid hyperlink - Object does not exist.", field=field) from None
