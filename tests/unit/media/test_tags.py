"""Tags and audio properties of every format the scanner reads, on files synthesized here."""

from __future__ import annotations

from pathlib import Path

import av
import mutagen
import numpy as np
import pytest
import soundfile
from mutagen.id3 import TALB, TCON, TDRC, TIT2, TPE1, TRCK
from mutagen.mp4 import MP4, MP4Cover

from polyphony.media.images import embedded_images
from polyphony.media.tags import UnreadableFile, read_file

FORMATS = [
    ("song.mp3", "MP3", "MPEG_LAYER_III", 44100, "audio/mpeg", None),
    ("song.ogg", "OGG", "VORBIS", 44100, "audio/ogg", None),
    ("song.opus", "OGG", "OPUS", 48000, "audio/ogg", None),
    ("song.flac", "FLAC", "PCM_24", 44100, "audio/flac", 24),
    ("song.wav", "WAV", "PCM_16", 22050, "audio/wav", 16),
    ("song.aiff", "AIFF", "PCM_16", 32000, "audio/aiff", 16),
    ("song.m4a", "MP4", "AAC", 48000, "audio/mp4", None),
]


def _stereo(rate: int, seconds: float = 2.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)], axis=1)


def write_aac(path: Path, rate: int, container: str) -> None:
    """AAC-LC audio in an MP4 (.m4a) or ADTS (.aac) container, encoded with PyAV's bundled FFmpeg."""
    pcm = np.ascontiguousarray(_stereo(rate).T.astype(np.float32))
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream("aac", rate=rate, layout="stereo")
        stream.bit_rate = 128_000
        for start in range(0, pcm.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm[:, start : start + 1024]), format="fltp", layout="stereo"
            )
            frame.sample_rate = rate
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _write(path: Path, fmt: str, subtype: str, rate: int) -> None:
    if fmt == "MP4":
        write_aac(path, rate, "mp4")
    else:
        soundfile.write(str(path), _stereo(rate), rate, format=fmt, subtype=subtype)
    audio = mutagen.File(path, easy=True)
    if audio.tags is None:
        audio.add_tags()
    if fmt in ("WAV", "AIFF"):  # raw ID3 frames inside a RIFF/IFF chunk
        audio.tags.add(TIT2(encoding=3, text="Night Song"))
        audio.tags.add(TPE1(encoding=3, text=["Ann", "Bob"]))
        audio.tags.add(TALB(encoding=3, text="Nights"))
        audio.tags.add(TRCK(encoding=3, text="3/9"))
        audio.tags.add(TDRC(encoding=3, text="2020-05-06"))
        audio.tags.add(TCON(encoding=3, text=["Rock", "Pop"]))
    else:
        audio["title"], audio["artist"], audio["album"] = "Night Song", ["Ann", "Bob"], "Nights"
        audio["tracknumber"], audio["date"], audio["genre"] = "3/9", "2020-05-06", ["Rock", "Pop"]
    audio.save()


@pytest.mark.parametrize(("name", "fmt", "subtype", "rate", "mimetype", "bitdepth"), FORMATS)
def test_every_format_reads_tags_and_properties(
    tmp_path: Path, name: str, fmt: str, subtype: str, rate: int, mimetype: str, bitdepth: int | None
) -> None:
    path = tmp_path / name
    _write(path, fmt, subtype, rate)
    info = read_file(path)
    assert (info.title, info.artists, info.album) == ("Night Song", ["Ann", "Bob"], "Nights")
    v = info.values
    assert (v["track"], v["tracktotal"], v["year"], v["month"], v["day"]) == (3, 9, 2020, 5, 6)
    assert v["genre"] == "Rock, Pop"
    assert info.mimetype == mimetype and v["framerate"] == rate and v["channels"] == 2
    assert abs(v["duration"] - 2.0) < 0.1
    assert v.get("bitdepth") == bitdepth
    assert v["bitrate"] > 0 and info.size == path.stat().st_size and len(info.fingerprint) == 64


def test_untagged_file_falls_back_to_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Untitled Take.wav"
    soundfile.write(str(path), np.zeros(800), 8000)
    info = read_file(path)
    assert info.title == "Untitled Take" and info.artists == ["Unknown Artist"] and info.values["framecount"] == 800


@pytest.mark.parametrize("name", ["broken.flac", "broken.mp3", "broken.wav", "notes.txt"])
def test_corrupt_or_unsupported_files_are_unreadable(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(UnreadableFile):
        read_file(path)


def test_fingerprint_follows_content_not_name(tmp_path: Path) -> None:
    a = tmp_path / "a.wav"
    soundfile.write(str(a), np.ones(1000) * 0.1, 8000)
    b = tmp_path / "b.wav"
    b.write_bytes(a.read_bytes())
    assert read_file(a).fingerprint == read_file(b).fingerprint
    soundfile.write(str(b), np.ones(1000) * 0.2, 8000)
    assert read_file(a).fingerprint != read_file(b).fingerprint


def test_m4a_embedded_cover_and_raw_aac(tmp_path: Path) -> None:
    m4a = tmp_path / "covered.m4a"
    write_aac(m4a, 44100, "mp4")
    png = (
        b"\x89PNG\r\n\x1a\n"
        + (13).to_bytes(4, "big")
        + b"IHDR"
        + (640).to_bytes(4, "big")
        + (480).to_bytes(4, "big")
        + b"\x08\x02\x00\x00\x00"
        + b"\x00" * 4
    )
    tagged = MP4(m4a)
    tagged["\xa9nam"], tagged["aART"] = ["Covered"], ["Various"]
    tagged["covr"] = [MP4Cover(png, imageformat=MP4Cover.FORMAT_PNG)]
    tagged.save()
    info = read_file(m4a)
    assert (info.title, info.albumartist, info.mimetype) == ("Covered", "Various", "audio/mp4")
    [cover] = embedded_images(m4a)
    assert (cover.mimetype, cover.width, cover.height, cover.data_size) == ("image/png", 640, 480, len(png))

    adts = tmp_path / "Raw Stream.aac"
    write_aac(adts, 44100, "adts")
    raw = read_file(adts)  # ADTS carries no tags: the title falls back to the file name
    assert (raw.title, raw.mimetype, raw.values["framerate"], raw.values["channels"]) == (
        "Raw Stream",
        "audio/aac",
        44100,
        2,
    )
    assert abs(raw.values["duration"] - 2.0) < 0.1 and raw.values["bitrate"] > 0
