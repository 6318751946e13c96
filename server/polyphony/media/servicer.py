"""MediaService: AURA over gRPC (and REST through Envoy). Thin: parse, call the library, map."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import grpc
from google.protobuf import struct_pb2

from polyphony import __about__
from polyphony.api.media.v1 import media_pb2 as pb
from polyphony.api.media.v1 import media_pb2_grpc
from polyphony.app import AppContext
from polyphony.core.errors import InvalidArgument
from polyphony.core.query import OriginalRequest, parse_int
from polyphony.edge.live import LiveApp
from polyphony.media import library
from polyphony.media.models import Album, Artist, Track
from polyphony.rpc.http import base_url, original

AURA_VERSION = "0.2.0"
FEATURES = ("albums", "artists")


def _track_attributes(t: Track, artists: list[Artist]) -> pb.TrackAttributes:
    attrs = pb.TrackAttributes(title=t.title, artist=t.artist or ", ".join(a.name for a in artists))
    for name, column in library.TRACK_ATTRIBUTES.items():
        if name in ("title", "artist"):
            continue
        value = getattr(t, column.key)
        if value is not None:
            setattr(attrs, name.replace("-", "_"), value)
    return attrs


def _ids(kind: str, ids: list[int]) -> pb.Relationship:
    return pb.Relationship(data=[pb.ResourceIdentifier(type=kind, id=str(i)) for i in ids])


def track_resource(t: Track, artists: list[Artist]) -> pb.TrackResource:
    return pb.TrackResource(
        type="track",
        id=str(t.id),
        attributes=_track_attributes(t, artists),
        relationships=pb.TrackRelationships(
            albums=_ids("album", [t.album_id] if t.album_id is not None else []),
            artists=_ids("artist", [a.id for a in artists]),
            images=_ids("image", []),
        ),
    )


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update({k: v for k, v in values.items() if v is not None})
    return s


def _album_included(a: Album, track_ids: list[int]) -> pb.IncludedResource:
    attrs = {
        "title": a.title, "artist": a.artist, "tracktotal": a.tracktotal, "disctotal": a.disctotal,
        "year": a.year, "month": a.month, "day": a.day, "genre": a.genre, "release-mbid": a.release_mbid,
        "release-group-mbid": a.release_group_mbid,
    }
    rel = {"tracks": {"data": [{"type": "track", "id": str(t)} for t in track_ids]}}
    return pb.IncludedResource(type="album", id=str(a.id), attributes=_struct(attrs), relationships=_struct(rel))


def _artist_included(a: Artist, track_ids: list[int]) -> pb.IncludedResource:
    attrs = {"name": a.name, "artist-mbid": a.artist_mbid}
    rel = {"tracks": {"data": [{"type": "track", "id": str(t)} for t in track_ids]}}
    return pb.IncludedResource(type="artist", id=str(a.id), attributes=_struct(attrs), relationships=_struct(rel))


def included(page: library.TrackPage, include: tuple[str, ...]) -> list[pb.IncludedResource]:
    """Related resources in first-reference order, each once."""
    out: list[pb.IncludedResource] = []
    seen: set[tuple[str, int]] = set()
    for t in page.tracks:
        for rel in include:
            if rel == "albums" and t.album_id is not None and ("album", t.album_id) not in seen:
                seen.add(("album", t.album_id))
                out.append(_album_included(page.albums[t.album_id], page.album_tracks.get(t.album_id, [])))
            if rel == "artists":
                for a in page.artists.get(t.id, []):
                    if ("artist", a.id) not in seen:
                        seen.add(("artist", a.id))
                        out.append(_artist_included(a, page.artist_tracks.get(a.id, [])))
    return out


class MediaServicer(media_pb2_grpc.MediaServiceServicer):
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def GetServer(self, request: pb.GetServerRequest, context: grpc.aio.ServicerContext) -> pb.GetServerResponse:
        return pb.GetServerResponse(
            data=pb.ServerResource(
                type="server",
                id="0",
                attributes=pb.ServerAttributes(
                    aura_version=AURA_VERSION,
                    server="polyphony",
                    server_version=__about__.__version__,
                    auth_required=not self.ctx.authorizer.open_reads,
                    features=list(FEATURES),
                ),
            )
        )

    def _list_query(self, request: pb.ListTracksRequest, rest: OriginalRequest | None) -> tuple[library.ListQuery, str]:
        if rest is not None:  # REST: the original query string is authoritative (filter[...] lives only there)
            limit_raw, page, sort, include = rest.get("limit"), rest.get("page"), rest.get("sort"), rest.get("include")
            filters = rest.bracketed("filter")
            limit = library.DEFAULT_LIMIT if limit_raw is None else parse_int(
                limit_raw, field="limit", minimum=1, maximum=library.MAX_LIMIT)
        else:
            page, sort, include, filters = request.page, request.sort, request.include, dict(request.filter)
            if request.limit < 0 or request.limit > library.MAX_LIMIT:
                raise InvalidArgument(f"`limit` must be between 1 and {library.MAX_LIMIT}", field="limit")
            limit = request.limit or library.DEFAULT_LIMIT
        query = library.ListQuery(
            limit=limit,
            sort=library.parse_sort(sort or "", library.TRACK_ATTRIBUTES),
            filters=tuple(sorted(filters.items())),
            include=library.parse_include(include or "", library.TRACK_INCLUDES),
        )
        scope = query.scope("tracks")
        if page:
            query = library.ListQuery(query.limit, query.sort, query.filters, query.include,
                                      self.ctx.pages.decode(scope, page))
        return query, scope

    async def ListTracks(
        self, request: pb.ListTracksRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListTracksResponse:
        rest = original(context)
        query, scope = self._list_query(request, rest)
        async with self.ctx.db.session() as session:
            page = await library.list_tracks(session, query)
        response = pb.ListTracksResponse(
            data=[track_resource(t, page.artists.get(t.id, [])) for t in page.tracks],
            included=included(page, query.include),
        )
        if page.next_position is not None:
            token = self.ctx.pages.encode(scope, page.next_position)
            response.links.next = self._next_url(context, rest, token)
        return response

    def _next_url(self, context: grpc.aio.ServicerContext, rest: OriginalRequest | None, token: str) -> str:
        """The same URL as the request, with only `page` changed (AURA); the bare token for gRPC."""
        if rest is None:
            return token
        params = [(k, v) for k, v in rest.params if k != "page"] + [("page", token)]
        fallback = self.ctx.settings.public_url or f"http://localhost:{self.ctx.settings.http_port}"
        return f"{base_url(context, fallback)}{rest.path}?{urlencode(params)}"

    async def GetTrack(self, request: pb.GetTrackRequest, context: grpc.aio.ServicerContext) -> pb.GetTrackResponse:
        rest = original(context)
        include_raw = rest.get("include") if rest is not None else request.include
        include = library.parse_include(include_raw or "", library.TRACK_INCLUDES)
        async with self.ctx.db.session() as session:
            page = await library.get_track(session, request.id, include)
        t = page.tracks[0]
        return pb.GetTrackResponse(data=track_resource(t, page.artists.get(t.id, [])), included=included(page, include))


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    media_pb2_grpc.add_MediaServiceServicer_to_server(MediaServicer(ctx), server)
    return str(pb.DESCRIPTOR.services_by_name["MediaService"].full_name)
