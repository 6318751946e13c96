"""The supervisor restarts a child with back-off and gives up on one that keeps failing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from polyphony.edge.process import spawn_child
from polyphony.edge.supervisor import GaveUp, RestartPolicy, Supervised


def test_a_child_that_exits_is_restarted_after_its_backoff(tmp_path: Path) -> None:
    starts: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        starts.append(spawn_child([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "c.log"))
        return starts[-1]

    child = Supervised("sleeper", start, policy=RestartPolicy(first_delay=0.2))
    child.start()
    try:
        assert not child.poll()
        starts[0].kill()
        starts[0].wait()
        now = time.monotonic()
        assert not child.poll(now)  # noticed, waiting out the back-off
        assert not child.running
        assert child.poll(now + 0.25)
        assert len(starts) == 2 and child.running and child.restarts == 1
    finally:
        child.stop()


def test_a_child_that_keeps_failing_is_given_up_on(tmp_path: Path) -> None:
    log = tmp_path / "c.log"

    def start() -> subprocess.Popen[bytes]:
        return spawn_child([sys.executable, "-c", "print('no bucket'); raise SystemExit(3)"], log)

    child = Supervised("failing", start, log, RestartPolicy(max_restarts=2, window=60, first_delay=0, max_delay=0))
    child.start()
    with pytest.raises(GaveUp, match=r"failing exited 3 times within 60s \(last exit status 3\)[\s\S]*no bucket"):
        for _ in range(200):
            child.poll()
            time.sleep(0.02)
