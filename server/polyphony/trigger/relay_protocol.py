"""What a cue relay and the cue service know of each other (a leaf: imports only the bus).

A relay carries cues between server processes (implementations in `relays.py`); the cue service
(`cues.py`) owns one. The relay sees the service only as a `CueSink`: the highest sequence it has
seen, the stored cues after a sequence, delivery of a cue accepted elsewhere, and a reload of the
merged project states. Neither module imports the other.
"""

from __future__ import annotations

from typing import Protocol

from polyphony.trigger.bus import CueEvent


class CueSink(Protocol):
    """The side of the cue service a relay delivers to."""

    @property
    def last_sequence(self) -> int:
        """The highest sequence stored when the process started or delivered since."""
        ...

    async def stored_after(self, after: int, ids: list[int] | None = None, limit: int = 500) -> list[CueEvent]:
        """Stored cues with a sequence above `after` (or in `ids`), oldest first."""
        ...

    async def deliver_remote(self, event: CueEvent) -> bool:
        """A cue another process accepted: fan it out here once; False if it was delivered already."""
        ...

    async def reload_states(self) -> None:
        """Take every project's merged state from the database."""
        ...


class Relay(Protocol):
    """Carries cues between server processes."""

    name: str

    async def start(self, cues: CueSink) -> None: ...

    async def announce(self, event: CueEvent) -> None: ...

    async def close(self) -> None: ...


class InProcessRelay:
    """One process: nothing to relay; the local bus is all there is."""

    name = "memory"

    async def start(self, cues: CueSink) -> None:
        return None

    async def announce(self, event: CueEvent) -> None:
        return None

    async def close(self) -> None:
        return None
