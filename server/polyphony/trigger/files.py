"""Provisioning files of a channel directory: the `fileList.json` entries and confined, ranged reads.

Like the Open Theater reference generator, a channel's files are every regular file under its
directory except `.json` files and hidden ones (names starting with `.`), in natural sort order,
each with its size and modification time in epoch milliseconds. Only listed files can be read:
paths are resolved and must stay inside the channel directory (no `..`, no symlinks out).
"""

from __future__ import annotations

import asyncio
import mimetypes
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from polyphony.core import objects
from polyphony.core.errors import NotFound, RangeNotSatisfiable

CHUNK = objects.CHUNK  # what the edge passes on whole (polyphony.core.objects.CHUNK)
_RANGE = re.compile(r"^bytes=([0-9]{0,19})-([0-9]{0,19})$")  # ASCII digits; longer: malformed, ignored
EXTRA_TYPES = {".vtt": "text/vtt", ".mp4": "video/mp4", ".m4a": "audio/mp4", ".webm": "video/webm"}


@dataclass(frozen=True)
class FileEntry:
    filepath: str  # relative, '/'-separated
    filesize: int
    lastmodified: int  # epoch ms


def natural_key(path: str) -> list[tuple[int, int | str]]:
    # ASCII digit runs only (`²` is a digit to str.isdigit but not to int), and none too long for int()
    return [
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part.lower())
        for part in re.split(r"([0-9]{1,100})", path)
    ]


def _listed(rel: Path) -> bool:
    return rel.suffix.lower() != ".json" and not any(part.startswith(".") for part in rel.parts)


def _scan(root: Path) -> list[FileEntry]:
    out = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if not _listed(rel) or not path.is_file():
            continue
        resolved = path.resolve()
        if not resolved.is_relative_to(root.resolve()):
            continue
        st = resolved.stat()
        out.append(FileEntry(rel.as_posix(), st.st_size, st.st_mtime_ns // 1_000_000))
    return sorted(out, key=lambda f: natural_key(f.filepath))


async def list_files(directory: str) -> list[FileEntry]:
    root = Path(directory)
    if not root.is_dir():
        return []
    return await asyncio.to_thread(_scan, root)


def newest(entries: list[FileEntry]) -> int | None:
    return max((f.lastmodified for f in entries), default=None)


def resolve(directory: str, filepath: str) -> Path:
    """The file `filepath` names inside `directory`, or NotFound (never a path outside it)."""
    root = Path(directory).resolve()
    rel = Path(filepath)
    if not filepath or rel.is_absolute() or ".." in rel.parts or not _listed(rel):
        raise NotFound(f"no file {filepath!r} in this channel")
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound(f"no file {filepath!r} in this channel")
    return path


def content_type(path: PurePath) -> str:
    ext = path.suffix.lower()
    return EXTRA_TYPES.get(ext) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end inclusive) for a single `bytes=` range; None means the whole file.
    Malformed or multi-range headers are ignored (RFC 9110 allows serving the whole file)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable("empty suffix range", headers={"content-range": f"bytes */{size}"})
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable(f"range starts beyond {size} bytes", headers={"content-range": f"bytes */{size}"})
    return start, end


async def read(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes `start..end` (inclusive) of `path`, in chunks."""
    with open(path, "rb") as fh:
        fh.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = await asyncio.to_thread(fh.read, min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
