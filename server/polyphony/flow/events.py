"""TAMS events (the spec's `webhooks` section) written to the outbox in the caller's transaction.

`emit` runs inside the transaction of the change that causes the event: it picks the active webhooks
subscribed to the event type whose filters (`flow_ids`, `source_ids`, `flow_collected_by_ids`,
`source_collected_by_ids`) accept it, and adds one outbox row per webhook. The change and its events
commit or roll back together; `dispatcher.py` delivers the rows later, so a slow or dead receiver never
delays or fails the API call.

`flows/segments_added` events keep their Segments without `get_urls`: those are rendered (and signed)
at delivery time with each webhook's get_urls options, so a delayed delivery still carries fresh URLs.

Delivery is at-least-once: a process killed after the receiver answered 2xx but before the outbox row was
deleted delivers that event again. Each outbox row gets a random id when it is written, sent unchanged on
every attempt as the `X-Polyphony-Event-Id` header, so a receiver can drop duplicates (the TAMS webhook
bodies have no id field and the spec no extension field for them, so the body stays exactly the spec's).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.flow.clock import now_us, rfc3339
from polyphony.flow.models import CollectionItemRow, FlowRow, OutboxRow, WebhookRow
from polyphony.flow.webhooks import ACTIVE

# where an outbox row keeps its event id (never sent in the body; see dispatcher.EVENT_ID_HEADER)
EVENT_ID_KEY = "_polyphony_event_id"

FLOW_EVENTS = ("flows/created", "flows/updated", "flows/deleted", "flows/segments_added", "flows/segments_deleted")


@dataclass
class Subject:
    """What an event is about, for the webhook filters (collections are looked up only when needed)."""

    flow_id: str | None
    source_id: str | None
    _flow_by: set[str] | None = field(default=None, repr=False)
    _source_by: set[str] | None = field(default=None, repr=False)

    async def flow_collected_by(self, session: AsyncSession) -> set[str]:
        if self._flow_by is None:
            self._flow_by = set(
                (
                    await session.scalars(
                        select(CollectionItemRow.collector_id).where(CollectionItemRow.member_id == self.flow_id)
                    )
                ).all()
            )
        return self._flow_by

    async def source_collected_by(self, session: AsyncSession) -> set[str]:
        """Sources whose Flows collect a Flow of this Source (as `collected_by` of a Source is rendered)."""
        if self._source_by is None:
            members = select(FlowRow.id).where(FlowRow.source_id == self.source_id)
            collectors = select(CollectionItemRow.collector_id).where(CollectionItemRow.member_id.in_(members))
            self._source_by = set(
                (
                    await session.scalars(
                        select(FlowRow.source_id).where(FlowRow.id.in_(collectors), FlowRow.source_id != self.source_id)
                    )
                ).all()
            )
        return self._source_by


async def _accepts(session: AsyncSession, options: dict[str, Any], event_type: str, subject: Subject) -> bool:
    is_flow_event = event_type in FLOW_EVENTS
    if is_flow_event and "flow_ids" in options and subject.flow_id not in options["flow_ids"]:
        return False
    if "source_ids" in options and subject.source_id not in options["source_ids"]:
        return False
    if is_flow_event and "flow_collected_by_ids" in options:
        wanted = set(options["flow_collected_by_ids"])
        by = await subject.flow_collected_by(session)
        if (not wanted and by) or (wanted and not wanted & by):
            return False
    if "source_collected_by_ids" in options:
        wanted = set(options["source_collected_by_ids"])
        by = await subject.source_collected_by(session)
        if (not wanted and by) or (wanted and not wanted & by):
            return False
    return True


async def emit(
    session: AsyncSession,
    event_type: str,
    event: dict[str, Any],
    *,
    flow_id: str | None = None,
    source_id: str | None = None,
) -> int:
    """Queue `event` for every webhook that wants it; returns how many were queued."""
    hooks = [
        h
        for h in (await session.scalars(select(WebhookRow).where(WebhookRow.status.in_(ACTIVE)))).all()
        if event_type in h.events
    ]
    if not hooks:
        return 0
    if flow_id is not None and source_id is None:
        source_id = await session.scalar(select(FlowRow.source_id).where(FlowRow.id == flow_id))
    subject = Subject(flow_id, source_id)
    now = now_us()
    body = {"event_timestamp": rfc3339(now), "event_type": event_type, "event": event}
    queued = 0
    for hook in hooks:
        if await _accepts(session, hook.options, event_type, subject):
            stored = {**body, EVENT_ID_KEY: str(uuid.uuid4())}  # the delivery's id, kept across retries
            session.add(OutboxRow(webhook_id=hook.id, event_type=event_type, body=stored, created_us=now))
            queued += 1
    return queued


async def flow_changed(session: AsyncSession, flow: dict[str, Any], *, created: bool) -> None:
    await emit(
        session,
        "flows/created" if created else "flows/updated",
        {"flow": flow},
        flow_id=flow["id"],
        source_id=flow["source_id"],
    )


async def flow_deleted(session: AsyncSession, flow_id: str, source_id: str) -> None:
    await emit(session, "flows/deleted", {"flow_id": flow_id}, flow_id=flow_id, source_id=source_id)


async def source_created(session: AsyncSession, source: dict[str, Any]) -> None:
    await emit(session, "sources/created", {"source": source}, source_id=source["id"])


async def segments_added(session: AsyncSession, flow_id: str, segments: list[dict[str, Any]]) -> None:
    if segments:
        await emit(session, "flows/segments_added", {"flow_id": flow_id, "segments": segments}, flow_id=flow_id)


async def segments_deleted(session: AsyncSession, flow_id: str, timerange: str) -> None:
    await emit(session, "flows/segments_deleted", {"flow_id": flow_id, "timerange": timerange}, flow_id=flow_id)


async def source_updated(session: AsyncSession, source: dict[str, Any]) -> None:
    await emit(session, "sources/updated", {"source": source}, source_id=source["id"])
