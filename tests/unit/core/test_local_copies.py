"""Local copies of stored objects: the store's own file when it has one; otherwise fetched on first use into
a bounded cache (least recently used dropped first), pinned while in use."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from polyphony.core.errors import NotFound
from polyphony.core.local_copies import LocalCopies
from polyphony.core.objects import FilesystemObjectStore
from tests.remote_store import RemoteStore


async def one(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def test_a_remote_object_is_fetched_once_then_read_from_the_cache(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path / "store")
    await store.put("a/b/x.wav", one(b"x" * 1000))
    copies = LocalCopies(store, tmp_path / "cache", 10_000)
    async with copies.local_file("a/b/x.wav") as path:
        assert path.read_bytes() == b"x" * 1000 and not path.is_relative_to(tmp_path / "store")
    async with copies.local_file("a/b/x.wav") as path:
        assert path.read_bytes() == b"x" * 1000
    assert store.reads == 1
    assert not any((tmp_path / "cache" / ".pins").iterdir())  # pins are gone after use


async def test_the_cache_is_bounded_and_drops_the_least_recently_used(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path / "store")
    for name in "abc":
        await store.put(f"k/{name}", one(name.encode() * 400))
    copies = LocalCopies(store, tmp_path / "cache", 1000)
    cached = tmp_path / "cache" / "k"
    for name in "ab":
        async with copies.local_file(f"k/{name}"):
            pass
    os.utime(cached / "a", (1, 1))  # a is the older one
    async with copies.local_file("k/c") as path:
        assert path.read_bytes() == b"c" * 400
    assert sorted(p.name for p in cached.iterdir()) == ["b", "c"]


async def test_a_copy_in_use_survives_its_eviction(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path / "store")
    await store.put("k/big", one(b"1" * 800))
    await store.put("k/next", one(b"2" * 800))
    copies = LocalCopies(store, tmp_path / "cache", 1000)
    async with copies.local_file("k/big") as held:
        async with copies.local_file("k/next"):
            assert not (tmp_path / "cache" / "k" / "big").exists()  # evicted from the cache...
        assert held.read_bytes() == b"1" * 800  # ...but the pinned copy still reads


async def test_missing_objects_are_not_found(tmp_path: Path) -> None:
    remote = LocalCopies(RemoteStore(tmp_path / "store"), tmp_path / "cache", 1000)
    with pytest.raises(NotFound):
        async with remote.local_file("k/none"):
            pass
    local = LocalCopies(FilesystemObjectStore(tmp_path / "fs"), tmp_path / "cache2", 1000)
    with pytest.raises(NotFound):
        async with local.local_file("k/none"):
            pass


async def test_the_filesystem_store_gives_its_own_file(tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "fs")
    await store.put("k/x", one(b"abc"))
    copies = LocalCopies(store, tmp_path / "cache", 1000)
    async with copies.local_file("k/x") as path:
        assert path == store.local_path("k/x")
    assert not (tmp_path / "cache").exists()


async def test_pins_of_processes_that_are_gone_are_swept(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path / "store")
    await store.put("k/x", one(b"x"))
    dead = tmp_path / "cache" / ".pins" / "999999999-abc"  # no such process
    dead.mkdir(parents=True)
    (dead / "x").write_bytes(b"left behind")
    live = tmp_path / "cache" / ".pins" / f"{os.getpid()}-def"
    live.mkdir()
    async with LocalCopies(store, tmp_path / "cache", 1000).local_file("k/x"):
        pass
    assert not dead.exists() and live.exists()


async def test_a_put_through_the_copies_keeps_a_local_copy_of_a_remote_object(tmp_path: Path) -> None:
    store = RemoteStore(tmp_path / "store")
    copies = LocalCopies(store, tmp_path / "cache", 10_000)
    stored = await copies.put("k/up", one(b"u" * 500))
    assert stored.size == 500 and await store.size("k/up") == 500
    async with copies.local_file("k/up") as path:
        assert path.read_bytes() == b"u" * 500
    assert store.reads == 0  # never fetched back
    assert not any((tmp_path / "cache" / ".parts").iterdir())
    local = FilesystemObjectStore(tmp_path / "fs")
    await LocalCopies(local, tmp_path / "cache2", 10_000).put("k/up", one(b"v"))
    assert local.local_path("k/up").read_bytes() == b"v" and not (tmp_path / "cache2").exists()
