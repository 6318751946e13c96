"""Source properties (`/sources/{sourceId}/{label,description,tags}`): reads and edits.

Every edit that changes a Source bumps its `updated` time and emits `sources/updated` in the same
transaction (through the outbox, see events.py). Sources have no `read_only` flag in TAMS 8.2.
"""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import get_for_update
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.flow import events, principal
from polyphony.flow.clock import now_us
from polyphony.flow.flows import render_source
from polyphony.flow.lookup import check_source_id
from polyphony.flow.models import SourceRow, SourceTagRow
from polyphony.flow.tags import check_tag_name, check_tag_value, check_tags, check_text_properties, tag_rows

STRING_PROPERTIES = ("label", "description")


async def _source(session: AsyncSession, source_id: str) -> SourceRow:
    check_source_id(source_id)
    row = await session.get(SourceRow, source_id)
    if row is None:
        raise NotFound(f"source {source_id} does not exist")
    return row


async def _source_for_update(session: AsyncSession, source_id: str) -> SourceRow:
    """The Source's row, locked until the write transaction ends (see `core.db.get_for_update`)."""
    check_source_id(source_id)
    row = await get_for_update(session, SourceRow, source_id)
    if row is None:
        raise NotFound(f"source {source_id} does not exist")
    return row


async def _changed(session: AsyncSession, row: SourceRow) -> None:
    row.updated_us = now_us()
    by = principal.of(session)
    if by is not None:
        row.updated_by = by
    await session.flush()
    await events.source_updated(session, await render_source(session, row))


def _check_name(name: str) -> None:
    if name not in STRING_PROPERTIES:  # a programming error, never a client's
        raise ValueError(f"not a source string property: {name}")


async def get_property(session: AsyncSession, source_id: str, name: str) -> str:
    _check_name(name)
    value: str | None = getattr(await _source(session, source_id), name)
    if value is None:
        raise NotFound(f"source {source_id} has no {name}")
    return value


async def set_property(session: AsyncSession, source_id: str, name: str, value: Any) -> None:
    _check_name(name)
    if not isinstance(value, str):
        raise InvalidArgument(f"{name} must be a JSON string", field=name)
    if "\x00" in value:
        raise InvalidArgument(f"{name} cannot contain NUL characters", field=name)
    check_text_properties({name: value})
    row = await _source_for_update(session, source_id)
    if getattr(row, name) != value:
        setattr(row, name, value)
        await _changed(session, row)


async def delete_property(session: AsyncSession, source_id: str, name: str) -> None:
    _check_name(name)
    row = await _source_for_update(session, source_id)
    if getattr(row, name) is not None:
        setattr(row, name, None)
        await _changed(session, row)


async def get_tags(session: AsyncSession, source_id: str) -> dict[str, Any]:
    return copy.deepcopy((await _source(session, source_id)).tags or {})


async def get_tag(session: AsyncSession, source_id: str, name: str) -> Any:
    tags = await get_tags(session, source_id)
    if name not in tags:
        raise NotFound(f"source {source_id} has no tag {name!r}")
    return tags[name]


async def _store_tags(session: AsyncSession, row: SourceRow, tags: dict[str, Any]) -> None:
    row.tags = tags
    await session.execute(delete(SourceTagRow).where(SourceTagRow.source_id == row.id))
    await session.flush()
    session.add_all(SourceTagRow(source_id=row.id, name=n, value=v) for n, v in tag_rows(tags))
    await _changed(session, row)


async def set_tag(session: AsyncSession, source_id: str, name: str, value: Any) -> None:
    check_tag_name(name)
    check_tag_value(value)
    if (
        "\x00" in name
        or (isinstance(value, str) and "\x00" in value)
        or (isinstance(value, list) and any("\x00" in v for v in value))
    ):
        raise InvalidArgument("tags cannot contain NUL characters", field="tags")
    row = await _source_for_update(session, source_id)
    tags = copy.deepcopy(row.tags or {})
    if tags.get(name) == value:
        return
    tags[name] = value
    check_tags(tags)
    await _store_tags(session, row, tags)


async def delete_tag(session: AsyncSession, source_id: str, name: str) -> None:
    row = await _source_for_update(session, source_id)
    tags = copy.deepcopy(row.tags or {})
    if name not in tags:
        raise NotFound(f"source {source_id} has no tag {name!r}")
    del tags[name]
    await _store_tags(session, row, tags)
