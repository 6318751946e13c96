"""JSON objects carried in `google.protobuf.Struct` fields (a cue's `payload`, a cue list entry's)."""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def json_of(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The JSON object a Struct carries, with whole numbers as ints (Struct numbers are doubles:
    `{"timestamp": 1733400000000}` comes back as that int, not as `1733400000000.0`)."""
    return _whole(json_format.MessageToDict(struct))  # type: ignore[no-any-return]
