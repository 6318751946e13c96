from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from polyphony.core.errors import InvalidArgument, NotFound, PayloadTooLarge
from polyphony.core.objects import FilesystemObjectStore


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for p in parts:
        yield p


async def test_put_read_range_delete(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path)
    obj = await store.put("a/b.bin", chunks(b"hello ", b"world"))
    assert obj.size == 11 and len(obj.sha256) == 64
    assert b"".join([c async for c in store.read("a/b.bin")]) == b"hello world"
    assert b"".join([c async for c in store.read("a/b.bin", 6, 9)]) == b"wor"
    assert await store.size("a/b.bin") == 11
    assert await store.delete("a/b.bin") is True
    assert await store.size("a/b.bin") is None
    with pytest.raises(NotFound):
        [c async for c in store.read("a/b.bin")]


async def test_failed_upload_leaves_nothing_and_keeps_old_object(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path)
    await store.put("k", chunks(b"old"))
    with pytest.raises(PayloadTooLarge):
        await store.put("k", chunks(b"x" * 10, b"y" * 10), max_bytes=15)
    assert b"".join([c async for c in store.read("k")]) == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["k"]


@pytest.mark.parametrize("key", ["../x", "a/../../x", "/abs", ""])
def test_keys_cannot_escape(tmp_path: Path, key: str) -> None:
    with pytest.raises(InvalidArgument):
        FilesystemObjectStore(tmp_path).local_path(key)
