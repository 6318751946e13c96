"""Local files of stored objects, for code that needs a path (HDF5, libsndfile seeks, probing).

With the filesystem store the object's own file is used. With a remote store (S3) the object is fetched
on first use into a cache directory of this machine and kept there for later reads, up to `max_bytes`:
beyond that, the least recently used copies are dropped first. The store stays the only place where the
bytes live; the cache can be wiped at any time.

Objects are treated as immutable: a key is never rewritten with other bytes (writers use a new key and
delete the old one), so a cached copy never goes stale. A copy handed out is pinned by a hard link of its
own for as long as it is used, so another process sharing the cache directory may evict it meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from polyphony.core.config import Settings
from polyphony.core.errors import NotFound
from polyphony.core.objects import ObjectStore, StoredObject, check_key

PINS = ".pins"
PARTS = ".parts"


class LocalCopies:
    def __init__(self, objects: ObjectStore, root: Path, max_bytes: int) -> None:
        self.objects = objects
        self.root = root
        self.max_bytes = max_bytes
        self._fetching: dict[str, asyncio.Lock] = {}
        self._swept = False

    @classmethod
    def for_settings(cls, objects: ObjectStore, settings: Settings) -> LocalCopies:
        """The cache of this data directory (`<data_dir>/cache/objects`, bounded by `object_cache_bytes`)."""
        return cls(objects, settings.data_dir / "cache" / "objects", settings.object_cache_bytes)

    @contextlib.asynccontextmanager
    async def local_file(self, key: str) -> AsyncIterator[Path]:
        """A local file holding the object `key`, valid inside the `async with` block (404 if it is gone)."""
        own = self.objects.local_path(key)
        if own is not None:
            if not await asyncio.to_thread(own.is_file):
                raise NotFound(f"object {key} not found")
            yield own
            return
        pin = await self._pinned(key)
        try:
            yield pin
        finally:
            await asyncio.to_thread(shutil.rmtree, pin.parent, True)

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None) -> StoredObject:
        """Store `chunks` under `key`; with a remote store, keep a local copy of the bytes as they pass (so a
        file just uploaded is not fetched back to be read)."""
        if self.objects.local_path(key) is not None:
            return await self.objects.put(key, chunks, max_bytes=max_bytes)
        path = self.root / check_key(key)
        parts = self.root / PARTS
        await asyncio.to_thread(parts.mkdir, parents=True, exist_ok=True)
        part = parts / f"{os.getpid()}-{uuid.uuid4().hex}"
        fh = await asyncio.to_thread(part.open, "wb")

        async def tee() -> AsyncIterator[bytes]:
            async for chunk in chunks:
                await asyncio.to_thread(fh.write, chunk)
                yield chunk

        try:
            stored = await self.objects.put(key, tee(), max_bytes=max_bytes)
            await asyncio.to_thread(fh.close)
            await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(os.replace, part, path)
        finally:
            fh.close()
            await asyncio.to_thread(part.unlink, True)
        await asyncio.to_thread(self._evict, path)
        return stored

    async def _pinned(self, key: str) -> Path:
        if not self._swept:
            self._swept = True
            await asyncio.to_thread(self._sweep_pins)
        pin_dir = self.root / PINS / f"{os.getpid()}-{uuid.uuid4().hex}"
        await asyncio.to_thread(pin_dir.mkdir, parents=True, exist_ok=True)
        pin = pin_dir / key.rsplit("/", 1)[-1]
        for _ in range(3):  # a copy evicted by another process between fetch and link is fetched again
            cached = await self._cached(key)
            try:
                await asyncio.to_thread(os.link, cached, pin)
                return pin
            except FileNotFoundError:
                continue
        await asyncio.to_thread(shutil.rmtree, pin_dir, True)
        raise NotFound(f"object {key} could not be kept locally")

    async def _cached(self, key: str) -> Path:
        path = self.root / check_key(key)
        lock = self._fetching.setdefault(key, asyncio.Lock())
        async with lock:
            try:
                await asyncio.to_thread(os.utime, path)  # a hit: now the most recently used
                return path
            except FileNotFoundError:
                pass
            await self._fetch(key, path)
        self._fetching.pop(key, None)
        await asyncio.to_thread(self._evict, path)
        return path

    async def _fetch(self, key: str, path: Path) -> None:
        if await self.objects.size(key) is None:
            raise NotFound(f"object {key} not found")
        parts = self.root / PARTS
        await asyncio.to_thread(parts.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        part = parts / f"{os.getpid()}-{uuid.uuid4().hex}"
        try:
            fh = await asyncio.to_thread(part.open, "wb")
            try:
                async for chunk in self.objects.read(key):
                    await asyncio.to_thread(fh.write, chunk)
            finally:
                fh.close()
            await asyncio.to_thread(os.replace, part, path)
        finally:
            await asyncio.to_thread(part.unlink, True)

    def _sweep_pins(self) -> None:
        """Remove the pins (and half-fetched parts) left by processes of this machine that are gone."""
        for folder in (self.root / PINS, self.root / PARTS):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                pid = entry.name.split("-", 1)[0]
                if pid.isdigit() and not _alive(int(pid)):
                    if entry.is_dir():
                        shutil.rmtree(entry, True)
                    else:
                        entry.unlink(missing_ok=True)

    def _evict(self, keep: Path) -> None:
        """Drop least recently used copies until the cache holds at most `max_bytes` (never `keep`)."""
        entries: list[tuple[float, int, Path]] = []
        total = 0
        for dirpath, dirnames, filenames in os.walk(self.root):
            if Path(dirpath) == self.root:
                dirnames[:] = [d for d in dirnames if d not in (PINS, PARTS)]
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                except FileNotFoundError:
                    continue
                total += st.st_size
                entries.append((st.st_mtime, st.st_size, path))
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                total -= size


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
