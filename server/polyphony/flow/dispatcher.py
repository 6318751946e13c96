"""Delivering webhook events from the outbox: one asyncio task per server process.

Each round picks webhooks that have undelivered events and are due (their backoff has passed), claims
each with a lease (an UPDATE that only one process can win, on SQLite and PostgreSQL alike), and POSTs
its events oldest first. A 2xx answer deletes the event; anything else (refused connection, timeout,
non-2xx) stops that webhook's round and schedules a retry after an exponentially growing delay, so
events reach each receiver in order. After `max_attempts` failures in a row the webhook enters the spec's
`error` status (with an `error` document) and keeps its events until a client re-enables it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.config import Settings
from polyphony.core.db import Database, get_for_update
from polyphony.flow import egress
from polyphony.flow.clock import now_us
from polyphony.flow.events import EVENT_ID_KEY
from polyphony.flow.models import OutboxRow, WebhookRow
from polyphony.flow.webhooks import ACTIVE

log = logging.getLogger("polyphony.flow.webhooks")

# the stable id of one event for one webhook, the same on every attempt (delivery is at-least-once)
EVENT_ID_HEADER = "X-Polyphony-Event-Id"

# Renders the Segments of a `flows/segments_added` event with one webhook's get_urls options.
SegmentRenderer = Callable[[AsyncSession, list[dict[str, Any]], dict[str, Any]], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 1.0
    max_seconds: float = 300.0
    max_attempts: int = 12
    timeout_seconds: float = 10.0
    lease_seconds: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            base_seconds=settings.tams_webhook_retry_base,
            max_seconds=settings.tams_webhook_retry_max,
            max_attempts=settings.tams_webhook_max_attempts,
            timeout_seconds=settings.tams_webhook_timeout,
        )

    def delay_us(self, attempts: int) -> int:
        """Delay before retry number `attempts` (1, 2, ...): base * 2^(attempts-1), capped."""
        return int(min(self.max_seconds, self.base_seconds * 2 ** max(0, attempts - 1)) * 1_000_000)


def _error(summary: str) -> dict[str, Any]:
    return {
        "type": "WebhookDeliveryFailed",
        "summary": summary,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def event_id_of(event: OutboxRow) -> str:
    """The event's id: the one written with it (rows queued before ids existed: derived from the row)."""
    stored = event.body.get(EVENT_ID_KEY)
    return str(stored) if stored else f"outbox-{event.webhook_id}-{event.id}-{event.created_us}"


class Dispatcher:
    def __init__(
        self,
        db: Database,
        render_segments: SegmentRenderer,
        *,
        policy: RetryPolicy | None = None,
        idle_seconds: float = 0.25,
        batch: int = 50,
        allow_private: bool = False,
    ) -> None:
        self._db = db
        self._allow_private = allow_private  # may deliver to loopback/private addresses (egress.py)
        self._render = render_segments
        self.policy = policy or RetryPolicy()
        self._idle = idle_seconds
        self._batch = batch
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._deliveries: dict[str, asyncio.Task[None]] = {}  # webhook id -> its running delivery

    def start(self) -> None:
        self._client = egress.client(allow_private=self._allow_private, timeout=self.policy.timeout_seconds)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="tams-webhooks")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._deliveries.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                busy = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep delivering; the events stay in the outbox
                log.exception("webhook dispatch round failed")
                busy = False
            if not busy:
                await asyncio.sleep(self._idle)

    async def run_once(self, *, wait: bool = False) -> bool:
        """One round: start delivering to every due webhook this process can claim. Each webhook gets a
        task of its own, so a slow receiver never holds up the others (`wait`: await them, for tests)."""
        now = now_us()
        pending = exists().where(OutboxRow.webhook_id == WebhookRow.id)
        async with self._db.session() as session:
            ids = list(
                (
                    await session.scalars(
                        select(WebhookRow.id)
                        .where(
                            WebhookRow.status.in_(ACTIVE),
                            WebhookRow.next_attempt_us <= now,
                            WebhookRow.lease_until_us <= now,
                            pending,
                        )
                        .limit(self._batch)
                    )
                ).all()
            )
        started = []
        for webhook_id in ids:
            if webhook_id not in self._deliveries and await self._claim(webhook_id, now):
                task = asyncio.get_running_loop().create_task(self._deliver(webhook_id))
                self._deliveries[webhook_id] = task
                task.add_done_callback(functools.partial(self._finished, webhook_id))
                started.append(task)
        if wait and started:
            await asyncio.gather(*started)
        return bool(started)

    def _finished(self, webhook_id: str, _task: asyncio.Task[None]) -> None:
        self._deliveries.pop(webhook_id, None)

    async def _claim(self, webhook_id: str, now: int) -> bool:
        lease = now + int(self.policy.lease_seconds * 1_000_000)
        async with self._db.transaction() as session:
            result = await session.execute(
                update(WebhookRow)
                .where(WebhookRow.id == webhook_id, WebhookRow.lease_until_us <= now)
                .values(lease_until_us=lease)
            )
            return bool(getattr(result, "rowcount", 0) == 1)

    async def _deliver(self, webhook_id: str) -> None:
        try:
            for _ in range(self._batch):
                async with self._db.session() as session:
                    hook = await session.get(WebhookRow, webhook_id)
                    event = (
                        await session.scalars(
                            select(OutboxRow).where(OutboxRow.webhook_id == webhook_id).order_by(OutboxRow.id).limit(1)
                        )
                    ).first()
                    if hook is None or event is None or hook.status not in ACTIVE:
                        return
                    body = await self._body(session, hook, event)
                    headers = {"content-type": "application/json", EVENT_ID_HEADER: event_id_of(event)}
                    if hook.api_key_name and hook.api_key_value is not None:
                        headers[hook.api_key_name] = hook.api_key_value
                    url, event_id = hook.url, event.id
                failure = await self._post(url, body, headers)
                if failure is not None:
                    await self._failed(webhook_id, failure)
                    return
                await self._delivered(webhook_id, event_id)
        except asyncio.CancelledError:
            raise
        except Exception:  # the event stays in the outbox; the next round retries
            log.exception("webhook %s: delivery failed", webhook_id)
        finally:
            async with self._db.transaction() as session:
                await session.execute(update(WebhookRow).where(WebhookRow.id == webhook_id).values(lease_until_us=0))

    async def _body(self, session: AsyncSession, hook: WebhookRow, event: OutboxRow) -> dict[str, Any]:
        body = {k: v for k, v in event.body.items() if k != EVENT_ID_KEY}
        if event.event_type == "flows/segments_added":
            inner = dict(body["event"])
            inner["segments"] = await self._render(session, list(inner["segments"]), hook.options)
            body["event"] = inner
        return body

    async def _post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> str | None:
        """None on success, else why it failed."""
        assert self._client is not None
        try:
            response = await self._client.post(url, json=body, headers=headers)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # network errors, timeouts, and URLs or headers httpx cannot use
            return f"delivery to {url} failed: {type(exc).__name__}: {exc}"
        if 200 <= response.status_code < 300:
            return None
        return f"delivery to {url} answered HTTP {response.status_code}"

    async def _delivered(self, webhook_id: str, event_id: int) -> None:
        async with self._db.transaction() as session:
            # The webhook's row first, then its outbox rows: the order webhooks.update/remove lock them in,
            # so the two never wait for each other (a deadlock on PostgreSQL).
            hook = await get_for_update(session, WebhookRow, webhook_id)
            row = await session.get(OutboxRow, event_id)
            if row is not None:
                await session.delete(row)
            if hook is not None and hook.status in ACTIVE:
                hook.status, hook.attempts, hook.next_attempt_us, hook.error = "started", 0, 0, None
                hook.lease_until_us = now_us() + int(self.policy.lease_seconds * 1_000_000)  # still ours

    async def _failed(self, webhook_id: str, reason: str) -> None:
        async with self._db.transaction() as session:
            hook = await get_for_update(session, WebhookRow, webhook_id)
            if hook is None or hook.status not in ACTIVE:
                return
            hook.attempts += 1
            hook.next_attempt_us = now_us() + self.policy.delay_us(hook.attempts)
            if hook.attempts >= self.policy.max_attempts:
                hook.status = "error"
                hook.error = _error(f"{reason} ({hook.attempts} attempts)")
            log.info("webhook %s: %s (attempt %d)", webhook_id, reason, hook.attempts)
