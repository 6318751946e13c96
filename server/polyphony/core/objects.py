"""The object store: where media bytes live. A filesystem backend is the default.

Writes are atomic (temp file + rename), so a failed or cancelled upload never leaves half an object;
reads stream in chunks and honour byte ranges, so nothing is ever held whole in memory.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import re
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from polyphony.core.errors import InvalidArgument, NotFound, PayloadTooLarge

# Bytes streamed to a client travel as one gRPC message per chunk, and Envoy's transcoder holds a whole
# message before it passes it on: a message larger than the edge's per-connection buffer limit (at least
# 64 KiB, `polyphony.edge.envoy_config.buffer_limit`) is answered by Envoy itself with a bare 500. So every
# answer that streams bytes (stored objects, Open Theater files, AURA audio) sends chunks of this size.
CHUNK = 32 * 1024
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,511}$")


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    sha256: str


class ObjectStore(Protocol):
    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None) -> StoredObject: ...

    def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]: ...

    async def size(self, key: str) -> int | None: ...

    async def delete(self, key: str) -> bool: ...

    def local_path(self, key: str) -> Path | None: ...


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key.split("/"):
        raise InvalidArgument(f"invalid object key {key!r}", field="key")
    return key


class FilesystemObjectStore:
    """Objects as files under `root` (the data directory's `objects/`)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def local_path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None) -> StoredObject:
        path = self.local_path(key)
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.part")
        digest = hashlib.sha256()
        size = 0
        fh = await asyncio.to_thread(open, tmp, "wb")
        try:
            # held while writing: polyphony.core.sweep removes only .part files nobody holds (writer died)
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            async for chunk in chunks:
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise PayloadTooLarge(f"object larger than {max_bytes} bytes")
                digest.update(chunk)
                await asyncio.to_thread(fh.write, chunk)
            await asyncio.to_thread(fh.flush)
            await asyncio.to_thread(os.fsync, fh.fileno())
            fh.close()
            await asyncio.to_thread(os.replace, tmp, path)
        except BaseException:
            fh.close()
            tmp.unlink(missing_ok=True)
            raise
        return StoredObject(key=key, size=size, sha256=digest.hexdigest())

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """Bytes `start`..`end` (exclusive; None = to the end) in chunks of at most 128 KiB."""
        path = self.local_path(key)
        try:
            fh = await asyncio.to_thread(open, path, "rb")
        except FileNotFoundError:
            raise NotFound(f"object {key} not found") from None
        try:
            await asyncio.to_thread(fh.seek, start)
            remaining = None if end is None else max(0, end - start)
            while remaining is None or remaining > 0:
                want = CHUNK if remaining is None else min(CHUNK, remaining)
                chunk = await asyncio.to_thread(fh.read, want)
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk
        finally:
            fh.close()

    async def size(self, key: str) -> int | None:
        try:
            return (await asyncio.to_thread(self.local_path(key).stat)).st_size
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> bool:
        try:
            await asyncio.to_thread(self.local_path(key).unlink)
            return True
        except FileNotFoundError:
            return False
