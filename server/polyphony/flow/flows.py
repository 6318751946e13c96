"""Flows and their Sources: create/replace, read, delete, property updates and filtered, paged listings.

Documents are plain JSON dicts in the spec's shape. A stored Flow document holds only what the client
manages (plus `metadata_version`); server-managed properties (`created`, `metadata_updated`,
`collected_by`, `timerange`) are added when rendering.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, case, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from polyphony.core.db import get_for_update
from polyphony.core.errors import Conflict, InvalidArgument, Locked, NotFound
from polyphony.flow import events, principal, profiles, schemas
from polyphony.flow.clock import now_us, rfc3339
from polyphony.flow.coverage import flow_timerange
from polyphony.flow.keyset import Page, SortKey, after_keys, order_by, reversed_keys
from polyphony.flow.lookup import check_flow_id, check_source_id
from polyphony.flow.models import (
    CollectionItemRow,
    DeleteRequestRow,
    FlowRow,
    FlowTagRow,
    SegmentRow,
    SourceRow,
    SourceTagRow,
)
from polyphony.flow.tags import (
    TagFilter,
    check_tag_name,
    check_tag_value,
    check_tags,
    check_text_properties,
    tag_rows,
)
from polyphony.flow.tags import tag_clauses as _tag_clauses
from polyphony.flow.timerange import TimeRange

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

# Properties the service manages itself; ignored when a client sends them (flow-common.json says so).
SERVER_MANAGED = ("created", "metadata_updated", "segments_updated", "timerange", "collected_by")
# Properties a Profile provides; a Flow created from a Profile must not set them (flow-put.json).
TECHNICAL = (
    "format",
    "codec",
    "container",
    "avg_bit_rate",
    "segment_duration",
    "container_mapping",
    "essence_parameters",
)


async def _flow(session: AsyncSession, flow_id: str) -> FlowRow:
    check_flow_id(flow_id)
    row = await session.get(FlowRow, flow_id)
    if row is None:
        raise NotFound(f"flow {flow_id} does not exist")
    return row


async def _flow_for_update(session: AsyncSession, flow_id: str) -> FlowRow:
    """The Flow's row, locked until the write transaction ends (see `core.db.get_for_update`)."""
    check_flow_id(flow_id)
    row = await get_for_update(session, FlowRow, flow_id)
    if row is None:
        raise NotFound(f"flow {flow_id} does not exist")
    return row


def _writable(row: FlowRow) -> None:
    if row.read_only:
        raise Locked(f"flow {row.id} is read-only")


# ---- rendering --------------------------------------------------------------------------------------


async def render_flow(
    session: AsyncSession, row: FlowRow, *, include_timerange: bool = False, within: TimeRange | None = None
) -> dict[str, Any]:
    doc = copy.deepcopy(row.document)
    doc["created"] = rfc3339(row.created_us)
    doc["metadata_updated"] = rfc3339(row.metadata_updated_us)
    if row.segments_updated_us is not None:
        doc["segments_updated"] = rfc3339(row.segments_updated_us)
    doc["read_only"] = row.read_only
    collectors = (
        await session.scalars(
            select(CollectionItemRow.collector_id)
            .where(CollectionItemRow.member_id == row.id)
            .order_by(CollectionItemRow.collector_id)
            .distinct()
        )
    ).all()
    if collectors:
        doc["collected_by"] = list(collectors)
    if include_timerange:
        doc["timerange"] = (await flow_timerange(session, row.id, within)).format()
    return doc


async def render_source(session: AsyncSession, row: SourceRow) -> dict[str, Any]:
    doc: dict[str, Any] = {"id": row.id, "format": row.format}
    for key in ("label", "description", "created_by", "updated_by"):
        value = getattr(row, key)
        if value is not None:
            doc[key] = value
    doc["created"] = rfc3339(row.created_us)
    doc["updated"] = rfc3339(row.updated_us)
    if row.tags:
        doc["tags"] = copy.deepcopy(row.tags)
    # Source collections are inferred from the collections of the Source's Flows.
    member = select(
        CollectionItemRow.position,
        CollectionItemRow.role,
        FlowRow.source_id.label("member_source"),
        CollectionItemRow.collector_id,
    ).join(FlowRow, FlowRow.id == CollectionItemRow.member_id)
    members = (
        await session.execute(
            member.where(
                CollectionItemRow.collector_id.in_(select(FlowRow.id).where(FlowRow.source_id == row.id))
            ).order_by(CollectionItemRow.collector_id, CollectionItemRow.position)
        )
    ).all()
    collection: dict[str, dict[str, Any]] = {}
    for _pos, role, member_source, _collector in members:
        if member_source != row.id and member_source not in collection:
            collection[member_source] = {"id": member_source, **({"role": role} if role is not None else {})}
    if collection:
        doc["source_collection"] = list(collection.values())
    collector_flows = select(CollectionItemRow.collector_id).where(
        CollectionItemRow.member_id.in_(select(FlowRow.id).where(FlowRow.source_id == row.id))
    )
    by = (
        await session.scalars(
            select(FlowRow.source_id)
            .where(FlowRow.id.in_(collector_flows), FlowRow.source_id != row.id)
            .distinct()
            .order_by(FlowRow.source_id)
        )
    ).all()
    if by:
        doc["collected_by"] = list(by)
    return doc


# ---- reads ------------------------------------------------------------------------------------------


async def get_flow(
    session: AsyncSession, flow_id: str, *, include_timerange: bool = False, within: TimeRange | None = None
) -> dict[str, Any]:
    return await render_flow(session, await _flow(session, flow_id), include_timerange=include_timerange, within=within)


async def get_source(session: AsyncSession, source_id: str) -> dict[str, Any]:
    check_source_id(source_id)
    row = await session.get(SourceRow, source_id)
    if row is None:
        raise NotFound(f"source {source_id} does not exist")
    return await render_source(session, row)


# ---- create / replace -------------------------------------------------------------------------------


@dataclass
class PutResult:
    flow: dict[str, Any]
    created: bool


async def _client_document(session: AsyncSession, flow_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Validate a PUT body and return the document to store (profile metadata merged in)."""
    doc = {k: v for k, v in body.items() if k not in SERVER_MANAGED}
    if doc.get("profile_id") == "":  # the spec's way to break the link to a Profile
        del doc["profile_id"]
    check_tags(doc.get("tags"))  # the documented limits first: cheap, and they bound the schema check
    check_text_properties(doc)
    schemas.check("flow-put.json", doc, what="flow")
    if doc["id"] != flow_id:
        raise InvalidArgument(f"body id {doc['id']} does not match the flow id {flow_id} in the path", field="id")
    if "profile_id" in doc:
        given = [k for k in TECHNICAL if k in doc]
        if given:
            raise InvalidArgument(f"a flow created from a profile must not set {', '.join(given)}", field=given[0])
        metadata = await profiles.flow_metadata(session, doc["profile_id"])
        doc.update(copy.deepcopy(metadata))
    doc.pop("read_only", None)  # kept in its own column
    return doc


async def _ensure_source(session: AsyncSession, doc: dict[str, Any], now: int) -> None:
    source = await session.get(SourceRow, doc["source_id"])
    if source is None:
        tags = copy.deepcopy(doc.get("tags", {}))
        session.add(
            SourceRow(
                id=doc["source_id"],
                format=doc["format"],
                label=doc.get("label"),
                description=doc.get("description"),
                created_by=doc.get("created_by"),
                updated_by=doc.get("updated_by", principal.of(session)),
                created_us=now,
                updated_us=now,
                tags=tags,
            )
        )
        await session.flush()  # the source row must exist before its tag rows and its flows
        session.add_all(SourceTagRow(source_id=doc["source_id"], name=n, value=v) for n, v in tag_rows(tags))
        created = await session.get(SourceRow, doc["source_id"])
        assert created is not None
        await events.source_created(session, await render_source(session, created))
    elif source.format != doc["format"]:
        raise InvalidArgument(
            f"flow format {doc['format']} conflicts with source {source.id} format {source.format}", field="format"
        )


async def _check_collection(session: AsyncSession, flow_id: str, doc: dict[str, Any]) -> None:
    wanted = {item["id"] for item in doc.get("flow_collection", [])} - {flow_id}
    if not wanted:
        return
    found = set((await session.scalars(select(FlowRow.id).where(FlowRow.id.in_(wanted)))).all())
    missing = sorted(wanted - found)
    if missing:
        raise InvalidArgument(f"flow_collection refers to unknown flows: {', '.join(missing)}", field="flow_collection")


def _essence(doc: dict[str, Any], key: str) -> int | None:
    value = doc.get("essence_parameters", {}).get(key)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


async def _store(
    session: AsyncSession, row: FlowRow, doc: dict[str, Any], now: int, *, previous: dict[str, Any]
) -> None:
    """Write `doc` into `row` (typed columns, tags and collection rows), versioning changed metadata.
    Unless `doc` sets `updated_by`, a change records the caller there (and no change keeps the last one)."""
    changed = not previous or _comparable(doc) != _comparable(previous)
    if "updated_by" not in doc:
        by = principal.of(session) if changed else previous.get("updated_by")
        if by is not None:
            doc["updated_by"] = by
    if doc.get("metadata_version") in (None, previous.get("metadata_version")):
        kept = previous.get("metadata_version")
        doc["metadata_version"] = str(uuid.uuid4()) if changed or kept is None else kept
    if changed:
        row.metadata_updated_us = now
    row.source_id = doc["source_id"]
    row.format = doc["format"]
    row.codec = doc.get("codec")
    row.label = doc.get("label")
    row.profile_id = doc.get("profile_id")
    row.frame_width = _essence(doc, "frame_width")
    row.frame_height = _essence(doc, "frame_height")
    row.status = doc.get("status")
    row.init_segments = doc.get("essence_parameters", {}).get("init_segments") is True
    row.document = doc
    await session.execute(delete(FlowTagRow).where(FlowTagRow.flow_id == row.id))
    await session.execute(delete(CollectionItemRow).where(CollectionItemRow.collector_id == row.id))
    await session.flush()
    session.add_all(FlowTagRow(flow_id=row.id, name=n, value=v) for n, v in tag_rows(doc.get("tags", {})))
    session.add_all(
        CollectionItemRow(collector_id=row.id, position=i, member_id=item["id"], role=item.get("role"))
        for i, item in enumerate(doc.get("flow_collection", []))
    )
    await session.flush()


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("metadata_version", "read_only", "updated_by")}


async def put_flow(session: AsyncSession, flow_id: str, body: dict[str, Any]) -> PutResult:
    """Create or replace a Flow (and create its Source if needed). Call inside a transaction."""
    check_flow_id(flow_id)
    doc = await _client_document(session, flow_id, body)
    read_only = bool(body.get("read_only", False))
    now = now_us()
    row = await get_for_update(session, FlowRow, flow_id)
    if row is None and await session.scalar(
        select(DeleteRequestRow.id)
        .where(DeleteRequestRow.flow_id == flow_id, DeleteRequestRow.status.in_(("created", "started")))
        .limit(1)
    ):
        raise Conflict(f"flow {flow_id} is still being deleted; try again later")
    # created_by: the client's value, else the creator's (kept on replace), else the caller.
    creator = row.document.get("created_by") if row is not None else principal.of(session)
    if "created_by" not in doc and creator is not None:
        doc["created_by"] = creator
    if (
        row is not None
        and row.read_only
        and (
            _comparable(doc) != _comparable(row.document)
            or doc.get("updated_by", row.document.get("updated_by")) != row.document.get("updated_by")
        )
    ):
        raise Locked(f"flow {flow_id} is read-only: only its read_only property may change")
    await _ensure_source(session, doc, now)
    await _check_collection(session, flow_id, doc)
    created = row is None
    previous: dict[str, Any] = {}
    was_read_only = read_only
    if row is None:
        row = FlowRow(id=flow_id, created_us=now, metadata_updated_us=now, read_only=read_only)
        session.add(row)
    else:
        previous, was_read_only = row.document, row.read_only
        row.read_only = read_only
    await _store(session, row, doc, now, previous=previous)
    rendered = await render_flow(session, row)
    if created or row.metadata_updated_us == now or was_read_only != read_only:
        await events.flow_changed(session, rendered, created=created)
    return PutResult(rendered, created)


async def delete_flow(session: AsyncSession, flow_id: str) -> None:
    row = await _flow_for_update(session, flow_id)
    _writable(row)
    await events.flow_deleted(session, flow_id, row.source_id)
    await session.execute(delete(FlowTagRow).where(FlowTagRow.flow_id == flow_id))
    await session.execute(delete(CollectionItemRow).where(CollectionItemRow.collector_id == flow_id))
    await session.delete(row)
    await session.flush()


# ---- single properties ------------------------------------------------------------------------------


async def get_property(session: AsyncSession, flow_id: str, name: str) -> Any:
    row = await _flow(session, flow_id)
    if name not in row.document:
        raise NotFound(f"flow {flow_id} has no {name}")
    return copy.deepcopy(row.document[name])


async def get_read_only(session: AsyncSession, flow_id: str) -> bool:
    return (await _flow(session, flow_id)).read_only


async def set_read_only(session: AsyncSession, flow_id: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument("read_only must be a JSON boolean", field="read_only")
    row = await _flow_for_update(session, flow_id)
    if row.read_only != value:
        row.read_only = value
        await session.flush()
        await events.flow_changed(session, await render_flow(session, row), created=False)


def _assign(name: str, value: Any | None) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        if value is None:
            doc.pop(name, None)
        else:
            doc[name] = value

    return change


async def _edit(session: AsyncSession, flow_id: str, name: str, value: Any | None) -> None:
    """Set (or with None remove) one client-managed property, re-validating the whole Flow."""
    await _mutate(session, flow_id, name, _assign(name, value))


async def _mutate(session: AsyncSession, flow_id: str, what: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Apply `change` to the Flow's client-managed document atomically: the row is locked before it is read
    (concurrent edits of other properties wait for this one instead of being overwritten by it), the
    result is re-validated as a whole Flow and stored. `change` may raise a domain error to refuse."""
    row = await _flow_for_update(session, flow_id)
    _writable(row)
    doc = copy.deepcopy(row.document)
    doc.pop("updated_by", None)  # _store records who made this edit
    change(doc)
    check_tags(doc.get("tags"))
    check = {k: v for k, v in doc.items() if not (k in TECHNICAL and "profile_id" in doc)}
    schemas.check("flow-put.json", check, what=what)
    now = now_us()
    await _store(session, row, doc, now, previous=row.document)
    if row.metadata_updated_us == now:
        await events.flow_changed(session, await render_flow(session, row), created=False)


async def set_string_property(session: AsyncSession, flow_id: str, name: str, value: str) -> None:
    check_text_properties({name: value})
    await _edit(session, flow_id, name, value)


async def delete_property(session: AsyncSession, flow_id: str, name: str) -> None:
    await _edit(session, flow_id, name, None)


# Bit rates are int32 in the proto (a JSON number, as the spec wants), so larger values are refused.
MAX_BIT_RATE = 2**31 - 1
BIT_RATES = ("max_bit_rate", "avg_bit_rate")


async def set_bit_rate(session: AsyncSession, flow_id: str, name: str, value: Any) -> None:
    """Set `max_bit_rate` or `avg_bit_rate` (a non-negative integer, in 1000 bit/s)."""
    if name not in BIT_RATES:
        raise ValueError(f"not a bit rate property: {name}")
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_BIT_RATE:
        raise InvalidArgument(f"{name} must be a non-negative JSON integer (at most {MAX_BIT_RATE})", field=name)
    await _edit_technical(session, flow_id, name, value)


async def delete_bit_rate(session: AsyncSession, flow_id: str, name: str) -> None:
    if name not in BIT_RATES:
        raise ValueError(f"not a bit rate property: {name}")
    await _edit_technical(session, flow_id, name, None)


async def _edit_technical(session: AsyncSession, flow_id: str, name: str, value: Any | None) -> None:
    """A property a Profile provides cannot change while the Flow is linked to one (flow-put.json and
    the spec's PUT /flows/{flowId}/avg_bit_rate: 400, remove the link first)."""
    assign = _assign(name, value)

    def change(doc: dict[str, Any]) -> None:
        if name in TECHNICAL and "profile_id" in doc:
            raise InvalidArgument(
                f"flow {flow_id} is linked to profile {doc['profile_id']}: remove the link before changing {name}",
                field=name,
            )
        assign(doc)

    await _mutate(session, flow_id, name, change)


async def set_collection(session: AsyncSession, flow_id: str, value: Any) -> None:
    """Replace the Flow's `flow_collection` (flow-collection.json; every member must exist)."""
    schemas.check("flow-collection.json", value, what="flow_collection")
    row = await _flow(session, flow_id)
    _writable(row)
    await _check_collection(session, flow_id, {"flow_collection": value})
    await _edit(session, flow_id, "flow_collection", value)


async def delete_collection(session: AsyncSession, flow_id: str) -> None:
    await _edit(session, flow_id, "flow_collection", None)


async def get_tags(session: AsyncSession, flow_id: str) -> dict[str, Any]:
    row = await _flow(session, flow_id)
    return copy.deepcopy(row.document.get("tags", {}))


async def get_tag(session: AsyncSession, flow_id: str, name: str) -> Any:
    tags = await get_tags(session, flow_id)
    if name not in tags:
        raise NotFound(f"flow {flow_id} has no tag {name!r}")
    return tags[name]


async def set_tag(session: AsyncSession, flow_id: str, name: str, value: Any) -> None:
    check_tag_name(name)
    check_tag_value(value)

    def change(doc: dict[str, Any]) -> None:
        doc.setdefault("tags", {})[name] = value

    await _mutate(session, flow_id, "tags", change)


async def delete_tag(session: AsyncSession, flow_id: str, name: str) -> None:
    def change(doc: dict[str, Any]) -> None:
        tags = doc.get("tags", {})
        if name not in tags:
            raise NotFound(f"flow {flow_id} has no tag {name!r}")
        del tags[name]
        if not tags:
            del doc["tags"]

    await _mutate(session, flow_id, "tags", change)


# ---- listings ---------------------------------------------------------------------------------------


FLOW_SORTS = ("created", "metadata_updated", "label")
SOURCE_SORTS = ("created", "updated", "label")


@dataclass(frozen=True)
class FlowQuery:
    source_id: str | None = None
    format: str | None = None
    codec: str | None = None
    label: str | None = None
    profile_id: str | None = None
    frame_width: int | None = None
    frame_height: int | None = None
    tags: TagFilter = field(default_factory=TagFilter)
    limit: int = DEFAULT_LIMIT
    timerange: TimeRange | None = None
    sort_by: str = "created"
    reverse: bool = False
    status: str | None = None
    init_segments: bool | None = None
    collected_by: tuple[str, ...] | None = None  # None: no filter; (): Flows collected by none

    def scope(self) -> str:
        parts = [
            self.source_id,
            self.format,
            self.codec,
            self.label,
            self.profile_id,
            self.frame_width,
            self.frame_height,
            self.tags.key(),
            self.limit,
            self.timerange,
            self.sort_by,
            self.reverse,
            self.status,
            self.init_segments,
            None if self.collected_by is None else ",".join(self.collected_by),
        ]
        return "flows|" + "|".join("" if p is None else str(p) for p in parts)


@dataclass(frozen=True)
class SourceQuery:
    label: str | None = None
    format: str | None = None
    tags: TagFilter = field(default_factory=TagFilter)
    limit: int = DEFAULT_LIMIT
    sort_by: str = "created"
    reverse: bool = False
    collected_by: tuple[str, ...] | None = None

    def scope(self) -> str:
        parts = [
            self.label,
            self.format,
            self.tags.key(),
            self.limit,
            self.sort_by,
            self.reverse,
            None if self.collected_by is None else ",".join(self.collected_by),
        ]
        return "sources|" + "|".join("" if p is None else str(p) for p in parts)


def _sort_keys(sort_by: str, created: Any, updated: Any, label: Any, ident: Any, reverse: bool) -> list[SortKey]:
    """`created` / `*updated` newest first; `label` alphabetical with unlabelled rows after, by id (the
    spec); `reverse_order` flips the whole order. The id makes every key unique (keyset paging)."""
    if sort_by == "label":
        keys: list[SortKey] = [
            (case((label.is_(None), 1), else_=0), True),
            (func.coalesce(label, ""), True),
            (ident, True),
        ]
    else:
        keys = [(created if sort_by == "created" else updated, False), (ident, False)]
    return reversed_keys(keys, reverse)


def _position(row: Any, sort_by: str, created: int, updated: int) -> dict[str, Any]:
    """The page token position after `row` (its values of the sort keys of `_sort_keys`)."""
    if sort_by == "label":
        return {"k": [1 if row.label is None else 0, row.label or "", row.id]}
    return {"k": [created if sort_by == "created" else updated, row.id]}


async def list_flows(session: AsyncSession, query: FlowQuery, after: dict[str, Any] | None) -> Page:
    conds: list[ColumnElement[bool]] = []
    for column, value in (
        (FlowRow.source_id, query.source_id),
        (FlowRow.format, query.format),
        (FlowRow.codec, query.codec),
        (FlowRow.label, query.label),
        (FlowRow.profile_id, query.profile_id),
        (FlowRow.frame_width, query.frame_width),
        (FlowRow.frame_height, query.frame_height),
    ):
        if value is not None:
            conds.append(column == value)
    conds += _tag_clauses(query.tags, FlowRow, FlowTagRow, FlowTagRow.flow_id)
    if query.timerange is not None:
        conds.append(_timerange_clause(query.timerange))
    if query.status is not None:
        conds.append(FlowRow.status == query.status)
    if query.init_segments is not None:
        conds.append(FlowRow.init_segments.is_(query.init_segments))
    if query.collected_by is not None:
        collected = exists().where(CollectionItemRow.member_id == FlowRow.id)
        conds.append(
            collected.where(CollectionItemRow.collector_id.in_(query.collected_by))
            if query.collected_by
            else ~collected
        )
    keys = _sort_keys(
        query.sort_by, FlowRow.created_us, FlowRow.metadata_updated_us, FlowRow.label, FlowRow.id, query.reverse
    )
    conds += after_keys(keys, after)
    rows: Sequence[FlowRow] = (
        await session.scalars(select(FlowRow).where(*conds).order_by(*order_by(keys)).limit(query.limit + 1))
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [await render_flow(session, r) for r in rows]
    last = rows[-1] if rows else None
    nxt = _position(last, query.sort_by, last.created_us, last.metadata_updated_us) if more and last else None
    return Page(items, nxt)


def _timerange_clause(tr: TimeRange) -> ColumnElement[bool]:
    """Flows with a Segment overlapping `tr` (never: Flows without Segments). The Segment starting last
    before `tr` ends is the one to test (segments never overlap), so each Flow costs one index seek."""
    if tr.never:
        return ~exists().where(SegmentRow.flow_id == FlowRow.id)
    last_end = (
        select(SegmentRow.end_ns)
        .where(SegmentRow.flow_id == FlowRow.id, SegmentRow.start_ns < tr.hi)
        .order_by(SegmentRow.start_ns.desc())
        .limit(1)
        .correlate(FlowRow)
        .scalar_subquery()
    )
    return last_end > tr.lo


async def list_sources(session: AsyncSession, query: SourceQuery, after: dict[str, Any] | None) -> Page:
    conds: list[ColumnElement[bool]] = []
    if query.label is not None:
        conds.append(SourceRow.label == query.label)
    if query.format is not None:
        conds.append(SourceRow.format == query.format)
    conds += _tag_clauses(query.tags, SourceRow, SourceTagRow, SourceTagRow.source_id)
    if query.collected_by is not None:
        # collected_by of a Source: the other Sources whose Flows collect one of its Flows (render_source)
        member, collector = aliased(FlowRow), aliased(FlowRow)
        collected = exists().where(
            CollectionItemRow.member_id == member.id,
            CollectionItemRow.collector_id == collector.id,
            member.source_id == SourceRow.id,
            collector.source_id != SourceRow.id,
        )
        conds.append(collected.where(collector.source_id.in_(query.collected_by)) if query.collected_by else ~collected)
    keys = _sort_keys(
        query.sort_by, SourceRow.created_us, SourceRow.updated_us, SourceRow.label, SourceRow.id, query.reverse
    )
    conds += after_keys(keys, after)
    rows: Sequence[SourceRow] = (
        await session.scalars(select(SourceRow).where(*conds).order_by(*order_by(keys)).limit(query.limit + 1))
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    items = [await render_source(session, r) for r in rows]
    last = rows[-1] if rows else None
    nxt = _position(last, query.sort_by, last.created_us, last.updated_us) if more and last else None
    return Page(items, nxt)
