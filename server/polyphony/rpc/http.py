"""How a servicer speaks HTTP through Envoy: status codes, response headers, request metadata.

Success codes other than 200 travel as the `x-http-status` initial-metadata header, which the Envoy Lua
filter moves to `:status`; other response headers (Location, Link, ETag...) pass through unchanged.
Native gRPC clients see the same values as initial metadata.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import grpc

from polyphony.core import edge_key
from polyphony.core.config import Settings
from polyphony.core.public_url import public_base_url
from polyphony.core.query import OriginalRequest, original_request

# the response's exact body length, as the server sends it to the edge (see `send_http`)
LENGTH_HEADER = "x-http-content-length"


def metadata(context: grpc.aio.ServicerContext) -> dict[str, str]:
    """The call's text metadata; edge-internal keys (`x-edge-*`, transcoder facts) only when the call came
    through Envoy's REST path, so a native gRPC caller cannot claim them."""
    md = context.invocation_metadata() or ()
    trusted = edge_key.from_edge(md)
    out: dict[str, str] = {}
    for key, value in md:
        if key.endswith("-bin") or (not trusted and edge_key.is_edge_internal(key)):
            continue
        out[key] = value.decode() if isinstance(value, bytes) else value
    return out


def original(context: grpc.aio.ServicerContext) -> OriginalRequest | None:
    """The REST request as sent by the client (None for native gRPC calls)."""
    return original_request(context.invocation_metadata() or ())


def is_rest(context: grpc.aio.ServicerContext) -> bool:
    return original(context) is not None


def is_head(context: grpc.aio.ServicerContext) -> bool:
    """True when the HTTP client sent HEAD (Envoy turns it into GET and marks it)."""
    return metadata(context).get("x-edge-head") == "1"


def base_url(context: grpc.aio.ServicerContext, settings: Settings) -> str:
    """Scheme and authority of absolute links in this call's answer (`core.public_url.public_base_url`)."""
    return public_base_url(settings, metadata(context))


async def send_http(
    context: grpc.aio.ServicerContext,
    status: int | None = None,
    headers: Iterable[tuple[str, str]] = (),
) -> None:
    """Send the HTTP status (when not 200) and response headers as initial metadata. Call once.

    A `content-length` travels as `x-http-content-length` (the Lua filter makes it `content-length` again):
    the transcoder drops the header from a streamed answer, whose length is then lost, and a HEAD (which
    streams no bytes) could not tell GET's length. A servicer sends it only when it is the exact length."""
    md = [(LENGTH_HEADER if k.lower() == "content-length" else k.lower(), v) for k, v in headers]
    if status is not None and status != 200:
        md.append(("x-http-status", str(status)))
    await context.send_initial_metadata(tuple(md))


async def body_chunks(first: Any, rest: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """The non-empty `body.data` (google.api.HttpBody) of a client-streaming upload: the first message's, then
    each following message's, as they arrive."""
    if first.body.data:
        yield first.body.data
    async for message in rest:
        if message.body.data:
            yield message.body.data
