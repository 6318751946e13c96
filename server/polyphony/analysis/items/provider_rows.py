"""Provider rows (TimeSide `Provider`): one per installed provider plug-in, created at start with a
stable uuid, so `/timeside/api/providers/{uuid}/` and item `provider` links survive restarts."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from polyphony.analysis.items.providers import PROVIDERS
from polyphony.analysis.models import Provider
from polyphony.core.db import Database
from polyphony.core.errors import NotFound

_PID_BY_UUID: dict[str, str] = {}
NOT_FOUND = "No Provider matches the given query."


def pid_of_uuid(key: str) -> str | None:
    return _PID_BY_UUID.get(key)


async def sync_providers(db: Database) -> None:
    """Make sure every installed provider has its row, with the plug-in's current fields."""
    async with db.transaction() as session:
        rows = {r.pid: r for r in (await session.scalars(select(Provider))).all()}
        for p in PROVIDERS.values():
            row = rows.get(p.pid)
            if row is None:
                row = Provider(uuid=str(uuid.uuid4()), pid=p.pid)
                session.add(row)
            row.name, row.description, row.domain, row.source_access = p.name, p.description, p.domain, p.source_access
            _PID_BY_UUID[row.uuid] = p.pid


async def list_providers(db: Database) -> list[Provider]:
    async with db.session() as session:
        rows = (await session.scalars(select(Provider).order_by(Provider.pid))).all()
    return [r for r in rows if r.pid in PROVIDERS]


async def get_provider(db: Database, key: str) -> Provider:
    """By uuid (TimeSide's lookup) or, for convenience, by pid."""
    async with db.session() as session:
        row = await session.scalar(select(Provider).where((Provider.uuid == key) | (Provider.pid == key)))
    if row is None or row.pid not in PROVIDERS:
        raise NotFound(NOT_FOUND)
    return row


def uuid_of_pid(pid: str) -> str | None:
    return next((k for k, v in _PID_BY_UUID.items() if v == pid), None)
