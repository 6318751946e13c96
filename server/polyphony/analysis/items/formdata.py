"""Incremental parsing of an HTTP request body that arrives in chunks (DRF's parsers, streamed).

`multipart/form-data` is parsed as it streams (python-multipart's callback parser): text parts are
collected (small, capped), file parts are handed to the caller as an async byte stream so they can go
straight to the object store without ever being held whole in memory. `application/json` and
`application/x-www-form-urlencoded` bodies are small by nature and read whole (capped).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from polyphony.core.errors import InvalidArgument, PayloadTooLarge, UnsupportedMediaType

MAX_FIELD_BYTES = 1024 * 1024  # one text part / a whole JSON or urlencoded body


@dataclass(frozen=True)
class FilePart:
    """A file part of a multipart body: its field name, client filename and declared content type."""

    name: str
    filename: str
    content_type: str


# Called for each file part with the part's bytes; must consume (or not) and return.
FileHandler = Callable[[FilePart, AsyncIterator[bytes]], Awaitable[None]]


@dataclass
class FormData:
    """The text fields of a request body (first value wins, as in a Django QueryDict `get`)."""

    fields: dict[str, object] = field(default_factory=dict)
    text_parts: set[str] = field(default_factory=set)  # multipart parts that were text, not files


def media_type(content_type: str) -> tuple[str, dict[str, str]]:
    try:
        kind, options = parse_options_header(content_type or "")
    except UnicodeError:  # a header is latin-1 text; gRPC callers can send any string
        raise UnsupportedMediaType(f"Unsupported media type {content_type[:100]!r} in request.") from None
    return kind.decode("latin-1").lower(), {k.decode("latin-1"): v.decode("latin-1") for k, v in options.items()}


async def _read_capped(chunks: AsyncIterator[bytes], limit: int = MAX_FIELD_BYTES) -> bytes:
    buf = bytearray()
    async for chunk in chunks:
        buf += chunk
        if len(buf) > limit:
            raise PayloadTooLarge(f"request body larger than {limit} bytes")
    return bytes(buf)


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidArgument(f"{what} is not valid UTF-8") from None


def _no_nul(value: object, where: str) -> None:
    """Every text a form carries is checked here, once: no NUL (PostgreSQL cannot store it)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidArgument(f"{where} cannot contain NUL characters", field=where)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key, where)
            _no_nul(item, f"{where}.{key}" if where != "form" else str(key))
    elif isinstance(value, list):
        for item in value:
            _no_nul(item, where)


async def read_form(content_type: str, chunks: AsyncIterator[bytes], on_file: FileHandler) -> FormData:
    """Parse the body by its content type; file parts go to `on_file` as they stream. No text in it may
    hold a NUL character (field names and values, JSON strings, file names)."""
    form = await _read_form(content_type, chunks, on_file)
    _no_nul(form.fields, "form")
    return form


async def _read_form(content_type: str, chunks: AsyncIterator[bytes], on_file: FileHandler) -> FormData:
    kind, options = media_type(content_type)
    if kind == "multipart/form-data":
        boundary = options.get("boundary")
        if not boundary:
            raise InvalidArgument("Multipart form parse error - Invalid boundary in multipart: None")
        return await _read_multipart(boundary, chunks, on_file)
    body = await _read_capped(chunks)
    if kind == "application/json":
        if not body.strip():
            return FormData()
        try:
            value = json.loads(_decode(body, "JSON body"))
        except json.JSONDecodeError as exc:
            raise InvalidArgument(f"JSON parse error - {exc}") from None
        if not isinstance(value, dict):
            raise InvalidArgument(
                f"Invalid data. Expected a dictionary, but got {type(value).__name__}.", field="non_field_errors"
            )
        return FormData(fields=value)
    if kind == "application/x-www-form-urlencoded" or (kind == "" and not body):
        out: dict[str, object] = {}
        for key, value in parse_qsl(_decode(body, "form body"), keep_blank_values=True):
            out.setdefault(key, value)
        return FormData(fields=out)
    raise UnsupportedMediaType(f'Unsupported media type "{content_type}" in request.')


class _MultipartEvents:
    """Turns python-multipart callbacks into a queue of events read between chunks."""

    def __init__(self, boundary: str) -> None:
        self.queue: deque[tuple[str, bytes]] = deque()
        self.ended = False
        self._field = bytearray()
        self._value = bytearray()
        callbacks = {
            "on_part_begin": lambda: self.queue.append(("begin", b"")),
            "on_header_field": lambda d, s, e: self._field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self._value.extend(d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": lambda: self.queue.append(("headers", b"")),
            "on_part_data": lambda d, s, e: self.queue.append(("data", bytes(d[s:e]))),
            "on_part_end": lambda: self.queue.append(("end", b"")),
            "on_end": self._end,
        }
        self.parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]

    def _header_end(self) -> None:
        self.queue.append(("header", bytes(self._field).lower() + b"\0" + bytes(self._value)))
        self._field.clear()
        self._value.clear()

    def _end(self) -> None:
        self.ended = True


async def _events(boundary: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[str, bytes]]:
    ev = _MultipartEvents(boundary)
    try:
        async for chunk in chunks:
            ev.parser.write(chunk)
            while ev.queue:
                yield ev.queue.popleft()
        ev.parser.finalize()
    except MultipartParseError as exc:
        raise InvalidArgument(f"Multipart form parse error - {exc}") from None
    while ev.queue:
        yield ev.queue.popleft()
    if not ev.ended:
        raise InvalidArgument("Multipart form parse error - body ended before the closing boundary")


async def _part_body(events: AsyncIterator[tuple[str, bytes]]) -> AsyncIterator[bytes]:
    async for kind, data in events:
        if kind == "end":
            return
        if kind == "data" and data:
            yield data
    raise InvalidArgument("Multipart form parse error - part not terminated")


async def _read_multipart(boundary: str, chunks: AsyncIterator[bytes], on_file: FileHandler) -> FormData:
    form = FormData()
    events = _events(boundary, chunks)
    headers: dict[str, str] = {}
    async for kind, data in events:
        if kind == "begin":
            headers = {}
        elif kind == "header":
            key, _, value = data.partition(b"\0")
            headers[key.decode("latin-1")] = value.decode("utf-8", errors="replace")
        elif kind == "headers":
            disposition, params = media_type(headers.get("content-disposition", ""))
            name = params.get("name")
            if disposition != "form-data" or name is None:
                raise InvalidArgument("Multipart form parse error - part without a form-data name")
            body = _part_body(events)
            if "filename" in params:
                _no_nul(params["filename"], "filename")
                part = FilePart(name, params["filename"], headers.get("content-type", "application/octet-stream"))
                await on_file(part, body)
                async for _ in body:  # whatever the handler did not consume
                    pass
            else:
                form.fields.setdefault(name, _decode(await _read_capped(body), f"field {name!r}"))
                form.text_parts.add(name)
    return form
