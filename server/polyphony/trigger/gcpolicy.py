"""When Python's full garbage collections run while a large audience is connected.

With ten thousand audience connections the process holds millions of long-lived objects, and a
full (generation 2) collection walks all of them: measured here at 1.2-1.9 s with the event loop
stopped, so a cue published meanwhile reached every phone seconds late. Python starts such a
collection on its own whenever the long-lived population has grown by a quarter, which is exactly
what an audience arriving before a show does, so the pause tends to land on the first cues.

While at least `large` connections are open this policy turns automatic full collections off
(young generations are still collected as usual) and runs the full collection itself instead: in
a quiet spell (no cue for `quiet` seconds) at most every `every` seconds, at once when the audience
becomes small again, and, so that memory stays bounded through hours without a pause in the cues,
at the latest after `force` seconds, just after a cue went out (cues come seconds apart, so the
pause falls where the audience notices least). The setting is process-wide; `stop` undoes it.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time

log = logging.getLogger("polyphony.trigger")

NEVER = 1 << 30


class GcPolicy:
    def __init__(self, *, large: int = 1000, every: float = 120.0, quiet: float = 10.0, force: float = 1800.0) -> None:
        self.large = large
        self.every = every
        self.quiet = quiet
        self.force = force
        self._defaults = gc.get_threshold()
        self.deferring = False
        self._last_full = time.monotonic()
        self._last_cue = time.monotonic()
        self._scheduled = False

    def _due(self, after: float) -> bool:
        return not self._scheduled and time.monotonic() - self._last_full >= after

    def _collect(self) -> None:
        self._scheduled = False
        started = time.monotonic()
        found = gc.collect()
        self._last_full = time.monotonic()
        log.info("full garbage collection: %d objects freed in %.0f ms", found, (self._last_full - started) * 1000)

    def _schedule(self, delay: float) -> None:
        self._scheduled = True
        asyncio.get_running_loop().call_later(delay, self._collect)

    def update(self, audience: int) -> None:
        """Follow the number of open audience connections."""
        if audience >= self.large and not self.deferring:
            self.deferring = True
            self._defaults = gc.get_threshold()
            gc.set_threshold(self._defaults[0], self._defaults[1], NEVER)
        elif audience < self.large and self.deferring:
            self.stop()
            self._schedule(0.0)
        elif self.deferring and self._due(self.every) and time.monotonic() - self._last_cue >= self.quiet:
            self._schedule(0.0)

    def after_cue(self, audience: int) -> None:
        """A cue was just written to every connection: the best moment for a pending full collection."""
        self._last_cue = time.monotonic()
        self.update(audience)
        if self.deferring and self._due(self.force):
            self._schedule(0.05)

    def stop(self) -> None:
        if self.deferring:
            self.deferring = False
            gc.set_threshold(*self._defaults)
