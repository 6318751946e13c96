"""Parsing of query syntax the transcoder cannot bind (JSON:API `filter[key]`, TAMS `tag.{name}`...).

Envoy's transcoder forwards the untouched request line as `x-envoy-original-path`; servicers pass the
metadata here and bind only path parameters and plain scalars through the proto.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from polyphony.core import edge_key
from polyphony.core.errors import InvalidArgument


@dataclass(frozen=True)
class OriginalRequest:
    """The REST request as the client sent it, when the call came through Envoy."""

    path: str
    params: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        for key, value in self.params:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]

    def bracketed(self, prefix: str) -> dict[str, str]:
        """`filter[a]=1&filter[b]=2` -> {"a": "1", "b": "2"} for prefix `filter` (last one wins)."""
        out: dict[str, str] = {}
        for key, value in self.params:
            if key.startswith(prefix + "[") and key.endswith("]"):
                name = key[len(prefix) + 1 : -1]
                if not name:
                    raise InvalidArgument(f"empty key in {prefix}[]", field=key)
                out[name] = value
        return out

    def dotted(self, prefix: str) -> dict[str, list[str]]:
        """`tag.genre=a&tag.genre=b` -> {"genre": ["a", "b"]} for prefix `tag`."""
        out: dict[str, list[str]] = {}
        for key, value in self.params:
            if key.startswith(prefix + ".") and len(key) > len(prefix) + 1:
                out.setdefault(key[len(prefix) + 1 :], []).append(value)
        return out

    def names(self) -> set[str]:
        return {k for k, _ in self.params}


def parse_original_path(raw: str) -> OriginalRequest:
    parts = urlsplit(raw)
    params = tuple(parse_qsl(parts.query, keep_blank_values=True))
    return OriginalRequest(path=parts.path, params=params)


def original_request(metadata: Iterable[tuple[str, str | bytes]] | Mapping[str, str]) -> OriginalRequest | None:
    """The original REST request from gRPC invocation metadata, or None for a native gRPC call (one that
    did not come through Envoy's REST path: see `polyphony.core.edge_key`)."""
    if not edge_key.from_edge(metadata):
        return None
    items = metadata.items() if isinstance(metadata, Mapping) else metadata
    for key, value in items:
        if key == "x-envoy-original-path":
            return parse_original_path(value.decode() if isinstance(value, bytes) else value)
    return None


def parse_int(value: str, *, field: str, minimum: int | None = None, maximum: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise InvalidArgument(f"`{field}` must be an integer, got {value!r}", field=field) from None
    if minimum is not None and number < minimum:
        raise InvalidArgument(f"`{field}` must be at least {minimum}", field=field)
    if maximum is not None and number > maximum:
        raise InvalidArgument(f"`{field}` must be at most {maximum}", field=field)
    return number


def split_csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]
