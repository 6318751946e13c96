"""Query parameters of `GET /flows/{id}/segments` from the typed request (REST calls are bound into it by
`polyphony.rpc.listing.bind`), and the limits every TAMS list shares."""

from __future__ import annotations

import dataclasses

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.flow import get_urls
from polyphony.flow.segments import DEFAULT_LIMIT, MAX_LIMIT, SegmentQuery
from polyphony.flow.timerange import parse_optional


def limit_of(value: int | None) -> int:
    """The limit of a list that documents a 400: absent is the default, below 1 is refused, above the maximum
    is capped (X-Paging-Limit reports the cap)."""
    if value is None:
        return DEFAULT_LIMIT
    if value < 1:
        raise InvalidArgument("`limit` must be at least 1", field="limit")
    return min(value, MAX_LIMIT)


def limit_or_default(value: int) -> int:
    """The limit of a list that documents no 400 (`/flow-delete-requests`, `/service/storage-backends`,
    `/service/webhooks`): below 1 is the default; above the maximum is capped. X-Paging-Limit says which."""
    return DEFAULT_LIMIT if value < 1 else min(value, MAX_LIMIT)


def segment_query(request: pb.ListSegmentsRequest, limit: int | None) -> SegmentQuery:
    """The query of a typed request; `limit` is its limit, None when absent."""
    urls = get_urls.url_filter(
        request.accept_get_urls if request.HasField("accept_get_urls") else None,
        request.accept_storage_ids or None,
        request.presigned if request.HasField("presigned") else None,
        request.verbose_storage,
        get_urls.backend_tag_filter(request.storage_backend_tag, request.storage_backend_tag_exists),
    )
    return SegmentQuery(
        timerange=parse_optional(request.timerange or None),
        object_id=request.object_id or None,
        reverse=request.reverse_order,
        include_object_timerange=request.include_object_timerange,
        urls=urls,
        limit=limit_of(limit),
    )


def with_limit(query: SegmentQuery, limit: int) -> SegmentQuery:
    return dataclasses.replace(query, limit=limit)
