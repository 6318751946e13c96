"""Finding a Flow or Source by the id in a request path (a leaf module: flows, segments and objects share it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.errors import Locked, NotFound
from polyphony.flow import schemas
from polyphony.flow.models import FlowRow


def check_flow_id(flow_id: str) -> None:
    """The spec answers 404 ("the Flow ID in the path is invalid") for a malformed path id."""
    if not schemas.is_uuid(flow_id):
        raise NotFound(f"flow id {flow_id!r} in the path is not a valid UUID")


def check_source_id(source_id: str) -> None:
    if not schemas.is_uuid(source_id):
        raise NotFound(f"source id {source_id!r} in the path is not a valid UUID")


async def writable_flow(session: AsyncSession, flow_id: str, *, lock: bool = True) -> FlowRow:
    """The Flow to write Segments to (row-locked on PostgreSQL so concurrent writers serialize)."""
    check_flow_id(flow_id)
    query = select(FlowRow).where(FlowRow.id == flow_id)
    if lock:
        query = query.with_for_update()
    row = (await session.scalars(query)).first()
    if row is None:
        raise NotFound(f"flow {flow_id} does not exist")
    if row.read_only:
        raise Locked(f"flow {flow_id} is read-only")
    return row
