"""Trigger payloads: validation, normalisation for the published client, and state merging.

A payload is a JSON object with at least one of `content` (containerId -> string) and `styles`
(CSS selector -> style entry), and optionally `timestamp` (epoch ms), `contentPreload` and
`transitions`. Outgoing payloads are normalised for the published Open Theater client, which
reads `classList` (not the spec's `classes`), iterates `classList` and `inline` without null
checks, and reads transitions from the top-level `transitions[selector]`:
every style entry gets `classes` and `classList` (the same list, default `[]`) and `inline`
(default `{}`); a style entry's `transitions` is mirrored to `transitions[selector]` unless the
sender set that one explicitly; a missing `timestamp` becomes the server's receive time.
Unknown container ids and unknown top-level keys are forwarded unchanged (clients ignore them).
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

from polyphony.core.errors import InvalidArgument, PayloadTooLarge

MAX_PAYLOAD_BYTES = 64 * 1024
# Cues travel as google.protobuf.Struct (gRPC, and REST through Envoy's transcoder): every JSON level
# costs protobuf parsers two to three levels of their recursion limit (100), and Struct numbers are
# doubles. So a payload nests at most MAX_DEPTH levels and its integers stay within +-2^53, where a
# double (and a JavaScript number) holds them exactly.
MAX_DEPTH = 16  # a payload's own shape needs 3-4 levels
MAX_EXACT_INT = 2**53
Payload = dict[str, Any]


def _bad(detail: str) -> InvalidArgument:
    return InvalidArgument(detail, field="payload")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def parse(raw: bytes | str, *, max_bytes: int = MAX_PAYLOAD_BYTES) -> Payload:
    """Decode and validate a trigger payload; raise InvalidArgument / PayloadTooLarge."""
    data = raw.encode() if isinstance(raw, str) else raw
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"trigger payload is {len(data)} bytes; the limit is {max_bytes}")
    if not data.strip():
        raise _bad("trigger payload is empty")
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise _bad("trigger payload is not UTF-8") from None
    except RecursionError:
        raise _bad(f"trigger payload nests more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise _bad(f"trigger payload is not valid JSON: {exc}") from None
    validate(doc)
    return doc  # type: ignore[no-any-return]


def _string_map(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        raise _bad(f"`{name}` must be an object")
    for key, item in value.items():
        if not isinstance(item, str):
            raise _bad(f"`{name}.{key}` must be a string")


def _style_entry(selector: str, entry: Any) -> None:
    where = f"styles.{selector}"
    if not isinstance(entry, dict):
        raise _bad(f"`{where}` must be an object")
    for key in ("classes", "classList"):
        if key in entry and (not isinstance(entry[key], list) or not all(isinstance(c, str) for c in entry[key])):
            raise _bad(f"`{where}.{key}` must be a list of class names")
    if "inline" in entry:
        inline = entry["inline"]
        if not isinstance(inline, dict):
            raise _bad(f"`{where}.inline` must be an object")
        for prop, value in inline.items():
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                raise _bad(f"`{where}.inline.{prop}` must be a string or a number")
    if "transitions" in entry and not isinstance(entry["transitions"], dict):
        raise _bad(f"`{where}.transitions` must be an object")


def _check_exact(doc: Any) -> None:
    """At most MAX_DEPTH levels of objects and arrays, integers within +-MAX_EXACT_INT (iteratively:
    a deep document cannot exhaust the stack here)."""
    todo: list[tuple[Any, int]] = [(doc, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise _bad(f"trigger payload nests more than {MAX_DEPTH} levels deep")
            items = value.values() if isinstance(value, dict) else value
            todo.extend((item, depth + 1) for item in items if isinstance(item, dict | list | int))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_EXACT_INT:
            raise _bad(f"trigger payload number {value} is beyond +-2^53, where JSON numbers lose precision")


def validate(doc: Any) -> None:
    """Check the shape of a decoded payload (see the module docstring)."""
    if not isinstance(doc, dict):
        raise _bad("trigger payload must be a JSON object")
    _check_exact(doc)
    if "content" not in doc and "styles" not in doc:
        raise _bad("trigger payload needs `content` and/or `styles`")
    if "timestamp" in doc:
        ts = doc["timestamp"]
        if isinstance(ts, bool) or not isinstance(ts, int | float) or not math.isfinite(ts) or ts != int(ts):
            raise _bad("`timestamp` must be an integer (epoch milliseconds)")
        if abs(ts) > MAX_EXACT_INT:
            raise _bad("`timestamp` is beyond +-2^53 (epoch milliseconds)")
    if "content" in doc:
        _string_map(doc["content"], "content")
    if "contentPreload" in doc:
        _string_map(doc["contentPreload"], "contentPreload")
    if "styles" in doc:
        if not isinstance(doc["styles"], dict):
            raise _bad("`styles` must be an object")
        for selector, entry in doc["styles"].items():
            _style_entry(selector, entry)
    if "transitions" in doc:
        transitions = doc["transitions"]
        if not isinstance(transitions, dict) or not all(isinstance(t, dict) for t in transitions.values()):
            raise _bad("`transitions` must be an object of transition objects")


def normalize(doc: Payload, now_ms: int) -> Payload:
    """The payload as sent to audiences (see the module docstring). `doc` is not modified."""
    out = copy.deepcopy(doc)
    if "timestamp" in out:
        out["timestamp"] = int(out["timestamp"])
    else:
        out["timestamp"] = now_ms
    if "styles" in out:
        explicit = dict(out.get("transitions") or {})
        transitions = dict(explicit)
        for selector, entry in out["styles"].items():
            classes = entry.get("classes", entry.get("classList", []))
            entry["classes"] = list(classes)
            entry["classList"] = list(classes)
            entry.setdefault("inline", {})
            if "transitions" in entry and selector not in explicit:
                transitions[selector] = entry["transitions"]
        out["transitions"] = transitions
    return out


def empty_state() -> Payload:
    return {"content": {}, "styles": {}, "transitions": {}}


def merge(state: Payload, cue: Payload) -> Payload:
    """The state after applying a normalised cue: content by key (`""` clears), style entries by
    selector (classes accumulate as the client never removes them, inline properties merge,
    transitions are replaced), top-level transitions by selector, the newest timestamp."""
    out = copy.deepcopy(state) if state else empty_state()
    for key in ("content", "styles", "transitions"):
        out.setdefault(key, {})
    for cid, value in cue.get("content", {}).items():
        if value == "":
            out["content"].pop(cid, None)
        else:
            out["content"][cid] = value
    for selector, entry in cue.get("styles", {}).items():
        current = out["styles"].setdefault(selector, {"classes": [], "classList": [], "inline": {}})
        classes = list(current.get("classes", []))
        classes += [c for c in entry.get("classes", []) if c not in classes]
        current["classes"] = classes
        current["classList"] = list(classes)
        current.setdefault("inline", {}).update(entry.get("inline", {}))
        if "transitions" in entry:
            current["transitions"] = entry["transitions"]
    out["transitions"].update(cue.get("transitions", {}))
    if "timestamp" in cue:
        out["timestamp"] = cue["timestamp"]
    return out


def for_channel(doc: Payload, container_ids: tuple[str, ...] | list[str]) -> Payload | None:
    """Only the parts of a payload that concern one channel's containers (None if nothing does).
    Style/transition selectors that are not `#id` selectors (e.g. `default`) apply to every channel."""
    ids = set(container_ids)

    def keep(selector: str) -> bool:
        return not selector.startswith("#") or selector[1:] in ids

    out: Payload = {k: v for k, v in doc.items() if k not in ("content", "styles", "transitions", "contentPreload")}
    content = {k: v for k, v in doc.get("content", {}).items() if k in ids}
    styles = {k: v for k, v in doc.get("styles", {}).items() if keep(k)}
    if not content and not styles:
        return None
    out["content"] = content
    if "styles" in doc:
        out["styles"] = styles
    if "transitions" in doc:
        out["transitions"] = {k: v for k, v in doc["transitions"].items() if keep(k)}
    if "contentPreload" in doc:
        out["contentPreload"] = {k: v for k, v in doc["contentPreload"].items() if k in ids}
    return out


def encode(doc: Payload) -> str:
    """Compact JSON text of a payload (UTF-8 kept as is)."""
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
