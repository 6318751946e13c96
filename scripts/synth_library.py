"""Generate a synthetic music library for scale tests and benchmarks.

    .venv/bin/python scripts/synth_library.py DATA_DIR --tracks 100000 --real-files 300

Writes `--real-files` small real FLAC files (tagged, under DATA_DIR/synth-library) and scans them, then
bulk-inserts database rows for the remaining tracks (paths under a folder that does not exist, so only the
real files have audio). Artists, albums and track numbers follow a fixed pseudo-random pattern, so two runs
with the same arguments produce the same library. `metadata()` yields the rows, so a benchmark can build
the same library in another server.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile
from mutagen.flac import FLAC
from sqlalchemy import insert, select

from polyphony.app import migrate
from polyphony.core.db import Database
from polyphony.media.cache import bump_generation
from polyphony.media.models import Album, Artist, Track, TrackArtist

GENRES = ["Rock", "Jazz", "Electronic", "Classical", "Folk", "Hip-Hop", "Ambient", "Pop"]
TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 5


def metadata(n: int) -> Iterator[dict[str, object]]:
    """Deterministic tags for n tracks: 10 tracks per album, 5 albums per artist."""
    rng = random.Random(42)
    for i in range(n):
        album_no = i // TRACKS_PER_ALBUM
        artist_no = album_no // ALBUMS_PER_ARTIST
        yield {
            "title": f"Song {i:06d} {rng.choice(['Blue', 'Red', 'Night', 'Day', 'Sea', 'Sky'])}",
            "artist": f"Artist {artist_no:05d}",
            "album": f"Album {album_no:05d}",
            "track": i % TRACKS_PER_ALBUM + 1,
            "tracktotal": TRACKS_PER_ALBUM,
            "year": 1960 + (album_no * 7) % 64,
            "genre": GENRES[album_no % len(GENRES)],
        }


def write_real_file(path: Path, tags: dict[str, object], seconds: float = 2.0, rate: int = 22050) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(seconds * rate)) / rate
    freq = 220 + (hash(path.name) % 400)
    soundfile.write(str(path), 0.3 * np.sin(2 * np.pi * freq * t), rate, format="FLAC", subtype="PCM_16")
    audio = FLAC(path)
    for key in ("title", "artist", "album", "genre"):
        audio[key] = str(tags[key])
    audio["tracknumber"] = f"{tags['track']}/{tags['tracktotal']}"
    audio["date"] = str(tags["year"])
    audio.save()


def real_file_path(root: Path, tags: dict[str, object]) -> Path:
    return root / str(tags["artist"]) / str(tags["album"]) / f"{tags['track']:02d}.flac"


async def build(data_dir: Path, tracks: int, real_files: int, database_url: str | None = None) -> float:
    from polyphony.media.scanner import scan

    started = time.monotonic()
    root = data_dir / "synth-library"
    rows = list(metadata(tracks))
    for tags in rows[:real_files]:
        path = real_file_path(root, tags)
        if not path.exists():
            write_real_file(path, tags)
    db = Database(database_url or f"sqlite+aiosqlite:///{(data_dir / 'polyphony.db').resolve()}")
    await migrate(db)
    await scan(db, [root])
    async with db.transaction() as session:
        artists = {a.name: a.id for a in (await session.scalars(select(Artist))).all()}
        albums = {a.key: a.id for a in (await session.scalars(select(Album))).all()}
        for tags in rows[real_files:]:
            name = str(tags["artist"])
            if name not in artists:
                created = await session.execute(insert(Artist).values(name=name).returning(Artist.id))
                artists[name] = created.scalar_one()
            key = f"{tags['album']}\x1f{name}"
            if key not in albums:
                albums[key] = (
                    await session.execute(
                        insert(Album)
                        .values(
                            key=key,
                            title=tags["album"],
                            artist=name,
                            tracktotal=tags["tracktotal"],
                            year=tags["year"],
                            genre=tags["genre"],
                        )
                        .returning(Album.id)
                    )
                ).scalar_one()
        batch: list[dict[str, object]] = []
        links: list[tuple[str, str]] = []
        for i, tags in enumerate(rows[real_files:], start=real_files):
            name = str(tags["artist"])
            path = f"/nonexistent/synthetic/{i:07d}.flac"
            batch.append(
                dict(
                    tags,
                    path=path,
                    file_size=1_000_000,
                    mtime_ns=0,
                    fingerprint=f"{i:064d}",
                    album_id=albums[f"{tags['album']}\x1f{name}"],
                    albumartist=name,
                    mimetype="audio/flac",
                    duration=180.0,
                    framerate=44100,
                    framecount=7938000,
                    channels=2,
                    bitrate=900_000,
                    bitdepth=16,
                )
            )
            links.append((path, name))
            if len(batch) == 5000:
                await _flush(session, batch, links, artists)
        await _flush(session, batch, links, artists)
        await bump_generation(session)
    await db.dispose()
    return time.monotonic() - started


async def _flush(
    session: object, batch: list[dict[str, object]], links: list[tuple[str, str]], artists: dict[str, int]
) -> None:
    from sqlalchemy.ext.asyncio import AsyncSession

    assert isinstance(session, AsyncSession)
    if not batch:
        return
    result = await session.execute(insert(Track).returning(Track.id, Track.path), batch)
    ids = {path: tid for tid, path in result.all()}
    await session.execute(
        insert(TrackArtist),
        [{"track_id": ids[path], "artist_id": artists[name], "position": 0} for path, name in links],
    )
    batch.clear()
    links.clear()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--tracks", type=int, default=100_000)
    parser.add_argument("--real-files", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    seconds = asyncio.run(build(args.data_dir, args.tracks, args.real_files, args.database_url))
    print(f"built {args.tracks} tracks ({args.real_files} real files) in {seconds:.1f}s")


if __name__ == "__main__":
    main()
