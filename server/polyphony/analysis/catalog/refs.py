"""Hyperlinked relations as DRF writes them: `http://host/timeside/api/<kind>/<key>/` or a bare key."""

from __future__ import annotations

import re
import uuid
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.errors import InvalidArgument, NotFound

T = TypeVar("T")

_REF = re.compile(
    r"/(?P<kind>items|presets|processors|experiences|selections|tasks|results|analysis|analysis_tracks|"
    r"annotation_tracks|annotations|subprocessors|providers|users)/(?P<key>[^/?#]+)/?"
    r"(?:[?#].*)?$"
)


def reference(value: object, kind: str, field: str) -> str:
    """The key of a hyperlinked relation or of a bare key; InvalidArgument naming `field` otherwise."""
    if value is None or value == "":
        raise InvalidArgument("This field is required.", field=field)
    if not isinstance(value, str):
        raise InvalidArgument("Incorrect type. Expected URL string.", field=field)
    if "/" not in value:
        return value
    match = _REF.search(value)
    if match is None or match.group("kind") != kind:
        raise InvalidArgument("Invalid hyperlink - No URL match.", field=field)
    return match.group("key")


def uuid_or_404(key: str, model: str) -> str:
    try:
        return str(uuid.UUID(key))
    except (ValueError, AttributeError):
        raise NotFound(f"No {model} matches the given query.") from None


async def row_or_404(session: AsyncSession, model: type[T], key: str, name: str, *, lock: bool = False) -> T:
    """The `model` row whose UUID is `key` (locked for update with `lock`), or DRF's 404 naming `name`."""
    row: Any = await session.get(model, uuid_or_404(key, name), with_for_update=True if lock else None)
    if row is None:
        raise NotFound(f"No {name} matches the given query.")
    return row  # type: ignore[no-any-return]


def uuid_or_invalid(key: str, field: str) -> str:
    try:
        return str(uuid.UUID(key))
    except (ValueError, AttributeError):
        raise InvalidArgument("Invalid hyperlink - Object does not exist.", field=field) from None


def references(value: object, kind: str, field: str) -> list[str]:
    """A list of relations (`[]` allowed), as canonical uuids, without duplicates, order kept."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidArgument(f'Expected a list of items but got type "{type(value).__name__}".', field=field)
    out: list[str] = []
    for entry in value:
        key = uuid_or_invalid(reference(entry, kind, field), field)
        if key not in out:
            out.append(key)
    return out


def text(raw: dict[str, object], name: str, max_length: int | None, default: str = "") -> str:
    value = raw.get(name, default)
    if value is None:
        raise InvalidArgument("This field may not be null.", field=name)
    if not isinstance(value, str):
        raise InvalidArgument("Not a valid string.", field=name)
    if max_length is not None and len(value) > max_length:
        raise InvalidArgument(f"Ensure this field has no more than {max_length} characters.", field=name)
    return value


def boolean(raw: dict[str, object], name: str, default: bool = True) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise InvalidArgument("Must be a valid boolean.", field=name)
    return value
