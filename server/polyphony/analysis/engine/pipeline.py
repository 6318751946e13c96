"""One decode of an item's audio feeding every analyzer of an experience, block by block.

The file is read in blocks of `BLOCK_FRAMES` (never whole); frames and magnitude spectra are computed
once per distinct FrameSpec and shared by all analyzers that asked for it. With `outputs` (one per
job), each analyzer writes its frame-wise values there as it goes (see `series`), so memory stays
bounded whatever the length of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from polyphony.analysis.engine import dsp
from polyphony.analysis.engine.analyzers import Analyzer, AnalyzerResult, SpectrumChunk
from polyphony.analysis.engine.dsp import FrameSpec
from polyphony.analysis.engine.processors import Processor
from polyphony.analysis.engine.series import Output

BLOCK_FRAMES = 1 << 17
Progress = Callable[[float], None]


class Cancelled(Exception):
    """The run was stopped on request."""


class Pipeline:
    def __init__(self, samplerate: int, analyzers: Sequence[Analyzer]) -> None:
        self.samplerate = samplerate
        self.analyzers = list(analyzers)
        self.framers: dict[FrameSpec, dsp.Framer] = {}
        self.total = 0
        for a in self.analyzers:
            if a.source in ("frames", "spectrum") and a.frame_spec is not None:
                self.framers.setdefault(a.frame_spec, dsp.Framer(a.frame_spec))

    def _dispatch_frames(self, spec: FrameSpec, frames: Any) -> None:
        users = [a for a in self.analyzers if a.frame_spec == spec and a.source in ("frames", "spectrum")]
        if not frames.shape[0]:
            return
        chunk: SpectrumChunk | None = None
        for a in users:
            if a.source == "frames":
                a.feed(frames)
            else:
                if chunk is None:
                    chunk = SpectrumChunk(dsp.magnitude(frames), self.samplerate, spec.size)
                a.feed(chunk)

    def feed(self, block: Any) -> None:
        """`block`: float32 samples, shape (frames, channels)."""
        self.total += block.shape[0]
        mono = block[:, 0] if block.shape[1] == 1 else block.mean(axis=1, dtype=np.float32)
        for a in self.analyzers:
            if a.source == "mono":
                a.feed(mono)
            elif a.source == "channels":
                a.feed(block)
        for spec, framer in self.framers.items():
            self._dispatch_frames(spec, framer.push(mono))

    def finish(self) -> list[list[AnalyzerResult]]:
        for a in self.analyzers:
            a.total_samples = self.total
        for spec, framer in self.framers.items():
            self._dispatch_frames(spec, framer.flush())
        return [a.finish() for a in self.analyzers]


def _analyzers(
    samplerate: int, jobs: Sequence[tuple[Processor, dict[str, Any]]], outputs: Sequence[Output] | None
) -> list[Analyzer]:
    analyzers = [p.analyzer(samplerate, params) for p, params in jobs]
    if outputs is not None:
        if len(outputs) != len(analyzers):
            raise ValueError("one output per job")
        for analyzer, output in zip(analyzers, outputs, strict=True):
            analyzer.output = output
    return analyzers


def analyze_file(
    path: Path,
    jobs: Sequence[tuple[Processor, dict[str, Any]]],
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    outputs: Sequence[Output] | None = None,
) -> list[list[AnalyzerResult]]:
    """Decode `path` once through every job's analyzer; returns each job's results in order."""
    with sf.SoundFile(str(path)) as f:
        pipeline = Pipeline(int(f.samplerate), _analyzers(int(f.samplerate), jobs, outputs))
        total = max(int(f.frames), 1)
        done = 0
        for block in f.blocks(blocksize=BLOCK_FRAMES, dtype="float32", always_2d=True):
            if cancelled is not None and cancelled():
                raise Cancelled("cancelled")
            pipeline.feed(block)
            done += block.shape[0]
            if progress is not None:
                progress(min(done / total, 1.0))
    return pipeline.finish()


def analyze_array(
    samples: Any,
    samplerate: int,
    jobs: Sequence[tuple[Processor, dict[str, Any]]],
    block: int = BLOCK_FRAMES,
    outputs: Sequence[Output] | None = None,
) -> list[list[AnalyzerResult]]:
    """The same on samples in memory (shape (n,) or (n, channels)), fed in blocks of `block`."""
    data = np.asarray(samples, dtype=np.float32)
    if data.ndim == 1:
        data = data[:, None]
    pipeline = Pipeline(samplerate, _analyzers(samplerate, jobs, outputs))
    for start in range(0, data.shape[0], block):
        pipeline.feed(data[start : start + block])
    return pipeline.finish()
