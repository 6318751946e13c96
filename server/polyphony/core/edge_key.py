"""Which request metadata only Envoy may set, and how a servicer knows a call really came through it.

Envoy's Lua filter strips every `x-edge-*`, `x-envoy-original-path` and `x-envoy-original-method` header a
client sends (native gRPC included), and stamps each REST request it transcodes with `x-edge-key`, a key
derived from the server secret. A call whose `x-edge-key` does not match (a native gRPC call, or a caller
that reached an internal gRPC port directly) gets none of those edge facts believed: it is a native call.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping

from polyphony.core import keys

EDGE_KEY_HEADER = "x-edge-key"
_EDGE_PREFIX = "x-edge-"
_TRANSCODER_HEADERS = frozenset({"x-envoy-original-path", "x-envoy-original-method"})

_key: bytes | None = None


def derive(secret: str) -> str:
    """The edge key for a server secret (the same in every worker and in Envoy's rendered Lua)."""
    return keys.derive(secret, keys.EDGE_KEY).hex()


def configure(key: str) -> None:
    """Set this process's edge key (at worker start, before serving)."""
    global _key
    _key = key.encode()


def is_edge_internal(name: str) -> bool:
    """True for metadata only the edge may set."""
    return name.startswith(_EDGE_PREFIX) or name in _TRANSCODER_HEADERS


def from_edge(metadata: Iterable[tuple[str, str | bytes]] | Mapping[str, str]) -> bool:
    """True when the call carries this server's edge key, i.e. Envoy transcoded it from REST."""
    if _key is None:
        return False
    items = metadata.items() if isinstance(metadata, Mapping) else metadata
    for name, value in items:
        if name == EDGE_KEY_HEADER:
            raw = value.encode() if isinstance(value, str) else value
            return hmac.compare_digest(raw, _key)
    return False
