"""Pictures and envelopes: the min/max waveform of an item and PNG renderings of analyzer results.

PNGs are written here (8-bit RGB, zlib-compressed scanlines), so no imaging library is needed.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from polyphony.core.errors import InvalidArgument

DEFAULT_PIXELS = 1024
MAX_PIXELS = 1 << 16
MAX_SIDE = 8192


def png(rgb: np.ndarray) -> bytes:
    """Encode an (height, width, 3) uint8 array as PNG."""
    height, width, _ = rgb.shape
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), rgb.reshape(height, width * 3)], axis=1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Envelope:
    start: float
    stop: float
    nb_pixels: int
    time: list[float]
    min: list[float]
    max: list[float]


def _range(start: float | None, stop: float | None, duration: float) -> tuple[float, float]:
    lo = 0.0 if start is None else start
    hi = duration if stop is None else min(stop, duration)
    if lo < 0:
        raise InvalidArgument("Ensure this value is greater than or equal to 0.", field="start")
    if hi <= lo:
        raise InvalidArgument("Must be greater than start (and start below the duration).", field="stop")
    return lo, hi


def waveform(
    path: Path, start: float | None = None, stop: float | None = None, nb_pixels: int | None = None
) -> Envelope:
    """Min/max of the mono mixdown over `nb_pixels` equal intervals of [start, stop] (read in blocks)."""
    with sf.SoundFile(str(path)) as f:
        rate = int(f.samplerate)
        lo, hi = _range(start, stop, f.frames / rate)
        first, last = int(lo * rate), min(math.ceil(hi * rate), f.frames)
        count = max(last - first, 1)
        pixels = DEFAULT_PIXELS if nb_pixels is None else nb_pixels
        if pixels < 1 or pixels > MAX_PIXELS:
            raise InvalidArgument(f"Ensure this value is between 1 and {MAX_PIXELS}.", field="nb_pixels")
        pixels = max(1, min(pixels, count // 2))  # each point covers at least two samples
        mins = np.full(pixels, np.inf)
        maxs = np.full(pixels, -np.inf)
        f.seek(first)
        done = 0
        for block in f.blocks(blocksize=1 << 16, frames=count, dtype="float32", always_2d=True):
            mono = block.mean(axis=1)
            index = ((np.arange(done, done + mono.size) * pixels) // count).astype(np.int64)
            np.minimum.at(mins, index, mono)
            np.maximum.at(maxs, index, mono)
            done += mono.size
    mins[~np.isfinite(mins)] = 0.0
    maxs[~np.isfinite(maxs)] = 0.0
    times = lo + np.arange(pixels) * (count / pixels) / rate
    return Envelope(
        lo, hi, pixels, [round(float(t), 6) for t in times], mins.astype(float).tolist(), maxs.astype(float).tolist()
    )


def _entry(entries: list[dict[str, Any]], subprocessor_id: str | None) -> dict[str, Any]:
    if subprocessor_id is not None:
        for entry in entries:
            if entry["id_metadata"]["id"] == subprocessor_id:
                return entry
        raise InvalidArgument(f"No result {subprocessor_id!r} in this container.", field="subprocessor_id")
    if len(entries) != 1:
        ids = ", ".join(str(e["id_metadata"]["id"]) for e in entries)
        raise InvalidArgument(f"This container holds several results; pick one of: {ids}.", field="subprocessor_id")
    return entries[0]


def _times(entry: dict[str, Any], n: int) -> np.ndarray:
    meta = entry.get("frame_metadata") or {}
    rate, step = float(meta.get("samplerate", 1)), float(meta.get("stepsize", 1))
    return np.arange(n) * step / rate


def render(
    entries: list[dict[str, Any]],
    subprocessor_id: str | None = None,
    start: float | None = None,
    stop: float | None = None,
    width: int | None = None,
    height: int | None = None,
) -> bytes:
    """A PNG of one analyzer result over [start, stop]: image for 2-D values, curve, or time marks."""
    entry = _entry(entries, subprocessor_id)
    w = 1024 if width is None else width
    h = 128 if height is None else height
    if not 1 <= w <= MAX_SIDE:
        raise InvalidArgument(f"Ensure this value is between 1 and {MAX_SIDE}.", field="width")
    if not 1 <= h <= MAX_SIDE:
        raise InvalidArgument(f"Ensure this value is between 1 and {MAX_SIDE}.", field="height")
    duration = float(entry.get("audio_metadata", {}).get("duration") or 0.0)
    data = entry["data_object"]
    mode = entry["time_mode"]
    if mode == "global":
        raise InvalidArgument("A global result has no time axis to draw.", field="subprocessor_id")
    lo, hi = _range(start, stop, duration if duration > 0 else float("inf"))
    img = np.full((h, w, 3), 255, dtype=np.uint8)
    columns = lo + (np.arange(w) + 0.5) * (hi - lo) / w
    if mode == "framewise":
        value = data["value"]  # an array, or an HDF5 dataset of which only the drawn rows are read
        times = _times(entry, value.shape[0])
        if value.size == 0:
            return png(img)
        index = np.clip(np.searchsorted(times, columns, side="right") - 1, 0, value.shape[0] - 1)
        wanted, where = np.unique(index, return_inverse=True)
        drawn = np.asarray(value[wanted], dtype=np.float64)[where]
        if drawn.ndim == 2:
            cols = drawn  # (w, bins)
            level = np.log10(np.maximum(cols, 1e-10)) if cols.min() >= 0 else cols
            top = level.max()
            norm = np.clip(
                (level - (top - 8 if cols.min() >= 0 else level.min()))
                / max(top - (top - 8 if cols.min() >= 0 else level.min()), 1e-9),
                0,
                1,
            )
            rows = np.clip((np.arange(h)[::-1] * cols.shape[1]) // h, 0, cols.shape[1] - 1)
            shade = (255 * (1 - norm[:, rows].T)).astype(np.uint8)
            img[:, :, 0] = shade
            img[:, :, 1] = shade
            img[:, :, 2] = np.minimum(255, shade.astype(int) + 40).astype(np.uint8)
        else:
            curve = drawn
            finite = curve[np.isfinite(curve)]
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            y = ((h - 1) * (1 - (curve - low) / (high - low if high > low else 1.0))).astype(int)
            y = np.clip(y, 0, h - 1)
            img[y, np.arange(w)] = (0, 90, 200)
    else:
        times = np.asarray(data.get("time", []), dtype=np.float64)
        labels = np.asarray(data.get("label", np.ones(times.size)), dtype=np.int64)
        durations = np.asarray(data.get("duration", np.zeros(times.size)), dtype=np.float64)
        palette = np.array([(220, 220, 220), (0, 90, 200), (200, 80, 0), (0, 150, 60)], dtype=np.uint8)
        for t, label, d in zip(times, labels, durations, strict=False):
            x0 = int((t - lo) / (hi - lo) * w)
            x1 = max(x0 + 1, int((t + d - lo) / (hi - lo) * w)) if mode == "segment" else x0 + 1
            x0, x1 = max(x0, 0), min(x1, w)
            if x0 < x1:
                img[:, x0:x1] = palette[int(label) % len(palette)]
    return png(img)
