"""What a killed process left behind is removed at start; what a live writer holds is kept."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
from pathlib import Path

from polyphony.core.config import Settings
from polyphony.core.sweep import sweep_at_start


def test_partial_objects_and_dead_scratch_folders_are_swept(tmp_path: Path) -> None:
    objects = tmp_path / "objects"
    (objects / "tams" / "ab").mkdir(parents=True)
    dead = objects / "tams" / "ab" / f".seg.mp4.{'a' * 32}.part"
    dead.write_bytes(b"x" * 1000)
    held = objects / "tams" / "ab" / f".other.mp4.{'b' * 32}.part"
    held.write_bytes(b"y")
    kept = objects / "tams" / "ab" / "seg.mp4"
    kept.write_bytes(b"z")
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a writer that is still alive

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)
    scratch = objects / "timeside" / "scratch"
    (scratch / f"run-{dead_pid}-x1").mkdir(parents=True)
    (scratch / f"run-{dead_pid}-x1" / "0.hdf5").write_bytes(b"h" * 500)
    (scratch / "run-legacy").mkdir()
    (scratch / f"run-{os.getpid()}-live").mkdir()
    (tmp_path / "scratch" / f"run-{dead_pid}-remote").mkdir(parents=True)
    try:
        report = sweep_at_start(Settings(data_dir=tmp_path))
    finally:
        os.close(fd)
    assert not dead.exists() and held.exists() and kept.exists()
    assert sorted(p.name for p in scratch.iterdir()) == [f"run-{os.getpid()}-live"]
    assert not any((tmp_path / "scratch").iterdir())
    assert (report.part_files, report.scratch_dirs) == (1, 3)
    assert report.bytes == 1500


def test_a_fresh_data_directory_sweeps_nothing(tmp_path: Path) -> None:
    report = sweep_at_start(Settings(data_dir=tmp_path))
    assert (report.part_files, report.scratch_dirs, report.bytes) == (0, 0, 0)
