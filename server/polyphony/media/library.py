"""Queries over the library with AURA semantics: exact filters, multi-key sort, keyset paging, and
relationship/inclusion loading. Returns plain `Resource` values (no proto, no grpc)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, and_, bindparam, cast, false, func, literal, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from polyphony.core.db import Base, Database
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


TRACKS = Collection(
    "tracks",
    "track",
    Track,
    {
        "title": Track.title,
        "artist": Track.artist,
        "album": Track.album,
        "track": Track.track,
        "tracktotal": Track.tracktotal,
        "disc": Track.disc,
        "disctotal": Track.disctotal,
        "year": Track.year,
        "month": Track.month,
        "day": Track.day,
        "bpm": Track.bpm,
        "genre": Track.genre,
        "recording-mbid": Track.recording_mbid,
        "track-mbid": Track.track_mbid,
        "composer": Track.composer,
        "albumartist": Track.albumartist,
        "comments": Track.comments,
        "mimetype": Track.mimetype,
        "duration": Track.duration,
        "framerate": Track.framerate,
        "framecount": Track.framecount,
        "channels": Track.channels,
        "bitrate": Track.bitrate,
        "bitdepth": Track.bitdepth,
        "size": Track.file_size,
    },
    ("albums", "artists", "images"),
)
ALBUMS = Collection(
    "albums",
    "album",
    Album,
    {
        "title": Album.title,
        "artist": Album.artist,
        "tracktotal": Album.tracktotal,
        "disctotal": Album.disctotal,
        "year": Album.year,
        "month": Album.month,
        "day": Album.day,
        "genre": Album.genre,
        "release-mbid": Album.release_mbid,
        "release-group-mbid": Album.release_group_mbid,
    },
    ("tracks", "artists", "images"),
)
ARTISTS = Collection(
    "artists",
    "artist",
    Artist,
    {
        "name": Artist.name,
        "artist-mbid": Artist.artist_mbid,
    },
    ("tracks", "albums", "images"),
)
IMAGES = Collection(
    "images",
    "image",
    Image,
    {
        "role": Image.role,
        "mimetype": Image.mimetype,
        "width": Image.width,
        "height": Image.height,
        "size": Image.size,
    },
    ("tracks", "albums", "artists"),
)
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
    artists = (
        select(
            func.aggregate_strings(
                cast(TrackArtist.position, String) + literal(":") + cast(TrackArtist.artist_id, String), ","
            )
        )
        .where(TrackArtist.track_id == Track.id)
        .scalar_subquery()
        .label("artist_links")
    )
    images = (
        select(func.aggregate_strings(cast(Image.id, String), ","))
        .where(or_(Image.track_id == Track.id, and_(Track.album_id.is_not(None), Image.album_id == Track.album_id)))
        .scalar_subquery()
        .label("image_links")
    )
    return [artists, images]


def _build_select(collection: Collection) -> Any:
    model: Any = collection.model
    links = [getattr(model, name) for name in _LINK_COLUMNS.get(collection.name, ())]
    if collection is TRACKS:
        links += _track_links()
    return select(model.id, *collection.attributes.values(), *links)


# Built once per collection: building a statement (and its cache key) costs more than running it.
_SELECTS = {c.name: _build_select(c) for c in BY_NAME.values()}
_BY_ID = {name: stmt.where(stmt.selected_columns.id == bindparam("id")) for name, stmt in _SELECTS.items()}


def _select(collection: Collection) -> Any:
    """A Core select of the id, every attribute column and the link columns (no ORM objects: this
    is the hot path of every listing)."""
    return _SELECTS[collection.name]


def _ids(csv: str | None) -> list[int]:
    return [int(v) for v in csv.split(",")] if csv else []


def _positioned_ids(csv: str | None) -> list[int]:
    pairs = sorted(tuple(int(x) for x in v.split(":")) for v in csv.split(",")) if csv else []
    return [artist_id for _, artist_id in pairs]


def _by_id(collection: Collection) -> Any:
    return _BY_ID[collection.name]


async def list_resources(db: Database, collection: Collection, query: ListQuery) -> Page:
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
    rows: list[Any] = list(await db.fetch(stmt))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    position = None
    if more and rows:
        last = rows[-1]._mapping
        position = {"v": [last[collection.attributes[k.attribute].key] for k in query.sort], "id": last["id"]}
    data = await build_resources(db, collection, rows)
    return Page(data, await included(db, data, query.include), position)


async def get_resource(db: Database, collection: Collection, raw_id: str, include: tuple[str, ...] = ()) -> Page:
    row_id = parse_id(raw_id)
    rows = await db.fetch(_by_id(collection), {"id": row_id}) if row_id else []
    if not rows:
        raise NotFound(f"no {collection.type} with id {raw_id!r}")
    data = await build_resources(db, collection, rows)
    return Page(data, await included(db, data, include))


def _attributes(collection: Collection, row: Any) -> dict[str, Any]:
    mapping = row._mapping
    values = {name: mapping[col.key] for name, col in collection.attributes.items()}
    return {k: v for k, v in values.items() if v is not None}


async def _pairs(db: Database, stmt: Any) -> dict[int, list[int]]:
    out: dict[int, dict[int, None]] = {}
    rows: Sequence[Any] = await db.fetch(stmt)
    for key, value in rows:
        if key is not None and value is not None:
            out.setdefault(key, {})[value] = None
    return {k: list(v) for k, v in out.items()}


async def build_resources(db: Database, collection: Collection, rows: Sequence[Any]) -> list[Resource]:
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
        rel["tracks"] = await _pairs(
            db,
            select(Track.album_id, Track.id)
            .where(Track.album_id.in_(ids))
            .order_by(Track.album_id, Track.disc, Track.track, Track.id),
        )
        rel["artists"] = await _pairs(
            db,
            select(Track.album_id, TrackArtist.artist_id)
            .join(TrackArtist, TrackArtist.track_id == Track.id)
            .where(Track.album_id.in_(ids))
            .order_by(Track.album_id, Track.id, TrackArtist.position),
        )
        rel["images"] = await _pairs(
            db, select(Image.album_id, Image.id).where(Image.album_id.in_(ids)).order_by(Image.id)
        )
    elif collection is ARTISTS:
        rel["tracks"] = await _pairs(
            db,
            select(TrackArtist.artist_id, TrackArtist.track_id)
            .where(TrackArtist.artist_id.in_(ids))
            .order_by(TrackArtist.track_id),
        )
        rel["albums"] = await _pairs(
            db,
            select(TrackArtist.artist_id, Track.album_id)
            .join(Track, Track.id == TrackArtist.track_id)
            .where(TrackArtist.artist_id.in_(ids))
            .order_by(Track.album_id),
        )
        rel["images"] = {}
    else:
        rel["albums"] = {r.id: [r.album_id] for r in rows if r.album_id is not None}
        rel["tracks"] = {r.id: [r.track_id] for r in rows if r.track_id is not None}
        rel["artists"] = {}
    target = {"tracks": "track", "albums": "album", "artists": "artist", "images": "image"}
    return [
        Resource(
            collection.type,
            r.id,
            _attributes(collection, r),
            {name: [(target[name], i) for i in rel[name].get(r.id, [])] for name in collection.relationships},
        )
        for r in rows
    ]


async def included(db: Database, data: Iterable[Resource], include: tuple[str, ...]) -> list[Resource]:
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
        rows = await db.fetch(_select(collection).where(model.id.in_(rids)))
        for res in await build_resources(db, collection, rows):
            loaded[(res.type, res.id)] = res
    return [loaded[ref] for ref in wanted if ref in loaded]


@dataclass(frozen=True)
class ImageFile:
    id: int
    path: str
    embedded_index: int
    mimetype: str


@dataclass(frozen=True)
class TrackFile:
    """What audio delivery needs to know about a track."""

    id: int
    path: str
    mimetype: str
    bitrate: int | None
    framerate: int | None
    channels: int | None
    fingerprint: str


_IMAGE_FILE = select(Image.id, Image.path, Image.embedded_index, Image.mimetype).where(Image.id == bindparam("id"))
_TRACK_FILE = select(
    Track.id, Track.path, Track.mimetype, Track.bitrate, Track.framerate, Track.channels, Track.fingerprint
).where(Track.id == bindparam("id"))


async def image_row(db: Database, raw_id: str) -> ImageFile:
    row_id = parse_id(raw_id)
    rows = await db.fetch(_IMAGE_FILE, {"id": row_id}) if row_id is not None else []
    if not rows:
        raise NotFound(f"no image with id {raw_id!r}")
    return ImageFile(*tuple(rows[0]))


async def track_row(db: Database, raw_id: str) -> TrackFile:
    row_id = parse_id(raw_id)
    rows = await db.fetch(_TRACK_FILE, {"id": row_id}) if row_id is not None else []
    if not rows:
        raise NotFound(f"no track with id {raw_id!r}")
    return TrackFile(*tuple(rows[0]))
