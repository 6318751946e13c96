from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from polyphony.analysis.engine.pipeline import analyze_file
from polyphony.analysis.engine.processors import FLOOR_DB, PROCESSORS, AnalyzerResult, validate_parameters
from polyphony.core.errors import InvalidArgument
from tests.unit.analysis.conftest import RATE, encode, sine


def run(
    pid: str, samples: np.ndarray, params: dict[str, object] | None = None, block: int = 1000
) -> dict[str, AnalyzerResult]:
    analyzer = PROCESSORS[pid].analyzer(RATE, params or {})
    for i in range(0, len(samples), block):
        analyzer.feed(samples[i : i + block])
    return {r.id: r for r in analyzer.finish()}


def test_level_of_a_sine() -> None:
    got = run("level", sine(2.0, amplitude=0.5))
    assert got["level.max"].value[0] == pytest.approx(20 * math.log10(0.5), abs=0.01)  # -6.02 dBFS
    assert got["level.rms"].value[0] == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.01)  # -9.03


def test_level_of_silence_is_the_floor() -> None:
    got = run("level", np.zeros(RATE))
    assert got["level.max"].value == [FLOOR_DB] and got["level.rms"].value == [FLOOR_DB]


def test_mean_dc_shift() -> None:
    assert run("mean_dc_shift", np.zeros(RATE))["mean_dc_shift"].value == [0.0]
    assert run("mean_dc_shift", sine(1.0, amplitude=0.5))["mean_dc_shift"].value[0] == pytest.approx(0.0, abs=0.01)
    shifted = sine(1.0, amplitude=0.5) + 0.1
    assert run("mean_dc_shift", shifted)["mean_dc_shift"].value[0] == pytest.approx(10.0, abs=0.01)


def test_zero_crossing_rate_of_a_sine_and_silence() -> None:
    got = run("zero_crossing_rate", sine(1.0, freq=440.0) + 1e-9, {"blocksize": 800, "stepsize": 400}, block=333)
    zcr = got["zero_crossing_rate"]
    assert zcr.time_mode == "framewise"
    assert zcr.frame_metadata == {"samplerate": RATE, "blocksize": 800, "stepsize": 400}
    assert len(zcr.value) == 19
    assert all(v == pytest.approx(880, rel=0.02) for v in zcr.value)
    assert set(run("zero_crossing_rate", np.zeros(RATE))["zero_crossing_rate"].value) == {0.0}


def test_parameters_are_checked_against_the_schema() -> None:
    zcr = PROCESSORS["zero_crossing_rate"]
    assert validate_parameters(zcr, {"blocksize": 2048.0}) == {"blocksize": 2048, "stepsize": 512}
    for bad in ({"blocksize": "big"}, {"blocksize": 1}, {"nope": 1}, {"blocksize": 64, "stepsize": 128}, [1]):
        with pytest.raises(InvalidArgument) as err:
            validate_parameters(zcr, bad)
        assert err.value.field == "parameters"
    assert PROCESSORS["zero_crossing_rate"].parameters_default == {"blocksize": 1024, "stepsize": 512}
    assert PROCESSORS["level"].version == "1.0"


def test_analyze_file_decodes_once_for_several_analyzers(tmp_path: Path) -> None:
    path = tmp_path / "s.wav"
    path.write_bytes(encode(np.stack([sine(1.0, amplitude=0.5), sine(1.0, amplitude=0.5)], axis=1)))
    level, dc = analyze_file(path, [(PROCESSORS["level"], {}), (PROCESSORS["mean_dc_shift"], {})])
    assert level[0].value[0] == pytest.approx(-6.02, abs=0.02)  # 16-bit PCM round trip
    assert dc[0].value[0] == pytest.approx(0.0, abs=0.01)


def test_encoders_are_registered_processors() -> None:
    from polyphony.analysis.engine.processors import ENCODERS, REGISTRY, get_processor, normalize_parameters
    from polyphony.analysis.items.downloads import BY_EXT, encoder_pid

    assert set(ENCODERS) == {encoder_pid(ext) for ext in BY_EXT}
    assert set(PROCESSORS) | set(ENCODERS) == set(REGISTRY) and not set(PROCESSORS) & set(ENCODERS)
    flac = get_processor("flac_encoder")
    assert flac.kind == "encoder" and flac.extension == "flac" and flac.version == "1"
    assert normalize_parameters(flac, {}) == {} and flac.parameters_default == {}
    with pytest.raises(InvalidArgument):
        normalize_parameters(flac, {"bitrate": 128})
    with pytest.raises(RuntimeError):
        flac.analyzer(RATE, {})
    assert all(p.kind == "analyzer" for p in PROCESSORS.values())
