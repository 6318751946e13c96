"""Uploaded assets and API-managed projects against a real (SQLite) database and filesystem store."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from polyphony.core.db import Database
from polyphony.core.errors import FailedPrecondition, InvalidArgument, PayloadTooLarge
from polyphony.core.objects import FilesystemObjectStore
from polyphony.trigger import assets, catalog, manage, projects_file
from polyphony.trigger.live import ws_text_frame

FIXTURE = Path(__file__).parents[2] / "fixtures" / "opentheater" / "projects.yaml"
P1 = "09a7506a-d399-4d42-983f-47a12e028586"
DE_SIGN = "d40dcbb7-f740-4f94-bb9e-0da4d19650fb"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def _failing() -> AsyncIterator[bytes]:
    yield b"partial"
    raise ConnectionResetError("client went away")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "../x",
        "a/../../x",
        "/etc/passwd",
        "a\\b",
        "a\x00b",
        "a\nb",
        "./a",
        "a//b",
        "a/",
        ".git/config",
        "x.json",
        "C:/x",
        "é" * 600,
    ],
)
def test_paths_outside_or_unlisted_are_refused(path: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        assets.check_path(path)
    assert err.value.field == "filepath"


@pytest.mark.parametrize("path", ["1.vtt", "dir/sub/file name.mp4", "ünïcode/ä.png", "a..b.txt"])
def test_paths_inside_are_kept(path: str) -> None:
    assert assets.check_path(path) == path


def test_content_types() -> None:
    assert assets.content_type_for("a.vtt", None) == "text/vtt"
    assert assets.content_type_for("a.png", "application/octet-stream") == "image/png"
    assert assets.content_type_for("a.bin", "video/mp4; codecs=avc1") == "video/mp4; codecs=avc1"
    with pytest.raises(InvalidArgument):
        assets.content_type_for("a.bin", "not a type")


def test_frames_match_rfc6455_lengths() -> None:
    assert ws_text_frame(b"hi") == b"\x81\x02hi"
    assert ws_text_frame(b"x" * 200)[:4] == b"\x81\x7e\x00\xc8"
    assert ws_text_frame(b"x" * 70000)[:10] == b"\x81\x7f" + (70000).to_bytes(8, "big")


async def test_failed_or_oversized_uploads_keep_the_stored_asset(db: Database, tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "objects")
    project = await manage.create_project(db, manage.ProjectFields(None, ["P"], None))
    _, channel = await manage.create_channel(
        db, project.uuid, manage.ChannelFields(None, None, ["text_de"], False, None, None, None)
    )
    first = await assets.upload(db, store, project.uuid, channel.uuid, "a.txt", None, _chunks(b"hello", b" world"))
    assert first.created and first.filesize == 11 and first.content_type == "text/plain"
    with pytest.raises(PayloadTooLarge):
        await assets.upload(db, store, project.uuid, channel.uuid, "a.txt", None, _chunks(b"x" * 20), max_bytes=10)
    with pytest.raises(ConnectionResetError):
        await assets.upload(db, store, project.uuid, channel.uuid, "a.txt", None, _failing())
    async with db.session() as session:
        [entry] = await assets.listing(session, channel.uuid)
        item = await assets.open_asset(session, channel.uuid, "a.txt", None)
    assert (entry.filesize, entry.lastmodified) == (11, first.lastmodified)
    assert b"".join([c async for c in assets.read(store, item)]) == b"hello world"
    assert len([p for p in (tmp_path / "objects").rglob("*") if p.is_file()]) == 1  # no leftovers

    second = await assets.upload(db, store, project.uuid, channel.uuid, "a.txt", None, _chunks(b"x"))
    third = await assets.upload(db, store, project.uuid, channel.uuid, "a.txt", None, _chunks(b"y"))
    assert first.lastmodified < second.lastmodified < third.lastmodified  # even within one millisecond
    assert first.channel_lastmodified < second.channel_lastmodified < third.channel_lastmodified
    assert len([p for p in (tmp_path / "objects").rglob("*") if p.is_file()]) == 1  # replaced objects deleted
    changed = await assets.delete(db, store, project.uuid, channel.uuid, "a.txt")
    assert changed > third.channel_lastmodified
    assert not [p for p in (tmp_path / "objects").rglob("*") if p.is_file()]


async def test_file_channels_refuse_uploads_and_sync_keeps_api_projects(db: Database, tmp_path: Path) -> None:
    store = FilesystemObjectStore(tmp_path / "objects")
    specs = projects_file.load(FIXTURE)
    await catalog.sync_projects(db, specs)
    with pytest.raises(FailedPrecondition):
        await assets.upload(db, store, P1, DE_SIGN, "x.txt", None, _chunks(b"x"))
    assert not (tmp_path / "objects").exists() or not any((tmp_path / "objects").rglob("*.*"))
    api_project = await manage.create_project(db, manage.ProjectFields(None, ["API"], None))
    _, extra = await manage.create_channel(
        db, P1, manage.ChannelFields(None, "IT", ["text_it"], False, None, None, None)
    )
    await assets.upload(db, store, P1, extra.uuid, "it.vtt", None, _chunks(b"WEBVTT"))
    await catalog.sync_projects(db, specs, store=store)
    async with db.session() as session:
        projects = await catalog.list_projects(session)
    assert [p.uuid for p in projects][-1] == api_project.uuid and len(projects) == 3
    assert projects[0].channels[-1].uuid == extra.uuid  # the API channel of a file project stays
    # a file without the first project removes it, its API channel and that channel's asset object
    await catalog.sync_projects(db, specs[1:], store=store)
    async with db.session() as session:
        assert [p.uuid for p in await catalog.list_projects(session)] == [specs[1].project_uuid, api_project.uuid]
    assert not [p for p in (tmp_path / "objects").rglob("*") if p.is_file()]
