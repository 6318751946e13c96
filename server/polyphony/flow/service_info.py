"""The `/service` document: what this TAMS instance is and what it promises."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polyphony import __about__
from polyphony.core.db import get_for_update
from polyphony.core.errors import InvalidArgument
from polyphony.flow.models import ServiceInfoRow
from polyphony.flow.urls import PROMISED_SECONDS

API_VERSION = "8.2"
SERVICE_TYPE = "urn:x-tams:service.polyphony"
# Allocated Objects are collected when unregistered for longer than this (plus a grace period, see
# objects.UNREGISTERED_TTL_US); presigned URLs stay valid at least PROMISED_SECONDS (<= the above).
MIN_OBJECT_TIMEOUT = "600:0"


DEFAULT_NAME = "Polyphony"
DEFAULT_DESCRIPTION = "Polyphony media server: Time-addressable Media Store"
ROW_ID = 1


def service_document(name: str | None = None, description: str | None = None) -> dict[str, Any]:
    return {
        "name": DEFAULT_NAME if name is None else name,
        "description": DEFAULT_DESCRIPTION if description is None else description,
        "type": SERVICE_TYPE,
        "api_version": API_VERSION,
        "service_version": __about__.__version__,
        "min_object_timeout": MIN_OBJECT_TIMEOUT,
        "min_presigned_url_timeout": f"{PROMISED_SECONDS}:0",
        # Events are POSTed to webhooks registered at /service/webhooks (delivered from an outbox).
        "event_stream_mechanisms": [{"name": "webhooks"}],
    }


async def get_service(session: AsyncSession) -> dict[str, Any]:
    """The service document with the name and description last set by `POST /service`."""
    row = await session.get(ServiceInfoRow, ROW_ID)
    return service_document() if row is None else service_document(row.name, row.description)


async def update_service(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    """Apply a service-post.json body (`name` and/or `description`; absent ones stay as they are)."""
    for key in ("name", "description"):
        value = body.get(key)
        if value is not None and (not isinstance(value, str) or "\x00" in value):
            raise InvalidArgument(f"{key} must be a string without NUL characters", field=key)
    row = await get_for_update(session, ServiceInfoRow, ROW_ID)
    if row is None:
        row = ServiceInfoRow(id=ROW_ID)
        session.add(row)
    for key in ("name", "description"):
        if key in body:
            setattr(row, key, body[key])
    await session.flush()
    return service_document(row.name, row.description)
