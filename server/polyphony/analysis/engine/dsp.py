"""Signal-processing building blocks (numpy/scipy only): framing, windows, mel filters, K-weighting,
YIN, peak picking and beat tracking. Everything here is pure and works on numpy arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.fft

Array = np.ndarray
EPS = 1e-10


@dataclass(frozen=True)
class FrameSpec:
    """Frames of `size` samples every `step` samples, the first one starting at sample 0."""

    size: int
    step: int


class Framer:
    """Cuts a stream of blocks into frames; the frames that run past the end are zero-padded at flush.

    After `flush`, frame k starts at k*step for every k with k*step < total samples, so the frame count
    is ceil(total / step) whatever the block sizes were.
    """

    def __init__(self, spec: FrameSpec) -> None:
        self.spec = spec
        self.buf = np.zeros(0, dtype=np.float32)
        self.total = 0

    def push(self, block: Array) -> Array:
        size, step = self.spec.size, self.spec.step
        self.total += block.size
        buf = (
            np.concatenate([self.buf, block.astype(np.float32, copy=False)])
            if self.buf.size
            else block.astype(np.float32, copy=True)
        )
        if buf.size < size:
            self.buf = buf
            return np.zeros((0, size), dtype=np.float32)
        n = (buf.size - size) // step + 1
        frames = np.lib.stride_tricks.sliding_window_view(buf, size)[::step][:n].copy()
        self.buf = buf[n * step :]
        return frames

    def flush(self) -> Array:
        size, step = self.spec.size, self.spec.step
        n = math.ceil(self.buf.size / step) if self.buf.size else 0
        if n == 0:
            return np.zeros((0, size), dtype=np.float32)
        padded = np.zeros((n - 1) * step + size, dtype=np.float32)
        padded[: self.buf.size] = self.buf
        self.buf = np.zeros(0, dtype=np.float32)
        return np.lib.stride_tricks.sliding_window_view(padded, size)[::step][:n].copy()


@lru_cache(maxsize=32)
def hann(size: int) -> Array:
    """The periodic Hann window (as used for STFTs)."""
    return (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(size) / size)).astype(np.float32)


def magnitude(frames: Array) -> Array:
    """|rFFT| of Hann-windowed frames: shape (frames, size // 2 + 1)."""
    if not frames.size:
        return np.zeros((0, frames.shape[1] // 2 + 1), dtype=np.float32)
    spectrum: Array = np.abs(scipy.fft.rfft(frames * hann(frames.shape[1]), axis=1)).astype(np.float32)
    return spectrum


def fft_frequencies(samplerate: int, size: int) -> Array:
    return np.fft.rfftfreq(size, 1.0 / samplerate)


# Mel scale (Slaney's: linear below 1 kHz, logarithmic above) -------------------------------------
_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = math.log(6.4) / 27.0


def hz_to_mel(hz: Array) -> Array:
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _F_SP
    return np.where(hz >= _MIN_LOG_HZ, _MIN_LOG_MEL + np.log(np.maximum(hz, EPS) / _MIN_LOG_HZ) / _LOGSTEP, linear)


def mel_to_hz(mel: Array) -> Array:
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOGSTEP * (mel - _MIN_LOG_MEL)), _F_SP * mel)


@lru_cache(maxsize=32)
def mel_filters(samplerate: int, size: int, n_mels: int, fmin: float, fmax: float) -> Array:
    """Triangular mel filters, area-normalised (Slaney): shape (n_mels, size // 2 + 1)."""
    freqs = fft_frequencies(samplerate, size)
    edges = mel_to_hz(np.linspace(hz_to_mel(np.array(fmin)), hz_to_mel(np.array(fmax)), n_mels + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    out: Array = weights.astype(np.float32)
    return out


def power_db(power: Array) -> Array:
    out: Array = 10.0 * np.log10(np.maximum(power, EPS))
    return out


# ITU-R BS.1770 K-weighting -------------------------------------------------------------------
# The two biquads are given in the recommendation for 48 kHz only; they are the bilinear transforms
# of an analogue high shelf (+4 dB above ~1.68 kHz) and a 2nd-order high pass (~38 Hz). Re-deriving
# them from those analogue parameters gives the filter at any sample rate (and the table at 48 kHz).
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
SHELF_FC = 1681.974450955533
HIGHPASS_Q = 0.5003270373238773
HIGHPASS_FC = 38.13547087602444


def k_weighting(samplerate: int) -> Array:
    """The K-weighting filter as second-order sections (shape (2, 6)) for `samplerate`."""
    k = math.tan(math.pi * SHELF_FC / samplerate)
    vh = 10.0 ** (SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / SHELF_Q + k * k
    shelf = [
        (vh + vb * k / SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * HIGHPASS_FC / samplerate)
    a0 = 1.0 + k / HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / HIGHPASS_Q + k * k) / a0]
    return np.array([shelf, highpass])


def channel_weights(channels: int) -> Array:
    """BS.1770 channel weights: 1 for L, R, C; 0 for the LFE of a 5.1 stream; 1.41 for surrounds."""
    weights = np.ones(channels)
    if channels == 6:
        weights[3] = 0.0
        weights[4:] = 1.41
    elif channels > 3:
        weights[3:] = 1.41
    return weights


def gated_loudness(block_powers: Array) -> tuple[float, float]:
    """(integrated loudness, relative threshold) in LUFS from the weighted mean-square of each block."""
    floor = -70.0
    loud = -0.691 + 10.0 * np.log10(np.maximum(block_powers, EPS))
    above = block_powers[loud > floor]
    if not above.size:
        return floor, floor - 10.0
    relative = -0.691 + 10.0 * math.log10(float(np.mean(above))) - 10.0
    kept = block_powers[(loud > floor) & (loud > relative)]
    integrated = -0.691 + 10.0 * math.log10(float(np.mean(kept))) if kept.size else floor
    return integrated, relative


# YIN -------------------------------------------------------------------------------------------
def yin(frames: Array, samplerate: int, fmin: float, fmax: float, threshold: float) -> tuple[Array, Array]:
    """YIN F0 (Hz) and confidence (1 - aperiodicity) of each frame.

    The difference function uses a window of half the frame; lags between samplerate/fmax and
    samplerate/fmin are searched for the first trough of the cumulative-mean-normalised difference
    below `threshold` (else its global minimum), refined by parabolic interpolation.
    """
    n, size = frames.shape
    if n == 0:
        return np.zeros(0), np.zeros(0)
    width = size // 2
    max_lag = min(size - width, int(samplerate / fmin) + 1)
    min_lag = max(1, int(samplerate / fmax))
    # r(tau) = sum_{j<width} x[j] x[j+tau] for tau <= max_lag reads only the first width + max_lag samples,
    # so a circular correlation of that span (FFT length >= span) has no wrap-around where it is used.
    span = width + max_lag
    nfft = scipy.fft.next_fast_len(span)
    # Single precision like librosa's YIN (twice as fast; pitch agrees with float64 to ~1e-6 relative);
    # the parabolic refinement below runs in float64.
    x = frames[:, :span].astype(np.float32)
    spec = scipy.fft.rfft(x, nfft, axis=1)
    head = scipy.fft.rfft(x[:, :width], nfft, axis=1)
    corr = scipy.fft.irfft(spec * np.conj(head), nfft, axis=1)[:, : max_lag + 1]
    squares = np.empty((n, span + 1), dtype=np.float32)
    squares[:, 0] = 0.0
    np.cumsum(x * x, axis=1, out=squares[:, 1:])
    energy0 = squares[:, width][:, None]
    lags = np.arange(max_lag + 1, dtype=np.float32)
    energy_tau = squares[:, width : width + max_lag + 1] - squares[:, : max_lag + 1]
    diff = np.maximum(energy0 + energy_tau - 2.0 * corr, 0.0)
    diff[:, 0] = 0.0
    cumulative = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    cmnd[:, 1:] = diff[:, 1:] * lags[1:] / np.maximum(cumulative, EPS)
    search = cmnd[:, min_lag:max_lag]
    inner = np.zeros_like(search, dtype=bool)
    inner[:, 1:-1] = (search[:, 1:-1] <= search[:, :-2]) & (search[:, 1:-1] <= search[:, 2:])
    troughs = inner & (search < threshold)
    has = troughs.any(axis=1)
    best = np.where(has, np.argmax(troughs, axis=1), np.argmin(search, axis=1)) + min_lag
    rows = np.arange(n)
    left = cmnd[rows, np.maximum(best - 1, 1)].astype(np.float64)
    mid = cmnd[rows, best].astype(np.float64)
    right = cmnd[rows, np.minimum(best + 1, max_lag)].astype(np.float64)
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > EPS, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    shift = np.clip(shift, -1.0, 1.0)
    period = best + shift
    f0 = samplerate / period
    confidence = np.clip(1.0 - mid, 0.0, 1.0)
    silent = energy0[:, 0] < EPS
    f0[silent] = 0.0
    confidence[silent] = 0.0
    return f0, confidence


# Onsets and beats -----------------------------------------------------------------------------
def pick_peaks(odf: Array, pre: int, post: int, wait: int, delta: float) -> Array:
    """Indices of local maxima of `odf` over [i-pre, i+post] that exceed the local mean by `delta`."""
    if odf.size == 0:
        return np.zeros(0, dtype=int)
    local_max = sliding_max(odf, pre, post)
    kernel = np.ones(pre + post + 1) / (pre + post + 1)
    local_mean = np.convolve(np.pad(odf, (post, pre), mode="edge"), kernel, mode="valid")[: odf.size]
    candidates = np.flatnonzero((odf == local_max) & (odf >= local_mean + delta) & (odf > 0))
    kept: list[int] = []
    for index in candidates:
        if not kept or index - kept[-1] > wait:
            kept.append(int(index))
    return np.array(kept, dtype=int)


def tempo_estimate(
    odf: Array, frame_rate: float, start_bpm: float = 120.0, min_bpm: float = 30.0, max_bpm: float = 300.0
) -> float:
    """Global tempo: the autocorrelation of the onset function weighted by a log-normal tempo prior."""
    if odf.size < 4 or not np.any(odf):
        return 0.0
    x = odf - odf.mean()
    n = scipy.fft.next_fast_len(2 * x.size)
    spec = scipy.fft.rfft(x, n)
    ac = scipy.fft.irfft(spec * np.conj(spec), n)[: x.size]
    lags = np.arange(1, x.size)
    bpm = 60.0 * frame_rate / lags
    valid = (bpm >= min_bpm) & (bpm <= max_bpm)
    if not valid.any():
        return 0.0
    prior = np.exp(-0.5 * (np.log2(bpm / start_bpm)) ** 2)
    score = np.where(valid, ac[1:] * prior, -np.inf)
    best = int(np.argmax(score))
    lag = float(lags[best])
    if 0 < best < score.size - 1 and np.isfinite(score[best - 1]) and np.isfinite(score[best + 1]):
        a, b, c = score[best - 1], score[best], score[best + 1]
        denom = a - 2 * b + c
        if denom != 0:
            lag += 0.5 * (a - c) / denom
    return 60.0 * frame_rate / lag


def track_beats(odf: Array, frame_rate: float, bpm: float, tightness: float = 100.0) -> Array:
    """Frame indices of beats by dynamic programming (Ellis 2007) on the normalised onset function."""
    if bpm <= 0 or odf.size == 0 or not np.any(odf):
        return np.zeros(0, dtype=int)
    period = 60.0 * frame_rate / bpm
    std = np.std(odf)
    local = odf / (std if std > 0 else 1.0)
    window = np.exp(-0.5 * (np.arange(-int(period), int(period) + 1) * 32.0 / period) ** 2)
    local = np.convolve(local, window, mode="same")
    offsets = np.arange(-round(2 * period), -round(period / 2) + 1)
    penalty = -tightness * np.log(-offsets / period) ** 2
    score = np.zeros_like(local)
    back = np.full(local.size, -1, dtype=int)
    first, last = int(offsets[0]), int(offsets[-1])  # offsets run from `first` up to `last` (both < 0)
    for i in range(min(local.size, -first)):  # the first frames: only some predecessors exist
        prev = i + offsets
        ok = prev >= 0
        if ok.any():
            cand = np.where(ok, score[np.maximum(prev, 0)] + penalty, -np.inf)
            j = int(np.argmax(cand))
            score[i] = local[i] + cand[j]
            back[i] = int(prev[j])
        else:
            score[i] = local[i]
    for i in range(-first, local.size):  # then every predecessor exists: a slice, no masking
        cand = score[i + first : i + last + 1] + penalty
        j = int(cand.argmax())
        score[i] = local[i] + cand[j]
        back[i] = i + first + j
    # The last beat: the best-scoring frame among the local maxima near the end.
    maxima = np.flatnonzero((score[1:-1] >= score[:-2]) & (score[1:-1] >= score[2:])) + 1
    if not maxima.size:
        return np.zeros(0, dtype=int)
    cutoff = 0.5 * np.median(score[maxima])
    last = int(maxima[score[maxima] >= cutoff][-1])
    beats = [last]
    while back[beats[-1]] >= 0:
        beats.append(int(back[beats[-1]]))
    beats_arr = np.array(beats[::-1], dtype=int)
    # Trim weak beats at either end (before the music starts or after it stops).
    strength = local[beats_arr]
    threshold = 0.5 * np.sqrt(np.mean(strength**2)) if strength.size else 0.0
    keep = np.flatnonzero(strength >= threshold)
    return beats_arr[keep[0] : keep[-1] + 1] if keep.size else beats_arr


def sliding_max(x: Array, pre: int, post: int) -> Array:
    """max(x[i-pre : i+post+1]) for each i (edges replicated)."""
    padded = np.pad(x, (pre, post), mode="edge")
    out: Array = np.lib.stride_tricks.sliding_window_view(padded, pre + post + 1).max(axis=1)
    return out
