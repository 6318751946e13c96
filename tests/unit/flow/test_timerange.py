"""The timerange/timestamp algebra: examples from the spec plus property-based checks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from polyphony.core.errors import InvalidArgument
from polyphony.flow.timerange import (
    ETERNITY,
    MAX_NS,
    MIN_NS,
    NEVER,
    TimeRange,
    format_timestamp,
    parse_timestamp,
)
from tests.unit.flow.spec import SPEC

SPEC_PATTERN = re.compile(
    r"^(\[|\()?(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?(_(-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8}))?)?(\]|\))?$"
)


def test_spec_pattern_is_the_schema_pattern() -> None:
    import json

    schema = json.loads((SPEC / "schemas" / "timerange.json").read_text())
    assert schema["pattern"] == SPEC_PATTERN.pattern


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("0:0", 0),
        ("1:40000000", 1_040_000_000),
        ("-1:500000000", -1_500_000_000),
        ("-0:5", -5),
        ("1694429247:0", 1_694_429_247_000_000_000),
        ("0:999999999", 999_999_999),
    ],
)
def test_timestamps(text: str, ns: int) -> None:
    assert parse_timestamp(text) == ns
    assert format_timestamp(ns) == text


@pytest.mark.parametrize(
    "text", ["", "1", "1:", ":1", "01:0", "1:01", "1:1000000000", "+1:0", "1.5:0", "99999999999:0"]
)
def test_bad_timestamps(text: str) -> None:
    with pytest.raises(InvalidArgument):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("text", "canonical", "lo", "hi"),
    [
        ("[0:0_10:0)", "[0:0_10:0)", 0, 10 * 10**9),
        ("(5:0_", "(5:0_", 5 * 10**9 + 1, None),
        ("_", "_", None, None),
        ("[1694429247:0]", "[1694429247:0]", 1694429247 * 10**9, 1694429247 * 10**9 + 1),
        ("[1694429247:0_1694429247:0]", "[1694429247:0]", 1694429247 * 10**9, 1694429247 * 10**9 + 1),
        ("0:0_10:0", "[0:0_10:0)", 0, 10 * 10**9),
        ("5:0", "[5:0]", 5 * 10**9, 5 * 10**9 + 1),
        ("[-1:500000000_0:0]", "[-1:500000000_0:0]", -1_500_000_000, 1),
        ("_10:0)", "_10:0)", None, 10 * 10**9),
        ("[-0:0_0:0]", "[0:0]", 0, 1),
    ],
)
def test_ranges(text: str, canonical: str, lo: int | None, hi: int | None) -> None:
    tr = TimeRange.parse(text)
    assert tr.format() == canonical
    assert (None if tr.start is None else tr.lo) == lo
    assert (None if tr.end is None else tr.hi) == hi
    assert SPEC_PATTERN.match(canonical)


@pytest.mark.parametrize("text", ["()", "[0:0_0:0)", "(0:0_0:0]", "[10:0_5:0)", "(1:0_1:0)"])
def test_never(text: str) -> None:
    tr = TimeRange.parse(text)
    assert tr.never and tr == NEVER and tr.format() == "()"


@pytest.mark.parametrize(
    "text", ["", "[", "]", "(", ")", "[]", "[)", "(]", "[5:0)", "(5:0]", "(5:0)", "[99999999999:0_", "[0:0__1:0)"]
)
def test_strings_the_spec_pattern_accepts_but_mean_nothing_are_rejected(text: str) -> None:
    with pytest.raises(InvalidArgument):
        TimeRange.parse(text)


def test_edge_case_exclusive_end_then_instant() -> None:
    a, b = TimeRange.parse("[1:0_2:0)"), TimeRange.parse("[2:0]")
    assert not a.overlaps(b) and a.hi == b.lo
    assert TimeRange.parse("[1:0_2:0]").overlaps(b)


def test_ts_offset_and_intersection_examples() -> None:
    seg = TimeRange.parse("[10:0_20:0)")
    assert seg.shift(-parse_timestamp("10:0")).format() == "[0:0_10:0)"
    assert seg.intersect(TimeRange.parse("[15:0_")).format() == "[15:0_20:0)"
    assert seg.intersect(TimeRange.parse("[20:0_")) == NEVER
    assert ETERNITY.contains(seg) and seg.contains(TimeRange.parse("[12:0]")) and seg.contains(NEVER)


# ---- properties ---------------------------------------------------------------------------------------

SECONDS = 4_000_000_000  # keeps shifted ranges inside the 64-bit range
timestamps = st.integers(min_value=-SECONDS * 10**9, max_value=SECONDS * 10**9)
bounds = st.one_of(st.none(), timestamps)


@st.composite
def ranges(draw: st.DrawFn) -> TimeRange:
    return TimeRange.make(draw(bounds), draw(bounds), draw(st.booleans()), draw(st.booleans()))


@given(timestamps)
def test_timestamp_round_trip(ns: int) -> None:
    text = format_timestamp(ns)
    assert re.match(r"^-?(0|[1-9][0-9]*):(0|[1-9][0-9]{0,8})$", text)
    assert parse_timestamp(text) == ns


@given(ranges())
def test_format_parse_round_trip(tr: TimeRange) -> None:
    text = tr.format()
    assert SPEC_PATTERN.match(text)
    back = TimeRange.parse(text)
    assert back == tr and back.format() == text


@given(ranges(), ranges())
def test_intersection_commutes_and_is_contained(a: TimeRange, b: TimeRange) -> None:
    ab, ba = a.intersect(b), b.intersect(a)
    assert ab == ba
    assert a.contains(ab) and b.contains(ab)
    assert ab.never == (not a.overlaps(b))


@given(ranges(), ranges())
def test_overlap_is_symmetric(a: TimeRange, b: TimeRange) -> None:
    assert a.overlaps(b) == b.overlaps(a)


@given(ranges(), ranges(), ranges())
def test_intersection_associates(a: TimeRange, b: TimeRange, c: TimeRange) -> None:
    assert a.intersect(b).intersect(c) == a.intersect(b.intersect(c))


@given(ranges(), timestamps)
def test_shift_round_trip_and_membership(tr: TimeRange, ns: int) -> None:
    offset = ns // 4
    moved = tr.shift(offset)
    assert moved.shift(-offset) == tr
    probe = ns // 2
    assert tr.contains_ts(probe) == moved.contains_ts(probe + offset)


@given(ranges(), ranges())
def test_containment_matches_intersection(a: TimeRange, b: TimeRange) -> None:
    assert a.contains(b) == (a.intersect(b) == b)


@given(ranges())
def test_eternity_and_never_are_identities(tr: TimeRange) -> None:
    assert ETERNITY.intersect(tr) == tr and NEVER.intersect(tr) == NEVER
    assert ETERNITY.contains(tr) and tr.contains(NEVER)
    assert MIN_NS < 0 < MAX_NS
