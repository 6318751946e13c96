"""Servicer-side helpers: request bodies, streamed uploads and query parameters in, Server-Sent Event frames out."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from typing import Any

from google.protobuf import json_format, struct_pb2

from polyphony.analysis.tasks.runs import TaskEvent
from polyphony.analysis.web import mapping
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.core.query import OriginalRequest

CHUNK = 128 * 1024


def _ints(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_ints(v) for v in value]
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    return value


def body_dict(body: struct_pb2.Struct) -> dict[str, object]:
    """A JSON object body (a Struct), with integral numbers as ints (JSON has one number type)."""
    return {k: _ints(v) for k, v in json_format.MessageToDict(body).items()}


def number(raw: str | None, field: str, *, integer: bool = False) -> Any:
    """A query parameter as a finite number (None when absent); 400 naming `field` otherwise."""
    if raw is None or raw == "":
        return None
    try:
        value = int(raw) if integer else float(raw)
    except ValueError:
        raise InvalidArgument(
            "A valid integer is required." if integer else "A valid number is required.", field=field
        ) from None
    if not math.isfinite(value):
        raise InvalidArgument("A valid number is required.", field=field)
    return value


def pick(request: Any, rest: OriginalRequest | None, query: str, field: str, integer: bool = False) -> Any:
    """REST: the query parameter `query` (parsed here); gRPC: the typed field `field`."""
    if rest is not None:
        return number(rest.get(query), query, integer=integer)
    return getattr(request, field) if request.HasField(field) else None


def waveform_args(request: pb.GetItemWaveformRequest, rest: OriginalRequest | None) -> dict[str, Any]:
    return {
        "start": pick(request, rest, "start", "range_start"),
        "stop": pick(request, rest, "stop", "range_stop"),
        "nb_pixels": pick(request, rest, "nb_pixels", "points", integer=True),
    }


def visual_args(request: pb.GetResultVisualRequest, rest: OriginalRequest | None) -> dict[str, Any]:
    sub = (
        rest.get("subprocessor_id")
        if rest is not None
        else (request.subprocessor_id if request.HasField("subprocessor_id") else None)
    )
    return {
        "subprocessor_id": sub or None,
        "start": pick(request, rest, "start", "range_start"),
        "stop": pick(request, rest, "stop", "range_stop"),
        "width": pick(request, rest, "width", "image_width", integer=True),
        "height": pick(request, rest, "height", "image_height", integer=True),
    }


def sse_frame(event: TaskEvent, base: str) -> bytes:
    """`id:`, `event:` and one `data:` line (the task's, or for `result` events the result's, JSON)."""
    message = mapping.result_msg(event.result, base) if event.result is not None else mapping.task_msg(event.task, base)
    data = json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True), separators=(",", ":"))
    return f"id: {event.sequence}\nevent: {event.kind}\ndata: {data}\n\n".encode()


async def split_body(messages: AsyncIterator[Any], body_of: Any) -> tuple[Any, str, AsyncIterator[bytes]]:
    """(first message, content type, all body bytes) of a stream whose messages carry an HttpBody."""
    it = aiter(messages)
    first = await anext(it, None)
    if first is None:

        async def nothing() -> AsyncIterator[bytes]:
            return
            yield b""

        return None, "", nothing()

    async def data() -> AsyncIterator[bytes]:
        head = body_of(first)
        if head.data:
            yield head.data
        async for message in it:
            chunk = body_of(message).data
            if chunk:
                yield chunk

    return first, body_of(first).content_type, data()


async def upload_parts(messages: AsyncIterator[pb.UploadItemRequest]) -> tuple[pb.ItemFields, AsyncIterator[bytes]]:
    it = aiter(messages)
    first = await anext(it, None)
    if first is None or first.WhichOneof("part") != "fields":
        raise InvalidArgument("the first UploadItem message must carry `fields`", field="fields")

    async def chunks() -> AsyncIterator[bytes]:
        async for message in it:
            if message.WhichOneof("part") != "chunk":
                raise InvalidArgument("only `chunk` messages may follow `fields`", field="chunk")
            yield message.chunk

    return first.fields, chunks()
