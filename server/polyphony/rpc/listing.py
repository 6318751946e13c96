"""Reading a list request and answering its paging, the same way for REST (through Envoy) and native gRPC.

`Call.of(context)` reads a call's metadata once and parses the original REST URL (`x-envoy-original-path`)
once; everything a servicer needs of the request line comes from that one `Call`.

`bind(request, call)` gives every list ONE binding path, from the typed request message: Envoy's transcoder
already binds path parameters and plain scalars (`limit`, `timerange`, `reverse_order`...) into the message
(and answers a malformed scalar itself), so what is left is what it cannot bind: the spec's `name.{key}`
query maps (`tag.{name}`, `tag_exists.{name}`, `flow_tag.{name}`...), which are `map<string, string>` fields
here. A native gRPC request is already complete and comes back unchanged.

`send_paging` answers the paging headers of a page (`X-Paging-Limit`, `-Count`, `-NextKey`, `Link`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

import grpc
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from polyphony.core.config import Settings
from polyphony.core.errors import InvalidArgument
from polyphony.core.public_url import public_base_url
from polyphony.core.query import OriginalRequest, parse_original_path
from polyphony.rpc.http import metadata, send_http

M = TypeVar("M", bound=Message)


@dataclass(frozen=True)
class Call:
    """What a servicer reads of one call, read once: its metadata and (REST only) the original request."""

    metadata: Mapping[str, str]
    rest: OriginalRequest | None

    @classmethod
    def of(cls, context: grpc.aio.ServicerContext) -> Call:
        md = metadata(context)
        raw = md.get("x-envoy-original-path")
        return cls(md, None if raw is None else parse_original_path(raw))

    def base_url(self, settings: Settings) -> str:
        """Scheme and authority of absolute links in this call's answer (`core.public_url.public_base_url`)."""
        return public_base_url(settings, self.metadata)

    def given(self, name: str) -> bool:
        """True when a REST call's query string names `name` (a typed request cannot tell 0 or "" from absent)."""
        return self.rest is not None and self.rest.get(name) is not None

    def number(self, name: str, value: int) -> int | None:
        """A typed request's integer `name` (its `value`), None when absent: 0 is absent for native gRPC (proto3
        cannot tell them apart) but a value when a REST client wrote `name=0`."""
        return value if value or self.given(name) else None

    @property
    def is_head(self) -> bool:
        """True when the HTTP client sent HEAD (Envoy turns it into GET and marks it)."""
        return self.metadata.get("x-edge-head") == "1"


def _is_string_map(field: Any) -> bool:
    """True for a `map<string, string>` field (a FieldDescriptor of either protobuf implementation)."""
    entry = field.message_type
    if entry is None or not entry.GetOptions().map_entry:
        return False
    key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
    return bool(key.type == value.type == FieldDescriptor.TYPE_STRING)


@functools.cache
def _shape(descriptor: Any) -> tuple[frozenset[str], tuple[str, ...]]:
    """A request type's boolean fields and `map<string, string>` fields (worked out once per type)."""
    bools = frozenset(f.name for f in descriptor.fields if f.type == FieldDescriptor.TYPE_BOOL)
    maps = tuple(f.name for f in descriptor.fields if _is_string_map(f))
    return bools, maps


def bind(request: M, call: Call) -> M:
    """`request` with the query maps of a REST call bound into it (see the module doc); `name.{key}` given
    several times keeps its last value. Query values holding NUL are refused (no store can keep them), and so
    are booleans other than the spec's `true` / `false` (the transcoder would also take `yes`, `no`, `1`...)."""
    rest = call.rest
    if rest is None:
        return request
    bools, maps = _shape(request.DESCRIPTOR)
    found: dict[str, dict[str, str]] = {name: {} for name in maps}
    for key, value in rest.params:
        if "\x00" in key or "\x00" in value:
            raise InvalidArgument("query parameters cannot contain NUL characters", field="query")
        if key in bools and value not in ("true", "false"):
            raise InvalidArgument(f"`{key}` must be true or false", field=key)
        name, dot, entry = key.partition(".")
        if dot and entry and name in found:
            found[name][entry] = value  # the last value wins
    for name, entries in found.items():
        target = getattr(request, name)
        target.clear()
        target.update(entries)
    return request


async def send_paging(
    context: grpc.aio.ServicerContext,
    call: Call,
    base: str,
    *,
    limit: int,
    count: int | None,
    token: str,
    extra: Iterable[tuple[str, str]] = (),
) -> None:
    """Send a page's paging headers: the limit used, the count, the next key, and (REST) a `Link` to the
    next page: the same URL as the request with only `page` changed, on `base` (scheme and authority)."""
    headers = [("x-paging-limit", str(limit)), *extra]
    if count is not None:
        headers.append(("x-paging-count", str(count)))
    if token:
        headers.append(("x-paging-nextkey", token))
        if call.rest is not None:
            params = [(k, v) for k, v in call.rest.params if k != "page"] + [("page", token)]
            headers.append(("link", f'<{base}{call.rest.path}?{urlencode(params)}>; rel="next"'))
    await send_http(context, headers=headers)
