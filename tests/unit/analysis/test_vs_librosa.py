"""The analyzers against librosa (a test dependency only) where both compute the same feature."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from polyphony.analysis.engine.analyzers import AnalyzerResult
from polyphony.analysis.engine.pipeline import analyze_array
from polyphony.analysis.engine.processors import PROCESSORS, normalize_parameters

librosa = pytest.importorskip("librosa")  # pinned in the dev extra
SR = 22050
N_FFT, HOP = 2048, 512


@pytest.fixture(scope="module")
def signal() -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(4 * SR) / SR
    f0 = 220 * 2 ** (t / 4)  # a rising harmonic tone plus a little noise
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(0.3 / k * np.sin(k * phase) for k in range(1, 6)) + 0.01 * rng.standard_normal(t.size)
    librosa.stft(x[:4096], n_fft=N_FFT, hop_length=HOP, center=False)  # warm librosa up once (numba, caches)
    return np.asarray(x, dtype=np.float32)


def ours(pid: str, x: np.ndarray, **params: Any) -> dict[str, AnalyzerResult]:
    processor = PROCESSORS[pid]
    (results,) = analyze_array(x, SR, [(processor, normalize_parameters(processor, params))], block=30011)
    return {r.id: r for r in results}


def full_frames(x: np.ndarray) -> int:
    return 1 + (x.size - N_FFT) // HOP  # librosa's frame count with center=False


def test_spectrogram(signal: np.ndarray) -> None:
    ref = np.abs(librosa.stft(signal, n_fft=N_FFT, hop_length=HOP, center=False, window="hann"))
    got = ours("spectrogram_analyzer", signal)["spectrogram_analyzer"].value
    assert got is not None
    n = full_frames(signal)
    np.testing.assert_allclose(got[:n].T, ref, rtol=1e-3, atol=1e-3 * ref.max())


def test_mel_energy(signal: np.ndarray) -> None:
    ref = librosa.feature.melspectrogram(
        y=signal, sr=SR, n_fft=N_FFT, hop_length=HOP, center=False, n_mels=40, fmax=SR / 2, power=2.0
    )
    got = ours("mel_energy", signal)["mel_energy"].value
    assert got is not None
    np.testing.assert_allclose(got[: full_frames(signal)].T, ref, rtol=2e-3, atol=1e-3 * ref.max())


def test_mfcc(signal: np.ndarray) -> None:
    mel = librosa.feature.melspectrogram(
        y=signal, sr=SR, n_fft=N_FFT, hop_length=HOP, center=False, n_mels=40, fmax=SR / 2
    )
    ref = librosa.feature.mfcc(S=librosa.power_to_db(mel, top_db=None), n_mfcc=13)
    got = ours("mfcc", signal)["mfcc"].value
    assert got is not None
    np.testing.assert_allclose(got[: full_frames(signal)].T, ref, atol=0.05)


def test_onset_strength(signal: np.ndarray) -> None:
    mel = librosa.feature.melspectrogram(y=signal, sr=SR, n_fft=N_FFT, hop_length=HOP, center=False, n_mels=128)
    ref = librosa.onset.onset_strength(S=librosa.power_to_db(mel, top_db=None), sr=SR, center=False)
    got = ours("onset_detection_function", signal)["onset_detection_function"].value
    assert got is not None
    n = full_frames(signal)
    np.testing.assert_allclose(got[1:n], ref[1:n], atol=0.02)


def test_spectral_centroid_bandwidth_rolloff_flatness(signal: np.ndarray) -> None:
    kw: dict[str, Any] = {"y": signal, "sr": SR, "n_fft": N_FFT, "hop_length": HOP, "center": False}
    got = ours("spectral_descriptors", signal)
    n = full_frames(signal)
    pairs = {
        "centroid": librosa.feature.spectral_centroid(**kw)[0],
        "spread": librosa.feature.spectral_bandwidth(**kw)[0],
        "rolloff": librosa.feature.spectral_rolloff(**kw, roll_percent=0.85)[0],
    }
    for name, ref in pairs.items():
        value = got[f"spectral_descriptors.{name}"].value
        assert value is not None
        np.testing.assert_allclose(value[:n], ref, rtol=2e-3, atol=SR / N_FFT, err_msg=name)
    flat_ref = librosa.feature.spectral_flatness(y=signal, n_fft=N_FFT, hop_length=HOP, center=False)[0]
    flat = got["spectral_descriptors.flatness"].value
    assert flat is not None
    np.testing.assert_allclose(flat[:n], flat_ref, rtol=5e-3, atol=1e-6)


def test_yin(signal: np.ndarray) -> None:
    ref = librosa.yin(
        signal, fmin=40, fmax=2000, sr=SR, frame_length=N_FFT, hop_length=HOP, center=False, trough_threshold=0.1
    )
    got = ours("pitch_yin", signal)["pitch_yin.pitch"].value
    assert got is not None
    n = min(full_frames(signal), ref.size)
    close = np.abs(got[:n] / ref[:n] - 1) < 0.01
    assert close.mean() > 0.95


def test_tempo(signal: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    x = np.zeros(20 * SR, dtype=np.float32)
    for t in np.arange(0.3, 19.8, 60 / 128):
        i = int(t * SR)
        x[i : i + 128] += (np.hanning(128) * rng.standard_normal(128)).astype(np.float32)
    ref = float(np.atleast_1d(librosa.feature.tempo(y=x, sr=SR, hop_length=HOP))[0])
    got = ours("tempo", x)["tempo.bpm"].value
    assert got is not None and got[0] == pytest.approx(ref, rel=0.03) and got[0] == pytest.approx(128, rel=0.02)
