"""Analyzers on known signals: sines, click trains, silence and the EBU -23 LUFS reference."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from polyphony.analysis.engine import dsp
from polyphony.analysis.engine.analyzers import AnalyzerResult
from polyphony.analysis.engine.pipeline import analyze_array
from polyphony.analysis.engine.processors import PROCESSORS, normalize_parameters

SR = 22050


def tone(freq: float, seconds: float, amplitude: float = 0.5, rate: int = SR) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def clicks(bpm: float, seconds: float, rate: int = SR, offset: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    x = np.zeros(int(seconds * rate))
    times = np.arange(offset, seconds - 0.1, 60.0 / bpm)
    burst = np.hanning(64) * np.random.default_rng(1).standard_normal(64) * 0.8
    for t in times:
        i = int(t * rate)
        x[i : i + 64] += burst[: x.size - i]
    return x, times


def run(pid: str, samples: np.ndarray, rate: int = SR, block: int = 10007, **params: Any) -> dict[str, AnalyzerResult]:
    processor = PROCESSORS[pid]
    (results,) = analyze_array(samples, rate, [(processor, normalize_parameters(processor, params))], block=block)
    return {r.id: r for r in results}


def test_frames_do_not_depend_on_block_size() -> None:
    x = np.random.default_rng(0).standard_normal(SR)
    a = run("spectrogram_analyzer", x, block=333)["spectrogram_analyzer"].value
    b = run("spectrogram_analyzer", x, block=SR)["spectrogram_analyzer"].value
    assert a is not None and b is not None and a.shape == b.shape == (math.ceil(SR / 512), 1025)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-4)


def test_spectrogram_peak_is_at_the_sine_frequency() -> None:
    got = run("spectrogram_analyzer", tone(1000.0, 1.0))["spectrogram_analyzer"]
    assert got.value is not None and got.y_value is not None
    peak = got.y_value[np.argmax(got.value[5])]
    assert abs(peak - 1000.0) <= SR / 2048
    log = run("spectrogram_analyzer", tone(1000.0, 1.0), scale="log")["spectrogram_analyzer"]
    assert log.unit == "dB" and log.value is not None
    np.testing.assert_allclose(log.value[5], 20 * np.log10(np.maximum(got.value[5], 1e-10)), atol=1e-3)


@pytest.mark.parametrize("freq", [110.0, 220.0, 440.0, 1000.0])
def test_yin_pitch_of_a_sine(freq: float) -> None:
    got = run("pitch_yin", tone(freq, 1.0))
    pitch, conf = got["pitch_yin.pitch"].value, got["pitch_yin.confidence"].value
    assert pitch is not None and conf is not None
    steady = pitch[2:-5]
    assert np.median(steady) == pytest.approx(freq, rel=0.005)
    assert np.min(conf[2:-5]) > 0.9


def test_yin_on_silence_is_zero() -> None:
    got = run("pitch_yin", np.zeros(SR))
    assert set(got["pitch_yin.pitch"].value.tolist()) == {0.0}  # type: ignore[union-attr]


def test_onsets_of_a_click_train() -> None:
    x, truth = clicks(120.0, 8.0)
    got = run("onsets", x)["onsets"]
    assert got.time is not None and got.time_mode == "event"
    assert len(got.time) == len(truth)
    assert np.max(np.abs(got.time - truth)) < 0.025


@pytest.mark.parametrize("bpm", [90.0, 120.0, 150.0])
def test_tempo_and_beats_of_a_click_train(bpm: float) -> None:
    x, truth = clicks(bpm, 20.0)
    got = run("tempo", x)
    assert got["tempo.bpm"].value[0] == pytest.approx(bpm, rel=0.02)  # type: ignore[index]
    beats = got["tempo.beats"].time
    assert beats is not None and len(beats) >= len(truth) - 2
    nearest = np.min(np.abs(beats[:, None] - truth[None, :]), axis=1)
    assert np.max(nearest) < 0.03


def test_silence_segments() -> None:
    x = np.concatenate([np.zeros(SR), tone(440, 1.0), np.zeros(SR // 2)])
    got = run("silence", x, blocksize=1024)["silence"]
    assert got.label is not None and got.time is not None and got.duration is not None
    assert got.label.tolist() == [0, 1, 0]
    assert got.time[1] == pytest.approx(1.0, abs=1024 / SR)
    assert got.time[2] == pytest.approx(2.0, abs=1024 / SR)
    assert sum(got.duration) == pytest.approx(len(x) / SR, abs=1024 / SR)


def test_level_and_dc() -> None:
    got = run("level", tone(440, 1.0, 0.5))
    assert got["level.max"].value[0] == pytest.approx(-6.02, abs=0.01)  # type: ignore[index]
    assert got["level.rms"].value[0] == pytest.approx(-9.03, abs=0.01)  # type: ignore[index]


def test_k_weighting_matches_the_recommendation_at_48k() -> None:
    sos = dsp.k_weighting(48000)
    np.testing.assert_allclose(sos[0, :3], [1.53512485958697, -2.69169618940638, 1.19839281085285], atol=1e-6)
    np.testing.assert_allclose(sos[0, 3:], [1.0, -1.69065929318241, 0.73248077421585], atol=1e-6)
    np.testing.assert_allclose(sos[1, 3:], [1.0, -1.99004745483398, 0.99007225036621], atol=1e-6)


@pytest.mark.parametrize("rate", [32000, 44100, 48000, 96000])
def test_loudness_of_the_ebu_reference(rate: int) -> None:
    # EBU Tech 3341: a 1 kHz sine at -23 dBFS peak in both channels of a stereo stream reads -23 LUFS.
    amplitude = 10 ** (-23 / 20)
    mono = tone(1000.0, 20.0, amplitude, rate)
    got = run("loudness_itu", np.stack([mono, mono], axis=1), rate=rate)
    assert got["loudness_itu.loudness"].value[0] == pytest.approx(-23.0, abs=0.1)  # type: ignore[index]
    assert got["loudness_itu.relative_threshold"].value[0] == pytest.approx(-33.0, abs=0.1)  # type: ignore[index]


def test_loudness_gating_ignores_silence() -> None:
    amplitude = 10 ** (-23 / 20)
    mono = np.concatenate([tone(1000.0, 10.0, amplitude, 48000), np.zeros(48000 * 10)])
    got = run("loudness_itu", np.stack([mono, mono], axis=1), rate=48000)
    assert got["loudness_itu.loudness"].value[0] == pytest.approx(-23.0, abs=0.1)  # type: ignore[index]


def test_spectral_descriptors_of_a_sine_and_noise() -> None:
    sine = run("spectral_descriptors", tone(2000.0, 1.0))
    assert np.median(sine["spectral_descriptors.centroid"].value) == pytest.approx(2000.0, rel=0.01)  # type: ignore
    assert np.median(sine["spectral_descriptors.flatness"].value) < 0.01  # type: ignore[arg-type]
    noise = run("spectral_descriptors", np.random.default_rng(0).standard_normal(SR) * 0.1)
    assert np.median(noise["spectral_descriptors.flatness"].value) > 0.4  # type: ignore[arg-type]
    assert np.median(noise["spectral_descriptors.centroid"].value) == pytest.approx(SR / 4, rel=0.05)  # type: ignore


def test_waveform_envelope() -> None:
    got = run("waveform_analyzer", tone(100.0, 1.0, 0.5), stepsize=441)
    lo, hi = got["waveform_analyzer.min"].value, got["waveform_analyzer.max"].value
    assert lo is not None and hi is not None and len(lo) == len(hi) == 50
    assert np.all(hi > 0.49) and np.all(lo < -0.49)


def test_no_onset_lies_in_the_zero_padding_past_the_end() -> None:
    """A burst in the last few hundred samples is still found, but placed inside the audio, and the
    padded final frames add no onset of their own."""
    onsets = PROCESSORS["onsets"]
    rate = 22050
    for seed in range(30):
        rng = np.random.default_rng(seed)
        n = int(rate * (1 + rng.random()))
        x = np.zeros(n, dtype=np.float32)
        x[-700:] = 0.8 * rng.standard_normal(700)
        ((result,),) = analyze_array(x, rate, [(onsets, onsets.parameters_default)])
        assert result.time is not None and result.time.size >= 1
        assert result.time.max() <= n / rate
        assert result.time.max() >= (n - 700 - 512) / rate  # the burst at the end is kept
