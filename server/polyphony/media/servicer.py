"""MediaService: AURA over gRPC (and REST through Envoy). Thin: parse, call the library, map."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import grpc
from google.api import httpbody_pb2
from google.protobuf import struct_pb2

from polyphony import __about__
from polyphony.api.media.v1 import media_pb2 as pb
from polyphony.api.media.v1 import media_pb2_grpc
from polyphony.core.auth import Api
from polyphony.core.context import AppContext
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.core.query import OriginalRequest, parse_int
from polyphony.edge.live import LiveApp
from polyphony.media import audio, library, scanner
from polyphony.media.cache import ResponseCache
from polyphony.media.images import image_bytes
from polyphony.rpc.http import is_head, metadata, send_http
from polyphony.rpc.listing import Call

AURA_VERSION = "0.2.0"
FEATURES = ("albums", "artists", "images")
INT32_MAX = 2**31 - 1

_TYPED: dict[str, tuple[Any, Any, Any]] = {
    "track": (pb.TrackResource, pb.TrackAttributes, pb.TrackRelationships),
    "album": (pb.AlbumResource, pb.AlbumAttributes, pb.AlbumRelationships),
    "artist": (pb.ArtistResource, pb.ArtistAttributes, pb.ArtistRelationships),
    "image": (pb.ImageResource, pb.ImageAttributes, pb.ImageRelationships),
}


def _linkage(refs: list[tuple[str, int]]) -> pb.Relationship:
    return pb.Relationship(data=[pb.ResourceIdentifier(type=t, id=str(i)) for t, i in refs])


def _attribute_values(res: library.Resource) -> dict[str, Any]:
    # int32 on the wire (a JSON number); a value beyond it (a >2 GiB file) is left out rather than wrapped
    return {k: v for k, v in res.attributes.items() if not (isinstance(v, int) and v > INT32_MAX)}


def typed(res: library.Resource) -> Any:
    """A primary-data resource as its typed message (TrackResource, AlbumResource...)."""
    resource_cls, attributes_cls, relationships_cls = _TYPED[res.type]
    attributes = attributes_cls(**{k.replace("-", "_"): v for k, v in _attribute_values(res).items()})
    relationships = relationships_cls(**{k: _linkage(v) for k, v in res.relationships.items()})
    return resource_cls(type=res.type, id=str(res.id), attributes=attributes, relationships=relationships)


def untyped(res: library.Resource) -> pb.IncludedResource:
    """A resource of any type for a compound document's `included` array."""
    attributes = struct_pb2.Struct()
    attributes.update(_attribute_values(res))
    relationships = struct_pb2.Struct()
    relationships.update({k: {"data": [{"type": t, "id": str(i)} for t, i in v]} for k, v in res.relationships.items()})
    return pb.IncludedResource(type=res.type, id=str(res.id), attributes=attributes, relationships=relationships)


class MediaServicer(media_pb2_grpc.MediaServiceServicer):
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.cache = ResponseCache(ctx.db, max_entries=ctx.settings.media_cache_entries)

    def _cache_key(self, rpc: str, request: Any, call: Call) -> tuple[str, ...]:
        if call.rest is None:
            return (rpc, request.SerializeToString(deterministic=True).hex())
        return (rpc, call.metadata.get("x-envoy-original-path", ""), call.base_url(self.ctx.settings))

    async def GetServer(self, request: pb.GetServerRequest, context: grpc.aio.ServicerContext) -> pb.GetServerResponse:
        return pb.GetServerResponse(
            data=pb.ServerResource(
                type="server",
                id="0",
                attributes=pb.ServerAttributes(
                    aura_version=AURA_VERSION,
                    server="polyphony",
                    server_version=__about__.__version__,
                    auth_required=not self.ctx.authorizer.reads_open(Api.AURA),
                    features=list(FEATURES),
                ),
            )
        )

    # -- collections -------------------------------------------------------------------------------

    def _list_query(
        self, collection: library.Collection, request: Any, rest: OriginalRequest | None
    ) -> tuple[library.ListQuery, str]:
        if rest is not None:  # REST: the original query string is authoritative (filter[...] lives only there)
            limit_raw, page, sort, include = rest.get("limit"), rest.get("page"), rest.get("sort"), rest.get("include")
            filters = rest.bracketed("filter")
            limit = (
                library.DEFAULT_LIMIT
                if limit_raw is None
                else parse_int(limit_raw, field="limit", minimum=1, maximum=library.MAX_LIMIT)
            )
        else:
            page, sort, include, filters = request.page, request.sort, request.include, dict(request.filter)
            if request.limit < 0 or request.limit > library.MAX_LIMIT:
                raise InvalidArgument(f"`limit` must be between 1 and {library.MAX_LIMIT}", field="limit")
            limit = request.limit or library.DEFAULT_LIMIT
        query = library.ListQuery(
            limit=limit,
            sort=library.parse_sort(sort or "", collection),
            filters=tuple(sorted(filters.items())),
            include=library.parse_include(include or "", collection),
        )
        scope = query.scope(collection.name)
        if page:
            query = library.ListQuery(
                query.limit, query.sort, query.filters, query.include, self.ctx.pages.decode(scope, page)
            )
        return query, scope

    def _next_url(self, call: Call, token: str) -> str:
        """The same URL as the request, with only `page` changed (AURA); the bare token for gRPC."""
        if call.rest is None:
            return token
        params = [(k, v) for k, v in call.rest.params if k != "page"] + [("page", token)]
        return f"{call.base_url(self.ctx.settings)}{call.rest.path}?{urlencode(params)}"

    async def _list(
        self, collection: library.Collection, request: Any, context: grpc.aio.ServicerContext, response_cls: Any
    ) -> Any:
        call = Call.of(context)  # the original URL, parsed once for the cache key, the query and the next link
        key = self._cache_key(collection.name, request, call)
        return await self.cache.get(key, lambda: self._list_uncached(collection, request, call, response_cls))

    async def _list_uncached(self, collection: library.Collection, request: Any, call: Call, response_cls: Any) -> Any:
        query, scope = self._list_query(collection, request, call.rest)
        page = await library.list_resources(self.ctx.db, collection, query)
        response = response_cls(data=[typed(r) for r in page.data], included=[untyped(r) for r in page.included])
        if page.next_position is not None:
            response.links.next = self._next_url(call, self.ctx.pages.encode(scope, page.next_position))
        return response

    async def _get(
        self, collection: library.Collection, request: Any, context: grpc.aio.ServicerContext, response_cls: Any
    ) -> Any:
        call = Call.of(context)
        key = self._cache_key(collection.type, request, call)
        return await self.cache.get(key, lambda: self._get_uncached(collection, request, call, response_cls))

    async def _get_uncached(self, collection: library.Collection, request: Any, call: Call, response_cls: Any) -> Any:
        include_raw = call.rest.get("include") if call.rest is not None else request.include
        include = library.parse_include(include_raw or "", collection)
        page = await library.get_resource(self.ctx.db, collection, request.id, include)
        return response_cls(data=typed(page.data[0]), included=[untyped(r) for r in page.included])

    async def ListTracks(self, request: pb.ListTracksRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._list(library.TRACKS, request, context, pb.ListTracksResponse)

    async def GetTrack(self, request: pb.GetTrackRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._get(library.TRACKS, request, context, pb.GetTrackResponse)

    async def ListAlbums(self, request: pb.ListAlbumsRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._list(library.ALBUMS, request, context, pb.ListAlbumsResponse)

    async def GetAlbum(self, request: pb.GetAlbumRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._get(library.ALBUMS, request, context, pb.GetAlbumResponse)

    async def ListArtists(self, request: pb.ListArtistsRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._list(library.ARTISTS, request, context, pb.ListArtistsResponse)

    async def GetArtist(self, request: pb.GetArtistRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._get(library.ARTISTS, request, context, pb.GetArtistResponse)

    async def GetImage(self, request: pb.GetImageRequest, context: grpc.aio.ServicerContext) -> Any:
        return await self._get(library.IMAGES, request, context, pb.GetImageResponse)

    # -- bytes -------------------------------------------------------------------------------------

    async def GetImageFile(
        self, request: pb.GetImageFileRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        image = await library.image_row(self.ctx.db, request.id)
        try:
            data = await asyncio.to_thread(image_bytes, Path(image.path), image.embedded_index)
        except OSError:
            raise NotFound(f"the file of image {request.id} is missing") from None
        await send_http(context, 200, [("cache-control", "public, max-age=86400"), ("content-length", str(len(data)))])
        view = memoryview(data)
        if is_head(context) or not data:
            yield httpbody_pb2.HttpBody(content_type=image.mimetype)
            return
        for offset in range(0, len(view), audio.CHUNK):
            yield httpbody_pb2.HttpBody(content_type=image.mimetype, data=bytes(view[offset : offset + audio.CHUNK]))

    def ScanLibrary(
        self, request: pb.ScanLibraryRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ScanLibraryResponse]:
        return _scan_frames(self.ctx, request)

    async def GetTrackAudio(
        self, request: pb.GetTrackAudioRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        md = metadata(context)
        track = await library.track_row(self.ctx.db, request.id)
        answer = await audio.deliver(
            track,
            accept=request.accept or md.get("accept"),
            range_header=request.range or md.get("range"),
            if_none_match=md.get("if-none-match"),
            head=is_head(context),
        )
        await send_http(context, answer.status, answer.headers)
        sent = False
        if answer.body is not None:
            async for chunk in answer.body:
                sent = True
                yield httpbody_pb2.HttpBody(content_type=answer.content_type, data=chunk)
        if not sent:  # headers only (HEAD, 304, empty range): one empty message carries the content type
            yield httpbody_pb2.HttpBody(content_type=answer.content_type)


async def _scan_frames(ctx: AppContext, request: pb.ScanLibraryRequest) -> AsyncIterator[pb.ScanLibraryResponse]:
    roots = scanner.resolve_roots(list(request.paths), ctx.settings.library_dirs)
    frames: asyncio.Queue[pb.ScanLibraryResponse] = asyncio.Queue()

    def progress(done: int, total: int, name: str) -> None:
        frames.put_nowait(pb.ScanLibraryResponse(done=done, total=total, current=name))

    job = asyncio.create_task(scanner.scan(ctx.db, roots, progress, remove_missing=not request.keep_missing))
    try:
        while not job.done() or not frames.empty():
            getter = asyncio.ensure_future(frames.get())
            await asyncio.wait([getter, job], return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield getter.result()
            else:
                getter.cancel()
        report = job.result()
    finally:
        job.cancel()
    summary = pb.ScanSummary(
        added=report.added,
        updated=report.updated,
        moved=report.moved,
        unchanged=report.unchanged,
        removed=report.removed,
        failed=report.failed,
    )
    yield pb.ScanLibraryResponse(done=report.seen, total=report.seen, summary=summary)


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    media_pb2_grpc.add_MediaServiceServicer_to_server(MediaServicer(ctx), server)
    return str(pb.DESCRIPTOR.services_by_name["MediaService"].full_name)
