"""What a killed process leaves on disk, removed when `polyphony serve` starts.

- Partial object files (`.<name>.<hex>.part`, written by FilesystemObjectStore.put and renamed into place
  when complete). A writer holds an exclusive flock on its file while it writes, so a file nobody holds a
  lock on belongs to a process that died (a `polyphony worker` sharing the data directory keeps its own).
- Analysis scratch folders (`run-<pid>-*`, polyphony.analysis.tasks.jobs.scratch_dir) whose process is
  gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from polyphony.core.config import Settings

log = logging.getLogger("polyphony.sweep")

PART = re.compile(r"^\..+\.[0-9a-f]{32}\.part$")
SCRATCH = re.compile(r"^run-(?:(\d+)-)?")


@dataclass
class SweepReport:
    part_files: int = 0
    scratch_dirs: int = 0
    bytes: int = 0


def _unlocked(path: Path) -> bool:
    """True when no live process holds the file's flock (its writer died)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    else:
        return True
    finally:
        os.close(fd)  # closing drops the lock


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def sweep_parts(root: Path, report: SweepReport) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(".part") and PART.match(name):
                path = Path(dirpath) / name
                if _unlocked(path):
                    with contextlib.suppress(OSError):
                        size = path.stat().st_size
                        path.unlink()
                        report.part_files += 1
                        report.bytes += size


def sweep_scratch(parent: Path, report: SweepReport) -> None:
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        match = SCRATCH.match(entry.name)
        if not entry.is_dir() or not match:
            continue
        if match.group(1) and _alive(int(match.group(1))):
            continue
        report.bytes += _size(entry)
        shutil.rmtree(entry, ignore_errors=True)
        report.scratch_dirs += 1


def sweep_at_start(settings: Settings) -> SweepReport:
    report = SweepReport()
    objects = settings.data_dir / "objects"
    sweep_parts(objects, report)
    sweep_scratch(objects / "timeside" / "scratch", report)
    sweep_scratch(settings.data_dir / "scratch", report)
    if report.part_files or report.scratch_dirs:
        log.warning(
            "swept %d partial object file(s) and %d analysis scratch folder(s) left by a killed process (%d bytes)",
            report.part_files,
            report.scratch_dirs,
            report.bytes,
        )
    return report
