from __future__ import annotations

import hashlib
import uuid

import pytest

from polyphony.analysis.items.service import ItemService
from polyphony.core.errors import InvalidArgument, NotFound
from tests.unit.analysis.conftest import chunked, encode, multipart, sine, stored_files


async def test_create_from_multipart_stores_audio_and_properties(service: ItemService) -> None:
    audio = encode(sine(2.0))
    ctype, body = multipart([("title", "Sine"), ("artist", "Osc")], [("source_file", "../s i/ne.wav", audio)])
    item = await service.create_from_body(ctype, chunked(body, 1000))
    assert uuid.UUID(item.uuid).version == 4
    assert (item.title, item.artist, item.mime_type, item.samplerate, item.channels) == (
        "Sine",
        "Osc",
        "audio/x-wav",
        8000,
        1,
    )
    assert item.audio_duration == pytest.approx(2.0)
    assert item.sha256 == hashlib.sha256(audio).hexdigest() and item.sha1 == hashlib.sha1(audio).hexdigest()
    assert item.source_key is not None and item.source_key.endswith("/ne.wav")
    assert [p.read_bytes() for p in stored_files(service)] == [audio]
    assert (await service.get(item.uuid)).title == "Sine"


async def test_corrupt_audio_stores_nothing(service: ItemService) -> None:
    ctype, body = multipart([("title", "x")], [("source_file", "x.wav", b"RIFF....WAVE" * 100)])
    with pytest.raises(InvalidArgument) as err:
        await service.create_from_body(ctype, chunked(body, 64))
    assert err.value.field == "source_file"
    assert stored_files(service) == [] and await service.list() == []


async def test_invalid_field_after_file_removes_the_stored_file(service: ItemService) -> None:
    ctype, body = multipart([], [("source_file", "x.wav", encode(sine()))])
    body = body.replace(
        b"--XbOuNdArYx--",
        b'--XbOuNdArYx\r\nContent-Disposition: form-data; name="title"\r\n\r\n' + b"t" * 600 + b"\r\n--XbOuNdArYx--",
    )
    with pytest.raises(InvalidArgument) as err:
        await service.create_from_body(ctype, chunked(body, 4096))
    assert err.value.field == "title"
    assert stored_files(service) == [] and await service.list() == []


async def test_text_value_for_source_file_is_rejected(service: ItemService) -> None:
    ctype, body = multipart([("source_file", "abc")], [])
    with pytest.raises(InvalidArgument, match="not a file"):
        await service.create_from_body(ctype, chunked(body))


async def test_json_item_without_audio(service: ItemService) -> None:
    item = await service.create_from_body("application/json", chunked(b'{"title": "t", "external_id": "e1"}'))
    assert item.source_key is None and item.mime_type is None
    other = await service.create_from_body("application/json", chunked(b"{}"))
    assert [i.uuid for i in await service.list()] == [item.uuid, other.uuid]
    assert [i.uuid for i in await service.list(external_id="e1")] == [item.uuid]
    assert await service.list(provider_pid="youtube") == []


async def test_typed_upload_shares_the_rules(service: ItemService) -> None:
    item = await service.create_from_upload({"title": "typed"}, "a.flac", chunked(encode(sine(), "FLAC"), 500))
    assert item.mime_type == "audio/flac"
    with pytest.raises(InvalidArgument):
        await service.create_from_upload({}, "b.wav", chunked(b"not audio at all" * 10))
    assert len(stored_files(service)) == 1


@pytest.mark.parametrize("bad", ["nope", "00000000-0000-0000-0000-000000000000", ""])
async def test_unknown_or_malformed_uuid_is_not_found(service: ItemService, bad: str) -> None:
    with pytest.raises(NotFound):
        await service.get(bad)


async def test_update_replaces_audio_and_delete_removes_it(service: ItemService) -> None:
    ctype, body = multipart([("title", "a")], [("source_file", "a.wav", encode(sine(1.0)))])
    item = await service.create_from_body(ctype, chunked(body, 999))
    updated = await service.update_from_body(item.uuid, "application/json", chunked(b'{"album": "B"}'))
    assert (updated.title, updated.album, updated.source_key) == ("a", "B", item.source_key)
    ctype, body = multipart([], [("source_file", "b.flac", encode(sine(3.0), "FLAC"))])
    replaced = await service.update_from_body(item.uuid, ctype, chunked(body, 999))
    assert replaced.audio_duration == pytest.approx(3.0) and replaced.source_key != item.source_key
    assert [p.name for p in stored_files(service)] == ["b.flac"]
    await service.delete(item.uuid)
    assert stored_files(service) == []
    with pytest.raises(NotFound):
        await service.delete(item.uuid)
