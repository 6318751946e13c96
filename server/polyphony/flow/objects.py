"""Media Objects: storage allocation, their bytes (presigned PUT/GET), `/objects/{id}` and its instances,
and reclaiming Objects that no Segment references any more.

Object bytes live in the server's object store under `tams/{object id}`; an Object is shared by every
Flow whose Segments reference it and its bytes are deleted only when no Segment (directly, or through
a Media Object's `init_object_id`) references it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import Conflict, InvalidArgument, Locked, NotFound, PermissionDenied, RangeNotSatisfiable
from polyphony.core.objects import ObjectStore
from polyphony.flow import get_urls, schemas, storage_backends
from polyphony.flow.clock import now_us
from polyphony.flow.lookup import check_flow_id
from polyphony.flow.models import FlowRow, FlowTagRow, ObjectInstanceRow, ObjectRow, SegmentRow
from polyphony.flow.tags import TagFilter, tag_clauses
from polyphony.flow.urls import ObjectLinks

DEFAULT_ALLOCATION = 10
MAX_ALLOCATION = 1000
# Allocated Objects never registered against a Segment are collected after this long (the service
# promises min_object_timeout = 600 s; a grace period is added as the spec suggests).
UNREGISTERED_TTL_US = 900 * 1_000_000


def storage_key(object_id: str) -> str:
    """Where an Object's bytes live in the object store (ids are hashed: they may hold any character)."""
    return "tams/" + hashlib.sha256(object_id.encode()).hexdigest()


# ---- allocation ---------------------------------------------------------------------------------------


async def allocate(
    session: AsyncSession, flow_id: str, body: dict[str, Any], *, signer: ObjectLinks, base: str
) -> list[dict[str, Any]]:
    """POST /flows/{id}/storage: new Object ids with presigned PUT URLs (flow-storage.json items)."""
    check_flow_id(flow_id)
    schemas.check("flow-storage-post.json", body, what="storage request")
    flow = await session.get(FlowRow, flow_id)
    if flow is None:
        raise NotFound(f"flow {flow_id} does not exist")
    if flow.read_only:
        raise Locked(f"flow {flow_id} is read-only")
    storage_backends.check_storage_id(body.get("storage_id"))
    if body.get("presigned") is False:
        raise InvalidArgument("this store only issues presigned put_urls", field="presigned")
    content_type = body.get("content_type") or flow.document.get("container")
    if not content_type:
        raise InvalidArgument("the flow has no `container` and the request no `content_type`", field="content_type")
    if "object_ids" in body:
        ids = list(body["object_ids"])
        if not ids or len(set(ids)) != len(ids) or len(ids) > MAX_ALLOCATION:
            raise InvalidArgument(f"object_ids must be 1 to {MAX_ALLOCATION} distinct ids", field="object_ids")
        if any(not i or len(i) > 255 for i in ids):
            raise InvalidArgument("object ids must be 1 to 255 characters", field="object_ids")
        taken = (await session.scalars(select(ObjectRow.id).where(ObjectRow.id.in_(ids)))).all()
        if taken:
            raise InvalidArgument(f"object ids already exist: {', '.join(sorted(taken))}", field="object_ids")
    else:
        limit = body.get("limit", DEFAULT_ALLOCATION)
        if limit < 1:
            raise InvalidArgument("limit must be at least 1", field="limit")
        ids = [str(uuid.uuid4()) for _ in range(min(limit, MAX_ALLOCATION))]
    now = now_us()
    session.add_all(
        ObjectRow(
            id=i,
            key=storage_key(i),
            allocated_for=flow_id,
            content_type=content_type,
            registered=False,
            is_init=False,
            created_us=now,
        )
        for i in ids
    )
    await session.flush()
    return [
        {
            "object_id": i,
            "put_url": {"url": signer.url(base, "PUT", i), "content-type": content_type},
            "presigned": True,
        }
        for i in ids
    ]


# ---- sizes of bytes written directly to the store ------------------------------------------------------


def referenced_ids(body: Any) -> set[str]:
    """Object ids (media and init) a Segment registration body refers to."""
    docs = body if isinstance(body, list) else [body]
    ids: set[str] = set()
    for doc in docs:
        if isinstance(doc, dict):
            # a NUL cannot be in an Object id (and PostgreSQL refuses it in text): such ids name nothing
            ids.update(
                v for k in ("object_id", "init_object_id") if isinstance(v := doc.get(k), str) and "\x00" not in v
            )
    return ids


async def refresh_sizes(db: Database, store: ObjectStore, object_ids: Iterable[str]) -> None:
    """Record the size of allocated Objects whose bytes reached the store without passing through this
    server (a presigned S3 PUT), so registration can tell uploaded Objects from empty ones."""
    wanted = list(object_ids)[:MAX_ALLOCATION]
    if not wanted:
        return
    async with db.session() as session:
        pending = (
            await session.execute(
                select(ObjectRow.id, ObjectRow.key).where(
                    ObjectRow.id.in_(wanted),
                    ~ObjectRow.registered,
                    ObjectRow.key.is_not(None),
                    ObjectRow.size.is_(None),
                )
            )
        ).all()
    found = {oid: size for oid, key in pending if key and (size := await store.size(key)) is not None}
    if not found:
        return
    async with db.transaction() as session:
        for oid, size in found.items():
            row = await session.get(ObjectRow, oid)
            if row is not None and row.size is None:
                row.size = size


# ---- bytes --------------------------------------------------------------------------------------------


async def upload(
    db: Database, store: ObjectStore, object_id: str, content_type: str | None, chunks: AsyncIterable[bytes]
) -> int:
    """Store the bytes of an allocated, not yet registered Object (a presigned PUT). The bytes stream to
    the store with no transaction open; a short transaction then records their size."""
    async with db.session() as session:
        row = await session.get(ObjectRow, object_id)
        if row is None or row.key is None:
            raise NotFound(f"object {object_id} was not allocated by this store")
        if row.registered:
            raise PermissionDenied(f"object {object_id} is registered and immutable")
        key = row.key
    stored = await store.put(key, chunks)
    async with db.transaction() as session:
        row = await session.get(ObjectRow, object_id)
        if row is None or row.registered:  # collected or registered while the bytes streamed
            raise PermissionDenied(f"object {object_id} can no longer be written")
        row.size = stored.size
        if content_type:
            row.content_type = content_type
    return stored.size


@dataclass
class Download:
    status: int
    headers: list[tuple[str, str]]
    content_type: str
    start: int
    end: int  # exclusive
    key: str


def _range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end exclusive) of a single `bytes=` range, None for the whole object."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None  # unsupported forms are ignored, as RFC 9110 allows
    first, _, last = spec.strip().partition("-")
    try:
        if first == "":
            n = int(last)
            if n <= 0:
                raise RangeNotSatisfiable("empty suffix range", headers={"content-range": f"bytes */{size}"})
            return max(0, size - n), size
        start = int(first)
        end = size if last == "" else min(int(last) + 1, size)
    except ValueError:
        return None
    if start >= size or end <= start:
        raise RangeNotSatisfiable(f"range {header} outside 0-{size}", headers={"content-range": f"bytes */{size}"})
    return start, end


async def download(session: AsyncSession, object_id: str, range_header: str | None) -> Download:
    row = await session.get(ObjectRow, object_id)
    if row is None or row.key is None or row.size is None:
        raise NotFound(f"object {object_id} has no content in this store")
    content_type = row.content_type or "application/octet-stream"
    span = _range(range_header, row.size)
    headers = [("accept-ranges", "bytes")]
    if span is None:
        headers.append(("content-length", str(row.size)))
        return Download(200, headers, content_type, 0, row.size, row.key)
    start, end = span
    headers += [("content-range", f"bytes {start}-{end - 1}/{row.size}"), ("content-length", str(end - start))]
    return Download(206, headers, content_type, start, end, row.key)


def read(store: ObjectStore, answer: Download) -> AsyncIterator[bytes]:
    return store.read(answer.key, answer.start, answer.end)


# ---- /objects/{id} ------------------------------------------------------------------------------------


async def _registered(session: AsyncSession, object_id: str) -> ObjectRow:
    row = await session.get(ObjectRow, object_id)
    if row is None or not row.registered:  # allocated but unregistered Objects answer 404 (spec)
        raise NotFound(f"object {object_id} does not exist")
    return row


async def uncontrolled(session: AsyncSession, ids: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """object id -> [(label, url)] of its uncontrolled instances."""
    out: dict[str, list[tuple[str, str]]] = {}
    wanted = list(set(ids))
    if not wanted:
        return out
    rows = await session.execute(
        select(ObjectInstanceRow.object_id, ObjectInstanceRow.label, ObjectInstanceRow.url)
        .where(ObjectInstanceRow.object_id.in_(wanted))
        .order_by(ObjectInstanceRow.object_id, ObjectInstanceRow.label)
    )
    for oid, label, url in rows:
        out.setdefault(oid, []).append((label, url))
    return out


async def referencing_flows(
    session: AsyncSession, row: ObjectRow, after: str | None, limit: int, flow_tags: TagFilter | None = None
) -> list[str]:
    """Flows whose Segments reference the Object (for an init Object: through its Media Objects)."""
    if row.is_init:
        media = select(ObjectRow.id).where(ObjectRow.init_object_id == row.id)
        query = select(SegmentRow.flow_id).where(SegmentRow.object_id.in_(media))
    else:
        query = select(SegmentRow.flow_id).where(SegmentRow.object_id == row.id)
    if after is not None:
        query = query.where(SegmentRow.flow_id > after)
    live = select(FlowRow.id)  # segments of a Flow being deleted in the background do not count
    if flow_tags:  # flow_tag.{name} / flow_tag_exists.{name}
        live = live.where(*tag_clauses(flow_tags, FlowRow, FlowTagRow, FlowTagRow.flow_id))
    query = query.where(SegmentRow.flow_id.in_(live)).distinct().order_by(SegmentRow.flow_id).limit(limit + 1)
    return list((await session.scalars(query)).all())


@dataclass
class ObjectPage:
    document: dict[str, Any]
    next_after: str | None


async def get_object(
    session: AsyncSession,
    object_id: str,
    *,
    flt: get_urls.UrlFilter,
    signer: ObjectLinks,
    base: str,
    after: str | None,
    limit: int,
    flow_tags: TagFilter | None = None,
) -> ObjectPage:
    row = await _registered(session, object_id)
    flows = await referencing_flows(session, row, after, limit, flow_tags)
    more = len(flows) > limit
    flows = flows[:limit]
    extra = await uncontrolled(session, [row.id] + ([row.init_object_id] if row.init_object_id else []))
    doc: dict[str, Any] = {"id": row.id, "referenced_by_flows": flows}
    if row.first_referenced_by_flow:
        doc["first_referenced_by_flow"] = row.first_referenced_by_flow
    if row.timerange and not row.is_init:
        doc["timerange"] = row.timerange
    if row.key_frame_count is not None:
        doc["key_frame_count"] = row.key_frame_count
    doc["get_urls"] = get_urls.render(
        row.id,
        local=row.size is not None and row.key is not None,
        uncontrolled=extra.get(row.id, []),
        flt=flt,
        signer=signer,
        base=base,
    )
    if row.init_object_id:
        init = await session.get(ObjectRow, row.init_object_id)
        doc["init_object"] = {
            "id": row.init_object_id,
            "get_urls": get_urls.render(
                row.init_object_id,
                local=init is not None and init.size is not None,
                uncontrolled=extra.get(row.init_object_id, []),
                flt=flt,
                signer=signer,
                base=base,
            ),
        }
    return ObjectPage(doc, flows[-1] if more and flows else None)


# ---- instances ----------------------------------------------------------------------------------------


async def add_instance(session: AsyncSession, object_id: str, body: Any) -> list[str]:
    """Register an uncontrolled instance (returns []), or validate a request for a controlled copy on a
    storage backend: returns the uncontrolled URLs to copy from (see `instances.copy_in`)."""
    schemas.check("objects-instances-post.json", body, what="object instance")
    row = await _registered(session, object_id)
    if "storage_id" in body:
        storage_backends.check_storage_id(body["storage_id"])
        if row.key is not None and row.size is not None:
            raise InvalidArgument(
                f"object {object_id} already has an instance on storage {body['storage_id']}", field="storage_id"
            )
        sources = [url for _, url in (await uncontrolled(session, [object_id])).get(object_id, [])]
        if not sources:
            raise InvalidArgument(f"object {object_id} has no instance to copy from", field="storage_id")
        return sources
    await _add_uncontrolled(session, object_id, body["label"], body["url"])
    await session.flush()
    return []


async def set_controlled(db: Database, object_id: str, key: str, size: int) -> bool:
    """Record a controlled copy made by `instances.copy_in`; False when the Object went meanwhile."""
    async with db.transaction() as session:
        row = await session.get(ObjectRow, object_id)
        if row is None or not row.registered:
            return False
        if row.key is None or row.size is None:
            row.key, row.size = key, size
        return True


async def _add_uncontrolled(session: AsyncSession, object_id: str, label: str, url: str) -> None:
    if label == storage_backends.label():
        raise InvalidArgument(f"label {label!r} belongs to a storage backend", field="label")
    if not label or len(label) > 255:
        raise InvalidArgument("label must be 1 to 255 characters", field="label")
    if await session.get(ObjectInstanceRow, (object_id, label)) is not None:
        raise Conflict(f"object {object_id} already has an instance labelled {label!r}", field="label")
    session.add(ObjectInstanceRow(object_id=object_id, label=label, url=url))


async def add_uncontrolled_urls(session: AsyncSession, object_id: str, urls: list[dict[str, Any]]) -> None:
    labels = [u["label"] for u in urls]
    if len(set(labels)) != len(labels):
        raise InvalidArgument("get_urls labels must be unique", field="get_urls")
    rows = await session.execute(
        select(ObjectInstanceRow.label, ObjectInstanceRow.url).where(ObjectInstanceRow.object_id == object_id)
    )
    existing = {label: url for label, url in rows.tuples()}
    for item in urls:
        if existing.get(item["label"]) == item["url"]:
            continue  # re-registering the same instance is harmless
        await _add_uncontrolled(session, object_id, item["label"], item["url"])


async def delete_instance(
    session: AsyncSession, object_id: str, storage_id: str | None, label: str | None
) -> str | None:
    """Remove one instance; returns the storage key whose bytes the caller deletes after commit."""
    if not storage_id and not label:
        raise InvalidArgument("give `storage_id` or `label`", field="storage_id")
    row = await _registered(session, object_id)
    others = (
        await session.scalars(select(ObjectInstanceRow.label).where(ObjectInstanceRow.object_id == object_id))
    ).all()
    local = row.key is not None and row.size is not None
    if storage_id or label == storage_backends.label():
        if storage_id:
            storage_backends.check_storage_id(storage_id)
        if not local:
            raise NotFound(f"object {object_id} has no instance on storage {storage_id or label}")
        if not others:
            raise InvalidArgument(
                "an object's last instance cannot be deleted; delete its segments instead", field="storage_id"
            )
        key = row.key
        row.key, row.size = None, None
        await session.flush()
        return key
    if label not in others:
        raise NotFound(f"object {object_id} has no instance labelled {label!r}")
    if not local and len(others) == 1:
        raise InvalidArgument("an object's last instance cannot be deleted; delete its segments instead", field="label")
    await session.execute(
        delete(ObjectInstanceRow).where(ObjectInstanceRow.object_id == object_id, ObjectInstanceRow.label == label)
    )
    return None


# ---- reclaiming ---------------------------------------------------------------------------------------


async def reclaim(session: AsyncSession, object_ids: Iterable[str]) -> list[str]:
    """Delete the Objects among `object_ids` that nothing references any more (and init Objects they
    leave unreferenced). Returns the storage keys whose bytes to delete once the transaction commits."""
    keys: list[str] = []
    pending = set(object_ids)
    seen: set[str] = set()
    while pending:
        batch = list(pending - seen)[:500]
        if not batch:
            break
        seen.update(batch)
        pending.difference_update(batch)
        used = exists().where(SegmentRow.object_id == ObjectRow.id)
        rows = (
            await session.scalars(select(ObjectRow).where(ObjectRow.id.in_(batch), ObjectRow.registered, ~used))
        ).all()
        for row in rows:
            if row.is_init:
                users = await session.scalar(select(ObjectRow.id).where(ObjectRow.init_object_id == row.id).limit(1))
                if users is not None:
                    continue
            if row.key is not None:
                keys.append(row.key)
            if row.init_object_id:
                pending.add(row.init_object_id)
            await session.delete(row)
        await session.flush()
    return keys


async def expired_allocations(session: AsyncSession, limit: int = 500) -> list[str]:
    """Allocated Objects never registered within the timeout: rows deleted, keys returned."""
    cutoff = now_us() - UNREGISTERED_TTL_US
    rows = (
        await session.scalars(
            select(ObjectRow).where(~ObjectRow.registered, ObjectRow.created_us < cutoff).limit(limit)
        )
    ).all()
    keys = [r.key for r in rows if r.key is not None]
    for row in rows:
        await session.delete(row)
    await session.flush()
    return keys


async def delete_bytes(store: ObjectStore, keys: Iterable[str]) -> None:
    for key in keys:
        await store.delete(key)
