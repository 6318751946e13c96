"""Audio sources in the object store: streamed in, hashed, probed; removed again if anything fails."""

from __future__ import annotations

import asyncio
import hashlib
import re
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from polyphony.analysis.items.probe import AudioInfo, probe
from polyphony.core.local_copies import LocalCopies
from polyphony.core.objects import ObjectStore

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class StoredSource:
    key: str
    filename: str
    size: int
    sha1: str
    sha256: str
    audio: AudioInfo


def safe_filename(name: str) -> str:
    """A filename usable as the last segment of an object key (keeps the extension)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).lstrip("._-")[-120:]
    return cleaned or "audio"


def source_key(filename: str, when: datetime) -> str:
    """Where an upload goes: TimeSide's `items/YYYY/MM/DD/` layout, one folder per upload."""
    return f"timeside/items/{when:%Y/%m/%d}/{uuid.uuid4().hex}/{safe_filename(filename)}"


async def _probe_object(objects: ObjectStore, key: str, field: str, copies: LocalCopies | None) -> AudioInfo:
    if copies is not None:
        async with copies.local_file(key) as path:
            return await asyncio.to_thread(probe, path, field=field)
    local = objects.local_path(key)
    if local is not None:
        return await asyncio.to_thread(probe, local, field=field)
    with tempfile.TemporaryDirectory() as tmp:  # remote backends: probe a local copy
        path = Path(tmp) / key.rsplit("/", 1)[-1]
        with path.open("wb") as fh:
            async for chunk in objects.read(key):
                await asyncio.to_thread(fh.write, chunk)
        return await asyncio.to_thread(probe, path, field=field)


async def store_source(
    objects: ObjectStore,
    filename: str,
    chunks: AsyncIterator[bytes],
    when: datetime,
    *,
    field: str = "source_file",
    copies: LocalCopies | None = None,
) -> StoredSource:
    """Stream `chunks` into the store (atomically), then check it is audio; nothing is left on failure.
    With `copies`, a remote store's upload also leaves a local copy, which the probe (and later reads) use."""
    key = source_key(filename, when)
    sha1 = hashlib.sha1()

    async def hashed() -> AsyncIterator[bytes]:
        async for chunk in chunks:
            sha1.update(chunk)
            yield chunk

    stored = await (copies.put(key, hashed()) if copies is not None else objects.put(key, hashed()))
    try:
        audio = await _probe_object(objects, key, field, copies)
    except BaseException:
        await objects.delete(key)
        raise
    return StoredSource(key, filename, stored.size, sha1.hexdigest(), stored.sha256, audio)
