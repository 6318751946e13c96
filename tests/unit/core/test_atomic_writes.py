"""Read-modify-write is atomic in every service (issue 14, "Lost updates"): concurrent writers of different
parts of one resource all keep what they wrote. Domain level, on the database POLYPHONY_TEST_DB names
(SQLite or a fresh PostgreSQL database), so both backends are proven: TimeSide presets, Open Theater
projects/channels and cue lists, AURA library rescans. (TAMS flows and sources: tests/e2e/test_lost_updates.py.)"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from mutagen.flac import FLAC
from sqlalchemy import func, select

from polyphony.analysis.catalog.service import Catalog
from polyphony.app import migrate
from polyphony.core.db import Database
from polyphony.media.demo import synthesize
from polyphony.media.models import Track
from polyphony.media.scanner import scan
from polyphony.trigger import cuelists, manage
from polyphony.trigger.manage import ChannelFields, ProjectFields
from tests.harness import database_url

WRITERS = 50


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with database_url(tmp_path) as found:
        yield found


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    await migrate(database)
    try:
        yield database
    finally:
        await database.dispose()


async def test_preset_parameters_and_visibility_edited_at_once_both_stay(db: Database) -> None:
    catalog = Catalog(db)
    await catalog.sync_processors()
    for round_ in range(5):
        preset, _ = await catalog.create_preset({"processor": "tempo", "parameters": {"start_bpm": 100 + round_}})
        bpm = 150.0 + round_
        await asyncio.gather(
            catalog.update_preset(preset.uuid, {"parameters": {"start_bpm": bpm}}),
            catalog.update_preset(preset.uuid, {"is_public": True}),
        )
        stored = await catalog.get_preset(preset.uuid)
        assert (stored.parameters["start_bpm"], stored.is_public) == (bpm, True), round_


def _channel(label: str) -> ChannelFields:
    return ChannelFields(None, label, ["text_de"], False, None, None, None)


async def test_concurrent_channel_creation_and_project_edit(db: Database) -> None:
    project = await manage.create_project(db, ProjectFields(None, ["HOUSE", "SHOW"], ["House", "Show"]))
    await asyncio.gather(
        *(manage.create_channel(db, project.uuid, _channel(f"c{i}")) for i in range(WRITERS - 1)),
        manage.update_project(db, project.uuid, ProjectFields(None, ["HOUSE", "RENAMED"], ["House", "Renamed"])),
    )
    async with db.session() as session:
        from polyphony.trigger import catalog as projects

        stored = await projects.get_project(session, project.uuid)
        assert stored.path == ["HOUSE", "RENAMED"]
        assert sorted(c.label or "" for c in stored.channels) == sorted(f"c{i}" for i in range(WRITERS - 1))
        assert sorted(c.position for c in stored.channels) == list(range(WRITERS - 1))


async def test_concurrent_cue_list_replacements_leave_one_whole_list(db: Database) -> None:
    project = await manage.create_project(db, ProjectFields(None, ["HOUSE", "CUES"], None))
    lists = [[(f"l{i}-{j}", {"content": {"text_de": f"{i}.{j}"}}) for j in range(3)] for i in range(10)]
    await asyncio.gather(*(cuelists.replace(db, project.uuid, cues) for cues in lists))
    async with db.session() as session:
        view = await cuelists.get(session, project.uuid)
    labels = [e.label for e in view.cues]
    assert len(labels) == 3 and len({label.split("-")[0] for label in labels}) == 1, labels


def _library(root: Path, count: int) -> None:
    for i in range(count):
        path = root / f"{i:02d}.flac"
        synthesize(path, 200.0 + 10 * i, seconds=0.2, rate=8000)
        tags = FLAC(path)
        tags.update({"title": f"Track {i}", "artist": "Scanner", "album": "Concurrent"})
        tags.save()


async def test_concurrent_rescans_store_each_file_once(db: Database, tmp_path: Path) -> None:
    root = tmp_path / "library"
    root.mkdir()
    _library(root, 6)
    reports = await asyncio.gather(*(scan(db, [root]) for _ in range(3)))
    assert all(not r.failed for r in reports), [r.failed for r in reports]
    async with db.session() as session:
        paths = (await session.scalars(select(Track.path))).all()
        assert sorted(paths) == sorted(str(p.resolve()) for p in root.glob("*.flac"))
        assert await session.scalar(select(func.count()).select_from(Track)) == 6
