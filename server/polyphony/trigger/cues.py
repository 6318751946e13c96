"""Publishing cues: validate, store (history + merged project state), then fan out on the bus.

Several server processes (`polyphony serve --workers N`) share one database: each process delivers
its own cues at once and `follow()` picks up the cues other processes stored (polling the cue table
by sequence), so every gRPC subscriber and socket.io client sees every cue whichever process
accepted it. Cues from another process arrive up to one poll interval later.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument
from polyphony.trigger import catalog
from polyphony.trigger import payload as payloads
from polyphony.trigger.bus import CueBus, CueEvent
from polyphony.trigger.models import Cue, ProjectState

log = logging.getLogger("polyphony.trigger")
MAX_LIST = 1000
GAP_SECONDS = 10.0
MAX_GAPS = 1000
DEFAULT_LIST = 100


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class CuePage:
    cues: list[CueEvent]
    next_after: int | None


def _event(row: Cue) -> CueEvent:
    return CueEvent(row.project_uuid, row.id, row.published_ms, json.loads(row.payload), row.payload)


class CueService:
    """Owns the bus and each project's current state as seen by this process."""

    def __init__(self, db: Database, bus: CueBus, *, max_payload_bytes: int = payloads.MAX_PAYLOAD_BYTES) -> None:
        self.db = db
        self.bus = bus
        self.max_payload_bytes = max_payload_bytes
        self._lock = asyncio.Lock()  # one publish at a time: bus order == sequence order
        self._states: dict[str, tuple[int, dict[str, Any]]] = {}
        self._own: set[int] = set()  # sequences published here and not yet seen by follow()
        self._seen = 0
        self._gaps: dict[int, float] = {}  # ids not seen yet -> when first missed

    async def load_states(self) -> None:
        async with self.db.session() as session:
            self._seen = await session.scalar(select(func.max(Cue.id))) or 0
            for row in (await session.scalars(select(ProjectState))).all():
                self._states[row.project_uuid] = (row.sequence, row.state)

    def state(self, project_uuid: str) -> tuple[int, dict[str, Any]]:
        """(sequence of the last cue, merged state) of a project in this process."""
        return self._states.get(project_uuid, (0, payloads.empty_state()))

    async def publish(self, project_uuid: str, raw: bytes | str) -> CueEvent:
        doc = payloads.parse(raw, max_bytes=self.max_payload_bytes)
        async with self._lock:
            async with self.db.transaction() as session:
                project = await catalog.get_project(session, project_uuid)
                published = now_ms()
                normalized = payloads.normalize(doc, published)
                text = payloads.encode(normalized)
                row = Cue(project_uuid=project.uuid, published_ms=published, payload=text)
                session.add(row)
                await session.flush()
                state = await session.get(ProjectState, project.uuid, with_for_update=True)
                if state is None:
                    state = ProjectState(project_uuid=project.uuid, sequence=0, state=payloads.empty_state())
                    session.add(state)
                merged = payloads.merge(state.state, normalized)
                state.state = merged
                state.sequence = row.id
            event = CueEvent(project.uuid, row.id, published, normalized, text)
            self._states[project.uuid] = (row.id, merged)
            self._own.add(row.id)
            self.bus.publish(event)
        return event

    async def poll_others(self, limit: int = 500) -> int:
        """Deliver cues that other processes stored since the last poll; return how many.
        Sequence numbers can commit out of order (PostgreSQL), so ids skipped over are kept as
        gaps and looked for again for GAP_SECONDS (a rolled-back publish leaves a gap for good)."""
        now = time.monotonic()
        self._gaps = {gid: t for gid, t in self._gaps.items() if now - t < GAP_SECONDS}
        query = select(Cue).where(or_(Cue.id > self._seen, Cue.id.in_(list(self._gaps))))
        async with self.db.session() as session:
            rows = (await session.scalars(query.order_by(Cue.id).limit(limit))).all()
        delivered = 0
        async with self._lock:
            for row in rows:
                if row.id > self._seen:
                    if row.id - self._seen <= MAX_GAPS:
                        self._gaps.update({gid: now for gid in range(self._seen + 1, row.id)})
                    self._seen = row.id
                else:
                    self._gaps.pop(row.id, None)
                if row.id in self._own:
                    self._own.discard(row.id)
                    continue
                event = _event(row)
                sequence, state = self.state(row.project_uuid)
                self._states[row.project_uuid] = (max(sequence, row.id), payloads.merge(state, event.payload))
                self.bus.publish(event)
                delivered += 1
        return delivered

    async def follow(self, interval: float = 0.2) -> None:
        """Run `poll_others` forever (a background task of each server process)."""
        while True:
            try:
                await self.poll_others()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("polling cues of other processes failed")
            await asyncio.sleep(interval)

    async def history(self, session: AsyncSession, project_uuid: str, after: int, limit: int) -> CuePage:
        if after < 0:
            raise InvalidArgument("`after` must not be negative", field="after")
        if limit < 0 or limit > MAX_LIST:
            raise InvalidArgument(f"`limit` must be between 1 and {MAX_LIST}", field="limit")
        limit = limit or DEFAULT_LIST
        project = await catalog.get_project(session, project_uuid)
        rows = (
            await session.scalars(
                select(Cue).where(Cue.project_uuid == project.uuid, Cue.id > after).order_by(Cue.id).limit(limit + 1)
            )
        ).all()
        events = [_event(r) for r in rows[:limit]]
        return CuePage(events, events[-1].sequence if len(rows) > limit else None)
