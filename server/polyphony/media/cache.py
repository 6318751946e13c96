"""A per-process cache of rendered library responses.

The library changes only when a scan commits, and every scan bumps `media_state.generation`. Each
process re-reads that counter at most once per `freshness` seconds, so a response is served from memory
until the library changes (seen by every worker within `freshness`), and never for longer than `max_age`
seconds (page tokens inside a response carry an expiry).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.media.models import LibraryState

T = TypeVar("T")


async def bump_generation(session: AsyncSession) -> None:
    """Mark the library as changed (call inside the transaction that changes it, first: the counter's row
    stays locked until that transaction ends, so concurrent scans write one after the other). One upsert,
    so two first scans cannot both insert the row."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(LibraryState).values(id=1, generation=1)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=[LibraryState.id], set_={"generation": LibraryState.generation + 1})
    )


_GENERATION = select(LibraryState.generation).where(LibraryState.id == 1)


class ResponseCache:
    def __init__(
        self,
        db: Database,
        *,
        max_entries: int = 4096,
        freshness: float = 1.0,
        max_age: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._entries: OrderedDict[Any, tuple[int, float, Any]] = OrderedDict()
        self._max_entries = max_entries
        self._freshness = freshness
        self._max_age = max_age
        self._clock = clock
        self._generation = -1
        self._checked = float("-inf")
        self.hits = 0
        self.misses = 0

    async def generation(self) -> int:
        now = self._clock()
        if now - self._checked >= self._freshness:
            rows = await self._db.fetch(_GENERATION)
            self._generation = int(rows[0][0] or 0) if rows else 0
            self._checked = now
        return self._generation

    async def get(self, key: Any, compute: Callable[[], Awaitable[T]]) -> T:
        if self._max_entries <= 0:
            return await compute()
        generation = await self.generation()
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == generation and now - entry[1] < self._max_age:
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[2]  # type: ignore[no-any-return]
        self.misses += 1
        value = await compute()
        self._entries[key] = (generation, now, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return value
