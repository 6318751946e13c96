"""Validation of the writable Item fields, with Django REST framework's rules and messages.

Read-only fields (uuid, url, audio_duration, samplerate, sha1, mime_type, dates...) and unknown keys
are ignored, as DRF does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from polyphony.core.errors import InvalidArgument

_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f"}


@dataclass(frozen=True)
class Rule:
    kind: str  # "text", "url" or "bool"
    max_length: int | None = None


ITEM_FIELDS: dict[str, Rule] = {
    "title": Rule("text", 512),
    "description": Rule("text"),
    "artist": Rule("text", 256),
    "album": Rule("text", 256),
    "source_url": Rule("url", 1024),
    "external_id": Rule("text", 256),
    "external_uri": Rule("url", 1024),
    "is_public": Rule("bool"),
    "lock": Rule("bool"),
    "test": Rule("bool"),
}


def _text(name: str, value: object, rule: Rule) -> str:
    if value is None:
        raise InvalidArgument("This field may not be null.", field=name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidArgument("Not a valid string.", field=name)
    text = str(value)
    if rule.max_length is not None and len(text) > rule.max_length:
        raise InvalidArgument(f"Ensure this field has no more than {rule.max_length} characters.", field=name)
    if rule.kind == "url" and text:
        # A backslash is a path separator to browsers (WHATWG) but not to Python's parser: the two would
        # see different hosts, so a URL holding one (or a space or control character) is refused.
        try:
            parts = urlsplit(text)
            valid = parts.scheme in ("http", "https", "ftp", "ftps") and bool(parts.hostname)
        except ValueError:  # e.g. a bracketed host that is no IPv6 address: `http://[::1\\]/`
            valid = False
        if not valid or any(c == "\\" or c.isspace() or ord(c) < 32 for c in text):
            raise InvalidArgument("Enter a valid URL.", field=name)
    return text


def _bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    raise InvalidArgument("Must be a valid boolean.", field=name)


def validate_item_fields(raw: Mapping[str, object]) -> dict[str, object]:
    """The writable fields present in `raw`, converted; InvalidArgument naming the first bad field."""
    out: dict[str, object] = {}
    for name, rule in ITEM_FIELDS.items():
        if name not in raw:
            continue
        value = raw[name]
        out[name] = _bool(name, value) if rule.kind == "bool" else _text(name, value, rule)
    return out
