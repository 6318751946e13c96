"""Cue lists: per project, the ordered cues a stage manager fires with GO (next), back (previous)
or by jumping to one. Firing a cue publishes its payload like any other cue; the cursor move and
the stored cue commit in one transaction, so two stage managers pressing GO at once fire two
consecutive cues, never the same one twice."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import FailedPrecondition, InvalidArgument, NotFound
from polyphony.trigger import catalog
from polyphony.trigger import payload as payloads
from polyphony.trigger.bus import CueEvent
from polyphony.trigger.cues import CueService
from polyphony.trigger.models import CueListCursor, CueListEntry

MAX_CUES = 10000
MAX_LABEL = 500


@dataclass(frozen=True)
class Entry:
    cue_id: str
    position: int
    label: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class CueListView:
    project_uuid: str
    cues: list[Entry]
    current: int | None


class Move(Enum):
    NEXT = "next"
    PREVIOUS = "previous"
    JUMP = "jump"


@dataclass(frozen=True)
class Target:
    move: Move
    position: int | None = None
    cue_id: str | None = None


async def _view(session: AsyncSession, project_uuid: str) -> CueListView:
    rows = (
        await session.scalars(
            select(CueListEntry).where(CueListEntry.project_uuid == project_uuid).order_by(CueListEntry.position)
        )
    ).all()
    cursor = await session.get(CueListCursor, project_uuid)
    entries = [Entry(r.id, r.position, r.label, json.loads(r.payload)) for r in rows]
    return CueListView(project_uuid, entries, cursor.current if cursor is not None else None)


async def get(session: AsyncSession, project_uuid: str) -> CueListView:
    project = await catalog.get_project(session, project_uuid)
    return await _view(session, project.uuid)


def _checked(index: int, label: str, payload: Any, max_bytes: int) -> tuple[str, str]:
    if not isinstance(label, str) or len(label) > MAX_LABEL:
        raise InvalidArgument(
            f"cue {index}: `label` must be a string of at most {MAX_LABEL} characters", field=f"cues[{index}].label"
        )
    if not isinstance(payload, dict):
        raise InvalidArgument(
            f"cue {index}: `payload` must be a trigger payload object", field=f"cues[{index}].payload"
        )
    text = payloads.encode(payload)
    try:
        payloads.parse(text, max_bytes=max_bytes)
    except InvalidArgument as err:
        raise InvalidArgument(f"cue {index}: {err.detail}", field=f"cues[{index}].payload") from None
    return label, text


async def replace(
    db: Database, project_uuid: str, cues: list[tuple[str, Any]], *, max_bytes: int = payloads.MAX_PAYLOAD_BYTES
) -> CueListView:
    """Store a new cue list for a project (label, payload object) in order; nothing is fired."""
    if len(cues) > MAX_CUES:
        raise InvalidArgument(f"a cue list holds at most {MAX_CUES} cues", field="cues")
    checked = [_checked(i, label, payload, max_bytes) for i, (label, payload) in enumerate(cues)]
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        cursor = await session.get(CueListCursor, project.uuid, with_for_update=True)
        if cursor is None:
            cursor = CueListCursor(project_uuid=project.uuid)
            session.add(cursor)
        await session.execute(delete(CueListEntry).where(CueListEntry.project_uuid == project.uuid))
        session.add_all(
            [
                CueListEntry(id=str(uuid.uuid4()), project_uuid=project.uuid, position=i, label=label, payload=text)
                for i, (label, text) in enumerate(checked)
            ]
        )
        cursor.current = None
        cursor.length = len(checked)
        await session.flush()
        return await _view(session, project.uuid)


def _destination(target: Target, current: int | None, length: int, ids: dict[str, int]) -> int:
    if length == 0:
        raise FailedPrecondition("the cue list is empty")
    if target.move is Move.NEXT:
        wanted = 0 if current is None else current + 1
        if wanted >= length:
            raise FailedPrecondition("the last cue was fired already: there is no next cue")
        return wanted
    if target.move is Move.PREVIOUS:
        if current is None or current == 0:
            raise FailedPrecondition("there is no previous cue")
        return min(current - 1, length - 1)
    if target.cue_id is not None:
        if target.cue_id not in ids:
            raise NotFound(f"no cue {target.cue_id!r} in the cue list")
        return ids[target.cue_id]
    if target.position is None or not 0 <= target.position < length:
        raise InvalidArgument(f"`position` must be between 0 and {length - 1}", field="position")
    return target.position


async def fire(cues: CueService, project_uuid: str, target: Target) -> tuple[CueEvent, CueListView]:
    """Move the project's cursor as `target` says and publish the cue it lands on."""

    async def choose(session: AsyncSession) -> tuple[str, CueListView]:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        cursor = await session.get(CueListCursor, project.uuid, with_for_update=True)
        rows = (
            await session.execute(
                select(CueListEntry.id, CueListEntry.position).where(CueListEntry.project_uuid == project.uuid)
            )
        ).all()
        ids = {row.id: row.position for row in rows}
        position = _destination(target, cursor.current if cursor else None, len(rows), ids)
        entry = (
            await session.scalars(
                select(CueListEntry).where(CueListEntry.project_uuid == project.uuid, CueListEntry.position == position)
            )
        ).one()
        if cursor is None:
            cursor = CueListCursor(project_uuid=project.uuid, length=len(rows))
            session.add(cursor)
        cursor.current = position
        await session.flush()
        doc = json.loads(entry.payload)
        doc.pop("timestamp", None)  # a fired cue carries the time it was fired
        return payloads.encode(doc), await _view(session, project.uuid)

    event, view = await cues.publish_chosen(project_uuid, choose)
    return event, view
