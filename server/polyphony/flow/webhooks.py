"""Webhooks (`/service/webhooks`): registration, listing, update and deletion. Delivery lives in
`events.py` (what to send to whom, written to the outbox) and `dispatcher.py` (sending it)."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import get_for_update
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.flow import egress, schemas
from polyphony.flow.clock import now_us
from polyphony.flow.models import OutboxRow, WebhookRow, WebhookTagRow
from polyphony.flow.tags import TagFilter, check_tags, tag_rows

# Every filter and transformation webhook.json defines; all are supported (none answers 400 for that).
OPTIONS = (
    "flow_ids",
    "source_ids",
    "flow_collected_by_ids",
    "source_collected_by_ids",
    "accept_get_urls",
    "accept_storage_ids",
    "presigned",
    "verbose_storage",
    "include_object_timerange",
)
ACTIVE = ("created", "started")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$")  # an RFC 9110 token
HEADER_VALUE = re.compile(r"^[\t\x20-\x7e]{0,8192}$")  # visible ASCII, spaces and tabs
DEFAULT_LIMIT = 100


def check_webhook_id(webhook_id: str) -> None:
    if not schemas.is_uuid(webhook_id):
        raise NotFound(f"webhook id {webhook_id!r} in the path is not a valid UUID")


def render(row: WebhookRow) -> dict[str, Any]:
    """webhook-get.json; `api_key_value` is a secret shared with the receiver and never shown."""
    doc: dict[str, Any] = {"id": row.id, "url": row.url}
    if row.api_key_name is not None:
        doc["api_key_name"] = row.api_key_name
    doc["events"] = list(row.events)
    doc.update(copy.deepcopy(row.options))
    if row.tags:
        doc["tags"] = copy.deepcopy(row.tags)
    doc["status"] = row.status
    if row.error:
        doc["error"] = row.error
    return doc


def _check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and "\\" not in url
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        valid = False
    if not valid:
        raise InvalidArgument("the webhook url must be an absolute http or https URL", field="url")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise InvalidArgument("the webhook url has an invalid port", field="url") from None


def _validate(body: dict[str, Any], schema: str) -> None:
    check_tags(body.get("tags"))
    schemas.check(schema, body, what="webhook")
    if schemas.has_nul(body):
        raise InvalidArgument("webhook properties cannot contain NUL characters", field="webhook")
    _check_url(body["url"])
    if len(set(body["events"])) != len(body["events"]):
        raise InvalidArgument("`events` lists an event type twice", field="events")
    for name in ("accept_get_urls",):
        if any(not isinstance(v, str) or not v for v in body.get(name, [])):
            raise InvalidArgument(f"`{name}` must list non-empty labels", field=name)
    if "api_key_value" in body and "api_key_name" not in body:
        raise InvalidArgument("`api_key_value` needs `api_key_name`", field="api_key_name")
    if "api_key_name" in body and not HEADER_NAME.fullmatch(body["api_key_name"]):
        raise InvalidArgument("`api_key_name` must be a valid HTTP header name", field="api_key_name")
    if "api_key_value" in body and not HEADER_VALUE.fullmatch(body["api_key_value"]):
        raise InvalidArgument("`api_key_value` must be a valid HTTP header value", field="api_key_value")


def _apply(row: WebhookRow, body: dict[str, Any]) -> None:
    row.url = body["url"]
    row.events = list(body["events"])
    row.options = {k: copy.deepcopy(body[k]) for k in OPTIONS if k in body}
    row.tags = copy.deepcopy(body.get("tags", {}))


async def _store_tags(session: AsyncSession, row: WebhookRow) -> None:
    await session.execute(delete(WebhookTagRow).where(WebhookTagRow.webhook_id == row.id))
    await session.flush()
    session.add_all(WebhookTagRow(webhook_id=row.id, name=n, value=v) for n, v in tag_rows(row.tags))
    await session.flush()


async def create(session: AsyncSession, body: dict[str, Any], *, allow_private: bool = False) -> dict[str, Any]:
    body = {k: v for k, v in body.items() if k != "id"}  # the service assigns ids
    _validate(body, "webhook-post.json")
    await egress.check_url(body["url"], allow_private=allow_private)
    row = WebhookRow(
        id=str(uuid.uuid4()),
        api_key_name=body.get("api_key_name"),
        api_key_value=body.get("api_key_value"),
        status=body.get("status", "created"),
        error=None,
        created_us=now_us(),
        attempts=0,
        next_attempt_us=0,
        lease_until_us=0,
    )
    _apply(row, body)
    session.add(row)
    await session.flush()
    await _store_tags(session, row)
    return render(row)


async def _get(session: AsyncSession, webhook_id: str, *, for_update: bool = False) -> WebhookRow:
    check_webhook_id(webhook_id)
    if for_update:
        row = await get_for_update(session, WebhookRow, webhook_id)
    else:
        row = await session.get(WebhookRow, webhook_id)
    if row is None:
        raise NotFound(f"webhook {webhook_id} does not exist")
    return row


async def get(session: AsyncSession, webhook_id: str) -> dict[str, Any]:
    return render(await _get(session, webhook_id))


async def update(
    session: AsyncSession, webhook_id: str, body: dict[str, Any], *, allow_private: bool = False
) -> dict[str, Any]:
    row = await _get(session, webhook_id, for_update=True)
    _validate(body, "webhook-put.json")
    await egress.check_url(body["url"], allow_private=allow_private)
    if body["id"] != webhook_id:
        raise InvalidArgument(
            f"body id {body['id']} does not match the webhook id {webhook_id} in the path", field="id"
        )
    status = body["status"]
    if row.status == "error" and status == "disabled":
        raise InvalidArgument("a webhook in the error status can only be re-enabled (status `created`)", field="status")
    if body.get("api_key_name") != row.api_key_name or "api_key_value" in body:
        row.api_key_value = body.get("api_key_value")  # a new header name never inherits the old secret
    row.api_key_name = body.get("api_key_name")
    _apply(row, body)
    if status == "disabled":
        row.status = "disabled"
        await session.execute(delete(OutboxRow).where(OutboxRow.webhook_id == row.id))  # nothing more is sent
    elif row.status in ("disabled", "error"):
        row.status, row.error, row.attempts, row.next_attempt_us = "created", None, 0, 0
    await _store_tags(session, row)
    return render(row)


async def remove(session: AsyncSession, webhook_id: str) -> None:
    row = await _get(session, webhook_id, for_update=True)
    await session.execute(delete(OutboxRow).where(OutboxRow.webhook_id == row.id))
    await session.execute(delete(WebhookTagRow).where(WebhookTagRow.webhook_id == row.id))
    await session.delete(row)
    await session.flush()


# ---- listing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookQuery:
    reverse: bool = False
    tags: TagFilter = field(default_factory=TagFilter)
    limit: int = DEFAULT_LIMIT

    def scope(self) -> str:
        return f"webhooks|{self.reverse}|{self.tags.key()}|{self.limit}"


async def list_webhooks(
    session: AsyncSession, query: WebhookQuery, after: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """Alphabetical by url (then id), reverse with `reverse_order`; keyset-paged."""
    conds: list[ColumnElement[bool]] = []
    for name, values in query.tags.values:
        conds.append(
            exists().where(
                WebhookTagRow.webhook_id == WebhookRow.id, WebhookTagRow.name == name, WebhookTagRow.value.in_(values)
            )
        )
    for name, present in query.tags.exists:
        clause = exists().where(WebhookTagRow.webhook_id == WebhookRow.id, WebhookTagRow.name == name)
        conds.append(clause if present else ~clause)
    if after is not None:
        try:
            url, ident = str(after["u"]), str(after["i"])
        except (KeyError, TypeError):
            raise InvalidArgument("malformed page token", field="page") from None
        if query.reverse:
            conds.append(or_(WebhookRow.url < url, and_(WebhookRow.url == url, WebhookRow.id < ident)))
        else:
            conds.append(or_(WebhookRow.url > url, and_(WebhookRow.url == url, WebhookRow.id > ident)))
    order = (WebhookRow.url.desc(), WebhookRow.id.desc()) if query.reverse else (WebhookRow.url, WebhookRow.id)
    rows: Sequence[WebhookRow] = (
        await session.scalars(select(WebhookRow).where(*conds).order_by(*order).limit(query.limit + 1))
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    nxt = {"u": rows[-1].url, "i": rows[-1].id} if more and rows else None
    return [render(r) for r in rows], nxt
