"""Flow Segments: registration (one or a batch, partial failure), timerange queries with keyset paging,
deletion by timerange, and the Flow timerange derived from them.

Each Segment row holds its timerange as half-open integer nanoseconds `[start_ns, end_ns)`. Segments of
a Flow never overlap (registration rejects overlaps), so ordering by `start_ns` also orders by `end_ns`,
and the primary key (flow_id, start_ns) answers every query with an index seek plus a bounded range scan:

- the Segments overlapping `[lo, hi)` are those with `start_ns` in `[s0, hi)` where `s0` is the start of
  the last Segment starting at or before `lo` (found with one seek), filtered on `end_ns > lo`;
- a page continues after the last `start_ns` served (a keyset, never an OFFSET).

So a page costs the same on a Flow of 1,000 or 1,000,000 Segments.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import BigInteger, Integer, Select, String, bindparam, delete, exists, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.errors import DomainError, InvalidArgument
from polyphony.flow import events, get_urls, objects, schemas
from polyphony.flow.clock import now_us
from polyphony.flow.grain import contains, grain_ns, same
from polyphony.flow.lookup import check_flow_id, writable_flow
from polyphony.flow.models import FlowRow, ObjectInstanceRow, ObjectRow, SegmentRow
from polyphony.flow.timerange import NEVER, TimeRange, format_timestamp, parse_timestamp
from polyphony.flow.urls import ObjectLinks

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Properties kept verbatim on the Segment row.
EXTRA_KEYS = ("ts_offset", "last_duration", "sample_offset", "sample_count")


# ---- registration -------------------------------------------------------------------------------------


@dataclass
class Failure:
    object_id: str
    timerange: str | None
    error: DomainError


def _error_doc(err: DomainError) -> dict[str, Any]:
    return {
        "type": type(err).__name__,
        "summary": err.detail,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def failure_document(failures: list[Failure]) -> dict[str, Any]:
    items = []
    for f in failures:
        item: dict[str, Any] = {"object_id": f.object_id}
        if f.timerange is not None:
            item["timerange"] = f.timerange
        item["error"] = _error_doc(f.error)
        items.append(item)
    return {"failed_segments": items}


async def _check_no_overlap(session: AsyncSession, flow_id: str, tr: TimeRange) -> None:
    """The Segment starting last before `tr` ends is the only one that can overlap it (see module doc)."""
    prev = (
        await session.execute(
            select(SegmentRow.start_ns, SegmentRow.end_ns, SegmentRow.timerange)
            .where(SegmentRow.flow_id == flow_id, SegmentRow.start_ns < tr.hi)
            .order_by(SegmentRow.start_ns.desc())
            .limit(1)
        )
    ).first()
    if prev is not None and prev.end_ns > tr.lo:
        raise InvalidArgument(
            f"segment {tr.format()} overlaps the existing segment {prev.timerange}", field="timerange"
        )


async def _object_for(
    session: AsyncSession, flow: FlowRow, doc: dict[str, Any], tr: TimeRange, offset: int
) -> ObjectRow:
    """The Media Object a new Segment references, registering it on first use. Timeranges that differ by less
    than one frame or sample of the Flow are the same (see `polyphony.flow.grain`)."""
    flow_id, oid, grain = flow.id, doc["object_id"], grain_ns(flow.document)
    row = await session.get(ObjectRow, oid)
    object_tr = tr.shift(-offset)
    given = TimeRange.parse(doc["object_timerange"], field="object_timerange") if "object_timerange" in doc else None
    if row is None:
        if not doc.get("get_urls"):
            raise InvalidArgument(
                f"object {oid} is unknown: allocate it with /flows/{{id}}/storage or give get_urls", field="object_id"
            )
        row = ObjectRow(id=oid, key=None, allocated_for=flow_id, registered=False, is_init=False, created_us=now_us())
        session.add(row)
    if row.is_init:
        raise InvalidArgument(f"object {oid} is an initialisation object", field="object_id")
    if not row.registered:
        if row.allocated_for != flow_id:
            raise InvalidArgument(f"object {oid} was allocated for another flow", field="object_id")
        if row.key is not None and row.size is None:
            raise InvalidArgument(f"object {oid} has no content yet: upload it first", field="object_id")
        row.registered = True
        row.first_referenced_by_flow = flow_id
        row.timerange = (given or object_tr).format()
        if "key_frame_count" in doc:
            row.key_frame_count = doc["key_frame_count"]
        if "init_object_id" in doc:
            row.init_object_id = await _init_object(session, flow_id, doc["init_object_id"])
    else:
        if given is not None and row.timerange is not None and not same(given, TimeRange.parse(row.timerange), grain):
            raise InvalidArgument(
                f"object_timerange conflicts with object {oid}'s {row.timerange}", field="object_timerange"
            )
        if "key_frame_count" in doc and doc["key_frame_count"] != row.key_frame_count:
            raise InvalidArgument(f"key_frame_count conflicts with object {oid}", field="key_frame_count")
        if "init_object_id" in doc and doc["init_object_id"] != row.init_object_id:
            raise InvalidArgument(f"init_object_id conflicts with object {oid}", field="init_object_id")
    if flow.init_segments and row.init_object_id is None:
        raise InvalidArgument(
            f"flow {flow_id} uses initialisation segments (essence_parameters.init_segments is true): "
            f"object {oid} must have an init_object (give init_object_id)",
            field="init_object_id",
        )
    if row.timerange is not None and not contains(TimeRange.parse(row.timerange), object_tr, grain):
        raise InvalidArgument(
            f"segment {tr.format()} (ts_offset {format_timestamp(offset)}) is not within "
            f"object {oid}'s timerange {row.timerange}",
            field="timerange",
        )
    if doc.get("get_urls"):
        await session.flush()
        await objects.add_uncontrolled_urls(session, oid, doc["get_urls"])
    return row


async def _init_object(session: AsyncSession, flow_id: str, init_id: str) -> str:
    row = await session.get(ObjectRow, init_id)
    if row is None or (not row.registered and row.allocated_for != flow_id):
        raise InvalidArgument(f"init object {init_id} is unknown", field="init_object_id")
    if row.registered and not row.is_init:
        raise InvalidArgument(
            f"object {init_id} is a media object, not an initialisation object", field="init_object_id"
        )
    if not row.registered:
        if row.key is not None and row.size is None:
            raise InvalidArgument(f"init object {init_id} has no content yet", field="init_object_id")
        row.registered, row.is_init, row.first_referenced_by_flow = True, True, flow_id
    return init_id


async def _register_one(session: AsyncSession, flow: FlowRow, doc: Any) -> dict[str, Any]:
    """Register one Segment; returns it as stored (for the `flows/segments_added` event)."""
    schemas.check("flow-segment-post.json", doc, what="segment")
    if schemas.has_nul(doc):
        raise InvalidArgument("segment properties cannot contain NUL characters", field="segment")
    tr = TimeRange.parse(doc["timerange"])
    if tr.never or not tr.bounded:
        raise InvalidArgument(
            f"a segment's timerange must be bounded and non-empty, not {doc['timerange']!r}", field="timerange"
        )
    offset = parse_timestamp(doc["ts_offset"], field="ts_offset") if "ts_offset" in doc else 0
    if "last_duration" in doc and parse_timestamp(doc["last_duration"], field="last_duration") < 0:
        raise InvalidArgument("last_duration cannot be negative", field="last_duration")
    await _check_no_overlap(session, flow.id, tr)
    await _object_for(session, flow, doc, tr, offset)
    extra = {k: doc[k] for k in EXTRA_KEYS if k in doc}
    session.add(
        SegmentRow(
            flow_id=flow.id,
            start_ns=tr.lo,
            end_ns=tr.hi,
            timerange=tr.format(),
            object_id=doc["object_id"],
            ts_offset_ns=offset,
            extra=extra or None,
        )
    )
    await session.flush()
    return {"object_id": doc["object_id"], "timerange": tr.format(), **extra}


async def register(session: AsyncSession, flow_id: str, body: Any) -> list[Failure] | None:
    """POST /flows/{id}/segments. A single Segment raises on failure; a list returns its failures
    (each Segment is registered in its own savepoint, so failures leave the others in place)."""
    flow = await writable_flow(session, flow_id)
    if not flow.document.get("container"):
        raise InvalidArgument(f"flow {flow_id} has no `container`", field="container")
    if isinstance(body, dict):
        added = await _register_one(session, flow, body)
        flow.segments_updated_us = now_us()
        await events.segments_added(session, flow_id, [added])
        return None
    if not isinstance(body, list):
        raise InvalidArgument("the body must be a segment or a list of segments", field="body")
    failures: list[Failure] = []
    registered: list[dict[str, Any]] = []
    for doc in body:
        try:
            async with session.begin_nested():
                registered.append(await _register_one(session, flow, doc))
        except DomainError as err:
            oid = doc.get("object_id") if isinstance(doc, dict) else None
            tr = doc.get("timerange") if isinstance(doc, dict) else None
            failures.append(
                Failure(
                    str(oid) if oid is not None else "", tr if isinstance(tr, str) and _valid_range(tr) else None, err
                )
            )
    if len(failures) < len(body):
        flow.segments_updated_us = now_us()
    await events.segments_added(session, flow_id, registered)
    await session.flush()
    return failures


def _valid_range(text: str) -> bool:
    try:
        TimeRange.parse(text)
    except InvalidArgument:
        return False
    return True


async def bulk_load(session: AsyncSession, flow_id: str, items: Sequence[tuple[str, TimeRange]]) -> int:
    """Register many Segments at once, each on its own new external-free Object id, for importers and
    benchmarks: the batch must be time-ordered and not overlap itself or the Flow. One INSERT per table."""
    flow = await writable_flow(session, flow_id)
    if not items:
        return 0
    prev_hi = None
    for _, tr in items:
        if tr.never or not tr.bounded or (prev_hi is not None and tr.lo < prev_hi):
            raise InvalidArgument("bulk segments must be bounded, ordered and non-overlapping", field="timerange")
        prev_hi = tr.hi
    await _check_no_overlap(session, flow_id, items[0][1].span(items[-1][1]))
    now = now_us()
    await session.execute(
        insert(ObjectRow),
        [
            {
                "id": oid,
                "key": None,
                "allocated_for": flow_id,
                "registered": True,
                "is_init": False,
                "first_referenced_by_flow": flow_id,
                "timerange": tr.format(),
                "created_us": now,
            }
            for oid, tr in items
        ],
    )
    await session.execute(
        insert(SegmentRow),
        [
            {
                "flow_id": flow_id,
                "start_ns": tr.lo,
                "end_ns": tr.hi,
                "timerange": tr.format(),
                "object_id": oid,
                "ts_offset_ns": 0,
                "extra": None,
            }
            for oid, tr in items
        ],
    )
    flow.segments_updated_us = now
    await events.segments_added(session, flow_id, [{"object_id": oid, "timerange": tr.format()} for oid, tr in items])
    return len(items)


# ---- listing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentQuery:
    timerange: TimeRange
    object_id: str | None = None
    reverse: bool = False
    include_object_timerange: bool = False
    urls: get_urls.UrlFilter = field(default_factory=get_urls.UrlFilter)
    limit: int = DEFAULT_LIMIT

    def scope(self, flow_id: str) -> str:
        return "|".join(
            ("segments", flow_id, self.timerange.format(), self.object_id or "", str(self.reverse), str(self.limit))
        )


@dataclass
class SegmentPage:
    items: list[dict[str, Any]]
    next_after: int | None  # start_ns of the last Segment served, when there is more
    timerange: TimeRange  # what this page covers (X-Paging-Timerange)


class SegmentView(Protocol):
    """What rendering needs of one Segment and its Object (a row of `_PAGE_COLUMNS`, or `_StoredView`)."""

    object_id: str
    timerange: str
    extra: dict[str, Any] | None
    obj_known: bool | None
    obj_key: str | None
    obj_size: int | None
    obj_timerange: str | None
    obj_key_frame_count: int | None
    obj_init_id: str | None
    obj_instances: bool | None


@dataclass(slots=True)
class _StoredView:
    object_id: str
    timerange: str
    extra: dict[str, Any] | None
    obj_known: bool | None = None
    obj_key: str | None = None
    obj_size: int | None = None
    obj_timerange: str | None = None
    obj_key_frame_count: int | None = None
    obj_init_id: str | None = None
    obj_instances: bool | None = None


_SEG = SegmentRow.__table__.c
_OBJ = ObjectRow.__table__.c
_INST = ObjectInstanceRow.__table__.c
# One statement answers a page: the Segments (by the primary key (flow_id, start_ns)) with their Object's
# columns and whether it has uncontrolled instances; plain Core rows, no ORM identity map.
_PAGE_COLUMNS = (
    _SEG.start_ns,
    _SEG.end_ns,
    _SEG.object_id,
    _SEG.timerange,
    _SEG.extra,
    _OBJ.id.is_not(None).label("obj_known"),
    _OBJ.key.label("obj_key"),
    _OBJ.size.label("obj_size"),
    _OBJ.timerange.label("obj_timerange"),
    _OBJ.key_frame_count.label("obj_key_frame_count"),
    _OBJ.init_object_id.label("obj_init_id"),
    exists().where(_INST.object_id == _SEG.object_id).label("obj_instances"),
)


@functools.cache
def _page_statement(reverse: bool, by_object: bool, after: bool) -> Select[Any]:
    """The page query of one shape, built once: its parameters are bound at execution, so a request
    neither rebuilds the expression nor recomputes its compilation cache key."""
    flow_id, lo = bindparam("flow_id", type_=String), bindparam("lo", type_=BigInteger)
    # The Segments overlapping [lo, hi) start in [floor, hi), floor being the start of the last Segment
    # starting at or before lo (see the module doc); both bounds are index range constraints.
    floor = select(func.max(_SEG.start_ns)).where(_SEG.flow_id == flow_id, _SEG.start_ns <= lo).scalar_subquery()
    conds: list[Any] = [
        _SEG.flow_id == flow_id,
        _SEG.start_ns >= func.coalesce(floor, lo),
        _SEG.start_ns < bindparam("hi", type_=BigInteger),
        _SEG.end_ns > lo,
        # a missing (or deleted) Flow has an empty segment list, not 404 (the spec)
        exists().where(FlowRow.__table__.c.id == flow_id),
    ]
    if by_object:
        conds.append(_SEG.object_id == bindparam("object_id"))
    if after:
        position = bindparam("after", type_=BigInteger)
        conds.append(_SEG.start_ns < position if reverse else _SEG.start_ns > position)
    return (
        select(*_PAGE_COLUMNS)
        .select_from(SegmentRow.__table__.outerjoin(ObjectRow.__table__, _OBJ.id == _SEG.object_id))
        .where(*conds)
        .order_by(_SEG.start_ns.desc() if reverse else _SEG.start_ns.asc())
        .limit(bindparam("limit", type_=Integer))
    )


async def list_segments(
    session: AsyncSession, flow_id: str, query: SegmentQuery, after: int | None, *, signer: ObjectLinks, base: str
) -> SegmentPage:
    check_flow_id(flow_id)
    tr = query.timerange
    if tr.never:
        return SegmentPage([], None, NEVER)
    statement = _page_statement(query.reverse, query.object_id is not None, after is not None)
    params: dict[str, Any] = {"flow_id": flow_id, "lo": tr.lo, "hi": tr.hi, "limit": query.limit + 1}
    if query.object_id is not None:
        params["object_id"] = query.object_id
    if after is not None:
        params["after"] = after
    # Core rows: no ORM compile state, no identity map. On PostgreSQL a fresh session reads in autocommit
    # mode, which spares the BEGIN and ROLLBACK round trips (one SELECT is a consistent snapshot anyway).
    fresh = not session.in_transaction() and session.get_bind().dialect.name == "postgresql"
    connection = await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"} if fresh else None)
    rows = list((await connection.execute(statement, params)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = await _render_views(session, rows, query, signer=signer, base=base)  # type: ignore[arg-type]
    covered = NEVER
    for row in (rows[0], rows[-1]) if rows else ():
        covered = covered.span(TimeRange.parse(row.timerange))
    return SegmentPage(items, rows[-1].start_ns if more and rows else None, covered)


async def _render_views(
    session: AsyncSession, rows: Sequence[SegmentView], query: SegmentQuery, *, signer: ObjectLinks, base: str
) -> list[dict[str, Any]]:
    init_ids = {r.obj_init_id for r in rows if r.obj_init_id}
    inits: dict[str, tuple[str | None, int | None]] = {}
    if init_ids:
        inits = {
            i: (k, n)
            for i, k, n in (
                await session.execute(select(_OBJ.id, _OBJ.key, _OBJ.size).where(_OBJ.id.in_(init_ids)))
            ).all()
        }
    with_instances = {r.object_id for r in rows if r.obj_instances}
    extra_urls = await objects.uncontrolled(session, with_instances | init_ids) if with_instances or init_ids else {}
    out = []
    for row in rows:
        doc: dict[str, Any] = {"object_id": row.object_id, "timerange": row.timerange}
        if row.extra:
            doc.update(row.extra)
        if row.obj_known:
            if query.include_object_timerange and row.obj_timerange:
                doc["object_timerange"] = row.obj_timerange
            if row.obj_key_frame_count is not None:
                doc["key_frame_count"] = row.obj_key_frame_count
            if row.obj_init_id:
                init_key, init_size = inits.get(row.obj_init_id, (None, None))
                init_urls = get_urls.render(
                    row.obj_init_id,
                    local=init_key is not None and init_size is not None,
                    uncontrolled=extra_urls.get(row.obj_init_id, []),
                    flt=query.urls,
                    signer=signer,
                    base=base,
                )
                doc["init_object"] = {"object_id": row.obj_init_id, **({"get_urls": init_urls} if init_urls else {})}
        local = bool(row.obj_known) and row.obj_key is not None and row.obj_size is not None
        urls = get_urls.render(
            row.object_id,
            local=local,
            uncontrolled=extra_urls.get(row.object_id, []),
            flt=query.urls,
            signer=signer,
            base=base,
        )
        if urls:  # an empty list is omitted, as typed (gRPC) messages do
            doc["get_urls"] = urls
        out.append(doc)
    return out


async def render(
    session: AsyncSession, rows: Sequence[SegmentRow], query: SegmentQuery, *, signer: ObjectLinks, base: str
) -> list[dict[str, Any]]:
    """Segments as listed (with their Objects' properties and get_urls filtered by `query.urls`)."""
    ids = {r.object_id for r in rows}
    objs = (
        {o.id: o for o in (await session.scalars(select(ObjectRow).where(ObjectRow.id.in_(ids)))).all()} if ids else {}
    )
    with_instances = (
        set((await session.scalars(select(_INST.object_id).where(_INST.object_id.in_(ids)).distinct())).all())
        if ids
        else set()
    )
    views = []
    for row in rows:
        o = objs.get(row.object_id)
        view = _StoredView(row.object_id, row.timerange, row.extra, obj_instances=row.object_id in with_instances)
        if o is not None:
            view.obj_known, view.obj_key, view.obj_size = True, o.key, o.size
            view.obj_timerange, view.obj_key_frame_count, view.obj_init_id = (
                o.timerange,
                o.key_frame_count,
                o.init_object_id,
            )
        views.append(view)
    return await _render_views(session, views, query, signer=signer, base=base)


# ---- deletion -----------------------------------------------------------------------------------------


async def count_within(session: AsyncSession, flow_id: str, tr: TimeRange, object_id: str | None, cap: int) -> int:
    """How many Segments lie wholly inside `tr` (counting stops at `cap`)."""
    conds = _within(flow_id, tr, object_id)
    inner = select(SegmentRow.start_ns).where(*conds).limit(cap)
    return int(await session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def _within(flow_id: str, tr: TimeRange, object_id: str | None) -> list[Any]:
    conds: list[Any] = [SegmentRow.flow_id == flow_id, SegmentRow.start_ns >= tr.lo, SegmentRow.end_ns <= tr.hi]
    if object_id is not None:
        conds.append(SegmentRow.object_id == object_id)
    return conds


async def delete_batch(
    session: AsyncSession, flow_id: str, tr: TimeRange, object_id: str | None, batch: int
) -> tuple[int, list[str], int | None]:
    """Delete up to `batch` Segments wholly inside `tr`, earliest first. Returns (deleted, storage keys to
    delete after commit, end of the last deleted segment)."""
    rows = (
        await session.execute(
            select(SegmentRow.start_ns, SegmentRow.end_ns, SegmentRow.object_id)
            .where(*_within(flow_id, tr, object_id))
            .order_by(SegmentRow.start_ns)
            .limit(batch)
        )
    ).all()
    if not rows:
        return 0, [], None
    starts = [r.start_ns for r in rows]
    await session.execute(delete(SegmentRow).where(SegmentRow.flow_id == flow_id, SegmentRow.start_ns.in_(starts)))
    await session.flush()
    if await session.get(FlowRow, flow_id) is not None:  # a deleted Flow has had its `flows/deleted`
        span = TimeRange.from_bounds(rows[0].start_ns, rows[-1].end_ns)
        await events.segments_deleted(session, flow_id, span.format())
    keys = await objects.reclaim(session, {r.object_id for r in rows})
    return len(rows), keys, rows[-1].end_ns


async def render_stored(
    session: AsyncSession, docs: list[dict[str, Any]], options: dict[str, Any], *, signer: ObjectLinks, base: str
) -> list[dict[str, Any]]:
    """Segments kept in a `flows/segments_added` event, rendered as a listing would with a webhook's
    get_urls options (`accept_get_urls`, `accept_storage_ids`, `presigned`, `verbose_storage`,
    `include_object_timerange`)."""
    labels = options.get("accept_get_urls")
    ids = options.get("accept_storage_ids")
    flt = get_urls.UrlFilter(
        None if labels is None else tuple(labels),
        None if ids is None else tuple(ids),
        options.get("presigned"),
        bool(options.get("verbose_storage")),
    )
    query = SegmentQuery(
        timerange=TimeRange.parse("_"), include_object_timerange=bool(options.get("include_object_timerange")), urls=flt
    )
    rows = [
        SegmentRow(
            object_id=d["object_id"], timerange=d["timerange"], extra={k: d[k] for k in EXTRA_KEYS if k in d} or None
        )
        for d in docs
    ]
    return await render(session, rows, query, signer=signer, base=base)
