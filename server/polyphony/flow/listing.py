"""Query parameters of `GET /flows` and `GET /sources`: from the REST query string or the typed request."""

from __future__ import annotations

from collections.abc import Mapping

from polyphony.core.errors import InvalidArgument
from polyphony.core.query import OriginalRequest, parse_int
from polyphony.flow import schemas
from polyphony.flow.flows import DEFAULT_LIMIT, MAX_LIMIT, FlowQuery, SourceQuery
from polyphony.flow.tags import TagFilter
from polyphony.flow.timerange import TimeRange

FORMATS = ("urn:x-nmos:format:video", "urn:x-tam:format:image", "urn:x-nmos:format:audio",
           "urn:x-nmos:format:data", "urn:x-nmos:format:multi")
# Spec parameters this store does not implement, with the value that means "no filtering".
UNSUPPORTED = {"reverse_order": "false", "sort_by": "created", "status": None,
               "init_segments": None, "collected_by_ids": None}


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


def _reject_unsupported(rest: OriginalRequest) -> None:
    if any("\x00" in k or "\x00" in v for k, v in rest.params):
        raise InvalidArgument("query parameters cannot contain NUL characters", field="query")
    for name, neutral in UNSUPPORTED.items():
        value = rest.get(name)
        if value is None or value == neutral:
            continue
        raise InvalidArgument(f"query parameter `{name}` is not supported by this service", field=name)


def _opt_int(rest: OriginalRequest, name: str) -> int | None:
    raw = rest.get(name)
    return None if raw is None else parse_int(raw, field=name)


def _timerange(value: str | None) -> TimeRange | None:
    return None if value is None else TimeRange.parse(value)


def flow_query_from_rest(rest: OriginalRequest) -> tuple[FlowQuery, str | None]:
    _reject_unsupported(rest)
    tags = TagFilter.parse(
        {k: v[-1] for k, v in rest.dotted("tag").items()}, {k: v[-1] for k, v in rest.dotted("tag_exists").items()})
    query = FlowQuery(
        source_id=_uuid(rest.get("source_id"), "source_id"), format=_format(rest.get("format")),
        codec=rest.get("codec"), label=rest.get("label"), profile_id=_uuid(rest.get("profile_id"), "profile_id"),
        frame_width=_opt_int(rest, "frame_width"), frame_height=_opt_int(rest, "frame_height"), tags=tags,
        limit=_limit(_opt_int(rest, "limit")), timerange=_timerange(rest.get("timerange")),
    )
    return query, rest.get("page") or None


def _blank(value: str) -> str | None:
    return value or None


def flow_query_from_fields(
    *, source_id: str, format: str, codec: str, label: str, profile_id: str, frame_width: int, frame_height: int,
    tag: Mapping[str, str], tag_exists: Mapping[str, str], limit: int, page: str, timerange: str = "",
) -> tuple[FlowQuery, str | None]:
    query = FlowQuery(
        source_id=_uuid(_blank(source_id), "source_id"), format=_format(_blank(format)), codec=_blank(codec),
        label=_blank(label), profile_id=_uuid(_blank(profile_id), "profile_id"), frame_width=frame_width or None,
        frame_height=frame_height or None, tags=TagFilter.parse(tag, tag_exists), limit=_limit(limit or None),
        timerange=_timerange(timerange or None),
    )
    return query, page or None


def source_query_from_rest(rest: OriginalRequest) -> tuple[SourceQuery, str | None]:
    _reject_unsupported(rest)
    tags = TagFilter.parse(
        {k: v[-1] for k, v in rest.dotted("tag").items()}, {k: v[-1] for k, v in rest.dotted("tag_exists").items()})
    query = SourceQuery(label=rest.get("label"), format=_format(rest.get("format")), tags=tags,
                        limit=_limit(_opt_int(rest, "limit")))
    return query, rest.get("page") or None


def source_query_from_fields(
    *, label: str, format: str, tag: Mapping[str, str], tag_exists: Mapping[str, str], limit: int, page: str,
) -> tuple[SourceQuery, str | None]:
    query = SourceQuery(label=_blank(label), format=_format(_blank(format)), tags=TagFilter.parse(tag, tag_exists),
                        limit=_limit(limit or None))
    return query, page or None
