"""Publishing cues: validate, store (history + merged project state), then fan out.

Every accepted cue goes to this process's in-memory `CueBus` at once (gRPC streams, socket.io and
WebSocket audiences read from it) and is announced on the configured relay (see `relays.py`) so
other server processes deliver it too: nothing (one process), PostgreSQL/SQLite polling
(`--workers N` without Redis) or Redis pub/sub (replicas). The relay sees this service only as the
`CueSink` of `relay_protocol.py`, so the two modules do not import each other. Cues that arrive from other processes
go through `deliver_remote`, which keeps this process's copy of each project's merged state (what
late joiners get first) up to date and hands the cue to the local bus.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.trigger import catalog
from polyphony.trigger import payload as payloads
from polyphony.trigger.bus import CueBus, CueEvent
from polyphony.trigger.cue_tables import CoreCueTables, CueTables, cue_tables
from polyphony.trigger.models import Cue, ProjectState
from polyphony.trigger.relay_protocol import InProcessRelay, Relay

MAX_LIST = 1000
DEFAULT_LIST = 100
RECENT = 4096  # sequences remembered to drop duplicates when a relay replays from the database

# Chooses the payload inside the publishing transaction (cue lists move their cursor there);
# returns the raw JSON payload and a value handed back to the caller.
Chooser = Callable[[AsyncSession], Awaitable[tuple[bytes | str, Any]]]


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class CuePage:
    cues: list[CueEvent]
    next_after: int | None


def event_of(row: Cue) -> CueEvent:
    return CueEvent(row.project_uuid, row.id, row.published_ms, json.loads(row.payload), row.payload)


def store_cue(tables: CueTables, project_uuid: str, doc: payloads.Payload) -> tuple[CueEvent, payloads.Payload]:
    """Store a validated cue and merge it into its project's state, in the caller's transaction:
    (the cue as published, the project's merged state). The cue's row id is its sequence number."""
    uid = catalog.canonical_uuid(project_uuid)
    if uid is None or not tables.project_exists(uid):
        raise NotFound(f"no project {project_uuid!r}")
    published = now_ms()
    normalized = payloads.normalize(doc, published)
    text = payloads.encode(normalized)
    sequence = tables.add_cue(uid, published, text)
    state = tables.state_for_update(uid)
    merged = payloads.merge(state or payloads.empty_state(), normalized)
    tables.put_state(uid, sequence, merged, new=state is None)
    return CueEvent(uid, sequence, published, normalized, text), merged


class CueService:
    """Owns the local bus, the relay to other processes, and each project's current state."""

    def __init__(
        self,
        db: Database,
        bus: CueBus,
        relay: Relay | None = None,
        *,
        max_payload_bytes: int = payloads.MAX_PAYLOAD_BYTES,
    ) -> None:
        self.db = db
        self.bus = bus
        self.relay: Relay = relay or InProcessRelay()
        self.max_payload_bytes = max_payload_bytes
        self._lock = asyncio.Lock()  # one publish at a time: bus order == sequence order
        self._states: dict[str, tuple[int, dict[str, Any]]] = {}
        self._recent: deque[int] = deque(maxlen=RECENT)
        self._recent_set: set[int] = set()
        self.last_sequence = 0  # the highest sequence stored when this process started or seen since

    async def start(self) -> None:
        """Load the stored project states, then start the relay."""
        async with self.db.session() as session:
            self.last_sequence = await session.scalar(select(func.max(Cue.id))) or 0
            for row in (await session.scalars(select(ProjectState))).all():
                self._states[row.project_uuid] = (row.sequence, row.state)
        await self.relay.start(self)

    async def close(self) -> None:
        await self.relay.close()
        self.bus.close()

    def forget(self, project_uuid: str) -> None:
        """Drop a deleted project's merged state."""
        self._states.pop(project_uuid, None)

    async def reload_states(self) -> None:
        """Take every project's merged state from the database (where each publish merges it in
        sequence order), e.g. after cues from other processes may have been missed or reordered."""
        async with self.db.session() as session:
            rows = (await session.scalars(select(ProjectState))).all()
        async with self._lock:
            for row in rows:
                known = self._states.get(row.project_uuid)
                if known is None or known[0] <= row.sequence:
                    self._states[row.project_uuid] = (row.sequence, row.state)

    def state(self, project_uuid: str) -> tuple[int, dict[str, Any]]:
        """(sequence of the last cue, merged state) of a project in this process."""
        return self._states.get(project_uuid, (0, payloads.empty_state()))

    def _remember(self, sequence: int) -> bool:
        """Record a delivered sequence; False if it was delivered already."""
        if sequence in self._recent_set:
            return False
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(sequence)
        self._recent_set.add(sequence)
        self.last_sequence = max(self.last_sequence, sequence)
        return True

    async def publish(self, project_uuid: str, raw: bytes | str) -> CueEvent:
        """Validate, store and fan out one cue (see `store_cue`)."""
        doc = payloads.parse(raw, max_bytes=self.max_payload_bytes)
        # Once the cue is stored it must reach the bus, even when the caller stops waiting (a
        # cancelled RPC): the audience would otherwise miss a cue that the history and state hold.
        return await asyncio.shield(self._publish(project_uuid, doc))

    async def _publish(self, project_uuid: str, doc: payloads.Payload) -> CueEvent:
        async with self._lock:
            event, merged = await self.db.write(lambda conn: store_cue(cue_tables(conn), project_uuid, doc))
            self._accepted(event, merged)
        await self.relay.announce(event)
        return event

    async def publish_chosen(self, project_uuid: str, choose: Chooser) -> tuple[CueEvent, Any]:
        """Publish the payload `choose(session)` returns, in the transaction that stores the cue."""
        async with self._lock:
            async with self.db.transaction() as session:
                raw, extra = await choose(session)
                doc = payloads.parse(raw, max_bytes=self.max_payload_bytes)
                event, merged = await session.run_sync(
                    lambda s: store_cue(CoreCueTables(s.connection()), project_uuid, doc)
                )
            self._accepted(event, merged)
        await self.relay.announce(event)
        return event, extra

    def _accepted(self, event: CueEvent, merged: payloads.Payload) -> None:
        """A cue this process stored: the project's state here, and the local bus."""
        self._states[event.project_uuid] = (event.sequence, merged)
        self._remember(event.sequence)
        self.bus.publish(event)

    async def deliver_remote(self, event: CueEvent) -> bool:
        """A cue another process accepted: merge it into the state and fan it out here (once)."""
        async with self._lock:
            if not self._remember(event.sequence):
                return False
            sequence, state = self.state(event.project_uuid)
            self._states[event.project_uuid] = (max(sequence, event.sequence), payloads.merge(state, event.payload))
            self.bus.publish(event)
        return True

    async def stored_after(self, after: int, ids: list[int] | None = None, limit: int = 500) -> list[CueEvent]:
        """Stored cues with a sequence above `after` (or in `ids`), oldest first."""
        cond = Cue.id > after
        if ids:
            cond = cond | Cue.id.in_(ids)
        async with self.db.session() as session:
            rows = (await session.scalars(select(Cue).where(cond).order_by(Cue.id).limit(limit))).all()
        return [event_of(r) for r in rows]

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
        events = [event_of(r) for r in rows[:limit]]
        return CuePage(events, events[-1].sequence if len(rows) > limit else None)
