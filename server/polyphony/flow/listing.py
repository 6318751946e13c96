"""Query parameters of `GET /flows` and `GET /sources`, from the typed request (REST calls are bound into it by
`polyphony.rpc.listing.bind`)."""

from __future__ import annotations

from collections.abc import Mapping

from polyphony.core.errors import InvalidArgument
from polyphony.flow import schemas
from polyphony.flow.flows import DEFAULT_LIMIT, FLOW_SORTS, MAX_LIMIT, SOURCE_SORTS, FlowQuery, SourceQuery
from polyphony.flow.tags import TagFilter
from polyphony.flow.timerange import TimeRange

FORMATS = (
    "urn:x-nmos:format:video",
    "urn:x-tam:format:image",
    "urn:x-nmos:format:audio",
    "urn:x-nmos:format:data",
    "urn:x-nmos:format:multi",
)
STATUSES = ("awaiting_content", "ingesting", "replication_in_progress", "closed_complete")  # flow-status.json


def _format(value: str | None) -> str | None:
    if value is not None and value not in FORMATS:
        raise InvalidArgument(f"unknown format {value!r}", field="format")
    return value


def _uuid(value: str | None, name: str) -> str | None:
    if value is not None and not schemas.is_uuid(value):
        raise InvalidArgument(f"`{name}` must be a UUID", field=name)
    return value


def _limit(value: int | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if value < 1:
        raise InvalidArgument("`limit` must be at least 1", field="limit")
    return min(value, MAX_LIMIT)  # the spec lets a service cap the limit (X-Paging-Limit reports it)


def _sort_by(value: str | None, allowed: tuple[str, ...]) -> str:
    if value is None or value == "":
        return "created"  # the spec: assume `created` if not set
    if value not in allowed:
        raise InvalidArgument(f"`sort_by` must be one of {', '.join(allowed)}", field="sort_by")
    return value


def _status(value: str | None) -> str | None:
    if value is not None and value not in STATUSES:
        raise InvalidArgument(f"`status` must be one of {', '.join(STATUSES)}", field="status")
    return value


def _collected_by(value: str | None) -> tuple[str, ...] | None:
    """uuid-list-empty.json: absent -> no filter; empty -> collected by none; else a list of UUIDs."""
    if value is None:
        return None
    if value == "":
        return ()
    ids = tuple(value.split(","))
    if not all(schemas.is_uuid(i) for i in ids):
        raise InvalidArgument("`collected_by_ids` must be a comma-separated list of UUIDs", field="collected_by_ids")
    return ids


def _timerange(value: str | None) -> TimeRange | None:
    return None if value is None else TimeRange.parse(value)


def _blank(value: str) -> str | None:
    return value or None


def flow_query(
    *,
    source_id: str,
    format: str,
    codec: str,
    label: str,
    profile_id: str,
    frame_width: int,
    frame_height: int,
    tag: Mapping[str, str],
    tag_exists: Mapping[str, str],
    limit: int | None,
    timerange: str = "",
    sort_by: str = "",
    reverse_order: bool = False,
    status: str = "",
    init_segments: bool | None = None,
    collected_by_ids: str | None = None,
) -> FlowQuery:
    query = FlowQuery(
        source_id=_uuid(_blank(source_id), "source_id"),
        format=_format(_blank(format)),
        codec=_blank(codec),
        label=_blank(label),
        profile_id=_uuid(_blank(profile_id), "profile_id"),
        frame_width=frame_width or None,
        frame_height=frame_height or None,
        tags=TagFilter.parse(tag, tag_exists),
        limit=_limit(limit),
        timerange=_timerange(timerange or None),
        sort_by=_sort_by(sort_by, FLOW_SORTS),
        reverse=reverse_order,
        status=_status(_blank(status)),
        init_segments=init_segments,
        collected_by=_collected_by(collected_by_ids),
    )
    return query


def source_query(
    *,
    label: str,
    format: str,
    tag: Mapping[str, str],
    tag_exists: Mapping[str, str],
    limit: int | None,
    sort_by: str = "",
    reverse_order: bool = False,
    collected_by_ids: str | None = None,
) -> SourceQuery:
    query = SourceQuery(
        label=_blank(label),
        format=_format(_blank(format)),
        tags=TagFilter.parse(tag, tag_exists),
        limit=_limit(limit),
        sort_by=_sort_by(sort_by, SOURCE_SORTS),
        reverse=reverse_order,
        collected_by=_collected_by(collected_by_ids),
    )
    return query
