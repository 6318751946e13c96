"""HTTP content negotiation, byte ranges and validators for audio delivery (RFC 9110), as AURA uses them:
a missing Accept means `audio/*`, q-values rank types, and a `bitrate` parameter is a maximum."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import quote

from polyphony.core.errors import RangeNotSatisfiable


@dataclass(frozen=True)
class MediaRange:
    type: str  # e.g. "audio", "*"
    subtype: str  # e.g. "ogg", "*"
    q: float
    max_bitrate: int | None
    order: int  # position in the header: earlier wins ties

    def matches(self, mimetype: str) -> bool:
        t, _, s = mimetype.partition("/")
        return self.type in ("*", t) and self.subtype in ("*", s)

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def parse_accept(header: str | None) -> list[MediaRange]:
    if header is None or not header.strip():
        header = "audio/*"
    out = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        if "/" not in mime:
            continue
        t, _, s = mime.partition("/")
        q, bitrate = 1.0, None
        for param in fields[1:]:
            key, _, value = param.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            try:
                if key == "q":
                    q = max(0.0, min(1.0, float(value)))
                elif key == "bitrate":
                    bitrate = max(0, int(value))
            except ValueError:
                continue
        out.append(MediaRange(t, s, q, bitrate, order))
    return out


@dataclass(frozen=True)
class Offer:
    mimetype: str
    min_bitrate: int  # the lowest bitrate (bits/s) this offer can be delivered at (0: unknown)
    transcode: bool  # False: the original file as stored


def choose(ranges: list[MediaRange], offers: list[Offer]) -> tuple[Offer, int | None] | None:
    """The best offer and the bitrate cap that selected it, or None (406).

    For each offer the most specific matching range decides its quality; an offer that cannot be
    delivered at or below the range's bitrate cap does not match it. Ties prefer the original, then the
    order of the offers.
    """
    best: tuple[float, int, int, int] | None = None
    chosen: tuple[Offer, int | None] | None = None
    for rank, offer in enumerate(offers):
        matching = [r for r in ranges if r.matches(offer.mimetype)]
        if not matching:
            continue
        top = max(r.specificity for r in matching)
        decisive = [r for r in matching if r.specificity == top]
        r = min(decisive, key=lambda m: m.order)
        if r.q <= 0:
            continue
        if r.max_bitrate is not None and offer.min_bitrate > r.max_bitrate:
            continue
        score = (r.q, 0 if offer.transcode else 1, -r.order, -rank)
        if best is None or score > best:
            best, chosen = score, (offer, r.max_bitrate)
    return chosen


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # exclusive

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end - 1}/{size}"


# ASCII digits, at most 19 (any byte offset fits): longer numbers make a malformed, ignored header
_RANGE = re.compile(r"^\s*bytes\s*=\s*([0-9]{0,19})\s*-\s*([0-9]{0,19})\s*$", re.IGNORECASE)


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range asked for, None to send everything (absent, malformed or multi-range
    headers are ignored, as RFC 9110 allows); RangeNotSatisfiable when it lies outside the file."""
    if not header:
        return None
    m = _RANGE.match(header)
    if not m or (not m.group(1) and not m.group(2)):
        return None
    first, last = m.group(1), m.group(2)
    if first:
        start = int(first)
        end = min(size, int(last) + 1) if last else size
        if last and int(last) < start:
            return None
    else:
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable("empty suffix range", headers={"content-range": f"bytes */{size}"})
        start, end = max(0, size - suffix), size
    if start >= size:
        raise RangeNotSatisfiable(
            f"range starts beyond the {size}-byte file", headers={"content-range": f"bytes */{size}"}
        )
    return ByteRange(start, end)


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return etag in tags


def http_date(epoch_seconds: float) -> str:
    return formatdate(epoch_seconds, usegmt=True)


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
