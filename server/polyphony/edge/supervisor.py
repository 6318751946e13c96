"""`polyphony serve` keeps its child processes (worker processes, Envoy) running.

A child that exits is logged and started again after a back-off (0.5 s, doubling, at most 8 s); the other
workers keep serving meanwhile (Envoy sends requests that cannot reach a restarting worker to another one).
A child that fails more than MAX_RESTARTS times within WINDOW_SECONDS is given up on: `serve` then stops
everything and exits with an error, since restarting it again is not going to help.
"""

from __future__ import annotations

import collections
import logging
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("polyphony.supervisor")

MAX_RESTARTS = 5
WINDOW_SECONDS = 60.0
FIRST_DELAY = 0.5
MAX_DELAY = 8.0


class GaveUp(RuntimeError):
    """A child kept failing: more than MAX_RESTARTS exits within WINDOW_SECONDS."""


@dataclass(frozen=True)
class RestartPolicy:
    max_restarts: int = MAX_RESTARTS
    window: float = WINDOW_SECONDS
    first_delay: float = FIRST_DELAY
    max_delay: float = MAX_DELAY


class Supervised:
    """One child process, started by `start` and started again by `poll` when it has exited."""

    def __init__(
        self,
        name: str,
        start: Callable[[], subprocess.Popen[bytes]],
        log_path: Path | None = None,
        policy: RestartPolicy = RestartPolicy(),
    ) -> None:
        self.name = name
        self._start = start
        self.log_path = log_path
        self.policy = policy
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._failures: collections.deque[float] = collections.deque()
        self._restart_at: float | None = None

    def start(self) -> None:
        self.proc = self._start()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and self._restart_at is None

    def poll(self, now: float | None = None) -> bool:
        """Restart the child if it has exited and its back-off has passed. True when it was (re)started
        by this call. Raises GaveUp when it failed too often."""
        if self.proc is None:
            return False
        now = time.monotonic() if now is None else now
        if self._restart_at is None:
            code = self.proc.poll()
            if code is None:
                return False
            while self._failures and now - self._failures[0] > self.policy.window:
                self._failures.popleft()
            self._failures.append(now)
            if len(self._failures) > self.policy.max_restarts:
                raise GaveUp(
                    f"{self.name} exited {len(self._failures)} times within {self.policy.window:.0f}s "
                    f"(last exit status {code}); giving up{self._tail()}"
                )
            delay = min(self.policy.max_delay, self.policy.first_delay * 2 ** (len(self._failures) - 1))
            log.warning("%s (pid %s) exited with status %s; restarting in %.1fs", self.name, self.proc.pid, code, delay)
            self._restart_at = now + delay
        if now < self._restart_at:
            return False
        self._restart_at = None
        self.proc = self._start()
        self.restarts += 1
        log.warning("%s restarted (pid %s, restart %d)", self.name, self.proc.pid, self.restarts)
        return True

    def _tail(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return f"; the end of {self.log_path}:\n" + self.log_path.read_text(errors="replace")[-2000:]

    def stop(self, timeout: float = 5.0) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
