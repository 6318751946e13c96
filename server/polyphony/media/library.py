"""Queries over the library with AURA semantics: exact filters, multi-key sort, keyset paging."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.media.models import Album, Artist, Track, TrackArtist

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

# AURA attribute name -> Track column (every attribute can be filtered and sorted on).
TRACK_ATTRIBUTES: dict[str, InstrumentedAttribute[Any]] = {
    "title": Track.title, "artist": Track.artist, "album": Track.album, "track": Track.track,
    "tracktotal": Track.tracktotal, "disc": Track.disc, "disctotal": Track.disctotal, "year": Track.year,
    "month": Track.month, "day": Track.day, "bpm": Track.bpm, "genre": Track.genre,
    "recording-mbid": Track.recording_mbid, "track-mbid": Track.track_mbid, "composer": Track.composer,
    "albumartist": Track.albumartist, "comments": Track.comments, "mimetype": Track.mimetype,
    "duration": Track.duration, "framerate": Track.framerate, "framecount": Track.framecount,
    "channels": Track.channels, "bitrate": Track.bitrate, "bitdepth": Track.bitdepth, "size": Track.file_size,
}
TRACK_INCLUDES = ("albums", "artists", "images")


@dataclass(frozen=True)
class SortKey:
    attribute: str
    descending: bool


@dataclass(frozen=True)
class ListQuery:
    limit: int = DEFAULT_LIMIT
    sort: tuple[SortKey, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    include: tuple[str, ...] = ()
    after: dict[str, Any] | None = None  # keyset position decoded from the page token

    def scope(self, collection: str) -> str:
        """Identity of the listing a page token belongs to (everything but the page itself)."""
        sort = ",".join(("-" if k.descending else "") + k.attribute for k in self.sort)
        filters = "&".join(f"{k}={v}" for k, v in sorted(self.filters))
        return f"{collection}|{sort}|{filters}|{self.limit}"


def parse_sort(value: str, allowed: dict[str, Any]) -> tuple[SortKey, ...]:
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        desc = part.startswith("-")
        name = part[1:] if desc else part
        if name not in allowed:
            raise InvalidArgument(f"cannot sort by unknown attribute {name!r}", field="sort")
        keys.append(SortKey(name, desc))
    return tuple(keys)


def parse_include(value: str, allowed: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if part not in allowed:
            raise InvalidArgument(f"unknown relationship {part!r} in include", field="include")
        if part not in out:
            out.append(part)
    return tuple(out)


def _filter_clause(column: InstrumentedAttribute[Any], value: str) -> ColumnElement[bool]:
    python_type = column.type.python_type
    if python_type is int:
        try:
            return column == int(value)  # type: ignore[no-any-return]
        except ValueError:
            return false()
    if python_type is float:
        try:
            return column == float(value)  # type: ignore[no-any-return]
        except ValueError:
            return false()
    return column == value  # type: ignore[no-any-return]


def _keyset(columns: list[tuple[InstrumentedAttribute[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order given by `columns` (mixed directions allowed)."""
    clauses = []
    for i, (col, desc) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:i], values[:i], strict=True)]
        step = col < values[i] if desc else col > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


@dataclass
class TrackPage:
    tracks: list[Track]
    artists: dict[int, list[Artist]]
    next_position: dict[str, Any] | None
    albums: dict[int, Album] = field(default_factory=dict)
    album_tracks: dict[int, list[int]] = field(default_factory=dict)
    artist_tracks: dict[int, list[int]] = field(default_factory=dict)


def _order_columns(query: ListQuery) -> list[tuple[InstrumentedAttribute[Any], bool]]:
    cols = [(TRACK_ATTRIBUTES[k.attribute], k.descending) for k in query.sort]
    cols.append((Track.id, False))
    return cols


def _position(track: Track, query: ListQuery) -> dict[str, Any]:
    values = [getattr(track, TRACK_ATTRIBUTES[k.attribute].key) for k in query.sort]
    return {"v": values, "id": track.id}


async def list_tracks(session: AsyncSession, query: ListQuery) -> TrackPage:
    stmt = select(Track)
    for name, value in query.filters:
        column = TRACK_ATTRIBUTES.get(name)
        stmt = stmt.where(false() if column is None else _filter_clause(column, value))
    for key in query.sort:  # resources lacking the sort attribute are omitted
        stmt = stmt.where(TRACK_ATTRIBUTES[key.attribute].is_not(None))
    order = _order_columns(query)
    if query.after is not None:
        values = [*query.after.get("v", []), query.after.get("id")]
        if len(values) != len(order):
            raise InvalidArgument("malformed page token", field="page")
        stmt = stmt.where(_keyset(order, values))
    stmt = stmt.order_by(*[(c.desc() if d else c.asc()) for c, d in order]).limit(query.limit + 1)
    rows: list[Track] = list((await session.scalars(stmt)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    page = TrackPage(rows, await track_artists(session, [t.id for t in rows]),
                     _position(rows[-1], query) if more and rows else None)
    await load_includes(session, page, query.include)
    return page


async def get_track(session: AsyncSession, track_id: str, include: tuple[str, ...] = ()) -> TrackPage:
    track = await session.get(Track, int(track_id)) if track_id.isdigit() else None
    if track is None:
        raise NotFound(f"no track with id {track_id!r}")
    page = TrackPage([track], await track_artists(session, [track.id]), None)
    await load_includes(session, page, include)
    return page


async def track_artists(session: AsyncSession, track_ids: list[int]) -> dict[int, list[Artist]]:
    if not track_ids:
        return {}
    stmt = (
        select(TrackArtist.track_id, Artist)
        .join(Artist, Artist.id == TrackArtist.artist_id)
        .where(TrackArtist.track_id.in_(track_ids))
        .order_by(TrackArtist.track_id, TrackArtist.position)
    )
    out: dict[int, list[Artist]] = {tid: [] for tid in track_ids}
    for tid, artist in (await session.execute(stmt)).all():
        out[tid].append(artist)
    return out


async def load_includes(session: AsyncSession, page: TrackPage, include: tuple[str, ...]) -> None:
    if "albums" in include:
        album_ids = sorted({t.album_id for t in page.tracks if t.album_id is not None})
        if album_ids:
            for album in (await session.scalars(select(Album).where(Album.id.in_(album_ids)))).all():
                page.albums[album.id] = album
            rows = await session.execute(
                select(Track.album_id, Track.id).where(Track.album_id.in_(album_ids)).order_by(Track.id)
            )
            for album_id, tid in rows.all():
                if album_id is not None:
                    page.album_tracks.setdefault(album_id, []).append(tid)
    if "artists" in include:
        artist_ids = sorted({a.id for arts in page.artists.values() for a in arts})
        if artist_ids:
            links = await session.execute(
                select(TrackArtist.artist_id, TrackArtist.track_id)
                .where(TrackArtist.artist_id.in_(artist_ids))
                .order_by(TrackArtist.track_id)
            )
            for artist_id, tid in links.all():
                page.artist_tracks.setdefault(artist_id, []).append(tid)
