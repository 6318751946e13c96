"""Tag documents (`{name: string | [string]}`) and the `tag.{name}` / `tag_exists.{name}` filters on them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, exists

from polyphony.core.errors import InvalidArgument
from polyphony.core.query import split_csv


def tag_values(value: Any) -> list[str]:
    """The values a tag contributes to filtering (a string tag one, an array tag each item)."""
    return [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]


def tag_rows(tags: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name, value in tags.items():
        for v in dict.fromkeys(tag_values(value)):
            yield name, v


# Documented limits (README): a resource holds at most MAX_TAGS tags; a name has at most MAX_NAME
# characters; a value is a string of at most MAX_VALUE characters or an array of at most MAX_ITEMS such
# strings. They keep one request's tags cheap to validate, index and render.
MAX_TAGS = 1000
MAX_NAME = 256
MAX_VALUE = 4096
MAX_ITEMS = 100


def check_tag_value(value: Any) -> None:
    if isinstance(value, str) and len(value) <= MAX_VALUE:
        return
    if (
        isinstance(value, list)
        and len(value) <= MAX_ITEMS
        and all(isinstance(v, str) and len(v) <= MAX_VALUE for v in value)
    ):
        return
    raise InvalidArgument(
        f"a tag value must be a string of at most {MAX_VALUE} characters or an array of at most {MAX_ITEMS} "
        "such strings",
        field="tags",
    )


def check_tag_name(name: Any) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
        raise InvalidArgument(f"a tag name must have 1 to {MAX_NAME} characters", field="tags")


# A label or description (of a Flow or Source) has at most MAX_TEXT characters (README).
MAX_TEXT = 65536
TEXT_PROPERTIES = ("label", "description")


def check_text_properties(doc: dict[str, Any]) -> None:
    for name in TEXT_PROPERTIES:
        value = doc.get(name)
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise InvalidArgument(f"{name} has {len(value)} characters; at most {MAX_TEXT} are allowed", field=name)


def check_tags(tags: Any) -> None:
    """A whole tags object within the limits (before any costlier validation of the document holding it)."""
    if tags is None:
        return
    if not isinstance(tags, dict):
        raise InvalidArgument("tags must be an object", field="tags")
    if len(tags) > MAX_TAGS:
        raise InvalidArgument(f"at most {MAX_TAGS} tags are allowed, got {len(tags)}", field="tags")
    for name, value in tags.items():
        check_tag_name(name)
        check_tag_value(value)


@dataclass(frozen=True)
class TagFilter:
    """`tag.{name}=a,b` (any of the values) and `tag_exists.{name}=true|false` filters."""

    values: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exists: tuple[tuple[str, bool], ...] = ()

    @classmethod
    def parse(cls, values: Mapping[str, str], exists: Mapping[str, str]) -> TagFilter:
        for name, raw in (*values.items(), *exists.items()):
            if "\x00" in name or "\x00" in raw:
                raise InvalidArgument("tag filters cannot contain NUL characters", field="tag")
        parsed_exists: list[tuple[str, bool]] = []
        for name, raw in sorted(exists.items()):
            if raw not in ("true", "false"):
                raise InvalidArgument(f"`tag_exists.{name}` must be true or false", field=f"tag_exists.{name}")
            parsed_exists.append((name, raw == "true"))
        return cls(
            values=tuple((name, tuple(split_csv(raw))) for name, raw in sorted(values.items())),
            exists=tuple(parsed_exists),
        )

    def key(self) -> str:
        vals = "&".join(f"{n}={','.join(v)}" for n, v in self.values)
        ex = "&".join(f"{n}={e}" for n, e in self.exists)
        return f"{vals}|{ex}"

    def __bool__(self) -> bool:
        return bool(self.values or self.exists)

    def matches(self, tags: Mapping[str, Any]) -> bool:
        """Whether a tag document passes the filter (in memory, for the few storage backends)."""
        for name, accepted in self.values:
            if name not in tags or not set(tag_values(tags[name])) & set(accepted):
                return False
        return all((name in tags) == present for name, present in self.exists)


def tag_clauses(tags: TagFilter, owner: Any, tag_table: Any, owner_column: Any) -> list[ColumnElement[bool]]:
    """SQL conditions on `owner` rows whose tags (one `tag_table` row per value) pass the filter."""
    clauses: list[ColumnElement[bool]] = []
    for name, values in tags.values:
        clauses.append(exists().where(owner_column == owner.id, tag_table.name == name, tag_table.value.in_(values)))
    for name, present in tags.exists:
        clause = exists().where(owner_column == owner.id, tag_table.name == name)
        clauses.append(clause if present else ~clause)
    return clauses
