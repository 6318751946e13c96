"""Cue relays between server processes: selection, the Redis wire format, and Redis pub/sub for real."""

import asyncio
import uuid
from pathlib import Path

import pytest

from polyphony.core.config import Settings
from polyphony.core.db import Database
from polyphony.trigger import catalog, projects_file
from polyphony.trigger.bus import CueBus, CueEvent
from polyphony.trigger.cues import CueService
from polyphony.trigger.relays import (
    DatabaseRelay,
    InProcessRelay,
    RedisRelay,
    decode_wire,
    deployment_channel,
    encode_wire,
    make_relay,
    relay_for,
)

FIXTURE = Path(__file__).parents[2] / "fixtures" / "opentheater" / "projects.yaml"
P1 = "09a7506a-d399-4d42-983f-47a12e028586"
REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def db(db: Database) -> Database:
    """The migrated database of conftest.py, with the fixture's projects synced."""
    await catalog.sync_projects(db, projects_file.load(FIXTURE))
    return db


def test_relay_selection() -> None:
    def pick(kind: str, workers: int) -> str:
        return make_relay(kind, workers=workers, redis_url=REDIS, redis_channel="c").name

    assert pick("auto", 1) == "memory"  # one process: no polling at all
    assert pick("auto", 3) == "database"
    assert pick("memory", 3) == "memory"
    assert pick("database", 1) == "database"
    assert pick("redis", 1) == pick("redis", 4) == "redis"
    with pytest.raises(ValueError, match="CUE_BUS"):
        pick("kafka", 1)


def test_wire_round_trip_keeps_the_payload_text() -> None:
    text = '{"content":{"text_de":"Grüße\\n"},"timestamp":5}'
    event = CueEvent(P1, 42, 1234, {"content": {"text_de": "Grüße\n"}, "timestamp": 5}, text)
    origin, back = decode_wire(encode_wire("me", event))
    assert origin == "me" and back.text == text and back.payload == event.payload
    assert (back.project_uuid, back.sequence, back.published_ms) == (P1, 42, 1234)


async def test_in_process_publish_never_touches_a_relay_task(db: Database) -> None:
    cues = CueService(db, CueBus())
    await cues.start()
    assert isinstance(cues.relay, InProcessRelay)
    before = {t.get_name() for t in asyncio.all_tasks()}
    async with cues.bus.subscribe(P1) as sub:
        event = await cues.publish(P1, '{"content": {"text_de": "x"}}')
        assert (await sub.get()) is event  # the very object: encoded once, shared by subscribers
    assert {t.get_name() for t in asyncio.all_tasks()} == before
    await cues.close()


async def test_redis_relay_delivers_between_processes_once(db: Database) -> None:
    channel = f"polyphony:test:{uuid.uuid4().hex}"
    a = CueService(db, CueBus(), RedisRelay(REDIS, channel))
    b = CueService(db, CueBus(), RedisRelay(REDIS, channel))
    await a.start()  # fails (not skips) when Redis is down
    await b.start()
    try:
        async with a.bus.subscribe(P1) as on_a, b.bus.subscribe(P1) as on_b:
            sent = await a.publish(P1, '{"content": {"text_de": "über Redis"}}')
            got = await asyncio.wait_for(on_b.get(), 5)
            assert got is not None and (got.sequence, got.text) == (sent.sequence, sent.text)
            assert b.state(P1)[1]["content"] == {"text_de": "über Redis"}
            assert (await on_a.get()) is sent
            await asyncio.sleep(0.2)
            assert on_a._queue.empty() and on_b._queue.empty()  # no echo, no duplicate
            # a replay from the database (after a lost connection) does not deliver twice
            await b.relay._replay(b)  # type: ignore[attr-defined]
            assert on_b._queue.empty()
    finally:
        await a.close()
        await b.close()


async def test_redis_relay_refuses_to_start_without_redis(db: Database) -> None:
    cues = CueService(db, CueBus(), RedisRelay("redis://127.0.0.1:1/0", "x"))
    with pytest.raises(RuntimeError, match="cannot reach Redis"):
        await cues.start()


async def test_database_relay_polls_only_when_started(db: Database) -> None:
    relay = DatabaseRelay(interval=0.05)
    a, b = CueService(db, CueBus()), CueService(db, CueBus(), relay)
    await a.start()
    await b.start()
    async with b.bus.subscribe(P1) as on_b:
        sent = await a.publish(P1, '{"content": {"text_de": "polled"}}')
        got = await asyncio.wait_for(on_b.get(), 5)
        assert got is not None and got.sequence == sent.sequence
    await a.close()
    await b.close()


def test_the_default_channel_is_one_per_deployment(tmp_path: Path) -> None:
    pg = "postgresql+asyncpg://polyphony:pw@DB.example:5432/show"
    same_db = (
        "postgresql+psycopg://other@db.example/show",
        "postgresql+asyncpg://polyphony:new-pw@db.example:5432/show",
    )
    assert {deployment_channel(url, "s3cret") for url in (pg, *same_db)} == {deployment_channel(pg, "s3cret")}
    others = [
        deployment_channel("postgresql+asyncpg://polyphony@db.example/rehearsal", "s3cret"),  # another database
        deployment_channel("postgresql+asyncpg://polyphony@db2.example/show", "s3cret"),  # another server
        deployment_channel(pg, "other secret"),  # another deployment's secret
        deployment_channel(f"sqlite+aiosqlite:///{tmp_path / 'a.db'}", "s3cret"),
        deployment_channel(f"sqlite+aiosqlite:///{tmp_path / 'b.db'}", "s3cret"),
    ]
    assert len({deployment_channel(pg, "s3cret"), *others}) == 6
    assert all(c.startswith("polyphony:trigger:cues:") for c in others)


def _settings(tmp_path: Path, name: str, **more: str) -> Settings:
    return Settings(
        data_dir=tmp_path / name, database_url=f"sqlite+aiosqlite:///{tmp_path / name}.db", cue_bus="redis", **more
    )


async def test_deployments_on_one_redis_do_not_share_cues_but_replicas_do(tmp_path: Path) -> None:
    """Two replicas of one deployment (same database and secret, own data directories) exchange cues
    over Redis; a second deployment on the same Redis, with nothing configured, hears none of them."""
    from polyphony.app import migrate

    services: list[CueService] = []
    relays = {
        "a1": relay_for(_settings(tmp_path, "show", secret="show secret").with_(data_dir=tmp_path / "replica1")),
        "a2": relay_for(_settings(tmp_path, "show", secret="show secret").with_(data_dir=tmp_path / "replica2")),
        "b": relay_for(_settings(tmp_path, "other")),  # its own secret, made in its own data directory
    }
    assert all(isinstance(r, RedisRelay) for r in relays.values())
    assert relays["a1"].channel == relays["a2"].channel != relays["b"].channel  # type: ignore[attr-defined]
    dbs = {
        "show": Database(f"sqlite+aiosqlite:///{tmp_path / 'show'}.db"),
        "other": Database(f"sqlite+aiosqlite:///{tmp_path / 'other'}.db"),
    }
    try:
        for db in dbs.values():
            await migrate(db)
            await catalog.sync_projects(db, projects_file.load(FIXTURE))
        for name, relay in relays.items():
            services.append(CueService(dbs["other" if name == "b" else "show"], CueBus(), relay))
            await services[-1].start()
        a1, a2, b = services
        async with a2.bus.subscribe(P1) as on_a2, b.bus.subscribe(P1) as on_b:
            sent = await a1.publish(P1, '{"content": {"text_de": "nur hier"}}')
            got = await asyncio.wait_for(on_a2.get(), 5)
            assert got is not None and got.text == sent.text
            await b.publish(P1, '{"content": {"text_de": "anderswo"}}')
            await asyncio.wait_for(on_b.get(), 5)  # b's own cue, locally
            await asyncio.sleep(0.5)
            assert on_b._queue.empty(), "a cue of another deployment arrived"
            assert on_a2._queue.empty(), "a cue of another deployment arrived"
    finally:
        for service in services:
            await service.close()
        for db in dbs.values():
            await db.dispose()
