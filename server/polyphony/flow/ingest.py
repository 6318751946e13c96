"""One-call ingest for native gRPC clients: stream a Segment's bytes into a new Object and register the
Segment. The bytes go to the object store first (no database transaction is held while they stream);
one short transaction then records the Object and the Segment; on any failure the bytes are removed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from typing import Any

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument
from polyphony.core.objects import ObjectStore
from polyphony.flow import lookup, segments
from polyphony.flow.clock import now_us
from polyphony.flow.models import ObjectRow
from polyphony.flow.objects import storage_key
from polyphony.flow.timerange import TimeRange


async def upload_segment(
    db: Database, store: ObjectStore, header: dict[str, Any], chunks: AsyncIterable[bytes]
) -> dict[str, Any]:
    """Returns the registered Segment document (without get_urls)."""
    flow_id = header.get("flow_id", "")
    async with db.session() as session:  # fail fast before any byte is stored
        flow = await lookup.writable_flow(session, flow_id, lock=False)
        container = flow.document.get("container")
    if "timerange" not in header:
        raise InvalidArgument("the header needs a timerange", field="timerange")
    TimeRange.parse(header["timerange"])
    object_id = str(uuid.uuid4())
    key = storage_key(object_id)
    stored = await store.put(key, chunks)
    try:
        async with db.transaction() as session:
            session.add(
                ObjectRow(
                    id=object_id,
                    key=key,
                    allocated_for=flow_id,
                    size=stored.size,
                    content_type=header.get("content_type") or container,
                    registered=False,
                    is_init=False,
                    created_us=now_us(),
                )
            )
            await session.flush()
            doc = {"object_id": object_id, "timerange": header["timerange"]}
            for name in ("ts_offset", "object_timerange", "key_frame_count"):
                if name in header:
                    doc[name] = header[name]
            await segments.register(session, flow_id, doc)
    except BaseException:
        await store.delete(key)
        raise
    out = {k: v for k, v in doc.items() if k != "object_timerange"}
    out["timerange"] = TimeRange.parse(header["timerange"]).format()
    return out
