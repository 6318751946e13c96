"""Query parameters of `GET /flows/{id}/segments` (REST query string or typed request) and shared limits."""

from __future__ import annotations

import dataclasses

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.core.query import OriginalRequest, parse_int
from polyphony.flow import get_urls
from polyphony.flow.segments import DEFAULT_LIMIT, MAX_LIMIT, SegmentQuery
from polyphony.flow.timerange import parse_optional


def limit_of(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if value < 1:
        raise InvalidArgument("`limit` must be at least 1", field="limit")
    return min(value, MAX_LIMIT)


def limit_from_rest(rest: OriginalRequest) -> int:
    raw = rest.get("limit")
    return limit_of(None if raw is None else parse_int(raw, field="limit"))


def from_rest(rest: OriginalRequest) -> tuple[SegmentQuery, str | None]:
    query = SegmentQuery(
        timerange=parse_optional(rest.get("timerange")),
        object_id=rest.get("object_id"),
        reverse=bool(get_urls.parse_bool(rest.get("reverse_order"), "reverse_order")),
        include_object_timerange=bool(
            get_urls.parse_bool(rest.get("include_object_timerange"), "include_object_timerange")
        ),
        urls=get_urls.url_filter_from_rest(rest),
        limit=limit_from_rest(rest),
    )
    return query, rest.get("page") or None


def from_fields(request: pb.ListSegmentsRequest) -> tuple[SegmentQuery, str | None]:
    urls = get_urls.url_filter(
        request.accept_get_urls if request.HasField("accept_get_urls") else None,
        request.accept_storage_ids or None,
        request.presigned if request.HasField("presigned") else None,
        request.verbose_storage,
        get_urls.backend_tag_filter(request.storage_backend_tag, request.storage_backend_tag_exists),
    )
    query = SegmentQuery(
        timerange=parse_optional(request.timerange or None),
        object_id=request.object_id or None,
        reverse=request.reverse_order,
        include_object_timerange=request.include_object_timerange,
        urls=urls,
        limit=limit_of(request.limit or None),
    )
    return query, request.page or None


def with_limit(query: SegmentQuery, limit: int) -> SegmentQuery:
    return dataclasses.replace(query, limit=limit)
