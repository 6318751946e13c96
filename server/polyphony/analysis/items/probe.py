"""Reading the properties of an uploaded audio file (duration, samplerate, channels, MIME type).

libsndfile (through soundfile) decodes WAV, FLAC, Ogg/Vorbis/Opus, MP3, AIFF and more; mutagen covers
containers libsndfile does not read (MP4/M4A, ...). A file that neither recognises, or whose audio
cannot actually be decoded at its start and end, is rejected: TimeSide could not analyse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mutagen
import soundfile as sf

from polyphony.core.errors import InvalidArgument

_SNDFILE_MIME = {
    "WAV": "audio/x-wav",
    "WAVEX": "audio/x-wav",
    "RF64": "audio/x-wav",
    "W64": "audio/x-wav",
    "FLAC": "audio/flac",
    "OGG": "audio/ogg",
    "MP3": "audio/mpeg",
    "AIFF": "audio/x-aiff",
    "AU": "audio/basic",
    "CAF": "audio/x-caf",
}
_PROBE_FRAMES = 4096


@dataclass(frozen=True)
class AudioInfo:
    mime_type: str
    duration: float  # seconds
    samplerate: int
    channels: int


def _with_sndfile(path: Path) -> AudioInfo | None:
    try:
        with sf.SoundFile(str(path)) as f:
            if f.samplerate <= 0 or f.channels <= 0 or f.frames <= 0:
                return None
            f.read(min(_PROBE_FRAMES, f.frames), dtype="float32")
            if f.seekable() and f.frames > _PROBE_FRAMES:
                f.seek(f.frames - _PROBE_FRAMES)
                f.read(_PROBE_FRAMES, dtype="float32")
            mime = _SNDFILE_MIME.get(f.format, f"audio/x-{f.format.lower()}")
            return AudioInfo(mime, f.frames / f.samplerate, int(f.samplerate), int(f.channels))
    except (sf.LibsndfileError, RuntimeError, ValueError):
        return None


def _with_mutagen(path: Path) -> AudioInfo | None:
    try:
        meta = mutagen.File(str(path))
    except (mutagen.MutagenError, OSError, ValueError):
        return None
    info = getattr(meta, "info", None)
    length = float(getattr(info, "length", 0) or 0)
    rate = int(getattr(info, "sample_rate", 0) or 0)
    channels = int(getattr(info, "channels", 0) or 0)
    if meta is None or length <= 0 or rate <= 0:
        return None
    mimes = list(getattr(meta, "mime", []) or [])
    return AudioInfo(mimes[0] if mimes else "application/octet-stream", length, rate, max(channels, 1))


def probe(path: Path, *, field: str = "source_file") -> AudioInfo:
    """The audio properties of the file at `path`; InvalidArgument naming `field` if it is not audio."""
    if path.stat().st_size == 0:
        raise InvalidArgument("The submitted file is empty.", field=field)
    info = _with_sndfile(path) or _with_mutagen(path)
    if info is None:
        raise InvalidArgument(
            "Upload a valid audio file. The file you uploaded was either not audio or corrupted.", field=field
        )
    return info
