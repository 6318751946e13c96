"""How cues accepted by one server process reach the audiences of the others.

- `InProcessRelay` (one process, the default): nothing to relay; the local bus is all there is.
- `DatabaseRelay` (`--workers N` without Redis): each process polls the cue table for sequences it
  has not delivered yet (~5 times a second). Nothing is lost, at the price of up to one poll
  interval of extra latency for cues accepted by another process.
- `RedisRelay` (`POLYPHONY_CUE_BUS=redis`; replicas on several machines): every cue is published
  once on a Redis pub/sub channel as one pre-encoded message; each process decodes it once and
  hands the event to its local bus. Pub/sub drops messages while a subscriber is disconnected, so
  after a reconnect the relay replays the cues stored meanwhile from the database.

Redis pub/sub channels are global to a Redis server (the database number in the URL does not
separate them), so the channel is per deployment: `POLYPHONY_REDIS_CHANNEL` when set, otherwise
`deployment_channel`, derived from the database the replicas share and the secret they share.
Replicas of one deployment get the same channel; two deployments on one Redis get different ones.
"""

from __future__ import annotations

__all__ = ["DatabaseRelay", "InProcessRelay", "RedisRelay", "Relay", "deployment_channel", "make_relay", "relay_for"]

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from polyphony.core import keys
from polyphony.core.config import Settings
from polyphony.trigger.bus import CueEvent
from polyphony.trigger.relay_protocol import CueSink, InProcessRelay, Relay

log = logging.getLogger("polyphony.trigger")

BUS_KINDS = ("auto", "memory", "database", "redis")
CHANNEL_PREFIX = "polyphony:trigger:cues:"
_DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}
GAP_SECONDS = 10.0
MAX_GAPS = 1000


class DatabaseRelay:
    """Deliver the cues other processes stored, by polling the cue table by sequence.
    Sequence numbers can commit out of order (PostgreSQL), so ids skipped over are kept as gaps
    and looked for again for GAP_SECONDS (a rolled-back publish leaves a gap for good)."""

    name = "database"

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._seen = 0
        self._gaps: dict[int, float] = {}

    async def start(self, cues: CueSink) -> None:
        self._seen = cues.last_sequence
        self._task = asyncio.create_task(self._follow(cues))

    async def announce(self, event: CueEvent) -> None:
        return None  # stored already; the other processes find it in the table

    async def poll(self, cues: CueSink) -> int:
        """Deliver the cues stored since the last poll; return how many were new here."""
        now = time.monotonic()
        self._gaps = {gid: t for gid, t in self._gaps.items() if now - t < GAP_SECONDS}
        events = await cues.stored_after(self._seen, list(self._gaps))
        delivered = 0
        for event in events:
            if event.sequence > self._seen:
                if event.sequence - self._seen <= MAX_GAPS:
                    self._gaps.update({gid: now for gid in range(self._seen + 1, event.sequence)})
                self._seen = event.sequence
            else:
                self._gaps.pop(event.sequence, None)
            delivered += await cues.deliver_remote(event)
        return delivered

    async def _follow(self, cues: CueSink) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.poll(cues)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("polling the cues of other processes failed")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


def encode_wire(origin: str, event: CueEvent) -> bytes:
    """One Redis message: a JSON header line, then the payload text exactly as stored."""
    header = json.dumps({"o": origin, "p": event.project_uuid, "s": event.sequence, "t": event.published_ms})
    return (header + "\n" + event.text).encode()


def decode_wire(data: bytes) -> tuple[str, CueEvent]:
    head, _, text = data.decode().partition("\n")
    meta: dict[str, Any] = json.loads(head)
    return str(meta["o"]), CueEvent(str(meta["p"]), int(meta["s"]), int(meta["t"]), json.loads(text), text)


class RedisRelay:
    """Redis pub/sub between server processes (redis-py asyncio)."""

    name = "redis"

    def __init__(self, url: str, channel: str, *, retry: float = 0.5) -> None:
        self.url = url
        self.channel = channel
        self.retry = retry
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self, cues: CueSink) -> None:
        import redis.asyncio as aioredis

        self._client = aioredis.from_url(self.url, socket_connect_timeout=5, health_check_interval=10)
        try:
            await self._client.ping()
        except Exception as exc:
            await self._client.aclose()
            raise RuntimeError(f"POLYPHONY_CUE_BUS=redis: cannot reach Redis at {self.url}: {exc}") from exc
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)  # subscribed before start() returns: no cue slips by
        self._task = asyncio.create_task(self._listen(cues, pubsub))

    async def announce(self, event: CueEvent) -> None:
        data = event.encoded("redis", lambda e: encode_wire(self.origin, e))
        try:
            await self._client.publish(self.channel, data)
        except Exception:
            # The cue is stored and delivered here; other processes replay it from the database
            # when their own Redis connection comes back.
            log.exception("publishing cue %s on Redis failed", event.sequence)

    async def _listen(self, cues: CueSink, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        origin, event = decode_wire(message["data"])
                    except (ValueError, KeyError, UnicodeDecodeError):
                        log.warning("ignoring a malformed cue message on %s", self.channel)
                        continue
                    if origin != self.origin:
                        await cues.deliver_remote(event)
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("Redis cue subscription lost (%s); reconnecting", exc)
                pubsub = await self._resubscribe(pubsub)
                try:
                    await self._replay(cues)
                except Exception:
                    log.exception("replaying cues from the database after a Redis reconnect failed")

    async def _resubscribe(self, old: Any) -> Any:
        with contextlib.suppress(Exception):
            await old.aclose()
        while True:
            pubsub = self._client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                return pubsub
            except asyncio.CancelledError:
                raise
            except Exception:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                await asyncio.sleep(self.retry)

    async def _replay(self, cues: CueSink) -> None:
        """Deliver what was stored while the subscription was down (duplicates are dropped), then take
        the merged states from the database: late joiners get the full current state, not a replay."""
        after = max(0, cues.last_sequence - 256)  # sequences may commit slightly out of order
        while True:
            events = await cues.stored_after(after)
            for event in events:
                await cues.deliver_remote(event)
            if len(events) < 500:
                break
            after = events[-1].sequence
        await cues.reload_states()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            with contextlib.suppress(Exception):
                await self._client.aclose()


def make_relay(kind: str, *, workers: int, redis_url: str, redis_channel: str) -> Relay:
    """The relay for `POLYPHONY_CUE_BUS` (`auto`: in-process for one worker, database for several)."""
    if kind not in BUS_KINDS:
        raise ValueError(f"POLYPHONY_CUE_BUS must be one of {', '.join(BUS_KINDS)}, not {kind!r}")
    if kind == "redis":
        return RedisRelay(redis_url, redis_channel)
    if kind == "database" or (kind == "auto" and workers > 1):
        return DatabaseRelay()
    return InProcessRelay()


def database_identity(database_url: str) -> str:
    """Which database a URL names, whatever driver, password or spelling of the default port it uses
    (`postgresql+asyncpg://u:pw@DB:5432/x` and `postgresql+psycopg://u@db/x` are the same database);
    a SQLite file by its absolute path."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        name = url.database or ""
        return f"sqlite:{Path(name).resolve() if name and name != ':memory:' else name}"
    port = url.port or _DEFAULT_PORTS.get(backend) or ""
    return f"{backend}://{(url.host or '').lower()}:{port}/{url.database or ''}"


def deployment_channel(database_url: str, secret: str) -> str:
    """The default Redis cue channel of a deployment: an HMAC, keyed from the server secret, of the
    database its replicas share. Replicas must name that database the same way (host, port, database
    name), or set `POLYPHONY_REDIS_CHANNEL` to one name explicitly."""
    key = keys.derive(secret, keys.CUE_CHANNEL)
    digest = hmac.new(key, database_identity(database_url).encode(), hashlib.sha256).hexdigest()
    return CHANNEL_PREFIX + digest[:24]


def relay_for(settings: Settings) -> Relay:
    """The relay a server's settings ask for, on its deployment's channel (see the module docstring)."""
    channel = settings.redis_channel or deployment_channel(settings.resolved_database_url, settings.resolved_secret())
    return make_relay(settings.cue_bus, workers=settings.workers, redis_url=settings.redis_url, redis_channel=channel)
