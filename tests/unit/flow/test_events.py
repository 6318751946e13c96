"""Which webhooks an event is queued for (the spec's webhook filters), and the retry backoff."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from polyphony.core.db import Base, Database
from polyphony.flow import events
from polyphony.flow.dispatcher import RetryPolicy
from polyphony.flow.models import CollectionItemRow, FlowRow, OutboxRow, SourceRow, WebhookRow


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'events.db'}")
    async with database.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    yield database
    await database.dispose()


def _id() -> str:
    return str(uuid.uuid4())


async def _world(db: Database) -> dict[str, str]:
    """Flow `a` (source `sa`) is collected by flow `c` (source `sc`); flow `b` (source `sb`) is not."""
    ids = {k: _id() for k in ("a", "b", "c", "sa", "sb", "sc")}
    async with db.transaction() as s:
        for src in ("sa", "sb", "sc"):
            s.add(SourceRow(id=ids[src], format="urn:x-nmos:format:audio", created_us=0, updated_us=0, tags={}))
        await s.flush()
        for flow, src in (("a", "sa"), ("b", "sb"), ("c", "sc")):
            s.add(
                FlowRow(
                    id=ids[flow],
                    source_id=ids[src],
                    format="urn:x-nmos:format:audio",
                    read_only=False,
                    created_us=0,
                    metadata_updated_us=0,
                    document={},
                )
            )
        await s.flush()
        s.add(CollectionItemRow(collector_id=ids["c"], position=0, member_id=ids["a"]))
    return ids


async def _hooks(db: Database, **filters: Any) -> dict[str, str]:
    out = {}
    async with db.transaction() as s:
        for name, options in filters.items():
            out[name] = _id()
            s.add(
                WebhookRow(
                    id=out[name],
                    url=f"http://h/{name}",
                    events=[*events.FLOW_EVENTS, "sources/created"],
                    options=options,
                    tags={},
                    status="created",
                    created_us=0,
                    attempts=0,
                    next_attempt_us=0,
                    lease_until_us=0,
                )
            )
    return out


async def _queued(
    db: Database, hooks: dict[str, str], event_type: str, event: dict[str, Any], **subject: Any
) -> set[str]:
    async with db.transaction() as s:
        await s.execute(OutboxRow.__table__.delete())
        await events.emit(s, event_type, event, **subject)
    async with db.session() as s:
        got = set((await s.scalars(select(OutboxRow.webhook_id))).all())
    return {name for name, hook in hooks.items() if hook in got}


async def test_filters_select_the_webhooks(db: Database) -> None:
    ids = await _world(db)
    hooks = await _hooks(
        db,
        all={},
        only_a={"flow_ids": [ids["a"]]},
        none={"flow_ids": []},
        src_b={"source_ids": [ids["sb"]]},
        in_c={"flow_collected_by_ids": [ids["c"]]},
        uncollected={"flow_collected_by_ids": []},
        src_in_sc={"source_collected_by_ids": [ids["sc"]]},
        src_uncollected={"source_collected_by_ids": []},
    )
    flow_a = await _queued(db, hooks, "flows/updated", {"flow": {}}, flow_id=ids["a"])
    assert flow_a == {"all", "only_a", "in_c", "src_in_sc"}
    flow_b = await _queued(db, hooks, "flows/updated", {"flow": {}}, flow_id=ids["b"])
    assert flow_b == {"all", "src_b", "uncollected", "src_uncollected"}
    # flow filters do not apply to Source events; source filters do
    source_a = await _queued(db, hooks, "sources/created", {"source": {}}, source_id=ids["sa"])
    assert source_a == {"all", "only_a", "none", "in_c", "uncollected", "src_in_sc"}


async def test_inactive_or_unsubscribed_webhooks_get_nothing(db: Database) -> None:
    ids = await _world(db)
    hooks = await _hooks(db, on={})
    async with db.transaction() as s:
        row = await s.get(WebhookRow, hooks["on"])
        assert row is not None
        row.status = "disabled"
    assert await _queued(db, hooks, "flows/created", {"flow": {}}, flow_id=ids["a"]) == set()
    async with db.transaction() as s:
        row = await s.get(WebhookRow, hooks["on"])
        assert row is not None
        row.status, row.events = "started", ["flows/deleted"]
    assert await _queued(db, hooks, "flows/created", {"flow": {}}, flow_id=ids["a"]) == set()
    assert await _queued(db, hooks, "flows/deleted", {"flow_id": ids["a"]}, flow_id=ids["a"]) == {"on"}


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RetryPolicy(base_seconds=0.5, max_seconds=4.0)
    assert [policy.delay_us(n) / 1e6 for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
