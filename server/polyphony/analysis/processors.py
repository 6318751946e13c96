"""The processors registry: numpy analyzers that read an item's audio in blocks, once for all presets.

Each analyzer has a TimeSide `pid`, a `version` (part of the effective cache key: results computed by
another version are another result) and a JSON Schema of its parameters with their defaults. Audio is
mixed down to mono (the mean of the channels) before it reaches an analyzer, as TimeSide's analyzers do
by default. Levels are in dBFS with silence floored at `FLOOR_DB` (a JSON number cannot be -inf).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from polyphony.core.errors import InvalidArgument, NotFound

FLOOR_DB = -200.0  # 20*log10(1e-10)


@dataclass(frozen=True)
class AnalyzerResult:
    """One TimeSide AnalyzerResult: `<pid>[.<sub id>]`, global or framewise numeric data."""

    id: str
    name: str
    unit: str
    time_mode: str  # "global" or "framewise"
    value: list[float]
    frame_metadata: dict[str, int] | None = None


class Analyzer(Protocol):
    def feed(self, block: np.ndarray) -> None: ...

    def finish(self) -> list[AnalyzerResult]: ...


@dataclass(frozen=True)
class Processor:
    pid: str
    version: str
    name: str
    description: str
    parameters_schema: dict[str, Any]
    factory: Any = field(repr=False)  # (samplerate, params) -> Analyzer

    @property
    def parameters_default(self) -> dict[str, Any]:
        props = self.parameters_schema.get("properties", {})
        return {k: v["default"] for k, v in props.items() if "default" in v}

    def analyzer(self, samplerate: int, params: Mapping[str, Any]) -> Analyzer:
        return self.factory(samplerate, {**self.parameters_default, **params})  # type: ignore[no-any-return]


def db(amplitude: float) -> float:
    return max(20.0 * math.log10(amplitude), FLOOR_DB) if amplitude > 0 else FLOOR_DB


class Level:
    """`level.max` (peak) and `level.rms`, both dBFS over the whole file."""

    def __init__(self, samplerate: int, params: Mapping[str, Any]) -> None:
        self.peak = 0.0
        self.squares = 0.0
        self.count = 0

    def feed(self, block: np.ndarray) -> None:
        if block.size:
            self.peak = max(self.peak, float(np.max(np.abs(block))))
            self.squares += float(np.dot(block, block))
            self.count += block.size

    def finish(self) -> list[AnalyzerResult]:
        rms = math.sqrt(self.squares / self.count) if self.count else 0.0
        return [
            AnalyzerResult("level.max", "Max level", "dBFS", "global", [round(db(self.peak), 3)]),
            AnalyzerResult("level.rms", "RMS level", "dBFS", "global", [round(db(rms), 3)]),
        ]


class MeanDCShift:
    """`mean_dc_shift`: the mean sample value, in percent of full scale."""

    def __init__(self, samplerate: int, params: Mapping[str, Any]) -> None:
        self.total = 0.0
        self.count = 0

    def feed(self, block: np.ndarray) -> None:
        self.total += float(np.sum(block))
        self.count += block.size

    def finish(self) -> list[AnalyzerResult]:
        mean = self.total / self.count if self.count else 0.0
        return [AnalyzerResult("mean_dc_shift", "Mean DC shift", "%", "global", [round(100.0 * mean, 3)])]


class ZeroCrossingRate:
    """`zero_crossing_rate`: sign changes per second in each frame of `blocksize`, every `stepsize`."""

    def __init__(self, samplerate: int, params: Mapping[str, Any]) -> None:
        self.samplerate = samplerate
        self.blocksize = int(params["blocksize"])
        self.stepsize = int(params["stepsize"])
        self.pending = np.zeros(0)
        self.values: list[float] = []

    def _frame(self, frame: np.ndarray) -> None:
        signs = np.signbit(frame)
        crossings = int(np.count_nonzero(signs[1:] != signs[:-1])) if frame.size > 1 else 0
        self.values.append(round(crossings * self.samplerate / self.blocksize, 3))

    def feed(self, block: np.ndarray) -> None:
        self.pending = np.concatenate([self.pending, block])
        while self.pending.size >= self.blocksize:
            self._frame(self.pending[: self.blocksize])
            self.pending = self.pending[self.stepsize :]

    def finish(self) -> list[AnalyzerResult]:
        if self.pending.size and (not self.values or self.pending.size > self.blocksize - self.stepsize):
            self._frame(self.pending)  # the last, partial frame (its rate is still per blocksize)
        meta = {"samplerate": self.samplerate, "blocksize": self.blocksize, "stepsize": self.stepsize}
        return [AnalyzerResult("zero_crossing_rate", "Zero-crossing rate", "Hz", "framewise", self.values, meta)]


def _int_param(default: int, minimum: int, maximum: int, text: str) -> dict[str, Any]:
    return {"type": "integer", "default": default, "minimum": minimum, "maximum": maximum, "description": text}


_NO_PARAMETERS: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}

PROCESSORS: dict[str, Processor] = {
    p.pid: p
    for p in (
        Processor("level", "1.0", "Level Analyzer", "Peak and RMS level of the whole file, in dBFS.",
                  _NO_PARAMETERS, Level),
        Processor("mean_dc_shift", "1.0", "Mean DC shift Analyzer",
                  "Mean sample value of the whole file, in percent of full scale.", _NO_PARAMETERS, MeanDCShift),
        Processor("zero_crossing_rate", "1.0", "Zero-crossing rate Analyzer",
                  "Sign changes per second in each frame.",
                  {"type": "object", "additionalProperties": False, "properties": {
                      "blocksize": _int_param(1024, 2, 1 << 20, "frame length in samples"),
                      "stepsize": _int_param(512, 1, 1 << 20, "hop between frames in samples")}},
                  ZeroCrossingRate),
    )
}


def get_processor(pid: str) -> Processor:
    processor = PROCESSORS.get(pid)
    if processor is None:
        raise NotFound("No Processor matches the given query.")
    return processor


def validate_parameters(processor: Processor, params: object, *, field: str = "parameters") -> dict[str, Any]:
    """Check `params` against the processor's schema (the subset of JSON Schema its schemas use)."""
    if not isinstance(params, dict):
        raise InvalidArgument("Parameters must be a JSON object.", field=field)
    props: dict[str, Any] = processor.parameters_schema.get("properties", {})
    for key, value in params.items():
        spec = props.get(key)
        if spec is None:
            raise InvalidArgument(f"Unknown parameter {key!r} for processor {processor.pid!r}.", field=field)
        if spec["type"] == "integer":
            if isinstance(value, float) and value.is_integer():
                value = int(value)
                params[key] = value
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidArgument(f"Parameter {key!r} must be an integer.", field=field)
            if not spec["minimum"] <= value <= spec["maximum"]:
                raise InvalidArgument(
                    f"Parameter {key!r} must be between {spec['minimum']} and {spec['maximum']}.", field=field)
    merged = {**processor.parameters_default, **params}
    if processor.pid == "zero_crossing_rate" and merged["stepsize"] > merged["blocksize"]:
        raise InvalidArgument("Parameter 'stepsize' must not exceed 'blocksize'.", field=field)
    return dict(params)
