from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from polyphony.analysis.items.formdata import FilePart, read_form
from polyphony.core.errors import InvalidArgument, UnsupportedMediaType
from tests.unit.analysis.conftest import chunked, multipart


class Sink:
    def __init__(self) -> None:
        self.files: dict[str, tuple[FilePart, bytes]] = {}

    async def __call__(self, part: FilePart, data: AsyncIterator[bytes]) -> None:
        buf = b"".join([c async for c in data])
        self.files[part.name] = (part, buf)


@pytest.mark.parametrize("size", [1, 3, 64, 100_000])
async def test_multipart_streams_files_and_collects_fields_at_any_chunking(size: int) -> None:
    payload = bytes(range(256)) * 50 + b"\r\n--XbOuNdArY"  # looks like a boundary, but is not one
    ctype, body = multipart([("title", "Héllo"), ("description", "")], [("source_file", "a b.wav", payload)])
    sink = Sink()
    form = await read_form(ctype, chunked(body, size), sink)
    assert form.fields == {"title": "Héllo", "description": ""}
    part, data = sink.files["source_file"]
    assert data == payload and part.filename == "a b.wav"


async def test_first_value_wins_for_repeated_fields() -> None:
    ctype, body = multipart([("title", "one"), ("title", "two")], [])
    assert (await read_form(ctype, chunked(body), Sink())).fields == {"title": "one"}


async def test_json_and_urlencoded_bodies() -> None:
    form = await read_form("application/json", chunked(b'{"title": "x", "is_public": false}'), Sink())
    assert form.fields == {"title": "x", "is_public": False}
    form = await read_form("application/x-www-form-urlencoded", chunked(b"title=a+b&album=%C3%A9"), Sink())
    assert form.fields == {"title": "a b", "album": "é"}
    assert (await read_form("", chunked(b""), Sink())).fields == {}


async def test_bad_bodies_are_rejected() -> None:
    with pytest.raises(UnsupportedMediaType):
        await read_form("text/plain", chunked(b"hi"), Sink())
    with pytest.raises(InvalidArgument, match="JSON parse error"):
        await read_form("application/json", chunked(b"{nope"), Sink())
    with pytest.raises(InvalidArgument) as err:
        await read_form("application/json", chunked(b"[1]"), Sink())
    assert err.value.field == "non_field_errors"
    with pytest.raises(InvalidArgument, match="boundary"):
        await read_form("multipart/form-data", chunked(b"--x--"), Sink())
    ctype, body = multipart([("title", "x")], [("source_file", "a.wav", b"abc")])
    with pytest.raises(InvalidArgument, match="Multipart form parse error"):
        await read_form(ctype, chunked(body[: len(body) // 2]), Sink())
