"""Between proto messages and the JSON documents the domain works on (the spec's shape)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


def _integral(value: Any) -> Any:
    """Struct/Value carry every number as a double: give integral ones back their integer type."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def to_document(message: Message) -> dict[str, Any]:
    """A message as its spec JSON document (proto field names, unset optional fields absent)."""
    doc: dict[str, Any] = _integral(json_format.MessageToDict(message, preserving_proto_field_name=True))
    return doc


def to_message(document: dict[str, Any], message: M) -> M:
    """Fill `message` from a stored document (properties the proto does not model are skipped)."""
    json_format.ParseDict(document, message, ignore_unknown_fields=True)
    return message


def value_to_python(value: struct_pb2.Value) -> Any:
    return _integral(json_format.MessageToDict(value)) if value.WhichOneof("kind") else None


def python_to_value(data: Any) -> struct_pb2.Value:
    value = struct_pb2.Value()
    json_format.ParseDict(data, value)
    return value


def python_to_struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    json_format.ParseDict(data, struct)
    return struct


def dict_array(documents: list[dict[str, Any]]) -> struct_pb2.ListValue:
    """JSON documents as a JSON array (ListValue builds the Structs directly: no per-item parsing)."""
    array = struct_pb2.ListValue()
    array.extend(cast(list[Any], documents))
    return array
