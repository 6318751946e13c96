"""A small demo library synthesized on first start (nothing is downloaded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile
from mutagen.flac import FLAC

from polyphony.core.config import Settings
from polyphony.core.db import Database

ALBUMS = [
    ("Harmonic Series", "The Oscillators", 2021, ["Fundamental", "Octave", "Fifth", "Major Third"]),
    ("Tuning Forks", "Ada & The Sines", 2023, ["A440", "Middle C", "Low E"]),
]


def synthesize(path: Path, freq: float, seconds: float = 4.0, rate: int = 44100) -> None:
    t = np.arange(int(seconds * rate)) / rate
    envelope = np.minimum(1.0, t * 20) * np.exp(-t / seconds)
    tone = 0.4 * np.sin(2 * np.pi * freq * t) + 0.1 * np.sin(2 * np.pi * 2 * freq * t)
    stereo = np.stack([tone * envelope, tone * envelope * 0.8], axis=1)
    soundfile.write(str(path), stereo, rate, subtype="PCM_16", format="FLAC")


def build_demo_files(root: Path) -> list[Path]:
    files = []
    for a_index, (album, artist, year, titles) in enumerate(ALBUMS):
        folder = root / artist / album
        folder.mkdir(parents=True, exist_ok=True)
        for i, title in enumerate(titles, start=1):
            path = folder / f"{i:02d} {title}.flac"
            if not path.exists():
                synthesize(path, 110.0 * (a_index + 1) * (1 + i / 4))
                tags = FLAC(path)
                tags.update(
                    {
                        "title": title,
                        "artist": artist,
                        "album": album,
                        "albumartist": artist,
                        "tracknumber": f"{i}/{len(titles)}",
                        "date": str(year),
                        "genre": "Electronic",
                    }
                )
                tags.save()
            files.append(path)
    return files


async def ensure_demo_library(settings: Settings) -> None:
    from polyphony.media.scanner import scan

    root = settings.data_dir / "demo-library"
    build_demo_files(root)
    db = Database(settings.resolved_database_url)
    try:
        await scan(db, [root])
    finally:
        await db.dispose()
