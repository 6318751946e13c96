"""An object store without local files (as S3 is), over a directory: for tests of code that must not
depend on `local_path`. It counts whole-object reads."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path

from polyphony.core.objects import FilesystemObjectStore, StoredObject


class RemoteStore:
    def __init__(self, root: Path) -> None:
        self.files = FilesystemObjectStore(root)
        self.reads = 0

    def local_path(self, key: str) -> Path | None:
        return None

    async def put(self, key: str, chunks: AsyncIterable[bytes], *, max_bytes: int | None = None) -> StoredObject:
        return await self.files.put(key, chunks, max_bytes=max_bytes)

    async def read(self, key: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        self.reads += 1
        async for chunk in self.files.read(key, start, end):
            yield chunk

    async def size(self, key: str) -> int | None:
        return await self.files.size(key)

    async def delete(self, key: str) -> bool:
        return await self.files.delete(key)
