"""The grain of a Flow (one frame of video, one sample of audio) and containment that forgives rounding.

Edit clients compute timeranges from frame or sample counts; one frame of 30 fps material lasts 33,333,333⅓ ns,
so two clients (or two code paths of one client) can round the same frame boundary to nanoseconds that differ
by one. A Segment whose timerange, moved by its `ts_offset`, reaches less than one grain past its Object's
timerange is that rounding, not a real overrun, and is accepted; one grain or more is refused.

The grain comes from `essence_parameters`: `frame_rate` (numerator / denominator, denominator 1 when absent)
for video, `sample_rate` for audio. Flows without a fixed rate (data, image, multi, variable-frame-rate video)
get `DEFAULT_GRAIN_NS`, 1 µs: far below any frame or audible sample, well above nanosecond rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from polyphony.flow.timerange import TimeRange

SECOND_NS = 1_000_000_000
DEFAULT_GRAIN_NS = Fraction(1_000)


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def grain_ns(flow: Mapping[str, Any]) -> Fraction:
    """One frame (video) or sample (audio) of the Flow document `flow`, in nanoseconds (exact)."""
    essence = flow.get("essence_parameters")
    essence = essence if isinstance(essence, Mapping) else {}
    fmt = flow.get("format")
    if fmt == "urn:x-nmos:format:video" and isinstance(rate := essence.get("frame_rate"), Mapping):
        numerator, denominator = _positive_int(rate.get("numerator")), _positive_int(rate.get("denominator", 1))
        if numerator is not None and denominator is not None:
            return Fraction(SECOND_NS * denominator, numerator)
    if fmt == "urn:x-nmos:format:audio" and (rate := _positive_int(essence.get("sample_rate"))) is not None:
        return Fraction(SECOND_NS, rate)
    return DEFAULT_GRAIN_NS


def contains(outer: TimeRange, inner: TimeRange, grain: Fraction) -> bool:
    """True when `inner` lies in `outer` or reaches less than one grain past either of its ends."""
    if inner.never:
        return True
    if outer.never:
        return False
    return outer.lo - inner.lo < grain and inner.hi - outer.hi < grain


def same(a: TimeRange, b: TimeRange, grain: Fraction) -> bool:
    """True when both ends of `a` and `b` differ by less than one grain."""
    if a.never or b.never:
        return a.never and b.never
    return abs(a.lo - b.lo) < grain and abs(a.hi - b.hi) < grain
