"""Catalog sync and cue publishing against a real (SQLite) database with the migrations applied."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.trigger import catalog, projects_file
from polyphony.trigger.bus import CueBus
from polyphony.trigger.cue_tables import CoreCueTables, SqliteCueTables, cue_tables
from polyphony.trigger.cues import CueService, store_cue
from polyphony.trigger.models import Channel, Cue, ProjectState
from polyphony.trigger.relays import DatabaseRelay

FIXTURE = Path(__file__).parents[2] / "fixtures" / "opentheater" / "projects.yaml"
P1 = "09a7506a-d399-4d42-983f-47a12e028586"
P2 = "ff277516-121b-4304-b256-d5a8b70e136a"


async def test_sync_is_idempotent_and_follows_the_file(db: Database) -> None:
    specs = projects_file.load(FIXTURE)
    await catalog.sync_projects(db, specs)
    await catalog.sync_projects(db, specs)
    async with db.session() as s:
        projects = await catalog.list_projects(s)
        assert [p.uuid for p in projects] == [P1, P2]
        assert [len(p.channels) for p in projects] == [3, 2]
        assert projects[1].label == ["Staatstheater Mannheim", "Kammerspiele", "Shakespeares anderes Stück"]
        assert await s.scalar(select(func.count()).select_from(Channel)) == 5
    # drop the first project and a channel of the second
    _first, second = specs
    trimmed = (projects_file.ProjectSpec(second.project_uuid, second.project_path, None, second.channels[:1]),)
    await catalog.sync_projects(db, trimmed)
    async with db.session() as s:
        projects = await catalog.list_projects(s)
        assert [p.uuid for p in projects] == [P2]
        assert projects[0].label is None and len(projects[0].channels) == 1
        assert await s.scalar(select(func.count()).select_from(Channel)) == 1
        with pytest.raises(NotFound):
            await catalog.get_project(s, P1)
        with pytest.raises(NotFound):
            await catalog.get_project(s, "not-a-uuid")
        assert (await catalog.get_project(s, P2.upper())).uuid == P2


async def test_publish_stores_merges_and_fans_out(db: Database) -> None:
    await catalog.sync_projects(db, projects_file.load(FIXTURE))
    bus = CueBus()
    cues = CueService(db, bus)
    async with bus.subscribe(P1) as sub:
        first = await cues.publish(P1, '{"content": {"text_de": "eins"}}')
        second = await cues.publish(P1, b'{"content": {"text_en": "two"}, "timestamp": 7}')
        assert [(await sub.get()).sequence for _ in range(2)] == [first.sequence, second.sequence]  # type: ignore[union-attr]
        with pytest.raises(InvalidArgument):
            await cues.publish(P1, "{oops")
        with pytest.raises(NotFound):
            await cues.publish("5e23407e-0000-4000-8000-000000000000", '{"content": {}}')
        assert sub._queue.empty()  # rejected cues never reach the audience
    assert second.sequence > first.sequence and second.payload["timestamp"] == 7
    sequence, state = cues.state(P1)
    assert sequence == second.sequence and state["content"] == {"text_de": "eins", "text_en": "two"}
    # a restarted process sees the same state, and the history pages
    fresh = CueService(db, CueBus())
    await fresh.start()
    assert fresh.state(P1) == (sequence, state)
    async with db.session() as s:
        page = await fresh.history(s, P1, after=0, limit=1)
        assert [c.sequence for c in page.cues] == [first.sequence] and page.next_after == first.sequence
        page = await fresh.history(s, P1, after=first.sequence, limit=0)
        assert [c.text for c in page.cues] == [second.text] and page.next_after is None
        assert await s.scalar(select(func.count()).select_from(Cue)) == 2
        with pytest.raises(InvalidArgument):
            await fresh.history(s, P1, after=0, limit=5000)


async def test_both_statement_sets_store_the_same_rows(db: Database) -> None:
    """Publishing writes through sqlite3 directly; cue lists through SQLAlchemy Core. Each reads the
    state the other wrote, and the ORM reads both."""
    await catalog.sync_projects(db, projects_file.load(FIXTURE))
    assert isinstance(await db.write(cue_tables), SqliteCueTables)  # the publish path on a SQLite file
    first, _ = await db.write(lambda c: store_cue(cue_tables(c), P1.upper(), {"content": {"text_de": "eins"}}))
    async with db.transaction() as session:
        styled = {"content": {"text_en": "two"}, "styles": {"#a": {"inline": {"color": "red"}}}}
        second, _ = await session.run_sync(lambda s: store_cue(CoreCueTables(s.connection()), P1, styled))
    third, merged = await db.write(lambda c: store_cue(cue_tables(c), P1, {"content": {"text_de": ""}}))  # "" clears
    assert first.project_uuid == P1 and first.sequence < second.sequence < third.sequence
    async with db.session() as s:
        row = await s.get(ProjectState, P1)
        assert row is not None and row.sequence == third.sequence and row.state == merged
        assert merged["content"] == {"text_en": "two"} and merged["styles"]["#a"]["inline"] == {"color": "red"}
        stored = (await s.scalars(select(Cue).order_by(Cue.id))).all()
        assert [(c.id, c.project_uuid, c.payload) for c in stored] == [
            (e.sequence, P1, e.text) for e in (first, second, third)
        ]
    with pytest.raises(NotFound):
        await db.write(lambda c: store_cue(cue_tables(c), "5e23407e-0000-4000-8000-000000000000", {}))
    with pytest.raises(NotFound):
        await db.write(lambda c: store_cue(cue_tables(c), "not-a-uuid", {}))


async def test_a_failed_write_keeps_nothing_and_the_next_one_works(db: Database) -> None:
    await catalog.sync_projects(db, projects_file.load(FIXTURE))

    def half_then_fail(conn: Connection) -> None:
        cue_tables(conn).add_cue(P1, 1, "{}")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        await db.write(half_then_fail)
    cues = CueService(db, CueBus())
    event = await cues.publish(P1, '{"content": {"text_de": "danach"}}')
    async with db.session() as s:
        assert (await s.scalars(select(Cue))).all()[0].payload == event.text  # only the published cue


async def test_a_publish_whose_caller_gives_up_still_reaches_the_audience(db: Database) -> None:
    """A cancelled RPC must not leave a stored cue that the audience never got."""
    await catalog.sync_projects(db, projects_file.load(FIXTURE))
    bus = CueBus()
    cues = CueService(db, bus)
    async with bus.subscribe(P1) as sub:
        caller = asyncio.create_task(cues.publish(P1, '{"content": {"text_de": "trotzdem"}}'))
        await asyncio.sleep(0)  # the publish has begun (it waits for the database now)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        got = await asyncio.wait_for(sub.get(), 5)
    assert got is not None and got.payload["content"] == {"text_de": "trotzdem"}
    assert cues.state(P1)[0] == got.sequence


async def test_cues_of_other_processes_are_followed(db: Database) -> None:
    await catalog.sync_projects(db, projects_file.load(FIXTURE))
    ra, rb = DatabaseRelay(interval=3600), DatabaseRelay(interval=3600)
    a, b = CueService(db, CueBus(), ra), CueService(db, CueBus(), rb)
    await a.start()
    await b.start()
    async with a.bus.subscribe(P1) as on_a, b.bus.subscribe(P1) as on_b:
        published = await a.publish(P1, '{"content": {"text_de": "from a"}}')
        assert await ra.poll(a) == 0  # its own cue was delivered at publish time
        assert await rb.poll(b) == 1
        got = await on_b.get()
        assert got is not None and got.text == published.text and got.sequence == published.sequence
        assert b.state(P1)[1]["content"] == {"text_de": "from a"}
        assert (await on_a.get()).sequence == published.sequence  # type: ignore[union-attr]
        assert on_a._queue.empty()
        # a sequence number that commits late (PostgreSQL) is still picked up
        async with db.transaction() as s:
            s.add(
                Cue(id=published.sequence + 5, project_uuid=P1, published_ms=1, payload='{"content":{"text_de":"5"}}')
            )
        assert await rb.poll(b) == 1
        async with db.transaction() as s:
            s.add(
                Cue(id=published.sequence + 2, project_uuid=P1, published_ms=1, payload='{"content":{"text_de":"2"}}')
            )
        assert await rb.poll(b) == 1
        assert [(await on_b.get()).sequence for _ in range(2)] == [  # type: ignore[union-attr]
            published.sequence + 5,
            published.sequence + 2,
        ]
        assert await rb.poll(b) == 0
    await a.close()
    await b.close()
