"""The S3 object store against moto's S3 server: streaming put, ranged reads, sizes, deletion, presigned
URLs; and choosing the store from the settings."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from polyphony.core.config import Settings
from polyphony.core.errors import NotFound
from polyphony.core.objects import FilesystemObjectStore
from polyphony.core.stores import configured_store
from polyphony.flow import s3store, storage_backends
from polyphony.flow.objects import storage_key
from polyphony.flow.servicer import object_store
from tests.harness import free_port

BUCKET = "unit-bucket"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3", endpoint_url=url, aws_access_key_id="k", aws_secret_access_key="s", region_name="us-east-1"
    ).create_bucket(Bucket=BUCKET)
    try:
        yield url
    finally:
        moto.stop()


def _settings(endpoint: str, tmp: Path, **extra: Any) -> Settings:
    return Settings(
        data_dir=tmp,
        object_store="s3",
        s3_endpoint_url=endpoint,
        s3_bucket=BUCKET,
        s3_access_key_id="k",
        s3_secret_access_key="s",
        secret="x",
        **extra,
    )


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_put_read_ranges_size_delete(endpoint: str, tmp_path: Path) -> None:
    store = s3store.S3ObjectStore(s3store.make_client(_settings(endpoint, tmp_path)), BUCKET)
    data = bytes(range(256)) * 2000
    stored = await store.put("tams/abc", _chunks([data[:1000], data[1000:]]))
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert await store.size("tams/abc") == len(data)
    assert b"".join([c async for c in store.read("tams/abc")]) == data
    assert b"".join([c async for c in store.read("tams/abc", 10, 20)]) == data[10:20]
    assert b"".join([c async for c in store.read("tams/abc", 500_000)]) == data[500_000:]
    assert await store.delete("tams/abc")
    assert await store.size("tams/abc") is None
    with pytest.raises(NotFound):
        [c async for c in store.read("tams/abc")]


async def test_presigned_urls_reach_the_bucket(endpoint: str, tmp_path: Path) -> None:
    client = s3store.make_client(_settings(endpoint, tmp_path))
    links = s3store.S3Links(client, BUCKET)
    put = links.url("http://ignored", "PUT", "object-1")
    assert put.startswith(f"{endpoint}/{BUCKET}/{storage_key('object-1')}?")
    async with httpx.AsyncClient() as http:
        assert (await http.put(put, content=b"hello")).status_code == 200
        assert (await http.get(links.url("", "GET", "object-1"))).content == b"hello"


def test_store_is_chosen_by_settings(endpoint: str, tmp_path: Path) -> None:
    try:
        settings = _settings(endpoint, tmp_path)
        ctx: Any = SimpleNamespace(settings=settings, objects=configured_store(settings))
        store, links = object_store(ctx)
        assert isinstance(store, s3store.S3ObjectStore) and store is ctx.objects
        assert isinstance(links, s3store.S3Links)
        backend = storage_backends.current()
        assert backend.label == BUCKET and backend.store_product == "s3"
        for bad in ({"s3_bucket": ""}, {"object_store": "tape"}):
            with pytest.raises(ValueError):
                configured_store(settings.with_(**bad))
        fs_settings = Settings(data_dir=tmp_path, secret="x")
        fs: Any = SimpleNamespace(settings=fs_settings, objects=configured_store(fs_settings))
        assert isinstance(fs.objects, FilesystemObjectStore)
        assert object_store(fs)[0] is fs.objects and storage_backends.current() is storage_backends.FILESYSTEM
    finally:
        storage_backends.configure(storage_backends.FILESYSTEM)
