"""The timerange a Flow's Segments cover (a leaf module: flows, segments and deletion share it)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.flow.models import SegmentRow
from polyphony.flow.timerange import NEVER, TimeRange


def _range_of(row: SegmentRow) -> TimeRange:
    return TimeRange.parse(row.timerange)


async def flow_timerange(session: AsyncSession, flow_id: str, within: TimeRange | None = None) -> TimeRange:
    """The timerange covered by a Flow's Segments (limited to those overlapping `within`)."""
    query = TimeRange.parse("_") if within is None else within
    if query.never:
        return NEVER
    first = await _first_overlapping(session, flow_id, query, reverse=False)
    if first is None:
        return NEVER
    last = await _first_overlapping(session, flow_id, query, reverse=True)
    assert last is not None
    a, b = _range_of(first), _range_of(last)
    span = TimeRange.make(a.start, b.end, a.start_inclusive, b.end_inclusive)
    return span if within is None else span.intersect(within)


async def _floor_start(session: AsyncSession, flow_id: str, lo: int) -> int | None:
    """Start of the last Segment that starts at or before `lo` (the only earlier one that can reach `lo`)."""
    return await session.scalar(
        select(func.max(SegmentRow.start_ns)).where(SegmentRow.flow_id == flow_id, SegmentRow.start_ns <= lo)
    )


async def _overlap_conditions(session: AsyncSession, flow_id: str, query: TimeRange) -> list[Any]:
    conds: list[Any] = [SegmentRow.flow_id == flow_id, SegmentRow.start_ns < query.hi, SegmentRow.end_ns > query.lo]
    floor = await _floor_start(session, flow_id, query.lo)
    conds.append(SegmentRow.start_ns >= (floor if floor is not None else query.lo))
    return conds


async def _first_overlapping(
    session: AsyncSession, flow_id: str, query: TimeRange, *, reverse: bool
) -> SegmentRow | None:
    conds = await _overlap_conditions(session, flow_id, query)
    order = SegmentRow.start_ns.desc() if reverse else SegmentRow.start_ns.asc()
    return (await session.scalars(select(SegmentRow).where(*conds).order_by(order).limit(1))).first()
