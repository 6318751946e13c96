"""An item's audio transcoded (wav, flac, ogg, mp3, opus) by the media service's streaming encoder.

Whole-file transcodes are cached in the object store, keyed by the audio's SHA-256, so a Range
request is answered from the cached bytes (206). An excerpt (`start`/`stop`) is cut to a temporary
WAV first and transcoded on the fly (not cached; Range is then ignored, as for any generated body).
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf

from polyphony.analysis.models import Item
from polyphony.core.errors import InvalidArgument, NotFound, RangeNotSatisfiable
from polyphony.core.objects import ObjectStore
from polyphony.media.transcode import TARGETS, Target, transcode

BY_EXT: dict[str, Target] = {t.extension.lstrip("."): t for t in TARGETS}


@dataclass
class Download:
    mime: str
    body: AsyncIterator[bytes]
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) inclusive for a single `bytes=` range, None to send everything."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_s, _, last_s = header[6:].strip().partition("-")
    try:
        if first_s == "":
            length = int(last_s)
            first, last = max(size - length, 0), size - 1
        else:
            first = int(first_s)
            last = int(last_s) if last_s else size - 1
    except ValueError:
        return None
    if first >= size or first > last:
        raise RangeNotSatisfiable("Requested range not satisfiable.", headers={"content-range": f"bytes */{size}"})
    return first, min(last, size - 1)


def _excerpt(source: Path, start: float | None, stop: float | None, out: Path) -> None:
    with sf.SoundFile(str(source)) as f:
        rate = int(f.samplerate)
        duration = f.frames / rate
        lo = 0.0 if start is None else start
        hi = duration if stop is None else min(stop, duration)
        if lo < 0 or lo >= duration:
            raise InvalidArgument("Must be at least 0 and below the duration.", field="start")
        if hi <= lo:
            raise InvalidArgument("Must be greater than start.", field="stop")
        f.seek(int(lo * rate))
        with sf.SoundFile(str(out), "w", rate, f.channels, format="WAV", subtype="FLOAT") as w:
            for block in f.blocks(blocksize=1 << 16, frames=int((hi - lo) * rate), dtype="float32",
                                  always_2d=True):
                w.write(block)


class Downloads:
    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects
        self._locks: dict[str, asyncio.Lock] = {}

    async def prepare(self, item: Item, ext: str, start: float | None, stop: float | None,
                      range_header: str | None) -> Download:
        target = BY_EXT.get(ext.lower())
        if target is None:
            raise NotFound(f"Unknown format {ext!r}: use one of {', '.join(sorted(BY_EXT))}.")
        source = self.objects.local_path(item.source_key) if item.source_key else None
        if source is None or item.sha256 is None:
            raise NotFound("This item has no audio file.")
        if start is not None or stop is not None:
            return Download(target.mimetype, self._excerpt_stream(source, target, start, stop))
        key = f"timeside/downloads/{item.sha256}.{ext.lower()}"
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if await self.objects.size(key) is None:
                await self.objects.put(key, transcode(source, target, None))
        size = await self.objects.size(key) or 0
        headers = [("accept-ranges", "bytes")]
        wanted = parse_range(range_header, size)
        if wanted is None:
            return Download(target.mimetype, self.objects.read(key), 200, [*headers, ("content-length", str(size))])
        first, last = wanted
        return Download(target.mimetype, self.objects.read(key, first, last + 1), 206,
                        [*headers, ("content-range", f"bytes {first}-{last}/{size}"),
                         ("content-length", str(last - first + 1))])

    async def _excerpt_stream(self, source: Path, target: Target, start: float | None,
                              stop: float | None) -> AsyncIterator[bytes]:
        with tempfile.TemporaryDirectory() as tmp:
            cut = Path(tmp) / "excerpt.wav"
            await asyncio.to_thread(_excerpt, source, start, stop, cut)
            stream = transcode(cut, target, None)
            try:
                async for chunk in stream:
                    yield chunk
            finally:
                with contextlib.suppress(Exception):
                    await stream.aclose()  # type: ignore[attr-defined]
