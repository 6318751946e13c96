"""One frame or sample of a Flow, and containment that forgives less than one of them."""

from __future__ import annotations

from fractions import Fraction

from polyphony.flow.grain import DEFAULT_GRAIN_NS, contains, grain_ns, same
from polyphony.flow.timerange import TimeRange

VIDEO = "urn:x-nmos:format:video"


def _video(numerator: int, denominator: int | None = None) -> dict[str, object]:
    rate: dict[str, int] = {"numerator": numerator}
    if denominator is not None:
        rate["denominator"] = denominator
    return {"format": VIDEO, "essence_parameters": {"frame_rate": rate}}


def test_grain_from_frame_rate_sample_rate_or_the_default() -> None:
    assert grain_ns(_video(25)) == Fraction(40_000_000)
    assert grain_ns(_video(30000, 1001)) == Fraction(1_001_000_000, 30)
    assert grain_ns({"format": "urn:x-nmos:format:audio", "essence_parameters": {"sample_rate": 48000}}) == Fraction(
        1_000_000_000, 48000
    )
    assert grain_ns({"format": VIDEO, "essence_parameters": {"vfr": True}}) == DEFAULT_GRAIN_NS
    assert grain_ns({"format": "urn:x-nmos:format:data"}) == DEFAULT_GRAIN_NS
    assert grain_ns(_video(0)) == DEFAULT_GRAIN_NS  # nonsense rates fall back too


def test_containment_forgives_less_than_one_grain_at_either_end() -> None:
    outer = TimeRange.parse("[10:0_20:0)")
    frame = grain_ns(_video(30))  # 33,333,333⅓ ns
    assert contains(outer, TimeRange.parse("[10:0_20:1)"), frame)
    assert contains(outer, TimeRange.parse("[9:966666667_20:33333333)"), frame)
    assert not contains(outer, TimeRange.parse("[10:0_20:33333334)"), frame)
    assert not contains(outer, TimeRange.parse("[9:966666666_20:0)"), frame)
    assert contains(outer, TimeRange.parse("()"), frame)
    assert not contains(TimeRange.parse("()"), outer, frame)
    assert same(outer, TimeRange.parse("[10:1_20:33333333)"), frame)
    assert not same(outer, TimeRange.parse("[10:0_20:33333334)"), frame)
