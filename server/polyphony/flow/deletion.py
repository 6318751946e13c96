"""Deleting Segments and Flows: at once when small, else through a Flow Delete Request that a background
asyncio job completes in batches (`/flow-delete-requests`). Objects no Segment references any more are
reclaimed (rows and bytes) as their last Segment goes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.core.objects import ObjectStore
from polyphony.flow import coverage, flows, lookup, objects, segments
from polyphony.flow.clock import now_us, rfc3339
from polyphony.flow.models import DeleteRequestRow
from polyphony.flow.timerange import ETERNITY, TimeRange

log = logging.getLogger("polyphony.flow.deletion")

BATCH = 1000
REQUEST_TTL_US = 24 * 3600 * 1_000_000  # finished requests stay visible for a day


@dataclass
class Outcome:
    """What a DELETE did: finished (keys to delete now), or a request the background job completes."""

    keys: list[str]
    request: dict[str, Any] | None = None


def render_request(row: DeleteRequestRow) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": row.id, "flow_id": row.flow_id, "timerange_to_delete": row.timerange_to_delete}
    if row.timerange_remaining is not None:
        doc["timerange_remaining"] = row.timerange_remaining
    doc.update(
        delete_flow=row.delete_flow,
        created=rfc3339(row.created_us),
        updated=rfc3339(row.updated_us),
        expiry=rfc3339(row.expiry_us),
        status=row.status,
    )
    if row.created_by:
        doc["created_by"] = row.created_by
    if row.error:
        doc["error"] = row.error
    return doc


def _request(
    flow_id: str, tr: TimeRange, object_id: str | None, delete_flow: bool, created_by: str | None
) -> DeleteRequestRow:
    now = now_us()
    return DeleteRequestRow(
        id=str(uuid.uuid4()),
        flow_id=flow_id,
        timerange_to_delete=tr.format(),
        timerange_remaining=tr.format(),
        object_id=object_id,
        delete_flow=delete_flow,
        status="created",
        created_by=created_by,
        created_us=now,
        updated_us=now,
        expiry_us=now + REQUEST_TTL_US,
    )


async def _delete_all_now(session: AsyncSession, flow_id: str, tr: TimeRange, object_id: str | None) -> list[str]:
    keys: list[str] = []
    while True:
        n, batch_keys, _ = await segments.delete_batch(session, flow_id, tr, object_id, BATCH)
        keys += batch_keys
        if n < BATCH:
            return keys


async def delete_segments(
    session: AsyncSession,
    flow_id: str,
    tr: TimeRange,
    object_id: str | None,
    *,
    threshold: int,
    created_by: str | None = None,
) -> Outcome:
    flow = await lookup.writable_flow(session, flow_id)
    if tr.never:
        return Outcome([])
    count = await segments.count_within(session, flow_id, tr, object_id, threshold + 1)
    flow.segments_updated_us = now_us()
    if count <= threshold:
        return Outcome(await _delete_all_now(session, flow_id, tr, object_id))
    row = _request(flow_id, tr, object_id, False, created_by)
    session.add(row)
    await session.flush()
    return Outcome([], render_request(row))


async def delete_flow(session: AsyncSession, flow_id: str, *, threshold: int, created_by: str | None = None) -> Outcome:
    """Delete a Flow: at once when it has few Segments; else the Flow goes now and its Segments follow."""
    flow = await lookup.writable_flow(session, flow_id)
    count = await segments.count_within(session, flow_id, ETERNITY, None, threshold + 1)
    if count <= threshold:
        keys = await _delete_all_now(session, flow_id, ETERNITY, None)
        await flows.delete_flow(session, flow_id)
        return Outcome(keys)
    covered = await coverage.flow_timerange(session, flow.id)
    row = _request(flow_id, covered, None, True, created_by)
    session.add(row)
    await flows.delete_flow(session, flow_id)
    await session.flush()
    return Outcome([], render_request(row))


# ---- listing ------------------------------------------------------------------------------------------


async def get_request(session: AsyncSession, request_id: str) -> dict[str, Any]:
    row = await session.get(DeleteRequestRow, request_id)
    if row is None:
        raise NotFound(f"flow delete request {request_id} does not exist")
    return render_request(row)


@dataclass(frozen=True)
class RequestQuery:
    sort_by: str = "created"
    reverse: bool = False
    limit: int = 100

    def scope(self) -> str:
        return f"delete-requests|{self.sort_by}|{self.reverse}|{self.limit}"


async def list_requests(
    session: AsyncSession, query: RequestQuery, after: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Most recent first by `created` or `expiry` (oldest first with reverse_order), keyset-paged."""
    if query.sort_by not in ("created", "expiry"):
        raise InvalidArgument("sort_by must be created or expiry", field="sort_by")
    key = DeleteRequestRow.created_us if query.sort_by == "created" else DeleteRequestRow.expiry_us
    conds = []
    if after is not None:
        try:
            value, ident = int(after["k"]), str(after["i"])
        except (KeyError, TypeError, ValueError):
            raise InvalidArgument("malformed page token", field="page") from None
        if query.reverse:
            conds.append(or_(key > value, and_(key == value, DeleteRequestRow.id > ident)))
        else:
            conds.append(or_(key < value, and_(key == value, DeleteRequestRow.id < ident)))
    order = (key.asc(), DeleteRequestRow.id.asc()) if query.reverse else (key.desc(), DeleteRequestRow.id.desc())
    rows: Sequence[DeleteRequestRow] = (
        await session.scalars(select(DeleteRequestRow).where(*conds).order_by(*order).limit(query.limit + 1))
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    nxt = None
    if more and rows:
        last = rows[-1]
        nxt = {"k": last.created_us if query.sort_by == "created" else last.expiry_us, "i": last.id}
    return [render_request(r) for r in rows], nxt


# ---- the background job -------------------------------------------------------------------------------


async def work_once(db: Database, store: ObjectStore, batch: int = BATCH) -> bool:
    """Advance the oldest open request by one batch. True when there was something to do."""
    keys: list[str] = []
    async with db.transaction() as session:
        row = (
            await session.scalars(
                select(DeleteRequestRow)
                .where(DeleteRequestRow.status.in_(("created", "started")))
                .order_by(DeleteRequestRow.created_us)
                .limit(1)
                .with_for_update()
            )
        ).first()
        if row is None:
            return False
        tr = TimeRange.parse(row.timerange_to_delete)
        n, keys, last_end = await segments.delete_batch(session, row.flow_id, tr, row.object_id, batch)
        row.updated_us = now_us()
        if n < batch:
            row.status, row.timerange_remaining = "done", "()"
        else:
            row.status = "started"
            if last_end is not None:
                row.timerange_remaining = TimeRange.from_bounds(last_end, tr.hi).intersect(tr).format()
    await objects.delete_bytes(store, keys)
    return True


async def housekeeping(db: Database, store: ObjectStore) -> None:
    """Collect allocated Objects never registered in time, and forget expired finished requests."""
    async with db.transaction() as session:
        keys = await objects.expired_allocations(session)
        await session.execute(
            delete(DeleteRequestRow).where(
                DeleteRequestRow.expiry_us < now_us(), DeleteRequestRow.status.in_(("done", "error"))
            )
        )
    await objects.delete_bytes(store, keys)


class DeletionWorker:
    """One asyncio task per server process; requests are claimed with row locks (PostgreSQL) or
    serialized by SQLite's single writer, so several workers cooperate safely."""

    def __init__(self, db: Database, store: ObjectStore, *, idle_seconds: float = 0.5) -> None:
        self._db, self._store, self._idle = db, store, idle_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tams-deletion")

    def poke(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        ticks = 0
        while True:
            try:
                busy = await work_once(self._db, self._store)
                ticks += 1
                if ticks % 120 == 0:
                    await housekeeping(self._db, self._store)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the job alive; the request stays open and is retried
                log.exception("flow deletion batch failed")
                busy = False
            if not busy:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle)
