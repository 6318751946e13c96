"""Keyset paging of the newest-first listings (flows, sources, profiles): a page and its continuation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from polyphony.core.errors import InvalidArgument


@dataclass
class Page:
    items: list[dict[str, Any]]
    next_position: dict[str, Any] | None


def after_condition(created: Any, ident: Any, position: dict[str, Any] | None) -> list[ColumnElement[bool]]:
    """Keyset condition for newest-first order: rows strictly after the last row served."""
    if position is None:
        return []
    try:
        c, i = int(position["c"]), str(position["i"])
    except (KeyError, TypeError, ValueError):
        raise InvalidArgument("malformed page token", field="page") from None
    return [or_(created < c, and_(created == c, ident < i))]


# A sort key: (expression, ascending). A listing orders by its keys, the last one unique (the id).
SortKey = tuple[Any, bool]


def order_by(keys: Sequence[SortKey]) -> list[Any]:
    return [expr.asc() if ascending else expr.desc() for expr, ascending in keys]


def after_keys(keys: Sequence[SortKey], position: dict[str, Any] | None) -> list[ColumnElement[bool]]:
    """Keyset condition for any key order: rows strictly after `position["k"]` (the last row's key values)."""
    if position is None:
        return []
    values = position.get("k")
    if (
        not isinstance(values, list)
        or len(values) != len(keys)
        or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
    ):
        raise InvalidArgument("malformed page token", field="page")
    branches: list[ColumnElement[bool]] = []
    for i, (expr, ascending) in enumerate(keys):
        equal = [keys[j][0] == values[j] for j in range(i)]
        branches.append(and_(*equal, expr > values[i] if ascending else expr < values[i]))
    return [or_(*branches)]


def reversed_keys(keys: Sequence[SortKey], reverse: bool) -> list[SortKey]:
    return [(expr, ascending != reverse) for expr, ascending in keys]
