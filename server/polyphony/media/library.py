"""Queries over the library with AURA semantics: exact filters, multi-key sort, keyset paging, and
relationship/inclusion loading. Returns plain `Resource` values (no proto, no grpc)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from polyphony.core.db import Base
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.media.models import Album, Artist, Image, Track, TrackArtist

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Collection:
    """One AURA resource type: its table, its attributes (AURA name -> column) and relationships."""

    name: str  # collection path segment: tracks, albums, artists, images
    type: str  # JSON:API type: track, album, artist, image
    model: builtins.type[Base]
    attributes: dict[str, InstrumentedAttribute[Any]]
    relationships: tuple[str, ...]


TRACKS = Collection("tracks", "track", Track, {
    "title": Track.title, "artist": Track.artist, "album": Track.album, "track": Track.track,
    "tracktotal": Track.tracktotal, "disc": Track.disc, "disctotal": Track.disctotal, "year": Track.year,
    "month": Track.month, "day": Track.day, "bpm": Track.bpm, "genre": Track.genre,
    "recording-mbid": Track.recording_mbid, "track-mbid": Track.track_mbid, "composer": Track.composer,
    "albumartist": Track.albumartist, "comments": Track.comments, "mimetype": Track.mimetype,
    "duration": Track.duration, "framerate": Track.framerate, "framecount": Track.framecount,
    "channels": Track.channels, "bitrate": Track.bitrate, "bitdepth": Track.bitdepth, "size": Track.file_size,
}, ("albums", "artists", "images"))
ALBUMS = Collection("albums", "album", Album, {
    "title": Album.title, "artist": Album.artist, "tracktotal": Album.tracktotal, "disctotal": Album.disctotal,
    "year": Album.year, "month": Album.month, "day": Album.day, "genre": Album.genre,
    "release-mbid": Album.release_mbid, "release-group-mbid": Album.release_group_mbid,
}, ("tracks", "artists", "images"))
ARTISTS = Collection("artists", "artist", Artist, {
    "name": Artist.name, "artist-mbid": Artist.artist_mbid,
}, ("tracks", "albums", "images"))
IMAGES = Collection("images", "image", Image, {
    "role": Image.role, "mimetype": Image.mimetype, "width": Image.width, "height": Image.height,
    "size": Image.size,
}, ("tracks", "albums", "artists"))
BY_TYPE = {c.type: c for c in (TRACKS, ALBUMS, ARTISTS, IMAGES)}
BY_NAME = {c.name: c for c in (TRACKS, ALBUMS, ARTISTS, IMAGES)}


@dataclass
class Resource:
    type: str
    id: int
    attributes: dict[str, Any]  # only attributes that have a value
    relationships: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


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


@dataclass
class Page:
    data: list[Resource]
    included: list[Resource]
    next_position: dict[str, Any] | None = None


def parse_id(raw: str) -> int | None:
    """Our ids are positive integers rendered as strings; anything else names no resource."""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 15 else None


def parse_sort(value: str, collection: Collection) -> tuple[SortKey, ...]:
    keys = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        desc = part.startswith("-")
        name = part[1:] if desc else part
        if name not in collection.attributes:
            raise InvalidArgument(f"cannot sort {collection.name} by unknown attribute {name!r}", field="sort")
        keys.append(SortKey(name, desc))
    return tuple(keys)


def parse_include(value: str, collection: Collection) -> tuple[str, ...]:
    out: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        if part not in collection.relationships:
            raise InvalidArgument(f"{collection.name} have no relationship {part!r} to include", field="include")
        if part not in out:
            out.append(part)
    return tuple(out)


def _filter_clause(column: InstrumentedAttribute[Any], value: str) -> ColumnElement[bool]:
    python_type = column.type.python_type
    try:
        if python_type is int:
            return column == int(value)  # type: ignore[no-any-return]
        if python_type is float:
            return column == float(value)  # type: ignore[no-any-return]
    except ValueError:
        return false()
    return column == value  # type: ignore[no-any-return]


def _keyset(columns: list[tuple[InstrumentedAttribute[Any], bool]], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order given by `columns` (mixed directions allowed)."""
    clauses = []
    for i, (col, desc) in enumerate(columns):
        equal = [c == v for (c, _), v in zip(columns[:i], values[:i], strict=True)]
        clauses.append(and_(*equal, col < values[i] if desc else col > values[i]))
    return or_(*clauses)


_LINK_COLUMNS = {"tracks": ("album_id",), "images": ("album_id", "track_id")}


def _track_links() -> list[Any]:
    """Correlated subqueries that fetch a track's artists ("position:id,...") and images ("id,...")
    in the same row as the track, so a page of tracks is one query."""
    artists = (select(func.aggregate_strings(cast(TrackArtist.position, String) + literal(":")
                                             + cast(TrackArtist.artist_id, String), ","))
               .where(TrackArtist.track_id == Track.id).scalar_subquery().label("artist_links"))
    images = (select(func.aggregate_strings(cast(Image.id, String), ","))
              .where(or_(Image.track_id == Track.id,
                         and_(Track.album_id.is_not(None), Image.album_id == Track.album_id)))
              .scalar_subquery().label("image_links"))
    return [artists, images]


def _select(collection: Collection) -> Any:
    """A Core select of the id, every attribute column and the link columns (no ORM objects: this
    is the hot path of every listing)."""
    model: Any = collection.model
    links = [getattr(model, name) for name in _LINK_COLUMNS.get(collection.name, ())]
    if collection is TRACKS:
        links += _track_links()
    return select(model.id, *collection.attributes.values(), *links)


def _ids(csv: str | None) -> list[int]:
    return [int(v) for v in csv.split(",")] if csv else []


def _positioned_ids(csv: str | None) -> list[int]:
    pairs = sorted(tuple(int(x) for x in v.split(":")) for v in csv.split(",")) if csv else []
    return [artist_id for _, artist_id in pairs]


async def list_resources(session: AsyncSession, collection: Collection, query: ListQuery) -> Page:
    model: Any = collection.model
    stmt = _select(collection)
    for name, value in query.filters:
        column = collection.attributes.get(name)
        stmt = stmt.where(false() if column is None else _filter_clause(column, value))
    for key in query.sort:  # resources lacking the sort attribute are omitted
        stmt = stmt.where(collection.attributes[key.attribute].is_not(None))
    order = [(collection.attributes[k.attribute], k.descending) for k in query.sort] + [(model.id, False)]
    if query.after is not None:
        values = [*query.after.get("v", []), query.after.get("id")]
        if len(values) != len(order):
            raise InvalidArgument("malformed page token", field="page")
        stmt = stmt.where(_keyset(order, values))
    stmt = stmt.order_by(*[(c.desc() if d else c.asc()) for c, d in order]).limit(query.limit + 1)
    rows: list[Any] = list((await session.execute(stmt)).all())
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    position = None
    if more and rows:
        last = rows[-1]._mapping
        position = {"v": [last[collection.attributes[k.attribute].key] for k in query.sort], "id": last["id"]}
    data = await build_resources(session, collection, rows)
    return Page(data, await included(session, data, query.include), position)


async def get_resource(session: AsyncSession, collection: Collection, raw_id: str,
                       include: tuple[str, ...] = ()) -> Page:
    row_id = parse_id(raw_id)
    model: Any = collection.model
    row = (await session.execute(_select(collection).where(model.id == row_id))).first() if row_id else None
    if row is None:
        raise NotFound(f"no {collection.type} with id {raw_id!r}")
    data = await build_resources(session, collection, [row])
    return Page(data, await included(session, data, include))


def _attributes(collection: Collection, row: Any) -> dict[str, Any]:
    mapping = row._mapping
    values = {name: mapping[col.key] for name, col in collection.attributes.items()}
    return {k: v for k, v in values.items() if v is not None}


async def _pairs(session: AsyncSession, stmt: Any) -> dict[int, list[int]]:
    out: dict[int, dict[int, None]] = {}
    for key, value in (await session.execute(stmt)).all():
        if key is not None and value is not None:
            out.setdefault(key, {})[value] = None
    return {k: list(v) for k, v in out.items()}


async def build_resources(session: AsyncSession, collection: Collection, rows: Sequence[Any]) -> list[Resource]:
    """Resources with their attributes and every relationship, loaded in one query per relationship."""
    ids = [r.id for r in rows]
    rel: dict[str, dict[int, list[int]]] = {}
    if not ids:
        return []
    if collection is TRACKS:
        rel["albums"] = {r.id: [r.album_id] for r in rows if r.album_id is not None}
        rel["artists"] = {r.id: _positioned_ids(r.artist_links) for r in rows}
        rel["images"] = {r.id: sorted(set(_ids(r.image_links))) for r in rows}
    elif collection is ALBUMS:
        rel["tracks"] = await _pairs(session, select(Track.album_id, Track.id).where(Track.album_id.in_(ids))
                                     .order_by(Track.album_id, Track.disc, Track.track, Track.id))
        rel["artists"] = await _pairs(session, select(Track.album_id, TrackArtist.artist_id)
                                      .join(TrackArtist, TrackArtist.track_id == Track.id)
                                      .where(Track.album_id.in_(ids))
                                      .order_by(Track.album_id, Track.id, TrackArtist.position))
        rel["images"] = await _pairs(session, select(Image.album_id, Image.id).where(Image.album_id.in_(ids))
                                     .order_by(Image.id))
    elif collection is ARTISTS:
        rel["tracks"] = await _pairs(session, select(TrackArtist.artist_id, TrackArtist.track_id)
                                     .where(TrackArtist.artist_id.in_(ids)).order_by(TrackArtist.track_id))
        rel["albums"] = await _pairs(session, select(TrackArtist.artist_id, Track.album_id)
                                     .join(Track, Track.id == TrackArtist.track_id)
                                     .where(TrackArtist.artist_id.in_(ids)).order_by(Track.album_id))
        rel["images"] = {}
    else:
        rel["albums"] = {r.id: [r.album_id] for r in rows if r.album_id is not None}
        rel["tracks"] = {r.id: [r.track_id] for r in rows if r.track_id is not None}
        rel["artists"] = {}
    target = {"tracks": "track", "albums": "album", "artists": "artist", "images": "image"}
    return [
        Resource(collection.type, r.id, _attributes(collection, r),
                 {name: [(target[name], i) for i in rel[name].get(r.id, [])] for name in collection.relationships})
        for r in rows
    ]


async def included(session: AsyncSession, data: Iterable[Resource], include: tuple[str, ...]) -> list[Resource]:
    """Related resources named by `include`, deduplicated, in first-reference order."""
    wanted: dict[tuple[str, int], None] = {}
    primary = {(r.type, r.id) for r in data}
    for resource in data:
        for name in include:
            for ref in resource.relationships.get(name, []):
                if ref not in primary:
                    wanted.setdefault(ref, None)
    by_type: dict[str, list[int]] = {}
    for kind, rid in wanted:
        by_type.setdefault(kind, []).append(rid)
    loaded: dict[tuple[str, int], Resource] = {}
    for kind, rids in by_type.items():
        collection = BY_TYPE[kind]
        model: Any = collection.model
        rows = (await session.execute(_select(collection).where(model.id.in_(rids)))).all()
        for res in await build_resources(session, collection, rows):
            loaded[(res.type, res.id)] = res
    return [loaded[ref] for ref in wanted if ref in loaded]


async def image_row(session: AsyncSession, raw_id: str) -> Image:
    row_id = parse_id(raw_id)
    image = await session.get(Image, row_id) if row_id is not None else None
    if image is None:
        raise NotFound(f"no image with id {raw_id!r}")
    return image


async def track_row(session: AsyncSession, raw_id: str) -> Track:
    row_id = parse_id(raw_id)
    track = await session.get(Track, row_id) if row_id is not None else None
    if track is None:
        raise NotFound(f"no track with id {raw_id!r}")
    return track
