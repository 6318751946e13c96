"""The in-process cue bus: asyncio fan-out of published cues to every subscriber of a project.

A `CueEvent` is built once per publish; its JSON text is encoded once, and any other wire form a
transport needs (the gRPC message bytes) is memoised on the event by `encoded()`, so the cost of
encoding does not grow with the number of subscribers. Each subscriber owns a bounded queue; one
that falls `max_backlog` cues behind is cut off (its stream ends with `Overflow`) rather than
slowing the others down or silently missing deltas.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from polyphony.trigger import payload as payloads

DEFAULT_BACKLOG = 1024


@dataclass
class CueEvent:
    project_uuid: str
    sequence: int
    published_ms: int
    payload: dict[str, Any]  # normalised
    text: str = ""
    _encoded: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.text:
            self.text = payloads.encode(self.payload)

    def encoded(self, form: str, encoder: Callable[[CueEvent], Any]) -> Any:
        """`encoder(self)`, computed once per event and form."""
        if form not in self._encoded:
            self._encoded[form] = encoder(self)
        return self._encoded[form]


class Overflow(Exception):
    """The subscriber fell too far behind and was disconnected."""


_CLOSED = object()


class Subscription:
    def __init__(self, project_uuid: str, max_backlog: int) -> None:
        self.project_uuid = project_uuid
        self._queue: asyncio.Queue[Any] = asyncio.Queue(max_backlog + 1)
        self._max = max_backlog
        self.overflowed = False

    def _offer(self, event: CueEvent) -> None:
        if self.overflowed:
            return
        if self._queue.qsize() >= self._max:
            self.overflowed = True
            self._queue.put_nowait(_CLOSED)
            return
        self._queue.put_nowait(event)

    def _close(self) -> None:
        if not self.overflowed and not self._queue.full():
            self._queue.put_nowait(_CLOSED)

    async def get(self) -> CueEvent | None:
        """The next cue; None once the bus closed; raises Overflow if this subscriber fell behind."""
        item = await self._queue.get()
        if item is _CLOSED:
            if self.overflowed:
                raise Overflow(f"subscriber fell more than {self._max} cues behind")
            return None
        return item  # type: ignore[no-any-return]

    def __aiter__(self) -> AsyncIterator[CueEvent]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[CueEvent]:
        while (event := await self.get()) is not None:
            yield event


class CueBus:
    def __init__(self, max_backlog: int = DEFAULT_BACKLOG) -> None:
        self._subs: dict[str, set[Subscription]] = {}
        self._max = max_backlog
        self._closed = False

    @asynccontextmanager
    async def subscribe(self, project_uuid: str) -> AsyncIterator[Subscription]:
        sub = Subscription(project_uuid, self._max)
        if self._closed:
            sub._close()
        self._subs.setdefault(project_uuid, set()).add(sub)
        try:
            yield sub
        finally:
            subs = self._subs.get(project_uuid)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[project_uuid]

    def subscribers(self, project_uuid: str) -> int:
        return len(self._subs.get(project_uuid, ()))

    def publish(self, event: CueEvent) -> int:
        """Hand `event` to every subscriber of its project (never blocks); return how many."""
        subs = list(self._subs.get(event.project_uuid, ()))
        for sub in subs:
            sub._offer(event)
        return len(subs)

    def close(self) -> None:
        """End every subscription (server shutdown)."""
        self._closed = True
        for subs in self._subs.values():
            for sub in subs:
                sub._close()
