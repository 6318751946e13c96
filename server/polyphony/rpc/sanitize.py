"""The one input check every Polyphony RPC gets before its servicer runs (called by the interceptor).

- A request the server cannot decode (Envoy's transcoder puts the raw bytes of a path or query value such
  as `/tams/flows/%ff%fe` into a proto `string`, which must be valid UTF-8; or a JSON body nested deeper
  than protobuf's recursion limit) is a client error, not an internal one: the deserializer hands the
  servicer an `Undecodable` marker instead of raising inside gRPC, and the interceptor answers 400.
- No text the server stores or matches may contain NUL: PostgreSQL cannot store it in text or JSON, so
  it would fail there as a 500 (and behave differently on SQLite). Every string of the request message
  (fields, repeated fields, map keys and values, `Struct`/`Value` contents) and the original REST query
  (`x-envoy-original-path`, which servicers parse themselves) are checked here, once per surface, instead
  of per field in the domain.
- No map in a request holds more than MAX_MAP_ENTRIES entries (tags, JSON:API filters, JSON objects):
  a 100,000-tag Flow is refused before any servicer converts it.
- A large request (over LARGE bytes) is decoded and checked on a worker thread, not on the event loop, so
  one big body does not stall every other request while it is parsed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import DecodeError, Message

from polyphony.core.errors import InvalidArgument

LARGE = 64 * 1024  # bytes of a request message decoded off the event loop
MAX_MAP_ENTRIES = 1000  # the documented tag limit (flow.tags.MAX_TAGS) bounds every map alike

# Fields whose domain code answers NUL per item instead of refusing the request: TAMS reports each Segment
# of a posted list that cannot be stored in `failed_segments` and stores the others (flow.segments).
PER_ITEM = frozenset({"polyphony.api.flow.v1.CreateSegmentsRequest.segments"})

_STRING = FieldDescriptor.TYPE_STRING
_MESSAGE = FieldDescriptor.TYPE_MESSAGE


@dataclass(frozen=True)
class Undecodable:
    """Stands for a request message that did not decode."""

    reason: str


@dataclass(frozen=True)
class Deferred:
    """A large request's bytes, decoded later on a worker thread (`prepared`)."""

    data: bytes
    deserialize: Callable[[bytes], Any]


def _decode(deserialize: Callable[[bytes], Any], data: bytes) -> Any:
    try:
        return deserialize(data)
    except (DecodeError, RecursionError, UnicodeDecodeError, ValueError) as exc:
        return Undecodable(str(exc) or type(exc).__name__)


def safe_deserializer(deserialize: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserialize is None:
        return None

    def run(data: bytes) -> Any:
        if len(data) > LARGE:
            return Deferred(data, deserialize)
        return _decode(deserialize, data)

    return run


def _checked(request: Any, original_path: str | None) -> Any:
    if isinstance(request, Deferred):
        request = _decode(request.deserialize, request.data)
    check_decoded(request)
    check_text(request, original_path)
    return request


async def prepared(request: Any, original_path: str | None) -> Any:
    """The decoded request after every check here (InvalidArgument otherwise)."""
    if isinstance(request, Deferred):
        return await asyncio.to_thread(_checked, request, original_path)
    return _checked(request, original_path)


def check_decoded(request: Any) -> None:
    if isinstance(request, Undecodable):
        raise InvalidArgument(
            "the request cannot be read: a path, query or body value is not valid UTF-8 text, "
            "or the body is nested too deeply"
        )


def _strings_have_nul(values: Iterable[Any]) -> bool:
    return any(isinstance(v, str) and "\x00" in v for v in values)


class _TooMany(Exception):
    def __init__(self, where: str, count: int) -> None:
        self.where, self.count = where, count


def nul_field(message: Message, prefix: str = "") -> str | None:
    """The path of the first string in `message` that holds a NUL character, else None (`_TooMany` for a
    map over MAX_MAP_ENTRIES, found on the way)."""
    for fd, value in message.ListFields():
        name = prefix + fd.name
        if fd.full_name in PER_ITEM:
            continue
        if fd.type == _STRING:
            if _strings_have_nul(value if fd.is_repeated else (value,)):
                return name
        elif fd.type == _MESSAGE and fd.message_type is not None:
            if fd.message_type.GetOptions().map_entry:
                if len(value) > MAX_MAP_ENTRIES:
                    raise _TooMany(name, len(value))
                if _strings_have_nul(value.keys()):
                    return name
                values = value.values()
                if fd.message_type.fields_by_name["value"].type == _MESSAGE:
                    for item in values:
                        found = nul_field(item, name + ".")
                        if found is not None:
                            return found
                elif _strings_have_nul(values):
                    return name
            else:
                for item in value if fd.is_repeated else (value,):
                    found = nul_field(item, name + ".")
                    if found is not None:
                        return found
    return None


def check_text(request: Message, original_path: str | None) -> None:
    """Refuse NUL anywhere in the request's text (InvalidArgument naming where)."""
    if original_path is not None and b"\x00" in unquote_to_bytes(urlsplit(original_path).query.replace("+", " ")):
        raise InvalidArgument("query parameters cannot contain NUL characters", field="query")
    try:
        found = nul_field(request)
    except _TooMany as many:
        where = many.where.removesuffix(".fields")
        raise InvalidArgument(
            f"`{where}` has {many.count} entries; at most {MAX_MAP_ENTRIES} are allowed", field=where
        ) from None
    if found is not None:
        raise InvalidArgument(f"`{found}` cannot contain NUL characters", field=found)
