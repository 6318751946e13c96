"""On-the-fly transcoding to formats libsndfile writes, streamed: the source is decoded block by block
and every encoded chunk is handed on as soon as the encoder writes it (no temporary file, bounded
memory). WAV is framed here (its header needs the length up front, which we know); FLAC, Ogg Vorbis,
Opus and MP3 go through libsndfile writing to a forward-only sink."""

from __future__ import annotations

import asyncio
import queue
import struct
import sys
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile

from polyphony.core import objects

BLOCK_FRAMES = 32768
CHUNK = objects.CHUNK  # what the edge passes on whole (polyphony.core.objects.CHUNK)


@dataclass(frozen=True)
class Target:
    mimetype: str
    extension: str
    format: str
    subtype: str
    # (compression level, worst-case kbps for stereo, measured on white noise); empty: lossless
    levels: tuple[tuple[float, int], ...] = ()
    constant: bool = False
    default_level: float | None = None  # used when the client sets no bitrate cap


TARGETS = (
    Target(
        "audio/ogg",
        ".ogg",
        "OGG",
        "VORBIS",
        (
            (0.0, 524),
            (0.05, 471),
            (0.1, 421),
            (0.15, 429),
            (0.2, 425),
            (0.25, 378),
            (0.3, 327),
            (0.35, 330),
            (0.4, 328),
            (0.45, 239),
            (0.5, 178),
            (0.55, 146),
            (0.6, 129),
            (0.65, 125),
            (0.7, 117),
            (0.75, 109),
            (0.8, 106),
            (0.85, 92),
            (0.9, 87),
            (0.95, 79),
        ),
    ),
    Target(
        "audio/mpeg",
        ".mp3",
        "MP3",
        "MPEG_LAYER_III",
        (
            (0.0, 323),
            (0.15, 259),
            (0.3, 226),
            (0.4, 194),
            (0.5, 162),
            (0.65, 129),
            (0.7, 113),
            (0.75, 97),
            (0.85, 81),
            (0.9, 56),
            (0.95, 48),
        ),
        constant=True,
        default_level=0.4,
    ),
    Target(
        "audio/opus",
        ".opus",
        "OGG",
        "OPUS",
        (
            (0.0, 473),
            (0.1, 429),
            (0.2, 383),
            (0.3, 337),
            (0.4, 291),
            (0.5, 244),
            (0.6, 198),
            (0.7, 152),
            (0.75, 129),
            (0.8, 106),
            (0.85, 82),
            (0.9, 59),
            (0.95, 33),
        ),
    ),
    Target("audio/flac", ".flac", "FLAC", "PCM_16"),
    Target("audio/wav", ".wav", "WAV", "PCM_16"),
)
READABLE = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff"}


def can_decode(path: Path) -> bool:
    return path.suffix.lower() in READABLE


def pcm_bitrate(samplerate: int, channels: int) -> int:
    return samplerate * channels * 16


def min_bitrate(target: Target, samplerate: int, channels: int) -> int:
    if not target.levels:
        return pcm_bitrate(samplerate, channels)
    return min(kbps for _, kbps in target.levels) * 1000


def compression_level(target: Target, max_bitrate: int | None) -> float | None:
    """The best quality whose worst-case bitrate (and that of every lower quality) stays under the cap."""
    if not target.levels:
        return None
    if max_bitrate is None:
        return target.default_level
    levels = sorted(target.levels)
    for i, (level, _) in enumerate(levels):
        if max(k for _, k in levels[i:]) * 1000 <= max_bitrate:
            return level
    return levels[-1][0]


class _NoSeek(OSError):
    """libsndfile asked to seek back into bytes that are already on the wire."""


_MP3_BITRATES = {
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 Layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2/2.5 Layer III
}
_MP3_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def drop_first_mp3_frame(head: bytes) -> bytes:
    """Remove the VBR-info placeholder frame the encoder writes first and would fill in by seeking back
    at the end; without it the stream is a plain, correctly decodable MP3."""
    if len(head) < 4 or head[0] != 0xFF or (head[1] & 0xE0) != 0xE0:
        return head
    version = (head[1] >> 3) & 0x3
    bitrate_index, rate_index, padding = head[2] >> 4, (head[2] >> 2) & 0x3, (head[2] >> 1) & 0x1
    if version == 1 or rate_index == 3 or bitrate_index in (0, 15):
        return head
    bitrate = _MP3_BITRATES[1 if version == 3 else 2][bitrate_index] * 1000
    rate = _MP3_RATES[version][rate_index]
    length = (144 if version == 3 else 72) * bitrate // rate + padding
    return head[length:]


def flac_total_samples(frames: int) -> Any:
    """Fill in STREAMINFO's total-sample count, which the encoder would otherwise patch by seeking back."""

    def patch(head: bytes) -> bytes:
        if len(head) < 42 or head[:4] != b"fLaC" or head[4] & 0x7F != 0:
            return head
        info = bytearray(head)
        # STREAMINFO starts at byte 8; the 36-bit sample count sits in bytes 21..25 (low nibble of 21).
        info[21] = (info[21] & 0xF0) | ((frames >> 32) & 0x0F)
        info[22:26] = (frames & 0xFFFFFFFF).to_bytes(4, "big")
        return bytes(info)

    return patch


class _ForwardSink:
    """A write-only file object for libsndfile that passes chunks on and refuses to seek back.
    `fix_head` may rewrite the first chunk (what the encoder would have patched by seeking)."""

    def __init__(self, out: queue.Queue[bytes | BaseException | None], fix_head: Any = None) -> None:
        self._out = out
        self._pos = 0
        self._buf = bytearray()
        self._fix_head = fix_head
        self._discard = False

    def write(self, data: Any) -> int:
        if self._discard:  # a header rewrite aimed at bytes already sent: drop it
            return len(data)
        self._buf += bytes(data)
        self._pos += len(data)
        if len(self._buf) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            data = bytes(self._buf)
            if self._fix_head is not None:
                data, self._fix_head = self._fix_head(data), None
            for start in range(0, len(data), CHUNK):  # one libsndfile write may be larger than a chunk
                self._out.put(data[start : start + CHUNK])
            self._buf.clear()

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        target = offset if whence == 0 else self._pos + offset  # SEEK_CUR, SEEK_END: the end is here
        if target != self._pos:
            self._discard = True
            raise _NoSeek("stream is forward-only")
        self._discard = False
        return self._pos

    def read(self, n: int = -1) -> bytes:
        return b""


def _quiet_unraisable(hook: Any) -> Any:
    def filtered(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, _NoSeek):
            hook(unraisable)

    return filtered


sys.unraisablehook = _quiet_unraisable(sys.unraisablehook)


def _wav_header(frames: int, samplerate: int, channels: int) -> bytes:
    data_bytes = frames * channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, samplerate, samplerate * channels * 2, channels * 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def _encode(
    path: Path,
    target: Target,
    max_bitrate: int | None,
    out: queue.Queue[bytes | BaseException | None],
    stop: threading.Event,
) -> None:
    try:
        with soundfile.SoundFile(str(path)) as src:
            if target.format == "WAV":
                frames = src.frames
                out.put(_wav_header(frames, src.samplerate, src.channels))
                written = 0
                for block in src.blocks(BLOCK_FRAMES, dtype="int16", always_2d=True):
                    if stop.is_set():
                        return
                    block = block[: max(0, frames - written)]
                    written += len(block)
                    out.put(np.ascontiguousarray(block).tobytes())
                if written < frames:  # keep the promised length if the decoder came up short
                    out.put(b"\x00" * ((frames - written) * src.channels * 2))
                return
            fix_head = None
            if target.format == "MP3":
                fix_head = drop_first_mp3_frame
            elif target.format == "FLAC":
                fix_head = flac_total_samples(src.frames)
            sink = _ForwardSink(out, fix_head)
            kwargs: dict[str, Any] = {}
            level = compression_level(target, max_bitrate)
            if level is not None:
                kwargs["compression_level"] = level
                if target.constant:
                    kwargs["bitrate_mode"] = "CONSTANT"
            rate = (
                48000
                if target.subtype == "OPUS" and src.samplerate not in (8000, 12000, 16000, 24000, 48000)
                else src.samplerate
            )
            with soundfile.SoundFile(
                sink,
                "w",
                samplerate=rate,
                channels=src.channels,
                format=target.format,
                subtype=target.subtype,
                **kwargs,
            ) as dst:
                for block in src.blocks(BLOCK_FRAMES, dtype="float32", always_2d=True):
                    if stop.is_set():
                        return
                    if rate != src.samplerate:
                        block = _resample(block, src.samplerate, rate)
                    dst.write(block)
            sink.flush()
    except BaseException as exc:
        out.put(exc)
    finally:
        out.put(None)


def _resample(block: np.ndarray[Any, Any], src_rate: int, dst_rate: int) -> np.ndarray[Any, Any]:
    """Linear-interpolation resampling of one block (for Opus, which only takes a few rates)."""
    n = len(block)
    m = round(n * dst_rate / src_rate)
    if n == 0 or m == 0:
        return block[:0]
    x_old = np.arange(n) / src_rate
    x_new = np.arange(m) / dst_rate
    return np.stack([np.interp(x_new, x_old, block[:, c]) for c in range(block.shape[1])], axis=1).astype("float32")


async def transcode(path: Path, target: Target, max_bitrate: int | None) -> AsyncIterator[bytes]:
    """Encoded bytes of `path` as `target`, produced in a worker thread with back-pressure."""
    out: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    stop = threading.Event()
    worker = threading.Thread(target=_encode, args=(path, target, max_bitrate, out, stop), daemon=True)
    worker.start()
    try:
        while True:
            item = await asyncio.to_thread(out.get)
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            try:
                out.get_nowait()
            except queue.Empty:
                await asyncio.sleep(0.01)
