"""Polyphony's analysis pipeline vs librosa on the same 10 minutes of synthesized audio, one core.

    .venv/bin/python benchmarks/analysis_vs_librosa.py [--minutes 10]

Both sides read the same WAV file and compute the same features with the same frame settings
(2048-sample frames, 512 hop, 22050 Hz): peak/RMS level, magnitude spectrogram, onset strength and
onsets, tempo and beats, YIN pitch, MFCC (40 mel bands, 13 coefficients). Polyphony decodes once, in
blocks, for all of them; librosa loads the file then runs each feature. Polyphony's default
experience also includes ITU-R BS.1770 loudness, which librosa lacks: it is timed separately.
Prints x realtime for each side and the speed ratio.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[var] = "1"  # one core on both sides

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402

from polyphony.analysis.engine.pipeline import analyze_file  # noqa: E402
from polyphony.analysis.engine.processors import PROCESSORS, normalize_parameters  # noqa: E402

SR, N_FFT, HOP = 22050, 2048, 512
SAME = ("level", "spectrogram_analyzer", "onsets", "tempo", "pitch_yin", "mfcc")
DEFAULT = (*SAME, "loudness_itu")


def synthesize(minutes: float, path: Path) -> float:
    """A melody of harmonic notes on a 120 bpm click track, with a little noise; returns seconds."""
    rng = np.random.default_rng(0)
    seconds = minutes * 60
    with sf.SoundFile(str(path), "w", SR, 1, format="WAV", subtype="PCM_16") as out:
        note = 0.5
        for _start in np.arange(0, seconds, note):
            t = np.arange(int(note * SR)) / SR
            f0 = 110 * 2 ** (rng.integers(0, 24) / 12)
            tone = sum(0.2 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 5)) * np.exp(-3 * t)
            tone[:256] += rng.standard_normal(256) * np.hanning(512)[256:] * 0.5
            out.write((tone + 0.005 * rng.standard_normal(t.size)).astype(np.float32))
    return seconds


def ours(path: Path, pids: tuple[str, ...]) -> float:
    jobs = [
        (PROCESSORS[p], normalize_parameters(PROCESSORS[p], {"fmax": 2000.0} if p == "pitch_yin" else {})) for p in pids
    ]
    started = time.perf_counter()
    analyze_file(path, jobs)
    return time.perf_counter() - started


def theirs(path: Path) -> float:
    import librosa

    librosa.yin(np.zeros(SR, dtype=np.float32), fmin=40, fmax=2000, sr=SR)  # warm up numba once
    librosa.beat.beat_track(y=np.random.default_rng(0).standard_normal(SR * 5).astype(np.float32), sr=SR)
    started = time.perf_counter()
    y, sr = librosa.load(str(path), sr=None, mono=True)
    peak, rms = float(np.max(np.abs(y))), float(np.sqrt(np.mean(y.astype(np.float64) ** 2)))
    _ = (peak, rms)
    spec = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, center=False))
    mel = librosa.feature.melspectrogram(S=spec**2, sr=sr, n_mels=128)
    env = librosa.onset.onset_strength(S=librosa.power_to_db(mel), sr=sr, center=False)
    librosa.onset.onset_detect(onset_envelope=env, sr=sr, hop_length=HOP)
    librosa.beat.beat_track(onset_envelope=env, sr=sr, hop_length=HOP)
    librosa.yin(y, fmin=40, fmax=2000, sr=sr, frame_length=N_FFT, hop_length=HOP, center=False)
    mel40 = librosa.feature.melspectrogram(S=spec**2, sr=sr, n_mels=40)
    librosa.feature.mfcc(S=librosa.power_to_db(mel40), n_mfcc=13)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.wav"
        seconds = synthesize(args.minutes, path)
        ours(path, DEFAULT)  # warm caches (mel filters, windows)
        t_same = ours(path, SAME)
        t_default = ours(path, DEFAULT)
        t_librosa = theirs(path)
    print(f"audio: {seconds:.0f} s at {SR} Hz mono, one core")
    print(f"polyphony, same features ({', '.join(SAME)}): {t_same:.2f} s = {seconds / t_same:.0f}x realtime")
    print(f"librosa, same features: {t_librosa:.2f} s = {seconds / t_librosa:.0f}x realtime")
    print(f"ratio (librosa time / polyphony time): {t_librosa / t_same:.2f}x")
    print(f"polyphony default experience (+ loudness_itu): {t_default:.2f} s = {seconds / t_default:.0f}x realtime")


if __name__ == "__main__":
    main()
