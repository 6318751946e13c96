"""Audio delivery for a track: negotiation, validators, ranges, and the byte stream to send."""

from __future__ import annotations

import os
import stat as stat_mode
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from polyphony.audio import transcode
from polyphony.core import objects
from polyphony.core.errors import NotAcceptable, NotFound
from polyphony.media import negotiation
from polyphony.media.library import TrackFile

CHUNK = objects.CHUNK  # what the edge passes on whole (polyphony.core.objects.CHUNK)


@dataclass
class AudioResponse:
    status: int
    content_type: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: AsyncIterator[bytes] | None = None  # None: headers only (HEAD, 304)


async def _read_file(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    """The bytes [start, end) in chunks. Reads are positional and inline: a library file is local and a
    128 KiB read from the page cache takes microseconds, less than a hop to a worker thread; the stream
    is consumed at the pace the client reads it, so the loop gets control back between chunks."""
    fd = os.open(path, os.O_RDONLY)
    try:
        offset = start
        while offset < end:
            chunk = os.pread(fd, min(CHUNK, end - offset), offset)
            if not chunk:
                return
            offset += len(chunk)
            yield chunk
    finally:
        os.close(fd)


def offers(track: TrackFile, path: Path) -> list[negotiation.Offer]:
    original = negotiation.Offer(track.mimetype, track.bitrate or 0, transcode=False)
    out = [original]
    if transcode.can_decode(path) and track.framerate and track.channels:
        for target in transcode.TARGETS:
            if target.mimetype != track.mimetype:
                out.append(
                    negotiation.Offer(
                        target.mimetype, transcode.min_bitrate(target, track.framerate, track.channels), transcode=True
                    )
                )
    return out


async def deliver(
    track: TrackFile, *, accept: str | None, range_header: str | None, if_none_match: str | None, head: bool
) -> AudioResponse:
    path = Path(track.path)
    try:
        stat = os.stat(path)
    except OSError:
        stat = None
    if stat is None or not stat_mode.S_ISREG(stat.st_mode):
        raise NotFound(f"the audio file of track {track.id} is missing")
    ranges = negotiation.parse_accept(accept)
    choice = negotiation.choose(ranges, offers(track, path))
    if choice is None:
        raise NotAcceptable(
            f"track {track.id} is {track.mimetype} at {track.bitrate or 0} bit/s and cannot be delivered as "
            f"{accept!r}; available: {', '.join(sorted({o.mimetype for o in offers(track, path)}))}"
        )
    offer, cap = choice
    common = [("last-modified", negotiation.http_date(stat.st_mtime)), ("vary", "Accept")]
    if not offer.transcode:
        etag = f'"{track.fingerprint[:20]}-{stat.st_size:x}"'
        headers = [
            ("etag", etag),
            ("accept-ranges", "bytes"),
            ("content-disposition", negotiation.content_disposition(path.name)),
            *common,
        ]
        if negotiation.etag_matches(if_none_match, etag):
            return AudioResponse(304, offer.mimetype, headers)
        byte_range = negotiation.parse_range(range_header, stat.st_size)
        start, end, status = 0, stat.st_size, 200
        if byte_range is not None:
            start, end, status = byte_range.start, byte_range.end, 206
            headers.append(("content-range", byte_range.content_range(stat.st_size)))
        headers.append(("content-length", str(end - start)))  # known in advance: GET and HEAD both say it
        return AudioResponse(status, offer.mimetype, headers, None if head else _read_file(path, start, end))
    target = next(t for t in transcode.TARGETS if t.mimetype == offer.mimetype)
    etag = f'"{track.fingerprint[:20]}-{stat.st_size:x}-{target.extension[1:]}-{cap or 0}"'
    headers = [
        ("etag", etag),
        ("accept-ranges", "none"),
        ("content-disposition", negotiation.content_disposition(path.stem + target.extension)),
        *common,
    ]
    if negotiation.etag_matches(if_none_match, etag):
        return AudioResponse(304, offer.mimetype, headers)
    return AudioResponse(200, offer.mimetype, headers, None if head else transcode.transcode(path, target, cap))
