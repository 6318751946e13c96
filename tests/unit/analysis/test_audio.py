from __future__ import annotations

from pathlib import Path

import pytest

from polyphony.analysis.items.probe import probe
from polyphony.core.errors import InvalidArgument
from tests.unit.analysis.conftest import RATE, encode, sine


@pytest.mark.parametrize(("fmt", "mime"), [("WAV", "audio/x-wav"), ("FLAC", "audio/flac"), ("OGG", "audio/ogg")])
def test_probe_reads_properties(tmp_path: Path, fmt: str, mime: str) -> None:
    path = tmp_path / f"a.{fmt.lower()}"
    path.write_bytes(encode(sine(1.5), fmt))
    info = probe(path)
    assert info.mime_type == mime
    assert info.samplerate == RATE and info.channels == 1
    assert info.duration == pytest.approx(1.5, abs=0.01)


def test_probe_reads_stereo(tmp_path: Path) -> None:
    import numpy as np

    path = tmp_path / "s.wav"
    path.write_bytes(encode(np.stack([sine(0.5), sine(0.5)], axis=1)))
    assert probe(path).channels == 2


@pytest.mark.parametrize("data", [b"hello, not audio" * 100, b"RIFF\0\0\0\0WAVEjunk" * 50, b""])
def test_probe_rejects_non_audio_naming_the_field(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "x.wav"
    path.write_bytes(data)
    with pytest.raises(InvalidArgument) as err:
        probe(path)
    assert err.value.field == "source_file"
