"""Result containers round-trip through JSON, YAML, XML and HDF5 with every block intact."""

from __future__ import annotations

import numpy as np
import pytest

from polyphony.analysis.engine.pipeline import analyze_array
from polyphony.analysis.engine.processors import PROCESSORS, normalize_parameters
from polyphony.analysis.formats import containers


def sample_entries() -> list[containers.Entry]:
    rate = 8000
    x = np.concatenate([np.zeros(rate), 0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)])
    entries: list[containers.Entry] = []
    for pid in ("level", "silence", "mfcc", "tempo"):
        processor = PROCESSORS[pid]
        params = normalize_parameters(processor, {"fmax": 4000.0} if pid == "mfcc" else {})
        (results,) = analyze_array(x, rate, [(processor, params)])
        entries += containers.build(
            results,
            {"version": processor.version, "author": "t", "proc_uuid": "p"},
            {"uri": "u", "start": 0.0, "duration": 2.0, "sha1": "s", "channels": 1},
            params,
        )
    return entries


def same(a: list[containers.Entry], b: list[containers.Entry]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert {k: v for k, v in x.items() if k != "data_object"} == {k: v for k, v in y.items() if k != "data_object"}
        assert set(x["data_object"]) == set(y["data_object"])
        for key, value in x["data_object"].items():
            if key in containers.ARRAYS:
                np.testing.assert_allclose(
                    np.asarray(value, dtype=float), np.asarray(y["data_object"][key], float), rtol=1e-6
                )
                assert np.shape(value) == np.shape(y["data_object"][key])
            else:
                assert value == y["data_object"][key]


@pytest.mark.parametrize("fmt", ["json", "yaml", "xml", "hdf5"])
def test_round_trip(fmt: str) -> None:
    entries = sample_entries()
    assert {e["time_mode"] for e in entries} == {"global", "segment", "framewise", "event"}
    loaded = containers.load(containers.dump(entries, fmt), fmt)
    same(entries, loaded)
    mfcc = next(e for e in loaded if e["id_metadata"]["id"] == "mfcc")
    assert mfcc["data_object"]["value"].ndim == 2 and mfcc["frame_metadata"]["stepsize"] == 512


def test_unknown_format() -> None:
    from polyphony.core.errors import NotFound

    with pytest.raises(NotFound):
        containers.dump([], "pickle")
