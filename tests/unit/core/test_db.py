"""Database.fetch: the inline SQLite read path sees what sessions commit, and nothing it runs can write."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.exc import OperationalError

from polyphony.app import migrate
from polyphony.core.db import Database
from polyphony.media.models import Artist

BY_NAME = select(Artist.id, Artist.name).where(Artist.name == bindparam("name"))


async def test_fetch_reads_committed_rows_at_once(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    try:
        await migrate(db)
        assert await db.fetch(BY_NAME, {"name": "Ann"}) == []
        async with db.transaction() as session:
            await session.execute(insert(Artist).values(name="Ann"))
        rows = await db.fetch(BY_NAME, {"name": "Ann"})
        assert [row.name for row in rows] == ["Ann"]
        async with db.transaction() as session:  # an update is seen by the next read on the same connection
            await session.execute(text("UPDATE media_artists SET name = 'Anne' WHERE name = 'Ann'"))
        assert await db.fetch(BY_NAME, {"name": "Ann"}) == []
        assert len(await db.fetch(BY_NAME, {"name": "Anne"})) == 1
        with pytest.raises(OperationalError):  # the inline reader is read-only
            await db.fetch(text("DELETE FROM media_artists"))
        assert len(await db.fetch(BY_NAME, {"name": "Anne"})) == 1
    finally:
        await db.dispose()


async def test_fetch_on_a_memory_database_uses_the_async_engine() -> None:
    db = Database("sqlite+aiosqlite:///:memory:")
    try:
        rows = await db.fetch(text("SELECT 1 AS one"))
        assert rows[0].one == 1
    finally:
        await db.dispose()
