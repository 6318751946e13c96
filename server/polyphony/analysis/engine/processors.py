"""The processors registry: versioned analyzers, each with a JSON Schema of its parameters and defaults.

A processor's `version` is part of the effective cache key: results computed by another version are
other results. Parameters are validated against the schema (jsonschema, Draft 2020-12) plus each
processor's cross-field rules, then normalized (defaults filled in, integral floats made ints) so
that equal presets have one canonical form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from polyphony.analysis.engine import analyzers as az
from polyphony.audio.transcode import TARGETS
from polyphony.core.errors import InvalidArgument, NotFound

FLOOR_DB = az.FLOOR_DB
AnalyzerResult = az.AnalyzerResult


@dataclass(frozen=True)
class Processor:
    pid: str
    version: str
    name: str
    description: str
    parameters_schema: dict[str, Any]
    factory: Callable[[str, int, Mapping[str, Any]], az.Analyzer] = field(repr=False)
    check: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)
    kind: str = "analyzer"  # "analyzer" (HDF5 container results) or "encoder" (encoded audio results)
    extension: str = ""  # an encoder's output format (`wav`, `flac`, ...)

    @property
    def parameters_default(self) -> dict[str, Any]:
        props = self.parameters_schema.get("properties", {})
        return {k: v["default"] for k, v in props.items() if "default" in v}

    def analyzer(self, samplerate: int, params: Mapping[str, Any]) -> az.Analyzer:
        return self.factory(self.pid, samplerate, {**self.parameters_default, **params})


def _int(default: int, minimum: int, maximum: int, text: str) -> dict[str, Any]:
    return {"type": "integer", "default": default, "minimum": minimum, "maximum": maximum, "description": text}


def _num(default: float, minimum: float, maximum: float, text: str) -> dict[str, Any]:
    return {"type": "number", "default": default, "minimum": minimum, "maximum": maximum, "description": text}


def _schema(**props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "properties": props}


_FFT = {
    "blocksize": _int(2048, 16, 1 << 16, "frame length in samples"),
    "stepsize": _int(512, 1, 1 << 16, "hop between frames in samples"),
}


def _step_le_block(params: dict[str, Any]) -> None:
    if params["stepsize"] > params["blocksize"]:
        raise InvalidArgument("Parameter 'stepsize' must not exceed 'blocksize'.", field="parameters")


def _mel_range(params: dict[str, Any]) -> None:
    _step_le_block(params)
    if params["fmin"] >= params["fmax"]:
        raise InvalidArgument("Parameter 'fmin' must be below 'fmax'.", field="parameters")


def _pitch_range(params: dict[str, Any]) -> None:
    _step_le_block(params)
    if params["fmin"] >= params["fmax"]:
        raise InvalidArgument("Parameter 'fmin' must be below 'fmax'.", field="parameters")


_MEL = {
    "fmin": _num(0.0, 0.0, 96000.0, "lowest mel band edge (Hz)"),
    "fmax": _num(11025.0, 1.0, 96000.0, "highest mel band edge (Hz, capped at Nyquist)"),
}

PROCESSORS: dict[str, Processor] = {
    p.pid: p
    for p in (
        Processor(
            "level", "1.0", "Level Analyzer", "Peak and RMS level of the whole file, in dBFS.", _schema(), az.Level
        ),
        Processor(
            "mean_dc_shift",
            "1.0",
            "Mean DC shift Analyzer",
            "Mean sample value of the whole file, in percent of full scale.",
            _schema(),
            az.MeanDCShift,
        ),
        Processor(
            "zero_crossing_rate",
            "1.0",
            "Zero-crossing rate Analyzer",
            "Sign changes per second in each frame.",
            _schema(
                blocksize=_int(1024, 2, 1 << 20, "frame length in samples"),
                stepsize=_int(512, 1, 1 << 20, "hop between frames in samples"),
            ),
            az.ZeroCrossingRate,
            _step_le_block,
        ),
        Processor(
            "waveform_analyzer",
            "1.0",
            "Waveform Analyzer",
            "Min/max envelope: the extreme samples of every `stepsize` samples.",
            _schema(stepsize=_int(256, 1, 1 << 20, "samples per envelope point")),
            az.Waveform,
        ),
        Processor(
            "spectrogram_analyzer",
            "1.0",
            "Spectrogram Analyzer",
            "Magnitude STFT (periodic Hann window), linear or in dB; y_value is the frequency axis (Hz).",
            _schema(
                **_FFT,
                scale={
                    "type": "string",
                    "enum": ["linear", "log"],
                    "default": "linear",
                    "description": "linear magnitude or dB",
                },
            ),
            az.Spectrogram,
            _step_le_block,
        ),
        Processor(
            "onset_detection_function",
            "1.0",
            "Onset detection function",
            "Spectral flux: mean rise in dB of 128 mel bands from one frame to the next.",
            _schema(**_FFT),
            az.OnsetFunction,
            _step_le_block,
        ),
        Processor(
            "onsets",
            "1.0",
            "Onsets",
            "Onset times: peaks of the onset detection function.",
            _schema(
                **_FFT,
                delta=_num(2.0, 0.0, 100.0, "peak height above the local mean (dB)"),
                min_interval=_num(0.03, 0.0, 10.0, "shortest gap between onsets (s)"),
            ),
            az.Onsets,
            _step_le_block,
        ),
        Processor(
            "tempo",
            "1.0",
            "Tempo and beats",
            "Global tempo (bpm) from the onset function's autocorrelation; beats by dynamic programming.",
            _schema(**_FFT, start_bpm=_num(120.0, 30.0, 300.0, "centre of the tempo prior (bpm)")),
            az.Tempo,
            _step_le_block,
        ),
        Processor(
            "pitch_yin",
            "1.0",
            "Pitch (YIN)",
            "Fundamental frequency by YIN, with its confidence.",
            _schema(
                **_FFT,
                fmin=_num(40.0, 10.0, 20000.0, "lowest F0 searched (Hz)"),
                fmax=_num(2000.0, 20.0, 24000.0, "highest F0 searched (Hz)"),
                threshold=_num(0.1, 0.0, 1.0, "aperiodicity threshold"),
            ),
            az.PitchYin,
            _pitch_range,
        ),
        Processor(
            "mfcc",
            "1.0",
            "MFCC",
            "Mel-frequency cepstral coefficients (DCT-II of log mel power).",
            _schema(**_FFT, n_mfcc=_int(13, 1, 128, "coefficients kept"), n_mels=_int(40, 1, 256, "mel bands"), **_MEL),
            az.MFCC,
            _mel_range,
        ),
        Processor(
            "mel_energy",
            "1.0",
            "Mel energies",
            "Power in each mel band (Slaney mel scale, area-normalized).",
            _schema(**_FFT, n_mels=_int(40, 1, 256, "mel bands"), **_MEL),
            az.MelEnergy,
            _mel_range,
        ),
        Processor(
            "spectral_descriptors",
            "1.0",
            "Spectral descriptors",
            "Centroid, spread, skewness, kurtosis, rolloff, flatness, flux, slope and decrease per frame.",
            _schema(
                **_FFT,
                rolloff=_num(0.85, 0.01, 1.0, "energy fraction below the rolloff frequency"),
                descriptors={
                    "type": "array",
                    "uniqueItems": True,
                    "minItems": 1,
                    "items": {"type": "string", "enum": list(az.DESCRIPTORS)},
                    "default": list(az.DESCRIPTORS),
                    "description": "descriptors to compute",
                },
            ),
            az.SpectralDescriptors,
            _step_le_block,
        ),
        Processor(
            "silence",
            "1.0",
            "Silence segments",
            "Segments labelled 0 Silence / 1 Not Silence: frames whose RMS is below `threshold` dBFS.",
            _schema(
                blocksize=_int(1024, 16, 1 << 20, "frame length in samples"),
                threshold=_num(-60.0, -200.0, 0.0, "silence threshold (dBFS)"),
            ),
            az.Silence,
        ),
        Processor(
            "loudness_itu",
            "1.0",
            "Loudness ITU-R BS.1770",
            "Integrated loudness (LUFS) with absolute and relative gating, and 400 ms block loudness.",
            _schema(),
            az.Loudness,
        ),
    )
}


def _no_analyzer(pid: str, samplerate: int, params: Mapping[str, Any]) -> az.Analyzer:
    raise RuntimeError(f"{pid} is an encoder, not an analyzer")


ENCODER_VERSION = "1"
# Encoders (TimeSide's `<format>_encoder` processors): the whole file encoded by the shared (polyphony.audio)
# streaming transcoder; their results hold audio, served at `/results/{uuid}/audio/`.
ENCODERS: dict[str, Processor] = {
    p.pid: p
    for p in (
        Processor(
            f"{t.extension.lstrip('.')}_encoder",
            ENCODER_VERSION,
            f"{t.extension.lstrip('.').upper()} encoder",
            f"The whole file encoded as {t.mimetype} ({t.format} container, {t.subtype}).",
            _schema(),
            _no_analyzer,
            kind="encoder",
            extension=t.extension.lstrip("."),
        )
        for t in TARGETS
    )
}

# Every installed processor: analyzers and encoders.
REGISTRY: dict[str, Processor] = {**PROCESSORS, **ENCODERS}

DEFAULT_EXPERIENCE = ("level", "spectrogram_analyzer", "onsets", "tempo", "pitch_yin", "mfcc", "loudness_itu")


def get_processor(pid: str) -> Processor:
    processor = REGISTRY.get(pid)
    if processor is None:
        raise NotFound("No Processor matches the given query.")
    return processor


def _integral(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def normalize_parameters(processor: Processor, params: object, *, field: str = "parameters") -> dict[str, Any]:
    """Validate `params` against the processor's schema; return them with every default filled in."""
    if not isinstance(params, dict):
        raise InvalidArgument("Parameters must be a JSON object.", field=field)
    props = processor.parameters_schema.get("properties", {})
    cleaned = {k: (_integral(v) if props.get(k, {}).get("type") == "integer" else v) for k, v in params.items()}
    try:
        jsonschema.validate(cleaned, processor.parameters_schema)
    except jsonschema.ValidationError as exc:
        where = ".".join(str(p) for p in exc.absolute_path)
        raise InvalidArgument(f"{where + ': ' if where else ''}{exc.message}", field=field) from None
    merged = {**processor.parameters_default, **cleaned}
    merged = {
        k: (float(v) if props[k].get("type") == "number" and isinstance(v, int | float) else v)
        for k, v in merged.items()
    }
    if "descriptors" in merged:
        merged["descriptors"] = [d for d in az.DESCRIPTORS if d in merged["descriptors"]]
    if processor.check is not None:
        try:
            processor.check(merged)
        except InvalidArgument as exc:
            raise InvalidArgument(exc.detail, field=field) from None
    return dict(sorted(merged.items()))


def validate_parameters(processor: Processor, params: object, *, field: str = "parameters") -> dict[str, Any]:
    """Backward-compatible name: the normalized parameters."""
    return normalize_parameters(processor, params, field=field)


def parameters_digest(pid: str, version: str, params: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of (pid, version, normalized parameters)."""
    canonical = json.dumps([pid, version, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
