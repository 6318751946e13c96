"""The analyzers: streaming feature extractors fed block by block by the pipeline.

Each analyzer declares what it eats (`source`): the mono mixdown (`mono`), all channels
(`channels`), frames of the mono signal (`frames`) or their magnitude spectra (`spectrum`), the last
two with a `FrameSpec`. The pipeline computes frames and spectra once per distinct FrameSpec and
hands the same chunk to every analyzer that shares it.

Frame-wise values go to `Analyzer.series(...)` as they are computed: in memory by default, or straight
into the result's HDF5 container on disk when the pipeline gives the analyzer an `HDF5Output`, so the
memory a long file needs does not grow with its length. Only compact per-frame envelopes that a
global computation needs later (the onset function for onsets and tempo, silence levels, loudness
blocks) stay in memory.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import scipy.fft

from polyphony.analysis.engine import dsp
from polyphony.analysis.engine.dsp import Array, FrameSpec
from polyphony.analysis.engine.series import MemoryOutput, Output, Series

FLOOR_DB = -200.0  # 20*log10(1e-10): silence (a JSON number cannot be -inf)


@dataclass
class AnalyzerResult:
    """One TimeSide AnalyzerResult (`<pid>[.<sub id>]`) and its data object.

    A frame-wise `value` is a numpy array, or an HDF5 dataset already written in the container file.
    """

    id: str
    name: str
    unit: str
    time_mode: str  # global | framewise | event | segment
    value: Any = None
    data_mode: str = "value"  # value | label
    label: Array | None = None
    time: Array | None = None
    duration: Array | None = None
    y_value: Array | None = None
    label_metadata: dict[str, Any] | None = None
    frame_metadata: dict[str, int] | None = None


@dataclass
class SpectrumChunk:
    """Magnitude spectra of consecutive frames, with per-chunk caches shared by the analyzers."""

    mag: Array
    samplerate: int
    size: int
    _cache: dict[Any, Array] = field(default_factory=dict)

    @property
    def power(self) -> Array:
        if "power" not in self._cache:
            self._cache["power"] = np.square(self.mag)
        return self._cache["power"]

    def mel_power(self, n_mels: int, fmin: float, fmax: float) -> Array:
        key = ("mel", n_mels, fmin, fmax)
        if key not in self._cache:
            filters = dsp.mel_filters(self.samplerate, self.size, n_mels, fmin, min(fmax, self.samplerate / 2))
            self._cache[key] = self.power @ filters.T
        return self._cache[key]

    def mel_db(self, n_mels: int, fmin: float, fmax: float) -> Array:
        key = ("meldb", n_mels, fmin, fmax)
        if key not in self._cache:
            self._cache[key] = dsp.power_db(self.mel_power(n_mels, fmin, fmax))
        return self._cache[key]


def db(amplitude: float) -> float:
    return max(20.0 * math.log10(amplitude), FLOOR_DB) if amplitude > 0 else FLOOR_DB


class Analyzer(abc.ABC):
    """One processor's computation: fed decoded blocks (or spectra), then asked for its results."""

    source: ClassVar[str] = "mono"
    frame_spec: FrameSpec | None = None
    # Samples in the whole signal, set by the pipeline before `finish` (None when fed some other way).
    total_samples: int | None = None
    # Where frame-wise values are written; the pipeline sets it before the first `feed`.
    output: Output = MemoryOutput()

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        self.pid = pid
        self.samplerate = samplerate
        self.params = params
        self._series: dict[tuple[str, str], Series] = {}

    def rid(self, sub: str) -> str:
        return f"{self.pid}.{sub}" if sub else self.pid

    def series(self, sub: str, field: str = "value") -> Series:
        """The growing values of the result `sub` (created on first use in the current output)."""
        key = (sub, field)
        if key not in self._series:
            self._series[key] = self.output.series(self.rid(sub), field)
        return self._series[key]

    def collected(self, sub: str, empty: Array, field: str = "value") -> Any:
        """Everything appended to `series(sub, field)`: an array, an HDF5 dataset, or `empty`."""
        series = self._series.get((sub, field))
        return empty if series is None else series.result(empty)

    @abc.abstractmethod
    def feed(self, data: Any) -> None: ...

    @abc.abstractmethod
    def finish(self) -> list[AnalyzerResult]: ...

    def framewise(self, sub: str, name: str, unit: str, value: Any, **extra: Any) -> AnalyzerResult:
        assert self.frame_spec is not None
        meta = {"samplerate": self.samplerate, "blocksize": self.frame_spec.size, "stepsize": self.frame_spec.step}
        return AnalyzerResult(self.rid(sub), name, unit, "framewise", value=value, frame_metadata=meta, **extra)


class SpectralAnalyzer(Analyzer):
    source = "spectrum"

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.frame_spec = FrameSpec(int(params["blocksize"]), int(params["stepsize"]))
        self.chunks: list[Array] = []


class Level(Analyzer):
    """`level.max` (peak) and `level.rms`, both dBFS over the whole file."""

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.peak, self.squares, self.count = 0.0, 0.0, 0

    def feed(self, data: Array) -> None:
        if data.size:
            self.peak = max(self.peak, float(np.max(np.abs(data))))
            self.squares += float(np.dot(data, data))
            self.count += data.size

    def finish(self) -> list[AnalyzerResult]:
        rms = math.sqrt(self.squares / self.count) if self.count else 0.0
        return [
            AnalyzerResult(f"{self.pid}.max", "Max level", "dBFS", "global", np.array([round(db(self.peak), 3)])),
            AnalyzerResult(f"{self.pid}.rms", "RMS level", "dBFS", "global", np.array([round(db(rms), 3)])),
        ]


class MeanDCShift(Analyzer):
    """`mean_dc_shift`: the mean sample value, in percent of full scale."""

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.total, self.count = 0.0, 0

    def feed(self, data: Array) -> None:
        self.total += float(np.sum(data))
        self.count += data.size

    def finish(self) -> list[AnalyzerResult]:
        mean = self.total / self.count if self.count else 0.0
        return [AnalyzerResult(self.pid, "Mean DC shift", "%", "global", np.array([round(100.0 * mean, 3)]))]


class ZeroCrossingRate(Analyzer):
    """Sign changes per second in each frame of `blocksize`, every `stepsize` (full frames, then the tail)."""

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.frame_spec = FrameSpec(int(params["blocksize"]), int(params["stepsize"]))
        self.pending = np.zeros(0)
        self.count = 0

    def _frame(self, frame: Array) -> float:
        signs = np.signbit(frame)
        crossings = int(np.count_nonzero(signs[1:] != signs[:-1])) if frame.size > 1 else 0
        return round(crossings * self.samplerate / self.frame_spec.size, 3)  # type: ignore[union-attr]

    def _emit(self, values: list[float]) -> None:
        if values:
            self.series("").append(np.array(values))
            self.count += len(values)

    def feed(self, data: Array) -> None:
        size, step = self.frame_spec.size, self.frame_spec.step  # type: ignore[union-attr]
        self.pending = np.concatenate([self.pending, data])
        values: list[float] = []
        while self.pending.size >= size:
            values.append(self._frame(self.pending[:size]))
            self.pending = self.pending[step:]
        self._emit(values)

    def finish(self) -> list[AnalyzerResult]:
        size, step = self.frame_spec.size, self.frame_spec.step  # type: ignore[union-attr]
        if self.pending.size and (not self.count or self.pending.size > size - step):
            self._emit([self._frame(self.pending)])
        return [self.framewise("", "Zero-crossing rate", "Hz", self.collected("", np.zeros(0)))]


class Waveform(Analyzer):
    """Min/max envelope: the smallest and largest sample of every `stepsize` samples."""

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        step = int(params["stepsize"])
        self.frame_spec = FrameSpec(step, step)
        self.pending = np.zeros(0, dtype=np.float32)

    def _take(self, samples: Array) -> None:
        step = self.frame_spec.step  # type: ignore[union-attr]
        rows = samples.reshape(-1, step)
        self.series("min").append(rows.min(axis=1))
        self.series("max").append(rows.max(axis=1))

    def feed(self, data: Array) -> None:
        step = self.frame_spec.step  # type: ignore[union-attr]
        buf = np.concatenate([self.pending, data]) if self.pending.size else data
        whole = buf.size - buf.size % step
        if whole:
            self._take(buf[:whole])
        self.pending = buf[whole:].copy()

    def finish(self) -> list[AnalyzerResult]:
        if self.pending.size:
            self.series("min").append(np.array([self.pending.min()]))
            self.series("max").append(np.array([self.pending.max()]))
        lo = self.collected("min", np.zeros(0))
        hi = self.collected("max", np.zeros(0))
        return [self.framewise("min", "Waveform minimum", "", lo), self.framewise("max", "Waveform maximum", "", hi)]


class Spectrogram(SpectralAnalyzer):
    """Magnitude spectrogram, linear or in dB (`scale`), with the frequency axis as `y_value`."""

    def feed(self, data: SpectrumChunk) -> None:
        log = self.params.get("scale") == "log"
        self.series("").append(20.0 * np.log10(np.maximum(data.mag, 1e-10)) if log else data.mag)

    def finish(self) -> list[AnalyzerResult]:
        size = self.frame_spec.size  # type: ignore[union-attr]
        log = self.params.get("scale") == "log"
        value = self.collected("", np.zeros((0, size // 2 + 1), dtype=np.float32))
        freqs = dsp.fft_frequencies(self.samplerate, size)
        return [self.framewise("", "Spectrogram", "dB" if log else "", value, y_value=freqs)]


class MelEnergy(SpectralAnalyzer):
    """Energy (power) in each of `n_mels` mel bands."""

    def feed(self, data: SpectrumChunk) -> None:
        p = self.params
        self.series("").append(data.mel_power(int(p["n_mels"]), float(p["fmin"]), float(p["fmax"])))

    def finish(self) -> list[AnalyzerResult]:
        value = self.collected("", np.zeros((0, int(self.params["n_mels"]))))
        return [self.framewise("", "Mel energies", "", value)]


class MFCC(SpectralAnalyzer):
    """Mel-frequency cepstral coefficients: DCT-II (orthonormal) of the mel power in dB."""

    def feed(self, data: SpectrumChunk) -> None:
        p = self.params
        mel_db = data.mel_db(int(p["n_mels"]), float(p["fmin"]), float(p["fmax"]))
        self.series("").append(scipy.fft.dct(mel_db, type=2, norm="ortho", axis=1)[:, : int(p["n_mfcc"])])

    def finish(self) -> list[AnalyzerResult]:
        value = self.collected("", np.zeros((0, int(self.params["n_mfcc"]))))
        return [self.framewise("", "MFCC", "", value)]


class OnsetFunction(SpectralAnalyzer):
    """Onset strength: mean over mel bands of the rise in dB from one frame to the next (spectral flux)."""

    N_MELS = 128

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.previous: Array | None = None

    def feed(self, data: SpectrumChunk) -> None:
        mel_db = data.mel_db(self.N_MELS, 0.0, self.samplerate / 2)
        if not mel_db.shape[0]:
            return
        before = np.vstack([mel_db[:1] if self.previous is None else self.previous, mel_db[:-1]])
        self.chunks.append(np.maximum(0.0, mel_db - before).mean(axis=1))
        self.previous = mel_db[-1:]

    @property
    def odf(self) -> Array:
        return np.concatenate(self.chunks) if self.chunks else np.zeros(0)

    @property
    def frame_rate(self) -> float:
        return self.samplerate / self.frame_spec.step  # type: ignore[union-attr]

    def frame_times(self, frames: Array) -> Array:
        """Times of onsets found at `frames`: an onset enters a frame within its last hop."""
        spec = self.frame_spec
        assert spec is not None
        return (frames * spec.step + spec.size - spec.step / 2) / self.samplerate

    def finish(self) -> list[AnalyzerResult]:
        return [self.framewise("", "Onset detection function", "", self.odf)]

    def real_onsets(self, frames: Array) -> tuple[Array, Array]:
        """(frames, times) of onsets, leaving out the frames whose last hop (where an onset is placed) is
        only the zero padding of the final frames, and placing one in a partly padded last hop at the
        middle of its real samples, so no onset lies past the end of the audio."""
        spec = self.frame_spec
        assert spec is not None
        times = self.frame_times(frames)
        if self.total_samples is None:
            return frames, times
        hop_start = frames * spec.step + spec.size - spec.step
        keep = hop_start < self.total_samples
        frames, times, hop_start = frames[keep], times[keep], hop_start[keep]
        partial = hop_start + spec.step > self.total_samples
        times = np.where(partial, (hop_start + self.total_samples) / 2 / self.samplerate, times)
        return frames, times


class Onsets(OnsetFunction):
    """Onset times: peaks of the onset function above its local mean by `delta` (in dB)."""

    def finish(self) -> list[AnalyzerResult]:
        odf = self.odf
        rate = self.frame_rate
        pre, post = max(1, int(0.03 * rate)), max(1, int(0.03 * rate))
        peaks = dsp.pick_peaks(
            odf, pre, post, int(float(self.params["min_interval"]) * rate), float(self.params["delta"])
        )
        peaks, times = self.real_onsets(peaks)
        return [
            AnalyzerResult(
                self.pid,
                "Onsets",
                "s",
                "event",
                value=None,
                data_mode="label",
                label=np.ones(times.size, dtype=int),
                time=times,
                label_metadata={"label": {"1": "Onset"}, "description": {}, "label_type": "mono"},
            )
        ]


class Tempo(OnsetFunction):
    """Global tempo (bpm) from the onset function's autocorrelation, and beat times by dynamic programming."""

    def finish(self) -> list[AnalyzerResult]:
        odf = self.odf
        rate = self.frame_rate
        bpm = dsp.tempo_estimate(odf, rate, float(self.params["start_bpm"]))
        beats = dsp.track_beats(odf, rate, bpm)
        times = self.frame_times(beats)
        return [
            AnalyzerResult(f"{self.pid}.bpm", "Tempo", "bpm", "global", np.array([round(bpm, 3)])),
            AnalyzerResult(
                f"{self.pid}.beats",
                "Beats",
                "s",
                "event",
                value=None,
                data_mode="label",
                label=np.ones(times.size, dtype=int),
                time=times,
                label_metadata={"label": {"1": "Beat"}, "description": {}, "label_type": "mono"},
            ),
        ]


class PitchYin(Analyzer):
    """F0 by YIN (`pitch`, Hz, 0 for silent frames) and its confidence (`confidence`, 0..1)."""

    source = "frames"

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.frame_spec = FrameSpec(int(params["blocksize"]), int(params["stepsize"]))

    def feed(self, data: Array) -> None:
        p = self.params
        f0, conf = dsp.yin(data, self.samplerate, float(p["fmin"]), float(p["fmax"]), float(p["threshold"]))
        self.series("pitch").append(f0)
        self.series("confidence").append(conf)

    def finish(self) -> list[AnalyzerResult]:
        f0 = self.collected("pitch", np.zeros(0))
        conf = self.collected("confidence", np.zeros(0))
        return [
            self.framewise("pitch", "Pitch (YIN)", "Hz", f0),
            self.framewise("confidence", "Pitch confidence", "", conf),
        ]


DESCRIPTORS = ("centroid", "spread", "skewness", "kurtosis", "rolloff", "flatness", "flux", "slope", "decrease")


class SpectralDescriptors(SpectralAnalyzer):
    """One framewise result per spectral descriptor of the magnitude spectrum (`descriptors` picks them)."""

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.wanted = [d for d in DESCRIPTORS if d in params["descriptors"]]
        self.previous: Array | None = None

    def feed(self, data: SpectrumChunk) -> None:
        mag = data.mag.astype(np.float64)
        if not mag.shape[0]:
            return
        freqs = dsp.fft_frequencies(self.samplerate, data.size)
        total = mag.sum(axis=1)
        safe = np.where(total > 0, total, 1.0)
        weights = mag / safe[:, None]
        centroid = weights @ freqs
        dev = freqs[None, :] - centroid[:, None]
        spread = np.sqrt(np.sum(weights * dev**2, axis=1))
        safe_spread = np.where(spread > 0, spread, 1.0)
        out: dict[str, Array] = {
            "centroid": centroid,
            "spread": spread,
            "skewness": np.sum(weights * dev**3, axis=1) / safe_spread**3,
            "kurtosis": np.sum(weights * dev**4, axis=1) / safe_spread**4,
        }
        cumulative = np.cumsum(mag, axis=1)
        rolloff_bin = np.argmax(cumulative >= float(self.params["rolloff"]) * total[:, None], axis=1)
        out["rolloff"] = freqs[rolloff_bin]
        power = np.maximum(mag**2, 1e-10)
        out["flatness"] = np.exp(np.mean(np.log(power), axis=1)) / np.mean(power, axis=1)
        before = np.vstack([mag[:1] if self.previous is None else self.previous, mag[:-1]])
        out["flux"] = np.sqrt(np.sum(np.maximum(0.0, mag - before) ** 2, axis=1))
        self.previous = mag[-1:]
        fc = freqs - freqs.mean()
        out["slope"] = (mag - mag.mean(axis=1, keepdims=True)) @ fc / (fc @ fc) / safe
        k = np.arange(1, mag.shape[1])
        rest = mag[:, 1:].sum(axis=1)
        out["decrease"] = ((mag[:, 1:] - mag[:, :1]) @ (1.0 / k)) / np.where(rest > 0, rest, 1.0)
        zero = total <= 0
        for name in self.wanted:
            value = out[name]
            value[zero] = 0.0
            self.series(name).append(value)

    def finish(self) -> list[AnalyzerResult]:
        units = {"centroid": "Hz", "spread": "Hz", "rolloff": "Hz"}
        return [
            self.framewise(name, f"Spectral {name}", units.get(name, ""), self.collected(name, np.zeros(0)))
            for name in self.wanted
        ]


class Silence(Analyzer):
    """Silence segments: frames whose RMS level is below `threshold` dBFS, adjacent equal frames merged."""

    source = "frames"

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        size = int(params["blocksize"])
        self.frame_spec = FrameSpec(size, size)
        self.levels: list[Array] = []
        self.total = 0

    def feed(self, data: Array) -> None:
        rms = np.sqrt(np.mean(data.astype(np.float64) ** 2, axis=1))
        self.levels.append(20.0 * np.log10(np.maximum(rms, 1e-10)))

    def finish(self) -> list[AnalyzerResult]:
        levels = np.concatenate(self.levels) if self.levels else np.zeros(0)
        sounding = (levels >= float(self.params["threshold"])).astype(int)
        size = self.frame_spec.size  # type: ignore[union-attr]
        if sounding.size:
            starts = np.concatenate([[0], np.flatnonzero(np.diff(sounding)) + 1])
            ends = np.concatenate([starts[1:], [sounding.size]])
            labels = sounding[starts]
        else:
            starts = ends = labels = np.zeros(0, dtype=int)
        times = starts * size / self.samplerate
        durations = (ends - starts) * size / self.samplerate
        return [
            AnalyzerResult(
                self.pid,
                "Silence",
                "",
                "segment",
                value=None,
                data_mode="label",
                label=labels,
                time=times,
                duration=durations,
                label_metadata={"label": {"0": "Silence", "1": "Not Silence"}, "description": {}, "label_type": "mono"},
            )
        ]


class Loudness(Analyzer):
    """ITU-R BS.1770-4 loudness: integrated (gated) LUFS, the relative gate, and every block's loudness."""

    source = "channels"

    def __init__(self, pid: str, samplerate: int, params: Mapping[str, Any]) -> None:
        super().__init__(pid, samplerate, params)
        self.sos = dsp.k_weighting(samplerate)
        self.step = max(1, round(0.1 * samplerate))  # 100 ms: blocks of 400 ms overlap by 75 %
        self.frame_spec = FrameSpec(4 * self.step, self.step)
        self.state: Array | None = None
        self.tail: Array | None = None
        self.segments: list[Array] = []
        self.weights: Array | None = None

    def feed(self, data: Array) -> None:
        channels = data.shape[1]
        if self.state is None:
            self.state = np.zeros((self.sos.shape[0], 2, channels))
            self.weights = dsp.channel_weights(channels)
            self.tail = np.zeros(0)
        import scipy.signal  # imported on first use: it costs most of a second at server start-up

        filtered, self.state = scipy.signal.sosfilt(self.sos, data, axis=0, zi=self.state)
        weighted = (filtered**2) @ self.weights
        buf = np.concatenate([self.tail, weighted])  # type: ignore[list-item]
        whole = buf.size - buf.size % self.step
        if whole:
            self.segments.append(buf[:whole].reshape(-1, self.step).sum(axis=1))
        self.tail = buf[whole:]

    def finish(self) -> list[AnalyzerResult]:
        segments = np.concatenate(self.segments) if self.segments else np.zeros(0)
        if segments.size >= 4:
            blocks = np.lib.stride_tricks.sliding_window_view(segments, 4).sum(axis=1) / (4 * self.step)
        else:
            blocks = np.zeros(0)
        integrated, relative = dsp.gated_loudness(blocks)
        block_loudness = -0.691 + 10.0 * np.log10(np.maximum(blocks, 1e-10))
        return [
            AnalyzerResult(
                f"{self.pid}.loudness", "Integrated loudness", "LUFS", "global", np.array([round(integrated, 3)])
            ),
            AnalyzerResult(
                f"{self.pid}.relative_threshold",
                "Relative gating threshold",
                "LUFS",
                "global",
                np.array([round(relative, 3)]),
            ),
            self.framewise("block_loudness", "Momentary (400 ms) loudness", "LUFS", block_loudness),
        ]
