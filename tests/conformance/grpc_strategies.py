"""Hypothesis strategies for protobuf request messages, built from their descriptors (in the spirit of
hypothesis-protobuf): every field of every type, nested messages to a bounded depth, repeated fields and
maps, the well-known JSON types (Struct, Value, ListValue), Timestamps and HttpBody, with strings that mix
random text and values that mean something to this server (UUIDs, timeranges, paths, NUL, huge numbers)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from google.protobuf import descriptor, struct_pb2
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import strategies as st

_FD = descriptor.FieldDescriptor
MAX_DEPTH = 3

INTERESTING = [
    "",
    "0",
    "-1",
    "1",
    "9" * 30,
    str(uuid.UUID(int=0)),
    "2d7cd4b4-3cd4-4d35-9a24-6e54a0d1f4b1",
    "[0:0_10:0)",
    "(0:0_1:0]",
    "0:0",
    "../../etc/passwd",
    "a/b/../c",
    "bytes=0-10",
    "bytes=" + "9" * 40 + "-",
    "audio/wav",
    "urn:x-nmos:format:audio",
    "http://127.0.0.1:1/x",
    "http://[::1\\]/",
    "true",
    "null",
    "{}",
    "[[[[]]]]",
    "a\x00b",
    "é²",
    " ",
]

text = st.one_of(st.sampled_from(INTERESTING), st.text(max_size=24))
json_scalar = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=False, allow_infinity=False, width=32), text)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)

_INTS: dict[int, tuple[int, int]] = {
    _FD.TYPE_INT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _FD.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _FD.TYPE_UINT32: (0, 2**32 - 1),
    _FD.TYPE_FIXED32: (0, 2**32 - 1),
    _FD.TYPE_INT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _FD.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _FD.TYPE_UINT64: (0, 2**64 - 1),
    _FD.TYPE_FIXED64: (0, 2**64 - 1),
}


def _integers(lo: int, hi: int) -> st.SearchStrategy[int]:
    return st.one_of(st.sampled_from([0, 1, -1 if lo < 0 else 2, lo, hi]), st.integers(lo, hi))


def _scalar(field: descriptor.FieldDescriptor) -> st.SearchStrategy[Any]:
    if field.type == _FD.TYPE_STRING:
        return text
    if field.type == _FD.TYPE_BYTES:
        return st.binary(max_size=64)
    if field.type == _FD.TYPE_BOOL:
        return st.booleans()
    if field.type in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
        return st.floats(width=32 if field.type == _FD.TYPE_FLOAT else 64)
    if field.type == _FD.TYPE_ENUM:
        assert field.enum_type is not None
        return st.sampled_from([v.number for v in field.enum_type.values])
    lo, hi = _INTS[field.type]
    return _integers(lo, hi)


Filler = Callable[[Message], None]


def _value(field: descriptor.FieldDescriptor, depth: int) -> st.SearchStrategy[Any]:
    """A strategy for one element of `field`: a Python scalar, or a Filler for a message."""
    if field.type == _FD.TYPE_MESSAGE:
        assert field.message_type is not None
        return fillers(field.message_type, depth + 1)
    return _scalar(field)


def fillers(desc: descriptor.Descriptor, depth: int = 0) -> st.SearchStrategy[Filler]:
    """A strategy of functions that fill an empty message of type `desc`."""
    name = desc.full_name
    if name == "google.protobuf.Struct":
        return st.dictionaries(text, json_value, max_size=4).map(lambda d: lambda m: m.update(d))
    if name == "google.protobuf.ListValue":
        return st.lists(json_value, max_size=4).map(lambda items: lambda m: m.extend(items))
    if name == "google.protobuf.Value":

        def set_value(v: Any) -> Filler:
            def fill(m: Message) -> None:
                holder = struct_pb2.Struct()
                holder.update({"v": v})
                m.CopyFrom(holder.fields["v"])

            return fill

        return json_value.map(set_value)
    if name == "google.protobuf.Timestamp":
        return st.integers(-62135596800, 253402300799).map(lambda s: lambda m: setattr(m, "seconds", s))
    if depth >= MAX_DEPTH:
        return st.just(lambda m: None)
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for field in desc.fields:
        entry = field.message_type
        if entry is not None and entry.GetOptions().map_entry:
            key, value = entry.fields_by_name["key"], entry.fields_by_name["value"]
            parts[field.name] = st.dictionaries(_scalar(key), _value(value, depth), max_size=3)
        elif field.is_repeated:
            parts[field.name] = st.lists(_value(field, depth), max_size=3)
        else:
            parts[field.name] = _value(field, depth)
    return st.fixed_dictionaries({}, optional=parts).map(lambda chosen: _filler(desc, chosen))


def _filler(desc: descriptor.Descriptor, chosen: dict[str, Any]) -> Filler:
    def fill(message: Message) -> None:
        for name, value in chosen.items():
            field = desc.fields_by_name[name]
            entry = field.message_type
            target = getattr(message, name)
            if entry is not None and entry.GetOptions().map_entry:
                value_field = entry.fields_by_name["value"]
                for k, v in value.items():
                    if value_field.type == _FD.TYPE_MESSAGE:
                        v(target[k])
                    else:
                        target[k] = v
            elif field.is_repeated:
                for v in value:
                    if field.type == _FD.TYPE_MESSAGE:
                        v(target.add())
                    else:
                        target.append(v)
            elif field.type == _FD.TYPE_MESSAGE:
                value(target)
                if not target.ListFields():
                    target.SetInParent()
            else:
                setattr(message, name, value)

    return fill


def messages(desc: descriptor.Descriptor) -> st.SearchStrategy[Message]:
    cls = GetMessageClass(desc)

    def build(fill: Filler) -> Message:
        message = cls()
        fill(message)
        return message

    return fillers(desc).map(build)
