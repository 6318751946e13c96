"""Results streamed to disk: the same numbers as in memory, any format streamed from the HDF5 file, and
memory that does not grow with the length of the file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import soundfile as sf
import yaml

from polyphony.analysis.engine.pipeline import analyze_array, analyze_file
from polyphony.analysis.engine.processors import PROCESSORS, normalize_parameters
from polyphony.analysis.engine.series import HDF5Output
from polyphony.analysis.formats import containers
from tests.unit.analysis.test_containers import same

RATE = 8000
# Frame-wise results appended as they are computed (the others are global, events or segments, or a compact
# per-frame envelope a global computation needs whole: the onset function, 400 ms loudness blocks).
STREAMED = {
    "spectrogram_analyzer",
    "mel_energy",
    "mfcc",
    "pitch_yin",
    "spectral_descriptors",
    "waveform_analyzer",
    "zero_crossing_rate",
}
ID_META = {"version": "1.0", "author": "t", "proc_uuid": "p"}
AUDIO_META = {"uri": "u", "start": 0.0, "duration": 3.0, "sha1": "s", "channels": 1}


def signal() -> np.ndarray:
    rng = np.random.default_rng(3)
    t = np.arange(3 * RATE) / RATE
    x = 0.4 * np.sin(2 * np.pi * 330 * t) * (t > 0.5) + 0.01 * rng.standard_normal(t.size)
    x[:: RATE // 2] += 0.8  # clicks, for onsets and beats
    return np.asarray(x, dtype=np.float32)


def params_for(pid: str) -> dict[str, Any]:
    extra = {"fmax": 4000.0} if pid in ("mfcc", "mel_energy") else {}
    return normalize_parameters(PROCESSORS[pid], extra)


def write_container(path: Path, pid: str, x: np.ndarray, block: int) -> None:
    params = params_for(pid)
    with h5py.File(path, "w") as f:
        (results,) = analyze_array(x, RATE, [(PROCESSORS[pid], params)], block=block, outputs=[HDF5Output(f)])
        containers.write_results(f, results, ID_META, AUDIO_META, params)


@pytest.mark.parametrize("pid", sorted(PROCESSORS))
def test_streamed_results_equal_the_in_memory_ones(pid: str, tmp_path: Path) -> None:
    x = signal()
    params = params_for(pid)
    (in_memory,) = analyze_array(x, RATE, [(PROCESSORS[pid], params)], block=1237)
    expected = containers.build(in_memory, ID_META, AUDIO_META, params)
    path = tmp_path / "c.hdf5"
    write_container(path, pid, x, block=1237)  # blocks smaller than a frame: many appends per dataset
    with h5py.File(path, "r") as f:
        for entry in expected:
            if pid in STREAMED:
                stored = f[entry["id_metadata"]["id"]]["data_object"]["value"]
                assert stored.chunks is not None and stored.maxshape[0] is None  # appended, not written whole
    same(expected, containers.from_hdf5(path.read_bytes()))


@pytest.mark.parametrize("fmt", ["json", "yaml", "xml", "hdf5"])
def test_every_format_streams_from_the_hdf5_file(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(containers, "SLICE_VALUES", 5)  # many slices per dataset, rows split across none
    x = signal()
    path = tmp_path / "c.hdf5"
    entries: list[containers.Entry] = []
    with h5py.File(path, "w") as f:
        jobs = [(PROCESSORS[pid], params_for(pid)) for pid in ("level", "silence", "mfcc", "onsets")]
        outputs = [HDF5Output(f) for _ in jobs]
        for (_, params), results in zip(jobs, analyze_array(x, RATE, jobs, outputs=outputs), strict=True):
            entries += containers.build(results, ID_META, AUDIO_META, params)
        for index, entry in enumerate(entries):
            containers._write_entry(f, index, entry)
    reference = containers.from_hdf5(path.read_bytes())
    pieces = list(containers.stream(path, fmt))
    assert len(pieces) >= 1
    loaded = containers.load(b"".join(pieces), fmt)
    same(reference, loaded)
    if fmt == "yaml":
        as_json = json.loads(b"".join(containers.stream(path, "json")))
        assert yaml.safe_load(b"".join(pieces)) == as_json == json.loads(containers.dump(reference, "json"))


def test_yaml_keeps_floats_that_json_spells_without_a_point(tmp_path: Path) -> None:
    entry: containers.Entry = {
        "id_metadata": {"id": "x", "name": "x", "unit": ""},
        "audio_metadata": {},
        "parameters": {},
        "data_object": {"value": np.array([1e-10, -1e20, 2.5, -200.0])},
        "data_mode": "value",
        "time_mode": "global",
    }
    path = tmp_path / "c.hdf5"
    path.write_bytes(containers.to_hdf5([entry]))
    (loaded,) = yaml.safe_load(b"".join(containers.stream(path, "yaml")))
    assert loaded["data_object"]["value"] == [1e-10, -1e20, 2.5, -200.0]


def _peak_traced(path: Path, tmp_path: Path) -> int:
    """Peak of numpy/Python allocations while the default experience's heavy analyzers run on `path`."""
    jobs = [
        (PROCESSORS[pid], normalize_parameters(PROCESSORS[pid], {}))
        for pid in ("spectrogram_analyzer", "mfcc", "pitch_yin", "onsets")
    ]
    files = [h5py.File(tmp_path / f"{path.stem}-{n}.hdf5", "w") for n in range(len(jobs))]
    try:
        tracemalloc.start()
        analyze_file(path, jobs, outputs=[HDF5Output(f) for f in files])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        for f in files:
            f.close()
    return peak


def test_memory_does_not_grow_with_the_length_of_the_file(tmp_path: Path) -> None:
    rate = 22050
    rng = np.random.default_rng(0)
    paths = []
    for minutes in (0.5, 2.5):
        path = tmp_path / f"{minutes}.wav"
        with sf.SoundFile(str(path), "w", rate, 1, format="WAV", subtype="PCM_16") as out:
            for _ in range(int(minutes * 60)):
                out.write((0.1 * rng.standard_normal(rate)).astype(np.float32))
        paths.append(path)
    short, long = (_peak_traced(p, tmp_path) for p in paths)
    # Two more minutes of spectrogram alone would hold 2*60*22050/512 frames x 1025 bins x 4 bytes = 21 MB
    # in memory; streamed to disk, the peak is the working set of one decoded block either way.
    assert long - short < 4 * 2**20, (short, long)
