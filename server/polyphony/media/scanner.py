"""Import audio files into the library: new files added, changed files updated, unchanged skipped,
moved files keep their id (matched by content fingerprint), removed files dropped. A corrupt file is
reported and skipped; it never aborts the scan or touches what is already stored."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.config import Settings
from polyphony.core.db import Database
from polyphony.core.errors import FailedPrecondition, NotFound, PermissionDenied
from polyphony.media.cache import bump_generation
from polyphony.media.images import FoundImage, embedded_images, folder_images
from polyphony.media.models import Album, Artist, Image, Track, TrackArtist
from polyphony.media.tags import AUDIO_EXTENSIONS, FileInfo, UnreadableFile, read_file

VARIOUS_ARTISTS = "Various Artists"


@dataclass
class ScanReport:
    seen: int = 0
    added: int = 0
    updated: int = 0
    moved: int = 0
    unchanged: int = 0
    removed: int = 0
    albums_removed: int = 0
    failed: list[str] = field(default_factory=list)


def audio_files(roots: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for root in roots:
        if root.is_file():
            out.append(root.resolve())
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in AUDIO_EXTENSIONS and path.is_file():
                out.append(path.resolve())
    return out


async def _artist(session: AsyncSession, cache: dict[str, Artist], name: str, mbid: str | None) -> Artist:
    if name in cache:
        return cache[name]
    artist = await session.scalar(select(Artist).where(Artist.name == name))
    if artist is None:
        artist = Artist(name=name, artist_mbid=mbid)
        session.add(artist)
        await session.flush()
    cache[name] = artist
    return artist


async def _album(session: AsyncSession, info: FileInfo) -> Album | None:
    if not info.album:
        return None
    # Grouped by album + album artist; without an album-artist tag, by album + folder, so an album
    # whose tracks have different artists stays one album (credited to "Various Artists").
    track_artist = ", ".join(info.artists)
    key = f"{info.album}\x1f{info.albumartist}" if info.albumartist else f"{info.album}\x1e{info.path.parent}"
    album = await session.scalar(select(Album).where(Album.key == key))
    v = info.values
    if album is None:
        album = Album(key=key, title=info.album, artist=info.albumartist or track_artist)
        session.add(album)
    elif not info.albumartist and album.artist != track_artist:
        album.artist = VARIOUS_ARTISTS
    for attr in ("tracktotal", "disctotal", "year", "month", "day", "genre", "release_mbid", "release_group_mbid"):
        if v.get(attr) is not None:
            setattr(album, attr, v[attr])
    await session.flush()
    return album


async def _store(session: AsyncSession, track: Track | None, info: FileInfo, artists: dict[str, Artist]) -> Track:
    album = await _album(session, info)
    if track is None:
        track = Track(path=str(info.path))
        session.add(track)
    track.path = str(info.path)
    track.file_size, track.mtime_ns, track.fingerprint = info.size, info.mtime_ns, info.fingerprint
    track.title, track.artist, track.mimetype = info.title, ", ".join(info.artists), info.mimetype
    track.album, track.albumartist = info.album, info.albumartist
    track.album_id = album.id if album else None
    for attr in (
        "track",
        "tracktotal",
        "disc",
        "disctotal",
        "year",
        "month",
        "day",
        "bpm",
        "genre",
        "recording_mbid",
        "track_mbid",
        "composer",
        "comments",
        "duration",
        "framerate",
        "framecount",
        "channels",
        "bitrate",
        "bitdepth",
    ):
        setattr(track, attr, info.values.get(attr))
    await session.flush()
    await session.execute(delete(TrackArtist).where(TrackArtist.track_id == track.id))
    for pos, name in enumerate(info.artists):
        artist = await _artist(session, artists, name, info.values.get("artist_mbid") if pos == 0 else None)
        session.add(TrackArtist(track_id=track.id, artist_id=artist.id, position=pos))
    await session.execute(delete(Image).where(Image.track_id == track.id))
    found = await asyncio.to_thread(embedded_images, info.path)
    if album is not None:
        found += await asyncio.to_thread(folder_images, info.path.parent)
    for image in found:
        await _store_image(session, image, album.id if album else None, track.id if image.embedded_index >= 0 else None)
    return track


async def _store_image(session: AsyncSession, found: FoundImage, album_id: int | None, track_id: int | None) -> None:
    """One image per album and content: the same cover embedded in every track is stored once."""
    if album_id is not None:
        existing = await session.scalar(select(Image).where(Image.album_id == album_id, Image.sha256 == found.sha256))
        if existing is not None:
            if existing.track_id is None and existing.embedded_index >= 0:
                existing.track_id = track_id
            return
    session.add(
        Image(
            album_id=album_id,
            track_id=track_id,
            path=str(found.path),
            embedded_index=found.embedded_index,
            sha256=found.sha256,
            role=found.role,
            mimetype=found.mimetype,
            width=found.width,
            height=found.height,
            size=found.data_size,
        )
    )
    await session.flush()


async def scan(
    db: Database,
    roots: list[Path],
    progress: Callable[[int, int, str], None] | None = None,
    *,
    remove_missing: bool = True,
) -> ScanReport:
    report = ScanReport()
    files = await asyncio.to_thread(audio_files, roots)
    total = len(files)
    root_prefixes = [str(r.resolve()) for r in roots]
    async with db.session() as session:
        known = {
            t.path: t
            for t in (await session.scalars(select(Track))).all()
            if any(t.path == p or t.path.startswith(p.rstrip(os.sep) + os.sep) for p in root_prefixes)
        }
    by_fingerprint = {t.fingerprint: t for t in known.values()}
    present = {str(p) for p in files}
    artists: dict[str, Artist] = {}
    for i, path in enumerate(files):
        report.seen += 1
        existing = known.get(str(path))
        try:
            st = path.stat()
            if existing is not None and existing.file_size == st.st_size and existing.mtime_ns == st.st_mtime_ns:
                report.unchanged += 1
                continue
            info = await asyncio.to_thread(read_file, path)
        except (UnreadableFile, OSError) as exc:
            report.failed.append(str(exc))
            continue
        finally:
            if progress:
                progress(i + 1, total, path.name)
        async with db.transaction() as session:
            # First: bumping the generation locks its row (SQLite: the write lock is held from the start), so
            # the writes of concurrent scans serialize and each one decides on the rows as they are now,
            # never on the snapshot `known` taken before (which another scan may have changed since).
            await bump_generation(session)
            artists.clear()
            current = await session.scalar(select(Track).where(Track.path == str(path)))
            if current is None:
                moved = by_fingerprint.get(info.fingerprint)
                track = await session.get(Track, moved.id) if moved is not None and moved.path not in present else None
                if track is not None and track.path not in present:
                    known.pop(track.path, None)
                    await _store(session, track, info, artists)
                    report.moved += 1
                    continue
                await _store(session, None, info, artists)
                report.added += 1
            else:
                await _store(session, current, info, artists)
                report.updated += 1
    if remove_missing:
        gone = [t.id for p, t in known.items() if p not in present]
        if gone:
            async with db.transaction() as session:
                await bump_generation(session)
                # only the tracks still at a missing path: another scan may have moved one since
                still = [
                    track_id
                    for track_id, track_path in (
                        await session.execute(select(Track.id, Track.path).where(Track.id.in_(gone)))
                    ).all()
                    if track_path not in present
                ]
                await session.execute(delete(Track).where(Track.id.in_(still)))
            report.removed = len(still)
    report.albums_removed = await drop_empty_albums(db)
    return report


async def drop_empty_albums(db: Database) -> int:
    """Delete the albums no track belongs to any more (their tracks moved to another folder, so to another
    album, or were removed). Decided under the generation lock, so a concurrent scan that is adding a track
    to an album (album and track in one transaction) is never seen half-way."""

    def empty() -> Any:
        return ~select(Track.id).where(Track.album_id == Album.id).exists()

    async with db.session() as session:
        if await session.scalar(select(Album.id).where(empty()).limit(1)) is None:
            return 0  # the common case: nothing to do, no write, caches stay valid
    async with db.transaction() as session:
        await bump_generation(session)
        ids = list((await session.scalars(select(Album.id).where(empty()))).all())
        if ids:
            await session.execute(delete(Image).where(Image.album_id.in_(ids)))  # folder covers
            await session.execute(delete(Album).where(Album.id.in_(ids)))
        return len(ids)


def resolve_roots(requested: list[str], library_dirs: tuple[str, ...]) -> list[Path]:
    """The folders a remote scan may touch: the configured library folders or paths inside them."""
    if not library_dirs:
        raise FailedPrecondition("no library folders are configured (set POLYPHONY_LIBRARY_DIRS)")
    allowed = [Path(d).resolve() for d in library_dirs]
    if not requested:
        return allowed
    roots = []
    for raw in requested:
        path = Path(raw).resolve()
        if not any(path == a or a in path.parents for a in allowed):
            raise PermissionDenied(f"{raw} is outside the library folders", field="paths")
        if not path.exists():
            raise NotFound(f"{raw} does not exist")
        roots.append(path)
    return roots


async def scan_command(settings: Settings, roots: list[Path]) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    db = Database(settings.resolved_database_url)
    try:
        with Progress(
            TextColumn("scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.0f} files/s"),
            TimeRemainingColumn(),
            TextColumn("{task.description}"),
            console=console,
        ) as bar:
            task = bar.add_task("", total=None, rate=0.0)

            def progress(done: int, total: int, name: str) -> None:
                speed = bar.tasks[0].speed or 0.0
                bar.update(task, completed=done, total=total, description=name[:40], rate=speed)

            report = await scan(db, roots, progress)
    finally:
        await db.dispose()
    console.print(
        f"{report.seen} files: {report.added} added, {report.updated} updated, {report.moved} moved, "
        f"{report.unchanged} unchanged, {report.removed} removed, {len(report.failed)} unreadable, "
        f"{report.albums_removed} empty albums dropped"
    )
    for failure in report.failed:
        console.print(f"  skipped: {failure}", style="yellow")
    return 0
