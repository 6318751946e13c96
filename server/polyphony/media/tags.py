"""Read tags and audio properties from one audio file (mutagen + libsndfile). No database here."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mutagen
import soundfile
from mutagen.easyid3 import EasyID3
from mutagen.id3 import ID3

AUDIO_EXTENSIONS = {
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".m4a": "audio/mp4",
    ".mp4": "audio/mp4",
    ".aac": "audio/aac",
    ".wav": "audio/wav",
    ".aif": "audio/aiff",
    ".aiff": "audio/aiff",
}


class _EasyView:
    """Easy (format-neutral) tag names over a raw ID3 tag, as WAV and AIFF files carry them."""

    def __init__(self, id3: ID3) -> None:
        self._id3 = id3

    def get(self, key: str) -> list[str] | None:
        getter = EasyID3.Get.get(key)
        if getter is None:
            return None
        try:
            return list(getter(self._id3, key))
        except (KeyError, ValueError):
            return None


class UnreadableFile(Exception):
    """The file is not audio we can read (corrupt, truncated, unsupported)."""


@dataclass
class FileInfo:
    path: Path
    size: int
    mtime_ns: int
    fingerprint: str
    mimetype: str
    title: str
    artists: list[str]
    album: str | None = None
    albumartist: str | None = None
    values: dict[str, Any] = field(default_factory=dict)  # other AURA attributes (column names)


def fingerprint(path: Path, size: int) -> str:
    """Content fingerprint (size + head + tail): survives a move or rename, changes with the audio."""
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        h.update(fh.read(65536))
        if size > 131072:
            fh.seek(-65536, os.SEEK_END)
            h.update(fh.read(65536))
    return h.hexdigest()


def _first(tags: Any, key: str) -> str | None:
    try:
        values = tags.get(key)
    except (ValueError, KeyError):
        return None
    if not values:
        return None
    value = str(values[0]).strip()
    return value or None


def _all(tags: Any, key: str) -> list[str]:
    try:
        values = tags.get(key) or []
    except (ValueError, KeyError):
        return []
    out: list[str] = []
    for v in values:
        for part in re.split(r"\s*;\s*|\x00", str(v)):
            if part.strip() and part.strip() not in out:
                out.append(part.strip())
    return out


def _number_pair(value: str | None) -> tuple[int | None, int | None]:
    if not value:
        return None, None
    m = re.match(r"^\s*(\d+)\s*(?:/\s*(\d+))?", value)
    if not m:
        return None, None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def _date(value: str | None) -> tuple[int | None, int | None, int | None]:
    if not value:
        return None, None, None
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value)
    if not m:
        return None, None, None
    return tuple(int(g) if g else None for g in m.groups())  # type: ignore[return-value]


def read_file(path: Path) -> FileInfo:
    mimetype = AUDIO_EXTENSIONS.get(path.suffix.lower())
    if mimetype is None:
        raise UnreadableFile(f"{path}: not a supported audio extension")
    st = path.stat()
    try:
        audio = mutagen.File(path, easy=True)
    except Exception as exc:  # mutagen raises many types for corrupt files
        raise UnreadableFile(f"{path}: {exc}") from exc
    if audio is None or audio.info is None:
        raise UnreadableFile(f"{path}: not recognised as audio")
    info = audio.info
    tags: Any = audio.tags if audio.tags is not None else {}
    if isinstance(tags, ID3) and not isinstance(tags, EasyID3):
        tags = _EasyView(tags)
    values: dict[str, Any] = {}
    framerate = getattr(info, "sample_rate", None)
    length = float(getattr(info, "length", 0.0) or 0.0)
    channels = getattr(info, "channels", None)
    bitdepth = getattr(info, "bits_per_sample", None)
    if path.suffix.lower() in (".wav", ".aif", ".aiff", ".flac"):
        try:  # exact frame count from libsndfile
            sf_info = soundfile.info(str(path))
            framerate, channels = sf_info.samplerate, sf_info.channels
            values["framecount"] = sf_info.frames
            length = sf_info.frames / sf_info.samplerate if sf_info.samplerate else length
            bits = {"PCM_16": 16, "PCM_24": 24, "PCM_32": 32, "PCM_U8": 8, "PCM_S8": 8, "FLOAT": 32, "DOUBLE": 64}
            bitdepth = bitdepth or bits.get(sf_info.subtype)
        except RuntimeError as exc:
            raise UnreadableFile(f"{path}: {exc}") from exc
    if path.suffix.lower() == ".opus":
        framerate = 48000
    if path.suffix.lower() in (".m4a", ".mp4") and getattr(info, "codec", "") != "alac":
        bitdepth = None  # AAC is lossy: MP4's 16-bit sample-size field describes no real bit depth
    if framerate:
        values["framerate"] = int(framerate)
        values.setdefault("framecount", round(length * framerate))
    values["duration"] = length
    if channels:
        values["channels"] = int(channels)
    bitrate = getattr(info, "bitrate", None)
    if not bitrate and length > 0:
        bitrate = int(st.st_size * 8 / length)
    if bitrate:
        values["bitrate"] = int(bitrate)
    if bitdepth:
        values["bitdepth"] = int(bitdepth)
    values["track"], values["tracktotal"] = _number_pair(_first(tags, "tracknumber"))
    if values["tracktotal"] is None:
        values["tracktotal"] = _number_pair(_first(tags, "tracktotal"))[0]
    values["disc"], values["disctotal"] = _number_pair(_first(tags, "discnumber"))
    if values["disctotal"] is None:
        values["disctotal"] = _number_pair(_first(tags, "disctotal"))[0]
    values["year"], values["month"], values["day"] = _date(_first(tags, "date") or _first(tags, "originaldate"))
    bpm = _first(tags, "bpm")
    values["bpm"] = int(float(bpm)) if bpm and re.match(r"^\d+(\.\d+)?$", bpm) else None
    genres = _all(tags, "genre")
    values["genre"] = ", ".join(genres) or None
    composers = _all(tags, "composer")
    values["composer"] = ", ".join(composers) or None
    values["recording_mbid"] = _first(tags, "musicbrainz_trackid")
    values["track_mbid"] = _first(tags, "musicbrainz_releasetrackid")
    values["comments"] = _first(tags, "comment") or _first(tags, "description")
    values["release_mbid"] = _first(tags, "musicbrainz_albumid")
    values["release_group_mbid"] = _first(tags, "musicbrainz_releasegroupid")
    values["artist_mbid"] = _first(tags, "musicbrainz_artistid")
    artists = _all(tags, "artist")
    return FileInfo(
        path=path,
        size=st.st_size,
        mtime_ns=st.st_mtime_ns,
        fingerprint=fingerprint(path, st.st_size),
        mimetype=mimetype,
        title=_first(tags, "title") or path.stem,
        artists=artists or ["Unknown Artist"],
        album=_first(tags, "album"),
        albumartist=_first(tags, "albumartist"),
        values=values,
    )
