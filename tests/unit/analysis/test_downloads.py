"""Whole-file downloads stored as encoder Results, the OpenAPI document and the legacy HTML pages."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from polyphony.analysis.items import downloads as dl
from polyphony.analysis.items.downloads import Downloads
from polyphony.analysis.items.service import ItemService
from polyphony.analysis.models import Item, Preset, Result
from polyphony.analysis.web import openapi, pages
from polyphony.audio.transcode import transcode as real_transcode
from polyphony.core.errors import NotFound, RangeNotSatisfiable
from polyphony.core.local_copies import LocalCopies
from tests.unit.analysis.conftest import chunked, encode, multipart, sine


async def _item(service: ItemService, title: str = "t", seconds: float = 1.0) -> Item:
    ctype, body = multipart([("title", title)], [("source_file", "a.wav", encode(sine(seconds)))])
    return await service.create_from_body(ctype, chunked(body, 4096))


async def _body(d: dl.Download) -> bytes:
    return b"".join([c async for c in d.body])


async def test_concurrent_first_downloads_encode_once(service: ItemService, tmp_path: Path) -> None:
    downloads = Downloads(service.db, LocalCopies(service.objects, tmp_path / "cache", 1 << 30))
    item = await _item(service)
    calls = 0
    real = real_transcode

    def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    with mock.patch.object(dl, "transcode", counting):
        got = await asyncio.gather(*(downloads.prepare(item, "flac", None, None, None) for _ in range(4)))
        bodies = {await _body(d) for d in got}
    assert calls == 1 and len(bodies) == 1 and all(d.mime == "audio/flac" for d in got)
    async with service.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Result)) == 1
        assert await session.scalar(select(func.count()).select_from(Preset)) == 1
        result = await session.scalar(select(Result))
    assert result is not None and result.mime_type == "audio/flac" and result.file_key is not None
    # A lost file is encoded again into the same result row.
    await service.objects.delete(result.file_key)
    again = await downloads.prepare(item, "FLAC", None, None, "bytes=0-3")
    assert again.status == 206 and len(await _body(again)) == 4
    async with service.db.session() as session:
        assert [r.uuid for r in (await session.scalars(select(Result))).all()] == [result.uuid]


async def test_unknown_format_and_bad_range(service: ItemService, tmp_path: Path) -> None:
    downloads = Downloads(service.db, LocalCopies(service.objects, tmp_path / "cache", 1 << 30))
    item = await _item(service)
    with pytest.raises(NotFound):
        await downloads.prepare(item, "xyz", None, None, None)
    with pytest.raises(RangeNotSatisfiable):
        await downloads.prepare(item, "wav", None, None, "bytes=999999999-")
    with pytest.raises(NotFound):
        await downloads.serve("timeside/results/none.wav", "audio/wav", None)


def test_openapi_document_is_valid_and_complete() -> None:
    doc = json.loads(openapi.schema_document("http://h"))
    validate(doc)
    ops = [op["operationId"] for path in doc["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops))
    assert "GetApiSchema" in ops and "DownloadItem" in ops and "DownloadItem2" in ops
    item = doc["paths"]["/timeside/api/items/{uuid}"]
    assert set(item) == {"get", "put", "patch", "delete"}
    assert item["delete"]["responses"]["204"] == {"description": "No content."}
    assert doc["paths"]["/timeside/api/items"]["post"]["requestBody"]["content"]["*/*"]


async def test_pages_escape_user_strings(service: ItemService) -> None:
    evil = '<script>alert("x")</script>'
    item = await _item(service, evil)
    for html in (
        pages.item_page('http://h"><script>', item, None),
        pages.export_page("http://h", item, []),
        pages.player_page("http://h", [item], item, None),
    ):
        text = html.decode()
        assert "<script" not in text and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
