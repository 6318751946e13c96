"""A fresh SQLite database with every migration applied, for the trigger unit tests that store things."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from polyphony.app import migrate
from polyphony.core.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await migrate(database)
    yield database
    await database.dispose()
