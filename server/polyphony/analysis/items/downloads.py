"""An item's audio transcoded (wav, flac, ogg, mp3, opus) by the shared encoder, `polyphony.audio.transcode`.

A whole-file transcode is stored as a Result of the item (TimeSide caches encoder output the same
way): its preset names the encoder (`<ext>_encoder`, no parameters), its cache key is the audio's
SHA-256 with that preset's digest, so a second download, or a download of another item with the same
audio, reuses the stored bytes. The encoders are registered processors (`processors.ENCODERS`): a task whose
experience holds an encoder preset stores its Result through `Downloads.encode` too, so tasks and downloads
share one cache. `/results/{uuid}/audio/` serves them; a Range request is answered from
the stored bytes (206). An excerpt (`start`/`stop`) is cut to a temporary
WAV first and transcoded on the fly (not cached; Range is then ignored, as for any generated body).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import soundfile as sf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from polyphony.analysis.engine.processors import ENCODERS, normalize_parameters, parameters_digest
from polyphony.analysis.formats.keys import result_key
from polyphony.analysis.items.service import now
from polyphony.analysis.models import Item, Preset, Result
from polyphony.audio.transcode import TARGETS, Target, transcode
from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound, RangeNotSatisfiable
from polyphony.core.local_copies import LocalCopies

BY_EXT: dict[str, Target] = {t.extension.lstrip("."): t for t in TARGETS}
DONE = 4


def encoder_pid(ext: str) -> str:
    return f"{ext}_encoder"


def encode_cache_key(audio_sha256: str, digest: str) -> str:
    """The cache key of an encoder result (the same formula as analyzer results: audio SHA-256 + preset digest)."""
    return hashlib.sha256(f"{audio_sha256}:{digest}".encode()).hexdigest()


def is_audio_result(result: Result) -> bool:
    """Whether the result holds encoder output (audio) rather than an analyzer container."""
    return result.mime_type.startswith("audio/")


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
            for block in f.blocks(blocksize=1 << 16, frames=int((hi - lo) * rate), dtype="float32", always_2d=True):
                w.write(block)


class Downloads:
    def __init__(self, db: Database, copies: LocalCopies) -> None:
        self.db = db
        self.copies = copies
        self.objects = copies.objects
        self._locks: dict[str, asyncio.Lock] = {}

    async def prepare(
        self, item: Item, ext: str, start: float | None, stop: float | None, range_header: str | None
    ) -> Download:
        target = BY_EXT.get(ext.lower())
        if target is None:
            raise NotFound(f"Unknown format {ext!r}: use one of {', '.join(sorted(BY_EXT))}.")
        if item.source_key is None or item.sha256 is None or await self.objects.size(item.source_key) is None:
            raise NotFound("This item has no audio file.")
        if start is not None or stop is not None:
            return Download(target.mimetype, self._excerpt_stream(item.source_key, target, start, stop))
        result = await self.encoded(item, ext.lower())
        return await self.serve(result.file_key or "", result.mime_type, range_header)

    async def serve(self, key: str, mime: str, range_header: str | None) -> Download:
        """The stored object `key` (all of it, or the single byte range asked for)."""
        size = await self.objects.size(key)
        if size is None:
            raise NotFound("This result has no data yet.")
        headers = [("accept-ranges", "bytes")]
        wanted = parse_range(range_header, size)
        if wanted is None:
            return Download(mime, self.objects.read(key), 200, [*headers, ("content-length", str(size))])
        first, last = wanted
        return Download(
            mime,
            self.objects.read(key, first, last + 1),
            206,
            [*headers, ("content-range", f"bytes {first}-{last}/{size}"), ("content-length", str(last - first + 1))],
        )

    async def _preset(self, ext: str) -> tuple[str, str]:
        """(uuid, digest) of the encoder preset for `ext`, created on first use."""
        pid = encoder_pid(ext)
        processor = ENCODERS[pid]
        params = normalize_parameters(processor, {})
        digest = parameters_digest(pid, processor.version, params)
        async with self.db.session() as session:
            found = await session.scalar(select(Preset.uuid).where(Preset.digest == digest))
        if found is None:
            stamp = now()
            try:
                async with self.db.transaction() as session:
                    session.add(
                        Preset(
                            uuid=str(uuid.uuid4()),
                            processor_pid=pid,
                            processor_version=processor.version,
                            parameters=params,
                            digest=digest,
                            is_public=True,
                            date_added=stamp,
                            date_modified=stamp,
                        )
                    )
            except IntegrityError:
                pass  # created meanwhile by another request or process
            async with self.db.session() as session:
                found = await session.scalar(select(Preset.uuid).where(Preset.digest == digest))
        if found is None:
            raise RuntimeError(f"could not create the preset of {pid}")
        return found, digest

    async def encoded(self, item: Item, ext: str) -> Result:
        """The item's whole-file transcode to `ext` as a stored Result (encoded now unless cached)."""
        preset_uuid, digest = await self._preset(ext)
        return await self.encode(item, ext, preset_uuid, digest)

    async def _transcoded(self, source_key: str, target: Target) -> AsyncIterator[bytes]:
        """The stored audio `source_key` transcoded to `target`, from a local file of it."""
        async with self.copies.local_file(source_key) as source:
            stream = transcode(source, target, None)
            try:
                async for chunk in stream:
                    yield chunk
            finally:
                with contextlib.suppress(Exception):
                    await stream.aclose()  # type: ignore[attr-defined]

    async def encode(self, item: Item, ext: str, preset_uuid: str, digest: str, task_uuid: str | None = None) -> Result:
        """The (item, encoder preset) Result: kept if done with this cache key, else copied from another done
        result with the same cache key (same audio, same encoder preset digest), else transcoded now; the
        encoded bytes are streamed into the object store."""
        target = BY_EXT[ext]
        cache_key = encode_cache_key(item.sha256 or "", digest)
        lock = self._locks.setdefault(f"{item.uuid}:{preset_uuid}", asyncio.Lock())
        async with lock:
            async with self.db.session() as session:
                result = await session.scalar(
                    select(Result).where(Result.item_uuid == item.uuid, Result.preset_uuid == preset_uuid)
                )
                hit = await session.scalar(
                    select(Result)
                    .where(
                        Result.cache_key == cache_key,
                        Result.status == DONE,
                        Result.file_key.is_not(None),
                        Result.uuid != (result.uuid if result is not None else ""),
                    )
                    .order_by(Result.date_added)
                    .limit(1)
                )
            if (
                result is not None
                and result.status == DONE
                and result.file_key is not None
                and result.cache_key == cache_key
                and await self.objects.size(result.file_key) is not None
            ):
                if task_uuid is not None and result.task_uuid != task_uuid:
                    async with self.db.transaction() as session:
                        row = await session.get(Result, result.uuid)
                        if row is not None:
                            row.task_uuid, row.date_modified = task_uuid, now()
                            return row
                return result
            reused_from: str | None = None
            started = time.monotonic()
            if hit is not None and hit.file_key is not None and await self.objects.size(hit.file_key) is not None:
                body, reused_from = self.objects.read(hit.file_key), hit.uuid
            else:
                body = self._transcoded(item.source_key or "", target)
            result_uuid = result.uuid if result is not None else str(uuid.uuid4())
            key = result_key(item.uuid, result_uuid, ext)
            await self.objects.put(key, body)
            run_time = (
                (hit.run_time or 0.0) if reused_from is not None and hit is not None else time.monotonic() - started
            )
            try:
                async with self.db.transaction() as session:
                    row = await session.get(Result, result_uuid)
                    stamp = now()
                    if row is None:
                        row = Result(uuid=result_uuid, item_uuid=item.uuid, preset_uuid=preset_uuid, date_added=stamp)
                        session.add(row)
                    old = row.file_key
                    row.file_key, row.mime_type, row.status = key, target.mimetype, DONE
                    row.cache_key, row.reused_from, row.task_uuid = cache_key, reused_from, task_uuid
                    row.run_time, row.date_modified = run_time, stamp
            except IntegrityError:
                await self.objects.delete(key)
                raise NotFound("No Item matches the given query.") from None
            except BaseException:
                if result is None or result.file_key != key:
                    await self.objects.delete(key)
                raise
            if old is not None and old != key:
                await self.objects.delete(old)
            return row

    async def _excerpt_stream(
        self, source_key: str, target: Target, start: float | None, stop: float | None
    ) -> AsyncIterator[bytes]:
        with tempfile.TemporaryDirectory() as tmp:
            cut = Path(tmp) / "excerpt.wav"
            async with self.copies.local_file(source_key) as source:
                await asyncio.to_thread(_excerpt, source, start, stop, cut)
            stream = transcode(cut, target, None)
            try:
                async for chunk in stream:
                    yield chunk
            finally:
                with contextlib.suppress(Exception):
                    await stream.aclose()  # type: ignore[attr-defined]
