"""Tasks and results: create/update/cancel tasks, hand them to the job runner, read results and
watch a task's progress as a stream of events.

Status codes are TimeSide's: 0 failed, 1 draft, 2 pending, 3 running, 4 done. A task created or set
to pending is started by the runner (in-process, or Celery when POLYPHONY_JOBS=celery); tasks still
pending or running when the in-process runner stopped are run again at start.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from polyphony.analysis.catalog import refs
from polyphony.analysis.catalog.service import Catalog
from polyphony.analysis.engine import visuals
from polyphony.analysis.formats import containers, exports
from polyphony.analysis.items.service import now
from polyphony.analysis.models import Experience, Item, Preset, Result, Selection, Task
from polyphony.analysis.tasks.jobs import CANCELLED, DONE, DRAFT, FAILED, PENDING, RUNNING, execute_task, read_all
from polyphony.analysis.tasks.runner import Runner
from polyphony.core.db import Database
from polyphony.core.errors import FailedPrecondition, InvalidArgument, NotFound
from polyphony.core.local_copies import LocalCopies

__all__ = ["DONE", "DRAFT", "FAILED", "PENDING", "RUNNING", "RunService", "TaskEvent", "execute_task"]
log = logging.getLogger("polyphony.analysis")
WATCH_EVERY = 0.1
WATCH_DRAFT_EVERY = 0.5  # a draft may wait long for its start: look less often


@dataclass
class TaskEvent:
    """One frame of a task's event stream: `progress`, `result` or the final `done` / `failed`."""

    kind: str
    sequence: int
    task: Task
    result: Result | None = None


def _status(value: object, allowed: tuple[int, ...]) -> int:
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
        raise InvalidArgument(f'"{value}" is not a valid choice.', field="status")
    return value


class RunService:
    def __init__(self, db: Database, copies: LocalCopies, catalog: Catalog, runner: Runner) -> None:
        self.db = db
        self.copies = copies
        self.objects = copies.objects
        self.catalog = catalog
        self.runner = runner

    # tasks ---------------------------------------------------------------------------------
    async def create_task(self, raw: Mapping[str, object], *, author: str | None = None) -> Task:
        status = _status(raw.get("status", PENDING), (DRAFT, PENDING))
        experience_key: str | None = None
        preset_key: str | None = None
        if raw.get("experience") not in (None, ""):
            experience_key = refs.uuid_or_invalid(
                refs.reference(raw.get("experience"), "experiences", "experience"), "experience"
            )
        elif raw.get("preset") not in (None, ""):
            preset_key = refs.uuid_or_invalid(refs.reference(raw.get("preset"), "presets", "preset"), "preset")
        else:
            raise InvalidArgument("This field is required.", field="experience")
        item_key = selection_key = None
        if raw.get("item") not in (None, ""):
            item_key = refs.uuid_or_invalid(refs.reference(raw.get("item"), "items", "item"), "item")
        if raw.get("selection") not in (None, ""):
            selection_key = refs.uuid_or_invalid(
                refs.reference(raw.get("selection"), "selections", "selection"), "selection"
            )
        if (item_key is None) == (selection_key is None):
            raise InvalidArgument("Give exactly one of item and selection.", field="item")
        async with self.db.session() as session:
            if item_key is not None and await session.get(Item, item_key) is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="item")
            if selection_key is not None and await session.get(Selection, selection_key) is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="selection")
            if experience_key is not None and await session.get(Experience, experience_key) is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="experience")
            preset = await session.get(Preset, preset_key) if preset_key is not None else None
            if preset_key is not None and preset is None:
                raise InvalidArgument("Invalid hyperlink - Object does not exist.", field="preset")
        if status == PENDING:
            await self._check_audio(item_key, selection_key)
        if preset is not None:
            experience_key = await self.catalog.experience_for_preset(preset)
        stamp = now()
        task = Task(
            uuid=str(uuid.uuid4()),
            item_uuid=item_key,
            selection_uuid=selection_key,
            experience_uuid=experience_key,
            preset_uuid=preset_key,
            status=status,
            progress=0.0,
            error="",
            date_added=stamp,
            date_modified=stamp,
            author=author,
        )
        async with self.db.transaction() as session:
            session.add(task)
        if task.status == PENDING:
            await self.runner.submit(task.uuid)
        return task

    async def update_task(self, key: str, raw: Mapping[str, object]) -> Task:
        """PUT/PATCH: only `status` changes; setting 2 (pending) on a task that is not running re-runs it."""
        if "status" not in raw:
            return await self.get_task(key)
        status = _status(raw["status"], (DRAFT, PENDING))
        if status == PENDING:
            current = await self.get_task(key)
            await self._check_audio(current.item_uuid, current.selection_uuid)
        async with self.db.transaction() as session:
            task = await refs.row_or_404(session, Task, key, "Task", lock=True)
            if task.status == RUNNING or (task.status == PENDING and status == PENDING):
                raise FailedPrecondition("The task is already pending or running.", field="status")
            task.status, task.progress, task.error, task.date_modified = status, 0.0, "", now()
        if status == PENDING:
            await self.runner.submit(task.uuid)
        return task

    async def _check_audio(self, item_key: str | None, selection_key: str | None) -> None:
        """A task that would run must have audio for every item: refuse it up front (400) rather than fail
        the whole run on the first item without a file."""
        keys = [item_key] if item_key is not None else await self.catalog.all_items(selection_key or "")
        async with self.db.session() as session:
            missing = (
                (
                    await session.scalars(
                        select(Item.uuid).where(Item.uuid.in_(keys), Item.source_key.is_(None)).order_by(Item.uuid)
                    )
                ).all()
                if keys
                else []
            )
        if missing:
            field = "item" if item_key is not None else "selection"
            raise InvalidArgument(f"These items have no audio file: {', '.join(missing)}.", field=field)

    async def cancel_task(self, key: str) -> Task:
        """Stop a draft, pending or running task: it ends failed with the error `Cancelled by request.`"""
        async with self.db.transaction() as session:
            task = await refs.row_or_404(session, Task, key, "Task", lock=True)
            if task.status in (DONE, FAILED):
                raise FailedPrecondition("The task has already ended.", field="status")
            task.status, task.error, task.date_modified = FAILED, CANCELLED, now()
        return task

    async def delete_task(self, key: str) -> None:
        """Delete a task; a run under way notices (its task row is gone) and stops; results stay."""
        async with self.db.transaction() as session:
            task = await refs.row_or_404(session, Task, key, "Task", lock=True)
            await session.delete(task)

    async def update_preset(self, key: str, raw: Mapping[str, object]) -> Preset:
        preset, stale = await self.catalog.update_preset(key, raw)
        for file_key in stale:
            await self.objects.delete(file_key)
        return preset

    async def delete_preset(self, key: str) -> None:
        """Delete a preset with its results (and their containers), tasks, analyses and memberships."""
        async with self.db.transaction() as session:
            preset = await refs.row_or_404(session, Preset, key, "Preset", lock=True)
            files = [
                k
                for k in (
                    await session.scalars(
                        select(Result.file_key).where(Result.preset_uuid == preset.uuid, Result.file_key.is_not(None))
                    )
                ).all()
                if k is not None
            ]
            await session.delete(preset)  # results, tasks, analyses, memberships: ON DELETE CASCADE
        for file_key in files:
            await self.objects.delete(file_key)

    async def ensure_result(self, item_uuid: str, preset_uuid: str) -> None:
        """Start computing the (item, preset) result unless it exists, a task for it is under way or the item
        has no audio (what reading a TimeSide analysis track triggers)."""
        async with self.db.session() as session:
            item = await session.get(Item, item_uuid)
            if item is None or item.source_key is None:
                return
            if (
                await session.scalar(
                    select(Result.uuid).where(Result.item_uuid == item_uuid, Result.preset_uuid == preset_uuid)
                )
                is not None
            ):
                return
            if (
                await session.scalar(
                    select(Task.uuid)
                    .where(
                        Task.item_uuid == item_uuid,
                        Task.preset_uuid == preset_uuid,
                        Task.status.in_((PENDING, RUNNING)),
                    )
                    .limit(1)
                )
                is not None
            ):
                return
        await self.create_task({"item": item_uuid, "preset": preset_uuid})

    async def list_tasks(self) -> list[Task]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Task).order_by(Task.date_added, Task.uuid))).all())

    async def get_task(self, key: str) -> Task:
        async with self.db.session() as session:
            task = await session.get(Task, refs.uuid_or_404(key, "Task"))
        if task is None:
            raise NotFound("No Task matches the given query.")
        return task

    async def watch(self, key: str) -> AsyncIterator[TaskEvent]:
        """Progress and result events until the task ends with `done` or `failed` (a task that has ended gives
        its last state). A draft task is watched too: a client may subscribe first and start the task after,
        and the stream stays open through the run. It ends without a final event if the task is deleted."""
        task = await self.get_task(key)
        sequence = 0
        last: tuple[int, float] | None = None
        sent: dict[str, datetime] = {}
        while True:
            async with self.db.session() as session:
                current = await session.get(Task, task.uuid)
                if current is None:  # deleted while watched: nothing more will happen to it
                    return
                task = current
                results: list[Result] = []
                if task.run_started is not None:
                    stmt = select(Result).where(Result.task_uuid == task.uuid).order_by(Result.date_modified)
                    results = [
                        r
                        for r in (await session.scalars(stmt)).all()
                        if _aware(r.date_modified) >= _aware(task.run_started)
                    ]
            state = (task.status, task.progress)
            if state != last:
                last = state
                sequence += 1
                yield TaskEvent("progress", sequence, task)
            for result in results:
                if sent.get(result.uuid) != result.date_modified:
                    sent[result.uuid] = result.date_modified
                    sequence += 1
                    yield TaskEvent("result", sequence, task, result)
            if task.status in (DONE, FAILED):
                sequence += 1
                yield TaskEvent("done" if task.status == DONE else "failed", sequence, task)
                return
            await asyncio.sleep(WATCH_DRAFT_EVERY if task.status == DRAFT else WATCH_EVERY)

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
            result = await session.get(Result, refs.uuid_or_404(key, "Result"))
        if result is None:
            raise NotFound("No Result matches the given query.")
        return result

    async def container(self, result: Result) -> list[dict[str, Any]]:
        """The whole container in memory (small results only: streaming and rendering read it in parts)."""
        if result.file_key is None:
            raise NotFound("This result has no data yet.")
        if result.mime_type.startswith("audio/"):
            raise NotFound("This result holds encoded audio (see its audio/ URL), not an analyzer container.")
        raw = await read_all(self.objects, result.file_key)
        fmt = "hdf5" if result.file_key.endswith(".hdf5") else "json"
        return await asyncio.to_thread(containers.load, raw, fmt)

    async def _hdf5_stream(self, file_key: str, fmt: str) -> AsyncIterator[bytes]:
        """The stored HDF5 container written out as `fmt`, piece by piece, from a local file of it."""
        async with self.copies.local_file(file_key) as path:
            async for piece in _in_thread(containers.stream(path, fmt)):
                yield piece

    async def result_stream(self, key: str, fmt: str) -> tuple[str, AsyncIterator[bytes]]:
        """The result's container in `fmt` (json, yaml, xml or hdf5): (MIME type, its bytes piece by piece).
        Text formats are written from the stored HDF5 while they are sent, a slice of each dataset at a time.
        `png` is TimeSide's grapher-image route: the result drawn as by `/visual/` with its defaults."""
        if fmt == "png":
            return "image/png", _once(await self.result_visual(key))
        if fmt not in containers.WRITERS:
            raise NotFound(f"Unknown container format {fmt!r}: use one of {', '.join(containers.WRITERS)}.")
        result = await self.get_result(key)
        if result.file_key is None or await self.objects.size(result.file_key) is None:
            raise NotFound("This result has no data yet.")
        if result.file_key.endswith("." + fmt):
            return containers.MIME[fmt], self.objects.read(result.file_key)
        if not result.file_key.endswith(".hdf5"):
            entries = await self.container(result)
            data = await asyncio.to_thread(containers.dump, entries, fmt)
            return containers.MIME[fmt], _once(data)
        return containers.MIME[fmt], self._hdf5_stream(result.file_key, fmt)

    async def result_export(
        self, key: str, res_id: str, tool: str, media_url: str, mime_type: str, samplerate: int
    ) -> tuple[str, str, bytes]:
        """(MIME type, file extension, bytes) of the sub-result `res_id` for `tool` (elan or sonic)."""
        if tool not in exports.TOOLS:
            raise NotFound(f"Unknown export {tool!r}: use one of {', '.join(exports.TOOLS)}.")
        result = await self.get_result(key)
        if result.file_key is None or await self.objects.size(result.file_key) is None:
            raise NotFound("This result has no data yet.")
        mime, ext = exports.TOOLS[tool]

        def render(entries: list[dict[str, Any]]) -> bytes:
            entry = exports.pick(entries, res_id)
            entry = {
                **entry,
                "data_object": {
                    k: (np.asarray(v[()]) if k in containers.ARRAYS else v) for k, v in entry["data_object"].items()
                },
            }
            return exports.elan(entry, media_url, mime_type) if tool == "elan" else exports.sonic(entry, samplerate)

        if not result.file_key.endswith(".hdf5"):
            entries = await self.container(result)
            return mime, ext, await asyncio.to_thread(render, entries)
        async with self.copies.local_file(result.file_key) as path:
            return mime, ext, await asyncio.to_thread(_with_entries, path, render)

    async def result_visual(self, key: str, **args: Any) -> bytes:
        """A PNG of the result (see `visuals.render`), reading only the frames it draws."""
        result = await self.get_result(key)
        if result.file_key is None or await self.objects.size(result.file_key) is None:
            raise NotFound("This result has no data yet.")
        if not result.file_key.endswith(".hdf5"):
            entries = await self.container(result)
            return await asyncio.to_thread(visuals.render, entries, **args)
        async with self.copies.local_file(result.file_key) as path:
            return await asyncio.to_thread(_render_file, path, args)


def _with_entries(path: Path, use: Callable[[list[dict[str, Any]]], bytes]) -> bytes:
    with containers.open_hdf5(path) as entries:
        return use(entries)


def _render_file(path: Path, args: dict[str, Any]) -> bytes:
    with containers.open_hdf5(path) as entries:
        return visuals.render(entries, **args)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _in_thread(pieces: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Run the blocking generator `pieces` in a thread of its own, one piece at a time.

    One thread owns the generator for its whole life: a client that stops reading cancels the await of a
    `next` still running in that thread, and the close that follows is queued behind it in the same thread.
    (With a fresh thread per call, the close ran while `next` was still executing in another one, and the
    generator refused: "ValueError: generator already executing".)"""
    loop = asyncio.get_running_loop()
    owner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="result-stream")
    try:
        while (piece := await loop.run_in_executor(owner, next, pieces, None)) is not None:
            yield piece
    finally:
        closed = loop.run_in_executor(owner, _close, pieces)
        owner.shutdown(wait=False)  # the thread ends after the close, even if this await is cancelled
        await asyncio.shield(closed)


def _close(pieces: Iterator[bytes]) -> None:
    close = getattr(pieces, "close", None)
    if close is not None:
        close()


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
