"""TAMS timestamps and timeranges: parsing, canonical formatting and interval algebra.

A timestamp is `{sign?}{seconds}:{nanoseconds}` (the sign applies to the whole value: `-1:500000000`
is -1.5 s); it is held as integer nanoseconds. A timerange is one or two timestamps with clusivity
markers (`[0:0_10:0)`, `(5:0_`, `_`, `()`, `[5:0]`), see schemas/timerange.json and AppNote 0008.

Because timestamps are integers, every range is also a half-open interval `[lo, hi)` of integers:
`(a` starts at `a + 1`, `b]` ends before `b + 1`. All algebra (overlap, intersection, containment,
ordering) works on those bounds, while a TimeRange keeps the markers it was written with so that it
formats back the way a client wrote it (minus redundancy: `[a_a]` -> `[a]`, empty -> `()`).

The spec's regular expressions accept strings this module rejects because they mean nothing:
the empty string, lone markers (`[`, `]`, `[)`, ...), an instantaneous range with an exclusive marker
(`[5:0)`, `(5:0]`), and timestamps beyond the signed 64-bit nanosecond range that storage can hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from polyphony.core.errors import InvalidArgument

NS_PER_SECOND = 1_000_000_000
# Storage keeps nanoseconds in signed 64-bit integers; the extreme values stand for unbounded ends.
MIN_NS = -(2**63) + 1
MAX_NS = 2**63 - 2
UNBOUNDED_LO = -(2**63)
UNBOUNDED_HI = 2**63 - 1

_TS = r"-?(?:0|[1-9][0-9]{0,19}):(?:0|[1-9][0-9]{0,8})"  # seconds: more digits than any int64 time holds
_TIMESTAMP = re.compile(rf"^{_TS}$")
_RANGE = re.compile(rf"^(?P<open>[\[(])?(?P<start>{_TS})?(?P<sep>_)?(?P<end>{_TS})?(?P<close>[\])])?$")


def parse_timestamp(text: str, *, field: str = "timestamp") -> int:
    """Nanoseconds of a TAMS timestamp string (InvalidArgument if malformed or out of range)."""
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise InvalidArgument(f"invalid timestamp {text!r}: expected {{seconds}}:{{nanoseconds}}", field=field)
    negative = text.startswith("-")
    seconds, _, nanos = text.lstrip("-").partition(":")
    value = int(seconds) * NS_PER_SECOND + int(nanos)
    value = -value if negative else value
    if not MIN_NS <= value <= MAX_NS:
        raise InvalidArgument(f"timestamp {text!r} is outside the supported range", field=field)
    return value


def format_timestamp(ns: int) -> str:
    """Canonical text of a timestamp in nanoseconds (`-1:500000000`, `0:0`)."""
    sign = "-" if ns < 0 else ""
    seconds, nanos = divmod(abs(ns), NS_PER_SECOND)
    return f"{sign}{seconds}:{nanos}"


@dataclass(frozen=True)
class TimeRange:
    """A timerange. `start`/`end` are nanoseconds or None (unbounded); `never` marks the empty range.

    Equality is semantic: two ranges are equal when they cover the same nanoseconds (`[0:0_1:0)` ==
    `[0:0_0:999999999]`); `format()` keeps the markers a range was built with.
    """

    start: int | None = None
    end: int | None = None
    start_inclusive: bool = True
    end_inclusive: bool = False

    # ---- construction -----------------------------------------------------------------------------

    @classmethod
    def parse(cls, text: str, *, field: str = "timerange") -> TimeRange:
        if not isinstance(text, str):
            raise InvalidArgument("a timerange must be a string", field=field)
        m = _RANGE.match(text)
        if m is None or text == "":
            raise InvalidArgument(f"invalid timerange {text!r}", field=field)
        opener, start, sep, end, closer = m.group("open", "start", "sep", "end", "close")
        if sep is None and end is not None:  # the regex reads a lone timestamp as a start
            raise InvalidArgument(f"invalid timerange {text!r}", field=field)
        if start is None and sep is None:
            if opener == "(" and closer == ")":
                return NEVER
            raise InvalidArgument(f"invalid timerange {text!r}: no timestamp", field=field)
        if sep is None:  # one timestamp: an instant, which cannot use exclusive markers
            if opener == "(" or closer == ")":
                raise InvalidArgument(f"instantaneous timerange {text!r} cannot use exclusive markers", field=field)
            at = parse_timestamp(start, field=field)
            return cls(at, at, True, True)
        lo = None if start is None else parse_timestamp(start, field=field)
        hi = None if end is None else parse_timestamp(end, field=field)
        return cls.make(lo, hi, opener != "(", closer == "]")

    @classmethod
    def make(
        cls, start: int | None, end: int | None, start_inclusive: bool = True, end_inclusive: bool = False
    ) -> TimeRange:
        """A range from its parts; an empty one becomes NEVER. Unbounded ends carry no markers."""
        si = True if start is None else start_inclusive
        ei = False if end is None else end_inclusive
        candidate = cls(start, end, si, ei)
        return NEVER if candidate.is_empty() else candidate

    @classmethod
    def from_bounds(cls, lo: int, hi: int) -> TimeRange:
        """The range `[lo, hi)` of half-open integer bounds (UNBOUNDED_* for open ends)."""
        return cls.make(None if lo <= UNBOUNDED_LO else lo, None if hi >= UNBOUNDED_HI else hi, True, False)

    # ---- half-open integer bounds -----------------------------------------------------------------

    @property
    def lo(self) -> int:
        """First nanosecond covered (UNBOUNDED_LO when unbounded)."""
        if self.start is None:
            return UNBOUNDED_LO
        return self.start if self.start_inclusive else self.start + 1

    @property
    def hi(self) -> int:
        """First nanosecond after the range (UNBOUNDED_HI when unbounded)."""
        if self.end is None:
            return UNBOUNDED_HI
        return self.end + 1 if self.end_inclusive else self.end

    def is_empty(self) -> bool:
        return self.lo >= self.hi

    @property
    def never(self) -> bool:
        return self.is_empty()

    def is_eternity(self) -> bool:
        return self.start is None and self.end is None

    @property
    def bounded(self) -> bool:
        return self.start is not None and self.end is not None

    def duration(self) -> int | None:
        """Length in nanoseconds (None when unbounded, 0 for never)."""
        if self.never:
            return 0
        return None if not self.bounded else self.hi - self.lo

    # ---- algebra ----------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TimeRange):
            return NotImplemented
        if self.never or other.never:
            return self.never and other.never
        return (self.lo, self.hi) == (other.lo, other.hi)

    def __hash__(self) -> int:
        return hash(("never",)) if self.never else hash((self.lo, self.hi))

    def overlaps(self, other: TimeRange) -> bool:
        if self.never or other.never:
            return False
        return self.lo < other.hi and other.lo < self.hi

    def contains(self, other: TimeRange) -> bool:
        """True when every nanosecond of `other` is in this range (never is contained in everything)."""
        if other.never:
            return True
        if self.never:
            return False
        return self.lo <= other.lo and other.hi <= self.hi

    def contains_ts(self, ns: int) -> bool:
        return not self.never and self.lo <= ns < self.hi

    def intersect(self, other: TimeRange) -> TimeRange:
        if not self.overlaps(other):
            return NEVER
        first = self if self.lo >= other.lo else other
        last = self if self.hi <= other.hi else other
        return TimeRange.make(first.start, last.end, first.start_inclusive, last.end_inclusive)

    def span(self, other: TimeRange) -> TimeRange:
        """The smallest range covering both (never is the identity)."""
        if self.never:
            return other
        if other.never:
            return self
        first = self if self.lo <= other.lo else other
        last = self if self.hi >= other.hi else other
        return TimeRange.make(first.start, last.end, first.start_inclusive, last.end_inclusive)

    def shift(self, offset_ns: int) -> TimeRange:
        """This range moved by `offset_ns` (for `ts_offset`: segment_ts = media_object_ts + ts_offset)."""
        if self.never:
            return NEVER
        start = None if self.start is None else _checked(self.start + offset_ns)
        end = None if self.end is None else _checked(self.end + offset_ns)
        return TimeRange.make(start, end, self.start_inclusive, self.end_inclusive)

    # ---- text -------------------------------------------------------------------------------------

    def format(self) -> str:
        """Canonical text: `()` for never, `_` for eternity, `[a]` for an instant, else the markers kept."""
        if self.never:
            return "()"
        if self.is_eternity():
            return "_"
        if self.start is not None and self.start == self.end:
            return f"[{format_timestamp(self.start)}]"
        left = "" if self.start is None else ("[" if self.start_inclusive else "(") + format_timestamp(self.start)
        right = "" if self.end is None else format_timestamp(self.end) + ("]" if self.end_inclusive else ")")
        return f"{left}_{right}"

    def __str__(self) -> str:
        return self.format()


def _checked(ns: int) -> int:
    if not MIN_NS <= ns <= MAX_NS:
        raise InvalidArgument("timestamp offset moves the timerange outside the supported range", field="ts_offset")
    return ns


NEVER = TimeRange(0, 0, True, False)
ETERNITY = TimeRange(None, None, True, False)


def parse_optional(text: str | None, *, field: str = "timerange") -> TimeRange:
    """A query parameter's timerange; absent means eternity."""
    return ETERNITY if text is None else TimeRange.parse(text, field=field)
