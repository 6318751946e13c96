"""FlowService: TAMS over gRPC (and REST through Envoy). Thin: parse, call the domain, map."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias, TypeVar
from urllib.parse import unquote, urlencode

import grpc
from google.api import httpbody_pb2
from google.protobuf import struct_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.core.context import AppContext
from polyphony.core.errors import InvalidArgument
from polyphony.core.objects import ObjectStore
from polyphony.core.query import OriginalRequest
from polyphony.edge.live import LiveApp
from polyphony.flow import (
    deletion,
    dispatcher,
    flows,
    get_urls,
    ingest,
    instances,
    listing,
    objects,
    principal,
    profiles,
    segment_listing,
    segments,
    service_info,
    sources,
    storage_backends,
    webhooks,
)
from polyphony.flow.deletion import DeletionWorker
from polyphony.flow.mapping import (
    dict_array,
    json_array,
    python_to_struct,
    python_to_value,
    to_document,
    to_message,
    value_to_python,
)
from polyphony.flow.tags import TagFilter
from polyphony.flow.timerange import TimeRange
from polyphony.flow.urls import ObjectLinks, UrlSigner
from polyphony.rpc.http import base_url, body_chunks, is_head, metadata, original, send_http

Ctx: TypeAlias = grpc.aio.ServicerContext


def _flow(doc: dict[str, Any]) -> pb.Flow:
    return to_message(doc, pb.Flow())


def _principal(context: Ctx) -> str | None:
    """The caller (for `created_by` / `updated_by`), from its credentials."""
    rest = original(context)
    return principal.principal(
        metadata(context).get("authorization"), rest.get("access_token") if rest is not None else None
    )


# A DELETE touching more Segments than this continues in the background as a Flow Delete Request.
SYNC_DELETE_LIMIT = int(os.environ.get("POLYPHONY_TAMS_SYNC_DELETE_LIMIT", "1000"))


M = TypeVar("M", pb.DeleteFlowResponse, pb.DeleteSegmentsResponse)
# What `GET /tams/` lists: the paths under the API root (the spec's example).
ROOT_ENDPOINTS = ("service", "flows", "sources", "flow-delete-requests")


class FlowServicer(flow_pb2_grpc.FlowServiceServicer):
    def __init__(
        self,
        ctx: AppContext,
        worker: DeletionWorker | None = None,
        *,
        store: ObjectStore | None = None,
        links: ObjectLinks | None = None,
    ) -> None:
        self.ctx = ctx
        # `verifier` checks the HMAC of our own `/tams/_objects` URLs; `signer` issues the get_urls and
        # put_urls (the same signer for the filesystem store, presigned S3 URLs for S3).
        self.verifier = UrlSigner(ctx.settings.resolved_secret())
        self.signer: ObjectLinks = links or self.verifier
        self.store: ObjectStore = store or ctx.objects
        self.worker = worker

    @asynccontextmanager
    async def _write(self, context: Ctx) -> AsyncIterator[AsyncSession]:
        """A transaction that knows the caller (the default `created_by` / `updated_by`)."""
        async with self.ctx.db.transaction() as session:
            session.info[principal.SESSION_KEY] = _principal(context)
            yield session

    def _base(self, context: Ctx) -> str:
        fallback = self.ctx.settings.public_url or f"http://{self.ctx.settings.host}:{self.ctx.settings.http_port}"
        return base_url(context, fallback)

    async def GetService(self, request: pb.GetServiceRequest, context: Ctx) -> pb.Service:
        async with self.ctx.db.session() as session:
            return to_message(await service_info.get_service(session), pb.Service())

    async def UpdateService(self, request: pb.UpdateServiceRequest, context: Ctx) -> pb.Service:
        async with self._write(context) as session:
            doc = await service_info.update_service(session, to_document(request))
        await send_http(context, status=200)
        return to_message(doc, pb.Service())

    # ---- flows -------------------------------------------------------------------------------------

    async def GetFlow(self, request: pb.GetFlowRequest, context: Ctx) -> pb.Flow:
        rest = original(context)
        include = request.include_timerange or (rest is not None and rest.get("include_timerange") == "true")
        raw = rest.get("timerange") if rest is not None else (request.timerange or None)
        within = None if raw is None else TimeRange.parse(raw)
        async with self.ctx.db.session() as session:
            doc = await flows.get_flow(session, request.flow_id, include_timerange=include, within=within)
        return _flow(doc)

    async def PutFlow(self, request: pb.PutFlowRequest, context: Ctx) -> pb.Flow:
        body = to_document(request.flow)
        async with self._write(context) as session:
            result = await flows.put_flow(session, request.flow_id, body)
        await send_http(context, status=201 if result.created else 204)
        return _flow(result.flow)

    async def DeleteFlow(self, request: pb.DeleteFlowRequest, context: Ctx) -> pb.DeleteFlowResponse:
        async with self._write(context) as session:
            outcome = await deletion.delete_flow(session, request.flow_id, threshold=SYNC_DELETE_LIMIT)
        return await self._deleted(context, outcome, pb.DeleteFlowResponse())

    async def _deleted(self, context: Ctx, outcome: deletion.Outcome, message: M) -> M:
        await objects.delete_bytes(self.store, outcome.keys)
        if outcome.request is None:
            await send_http(context, status=204)
            return message
        if self.worker is not None:
            self.worker.poke()
        location = f"{self._base(context)}/tams/flow-delete-requests/{outcome.request['id']}"
        await send_http(context, status=202, headers=[("location", location)])
        return to_message(outcome.request, message)

    async def ListFlows(self, request: pb.ListFlowsRequest, context: Ctx) -> pb.ListFlowsResponse:
        flows_, token = await self._list_flows(request, context)
        return pb.ListFlowsResponse(flows=flows_, next_page=token)

    async def ListFlowsRest(self, request: pb.ListFlowsRequest, context: Ctx) -> struct_pb2.ListValue:
        flows_, _ = await self._list_flows(request, context)
        return json_array(flows_)

    async def _list_flows(self, request: pb.ListFlowsRequest, context: Ctx) -> tuple[list[pb.Flow], str]:
        rest = original(context)
        if rest is not None:
            query, page = listing.flow_query_from_rest(rest)
        else:
            query, page = listing.flow_query_from_fields(
                source_id=request.source_id,
                format=request.format,
                codec=request.codec,
                label=request.label,
                profile_id=request.profile_id,
                frame_width=request.frame_width,
                frame_height=request.frame_height,
                tag=request.tag,
                tag_exists=request.tag_exists,
                limit=request.limit,
                page=request.page,
                timerange=request.timerange,
                sort_by=request.sort_by,
                reverse_order=request.reverse_order,
                status=request.status,
                init_segments=request.init_segments if request.HasField("init_segments") else None,
                collected_by_ids=request.collected_by_ids if request.HasField("collected_by_ids") else None,
            )
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_flows(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, rest, query.limit, len(result.items), token)
        return [_flow(d) for d in result.items], token

    async def _paging(
        self,
        context: Ctx,
        rest: OriginalRequest | None,
        limit: int,
        count: int | None,
        token: str,
        extra: Iterable[tuple[str, str]] = (),
    ) -> None:
        headers = [("x-paging-limit", str(limit)), *extra]
        if count is not None:
            headers.append(("x-paging-count", str(count)))
        if token:
            headers.append(("x-paging-nextkey", token))
            if rest is not None:
                params = [(k, v) for k, v in rest.params if k != "page"] + [("page", token)]
                headers.append(("link", f'<{self._base(context)}{rest.path}?{urlencode(params)}>; rel="next"'))
        await send_http(context, headers=headers)

    # ---- flow properties ---------------------------------------------------------------------------

    async def GetFlowLabel(self, request: pb.GetFlowLabelRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "label"))

    async def SetFlowLabel(self, request: pb.SetFlowLabelRequest, context: Ctx) -> pb.SetFlowLabelResponse:
        async with self._write(context) as session:
            await flows.set_string_property(session, request.flow_id, "label", request.label)
        await send_http(context, status=204)
        return pb.SetFlowLabelResponse()

    async def DeleteFlowLabel(self, request: pb.DeleteFlowLabelRequest, context: Ctx) -> pb.DeleteFlowLabelResponse:
        async with self._write(context) as session:
            await flows.delete_property(session, request.flow_id, "label")
        await send_http(context, status=204)
        return pb.DeleteFlowLabelResponse()

    async def GetFlowDescription(self, request: pb.GetFlowDescriptionRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "description"))

    async def SetFlowDescription(
        self, request: pb.SetFlowDescriptionRequest, context: Ctx
    ) -> pb.SetFlowDescriptionResponse:
        async with self._write(context) as session:
            await flows.set_string_property(session, request.flow_id, "description", request.description)
        await send_http(context, status=204)
        return pb.SetFlowDescriptionResponse()

    async def DeleteFlowDescription(
        self, request: pb.DeleteFlowDescriptionRequest, context: Ctx
    ) -> pb.DeleteFlowDescriptionResponse:
        async with self._write(context) as session:
            await flows.delete_property(session, request.flow_id, "description")
        await send_http(context, status=204)
        return pb.DeleteFlowDescriptionResponse()

    async def GetFlowReadOnly(self, request: pb.GetFlowReadOnlyRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_read_only(session, request.flow_id))

    async def SetFlowReadOnly(self, request: pb.SetFlowReadOnlyRequest, context: Ctx) -> pb.SetFlowReadOnlyResponse:
        async with self._write(context) as session:
            await flows.set_read_only(session, request.flow_id, value_to_python(request.read_only))
        await send_http(context, status=204)
        return pb.SetFlowReadOnlyResponse()

    async def GetFlowTags(self, request: pb.GetFlowTagsRequest, context: Ctx) -> struct_pb2.Struct:
        async with self.ctx.db.session() as session:
            return python_to_struct(await flows.get_tags(session, request.flow_id))

    async def GetFlowTag(self, request: pb.GetFlowTagRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_tag(session, request.flow_id, request.name))

    async def SetFlowTag(self, request: pb.SetFlowTagRequest, context: Ctx) -> pb.SetFlowTagResponse:
        async with self._write(context) as session:
            await flows.set_tag(session, request.flow_id, request.name, value_to_python(request.value))
        await send_http(context, status=204)
        return pb.SetFlowTagResponse()

    async def DeleteFlowTag(self, request: pb.DeleteFlowTagRequest, context: Ctx) -> pb.DeleteFlowTagResponse:
        async with self._write(context) as session:
            await flows.delete_tag(session, request.flow_id, request.name)
        await send_http(context, status=204)
        return pb.DeleteFlowTagResponse()

    async def GetFlowCollection(self, request: pb.GetFlowCollectionRequest, context: Ctx) -> struct_pb2.ListValue:
        async with self.ctx.db.session() as session:
            return dict_array(await flows.get_property(session, request.flow_id, "flow_collection"))

    async def SetFlowCollection(
        self, request: pb.SetFlowCollectionRequest, context: Ctx
    ) -> pb.SetFlowCollectionResponse:
        value = value_to_python(request.flow_collection)
        async with self._write(context) as session:
            await flows.set_collection(session, request.flow_id, value)
        await send_http(context, status=204)
        return pb.SetFlowCollectionResponse()

    async def DeleteFlowCollection(
        self, request: pb.DeleteFlowCollectionRequest, context: Ctx
    ) -> pb.DeleteFlowCollectionResponse:
        async with self._write(context) as session:
            await flows.delete_collection(session, request.flow_id)
        await send_http(context, status=204)
        return pb.DeleteFlowCollectionResponse()

    async def _get_bit_rate(self, flow_id: str, name: str) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, flow_id, name))

    async def _set_bit_rate(self, context: Ctx, flow_id: str, name: str, value: struct_pb2.Value) -> None:
        async with self._write(context) as session:
            await flows.set_bit_rate(session, flow_id, name, value_to_python(value))
        await send_http(context, status=204)

    async def _delete_bit_rate(self, context: Ctx, flow_id: str, name: str) -> None:
        async with self._write(context) as session:
            await flows.delete_bit_rate(session, flow_id, name)
        await send_http(context, status=204)

    async def GetFlowMaxBitRate(self, request: pb.GetFlowMaxBitRateRequest, context: Ctx) -> struct_pb2.Value:
        return await self._get_bit_rate(request.flow_id, "max_bit_rate")

    async def SetFlowMaxBitRate(
        self, request: pb.SetFlowMaxBitRateRequest, context: Ctx
    ) -> pb.SetFlowMaxBitRateResponse:
        await self._set_bit_rate(context, request.flow_id, "max_bit_rate", request.max_bit_rate)
        return pb.SetFlowMaxBitRateResponse()

    async def DeleteFlowMaxBitRate(
        self, request: pb.DeleteFlowMaxBitRateRequest, context: Ctx
    ) -> pb.DeleteFlowMaxBitRateResponse:
        await self._delete_bit_rate(context, request.flow_id, "max_bit_rate")
        return pb.DeleteFlowMaxBitRateResponse()

    async def GetFlowAvgBitRate(self, request: pb.GetFlowAvgBitRateRequest, context: Ctx) -> struct_pb2.Value:
        return await self._get_bit_rate(request.flow_id, "avg_bit_rate")

    async def SetFlowAvgBitRate(
        self, request: pb.SetFlowAvgBitRateRequest, context: Ctx
    ) -> pb.SetFlowAvgBitRateResponse:
        await self._set_bit_rate(context, request.flow_id, "avg_bit_rate", request.avg_bit_rate)
        return pb.SetFlowAvgBitRateResponse()

    async def DeleteFlowAvgBitRate(
        self, request: pb.DeleteFlowAvgBitRateRequest, context: Ctx
    ) -> pb.DeleteFlowAvgBitRateResponse:
        await self._delete_bit_rate(context, request.flow_id, "avg_bit_rate")
        return pb.DeleteFlowAvgBitRateResponse()

    # ---- sources -----------------------------------------------------------------------------------

    async def GetSource(self, request: pb.GetSourceRequest, context: Ctx) -> pb.Source:
        async with self.ctx.db.session() as session:
            doc = await flows.get_source(session, request.source_id)
        return to_message(doc, pb.Source())

    async def ListSources(self, request: pb.ListSourcesRequest, context: Ctx) -> pb.ListSourcesResponse:
        sources, token = await self._list_sources(request, context)
        return pb.ListSourcesResponse(sources=sources, next_page=token)

    async def ListSourcesRest(self, request: pb.ListSourcesRequest, context: Ctx) -> struct_pb2.ListValue:
        sources, _ = await self._list_sources(request, context)
        return json_array(sources)

    async def _list_sources(self, request: pb.ListSourcesRequest, context: Ctx) -> tuple[list[pb.Source], str]:
        rest = original(context)
        if rest is not None:
            query, page = listing.source_query_from_rest(rest)
        else:
            query, page = listing.source_query_from_fields(
                label=request.label,
                format=request.format,
                tag=request.tag,
                tag_exists=request.tag_exists,
                limit=request.limit,
                page=request.page,
                sort_by=request.sort_by,
                reverse_order=request.reverse_order,
                collected_by_ids=request.collected_by_ids if request.HasField("collected_by_ids") else None,
            )
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_sources(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, rest, query.limit, len(result.items), token)
        return [to_message(d, pb.Source()) for d in result.items], token

    # ---- source properties -------------------------------------------------------------------------

    async def GetSourceTags(self, request: pb.GetSourceTagsRequest, context: Ctx) -> struct_pb2.Struct:
        async with self.ctx.db.session() as session:
            return python_to_struct(await sources.get_tags(session, request.source_id))

    async def GetSourceTag(self, request: pb.GetSourceTagRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await sources.get_tag(session, request.source_id, request.name))

    async def SetSourceTag(self, request: pb.SetSourceTagRequest, context: Ctx) -> pb.SetSourceTagResponse:
        async with self._write(context) as session:
            await sources.set_tag(session, request.source_id, request.name, value_to_python(request.value))
        await send_http(context, status=204)
        return pb.SetSourceTagResponse()

    async def DeleteSourceTag(self, request: pb.DeleteSourceTagRequest, context: Ctx) -> pb.DeleteSourceTagResponse:
        async with self._write(context) as session:
            await sources.delete_tag(session, request.source_id, request.name)
        await send_http(context, status=204)
        return pb.DeleteSourceTagResponse()

    async def _get_source_property(self, source_id: str, name: str) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await sources.get_property(session, source_id, name))

    async def _set_source_property(self, context: Ctx, source_id: str, name: str, value: str | None) -> None:
        async with self._write(context) as session:
            if value is None:
                await sources.delete_property(session, source_id, name)
            else:
                await sources.set_property(session, source_id, name, value)
        await send_http(context, status=204)

    async def GetSourceLabel(self, request: pb.GetSourceLabelRequest, context: Ctx) -> struct_pb2.Value:
        return await self._get_source_property(request.source_id, "label")

    async def SetSourceLabel(self, request: pb.SetSourceLabelRequest, context: Ctx) -> pb.SetSourceLabelResponse:
        await self._set_source_property(context, request.source_id, "label", request.label)
        return pb.SetSourceLabelResponse()

    async def DeleteSourceLabel(
        self, request: pb.DeleteSourceLabelRequest, context: Ctx
    ) -> pb.DeleteSourceLabelResponse:
        await self._set_source_property(context, request.source_id, "label", None)
        return pb.DeleteSourceLabelResponse()

    async def GetSourceDescription(self, request: pb.GetSourceDescriptionRequest, context: Ctx) -> struct_pb2.Value:
        return await self._get_source_property(request.source_id, "description")

    async def SetSourceDescription(
        self, request: pb.SetSourceDescriptionRequest, context: Ctx
    ) -> pb.SetSourceDescriptionResponse:
        await self._set_source_property(context, request.source_id, "description", request.description)
        return pb.SetSourceDescriptionResponse()

    async def DeleteSourceDescription(
        self, request: pb.DeleteSourceDescriptionRequest, context: Ctx
    ) -> pb.DeleteSourceDescriptionResponse:
        await self._set_source_property(context, request.source_id, "description", None)
        return pb.DeleteSourceDescriptionResponse()

    # ---- profiles ----------------------------------------------------------------------------------

    async def CreateProfile(self, request: pb.CreateProfileRequest, context: Ctx) -> pb.Profile:
        body = to_document(request.profile)
        profile_id = unquote(request.profile_id) or str(body.get("id", ""))
        async with self._write(context) as session:
            doc = await profiles.create_profile(session, profile_id, body)
        await send_http(context, status=201)
        return to_message(doc, pb.Profile())

    async def ListProfiles(self, request: pb.ListProfilesRequest, context: Ctx) -> pb.ListProfilesResponse:
        items, token = await self._list_profiles(request, context)
        return pb.ListProfilesResponse(profiles=[to_message(d, pb.Profile()) for d in items], next_page=token)

    async def ListProfilesRest(self, request: pb.ListProfilesRequest, context: Ctx) -> struct_pb2.ListValue:
        items, _ = await self._list_profiles(request, context)
        return dict_array(items)

    async def _list_profiles(self, request: pb.ListProfilesRequest, context: Ctx) -> tuple[list[dict[str, Any]], str]:
        rest = original(context)
        if rest is not None:
            query = profiles.ProfileQuery(
                format=rest.get("format"),
                codec=rest.get("codec"),
                label=rest.get("label"),
                limit=segment_listing.limit_from_rest(rest),
            )
            page = rest.get("page") or None
        else:
            query = profiles.ProfileQuery(
                format=request.format or None,
                codec=request.codec or None,
                label=request.label or None,
                limit=segment_listing.limit_of(request.limit or None),
            )
            page = request.page or None
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            result = await profiles.list_profiles(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, rest, query.limit, len(result.items), token)
        return result.items, token

    async def GetProfile(self, request: pb.GetProfileRequest, context: Ctx) -> pb.Profile:
        async with self.ctx.db.session() as session:
            doc = await profiles.get_profile(session, request.profile_id)
        return to_message(doc, pb.Profile())

    # ---- segments ----------------------------------------------------------------------------------

    def _segment_query(
        self, request: pb.ListSegmentsRequest, context: Ctx
    ) -> tuple[OriginalRequest | None, segments.SegmentQuery, str | None]:
        rest = original(context)
        if rest is not None:
            query, page = segment_listing.from_rest(rest)
        else:
            query, page = segment_listing.from_fields(request)
        return rest, query, page

    async def _segments(self, request: pb.ListSegmentsRequest, context: Ctx) -> tuple[segments.SegmentPage, str]:
        rest, query, page = self._segment_query(request, context)
        scope = query.scope(request.flow_id)
        after = int(self.ctx.pages.decode(scope, page)["s"]) if page else None
        async with self.ctx.db.session() as session:
            result = await segments.list_segments(
                session, request.flow_id, query, after, signer=self.signer, base=self._base(context)
            )
        token = self.ctx.pages.encode(scope, {"s": result.next_after}) if result.next_after is not None else ""
        extra = [
            ("x-paging-timerange", result.timerange.format()),
            ("x-paging-reverse-order", "true" if query.reverse else "false"),
        ]
        await self._paging(context, rest, query.limit, len(result.items), token, extra)
        return result, token

    async def ListSegments(self, request: pb.ListSegmentsRequest, context: Ctx) -> pb.ListSegmentsResponse:
        result, token = await self._segments(request, context)
        return pb.ListSegmentsResponse(
            segments=[to_message(d, pb.Segment()) for d in result.items],
            next_page=token,
            paging_timerange=result.timerange.format(),
        )

    async def ListSegmentsRest(self, request: pb.ListSegmentsRequest, context: Ctx) -> struct_pb2.ListValue:
        result, _ = await self._segments(request, context)
        return dict_array(result.items)

    async def StreamSegments(self, request: pb.ListSegmentsRequest, context: Ctx) -> AsyncIterator[pb.Segment]:
        _, query, _ = self._segment_query(request, context)
        query = segment_listing.with_limit(query, segments.MAX_LIMIT)
        after: int | None = None
        while True:
            async with self.ctx.db.session() as session:
                result = await segments.list_segments(
                    session, request.flow_id, query, after, signer=self.signer, base=self._base(context)
                )
            for doc in result.items:
                yield to_message(doc, pb.Segment())
            if result.next_after is None:
                return
            after = result.next_after

    async def CreateSegments(self, request: pb.CreateSegmentsRequest, context: Ctx) -> pb.CreateSegmentsResponse:
        body = value_to_python(request.segments)
        # Bytes PUT straight to S3 are not seen by this server: learn their size before registering.
        await objects.refresh_sizes(self.ctx.db, self.store, objects.referenced_ids(body))
        async with self._write(context) as session:
            failures = await segments.register(session, request.flow_id, body)
        if failures:
            await send_http(context, status=200)
            return to_message(segments.failure_document(failures), pb.CreateSegmentsResponse())
        await send_http(context, status=201)
        return pb.CreateSegmentsResponse()

    async def UploadSegment(self, request_iterator: AsyncIterator[pb.UploadSegmentRequest], context: Ctx) -> pb.Segment:
        it = aiter(request_iterator)
        first = await anext(it, None)
        if first is None or first.WhichOneof("part") != "header":
            raise InvalidArgument("the first UploadSegment message must carry the header", field="header")

        async def chunks() -> AsyncIterator[bytes]:
            async for message in it:
                if message.WhichOneof("part") != "data":
                    raise InvalidArgument("only the first message may carry a header", field="header")
                yield message.data

        header = to_document(first.header)
        doc = await ingest.upload_segment(self.ctx.db, self.store, header, chunks())
        return to_message(doc, pb.Segment())

    async def DeleteSegments(self, request: pb.DeleteSegmentsRequest, context: Ctx) -> pb.DeleteSegmentsResponse:
        rest = original(context)
        raw_tr = rest.get("timerange") if rest is not None else (request.timerange or None)
        object_id = rest.get("object_id") if rest is not None else (request.object_id or None)
        tr = TimeRange.parse(raw_tr) if raw_tr is not None else TimeRange.parse("_")
        async with self._write(context) as session:
            outcome = await deletion.delete_segments(
                session, request.flow_id, tr, object_id, threshold=SYNC_DELETE_LIMIT
            )
        return await self._deleted(context, outcome, pb.DeleteSegmentsResponse())

    # ---- storage and objects -----------------------------------------------------------------------

    async def AllocateStorage(self, request: pb.AllocateStorageRequest, context: Ctx) -> pb.FlowStorage:
        body = {k: v for k, v in to_document(request).items() if k != "flow_id"}
        async with self._write(context) as session:
            items = await objects.allocate(session, request.flow_id, body, signer=self.signer, base=self._base(context))
        await send_http(context, status=201)
        return to_message({"media_objects": items}, pb.FlowStorage())

    async def GetObject(self, request: pb.GetObjectRequest, context: Ctx) -> pb.Object:
        return to_message(await self._object(request, context), pb.Object())

    async def GetObjectRest(self, request: pb.GetObjectRequest, context: Ctx) -> struct_pb2.Struct:
        return python_to_struct(await self._object(request, context))

    async def _object(self, request: pb.GetObjectRequest, context: Ctx) -> dict[str, Any]:
        rest = original(context)
        object_id = unquote(request.object_id)
        if rest is not None:
            flt = get_urls.url_filter_from_rest(rest)
            limit, page = segment_listing.limit_from_rest(rest), rest.get("page")
            flow_tags = TagFilter.parse(
                {k: v[-1] for k, v in rest.dotted("flow_tag").items()},
                {k: v[-1] for k, v in rest.dotted("flow_tag_exists").items()},
            )
        else:
            flt = get_urls.url_filter(
                request.accept_get_urls if request.HasField("accept_get_urls") else None,
                request.accept_storage_ids or None,
                request.presigned if request.HasField("presigned") else None,
                request.verbose_storage,
                get_urls.backend_tag_filter(request.storage_backend_tag, request.storage_backend_tag_exists),
            )
            limit, page = segment_listing.limit_of(request.limit or None), request.page or None
            flow_tags = TagFilter.parse(request.flow_tag, request.flow_tag_exists)
        scope = f"object|{object_id}|{limit}|{flow_tags.key()}"
        after = str(self.ctx.pages.decode(scope, page)["f"]) if page else None
        async with self.ctx.db.session() as session:
            result = await objects.get_object(
                session,
                object_id,
                flt=flt,
                signer=self.signer,
                base=self._base(context),
                after=after,
                limit=limit,
                flow_tags=flow_tags,
            )
        token = self.ctx.pages.encode(scope, {"f": result.next_after}) if result.next_after else ""
        await self._paging(context, rest, limit, None, token)
        return result.document

    async def CreateObjectInstance(
        self, request: pb.CreateObjectInstanceRequest, context: Ctx
    ) -> pb.CreateObjectInstanceResponse:
        body = to_document(request).get("instance", {})
        object_id = unquote(request.object_id)
        async with self._write(context) as session:
            sources = await objects.add_instance(session, object_id, body)
        if sources:  # a controlled copy on our storage backend, made from an uncontrolled instance
            await instances.copy_in(
                self.ctx.db, self.store, object_id, sources, allow_private=self.ctx.settings.tams_allow_private_webhooks
            )
        await send_http(context, status=201)
        return pb.CreateObjectInstanceResponse()

    async def DeleteObjectInstance(
        self, request: pb.DeleteObjectInstanceRequest, context: Ctx
    ) -> pb.DeleteObjectInstanceResponse:
        async with self._write(context) as session:
            key = await objects.delete_instance(
                session, unquote(request.object_id), request.storage_id or None, request.label or None
            )
        if key is not None:
            await objects.delete_bytes(self.store, [key])
        await send_http(context, status=204)
        return pb.DeleteObjectInstanceResponse()

    async def _storage_backends(self, request: pb.ListStorageBackendsRequest, context: Ctx) -> list[dict[str, Any]]:
        rest = original(context)
        if rest is not None:
            tags = TagFilter.parse(
                {k: v[-1] for k, v in rest.dotted("tag").items()},
                {k: v[-1] for k, v in rest.dotted("tag_exists").items()},
            )
            reverse = bool(get_urls.parse_bool(rest.get("reverse_order"), "reverse_order"))
            limit, page = segment_listing.limit_from_rest(rest), rest.get("page") or None
        else:
            tags, reverse = TagFilter.parse(request.tag, request.tag_exists), request.reverse_order
            limit, page = segment_listing.limit_of(request.limit or None), request.page or None
        scope = f"storage-backends|{tags.key()}|{reverse}|{limit}"
        after = int(self.ctx.pages.decode(scope, page).get("n", 0)) if page else 0
        found = storage_backends.backends(tags, reverse=reverse)
        items = found[after : after + limit]  # a handful of backends: a position in the sorted list is exact
        token = self.ctx.pages.encode(scope, {"n": after + limit}) if after + limit < len(found) else ""
        await self._paging(
            context, rest, limit, len(items), token, [("x-paging-reverse-order", "true" if reverse else "false")]
        )
        return items

    async def ListStorageBackends(
        self, request: pb.ListStorageBackendsRequest, context: Ctx
    ) -> pb.ListStorageBackendsResponse:
        items = await self._storage_backends(request, context)
        return pb.ListStorageBackendsResponse(storage_backends=[to_message(b, pb.StorageBackend()) for b in items])

    async def ListStorageBackendsRest(
        self, request: pb.ListStorageBackendsRequest, context: Ctx
    ) -> struct_pb2.ListValue:
        return dict_array(await self._storage_backends(request, context))

    async def ListRootEndpoints(self, request: pb.ListRootEndpointsRequest, context: Ctx) -> struct_pb2.ListValue:
        endpoints = struct_pb2.ListValue()
        endpoints.extend(list(ROOT_ENDPOINTS))
        return endpoints

    async def UploadObject(
        self, request_iterator: AsyncIterator[pb.UploadObjectRequest], context: Ctx
    ) -> pb.UploadObjectResponse:
        it = aiter(request_iterator)
        first = await anext(it, None)
        if first is None:
            raise InvalidArgument("empty upload", field="body")
        rest = original(context)
        object_id = unquote(first.object_id)
        expires = rest.get("expires") if rest is not None else first.expires
        signature = rest.get("signature") if rest is not None else first.signature
        self.verifier.verify("PUT", object_id, expires, signature)
        content_type = first.body.content_type or metadata(context).get("content-type")

        size = await objects.upload(self.ctx.db, self.store, object_id, content_type, body_chunks(first, it))
        return pb.UploadObjectResponse(size=size)

    async def DownloadObject(
        self, request: pb.DownloadObjectRequest, context: Ctx
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        rest = original(context)
        object_id = unquote(request.object_id)
        expires = rest.get("expires") if rest is not None else request.expires
        signature = rest.get("signature") if rest is not None else request.signature
        self.verifier.verify("GET", object_id, expires, signature)
        async with self.ctx.db.session() as session:
            answer = await objects.download(session, object_id, metadata(context).get("range"))
        await send_http(context, answer.status, answer.headers)
        sent = False
        if not is_head(context):
            async for chunk in objects.read(self.store, answer):
                yield httpbody_pb2.HttpBody(content_type=answer.content_type if not sent else "", data=chunk)
                sent = True
        if not sent:
            yield httpbody_pb2.HttpBody(content_type=answer.content_type)

    # ---- webhooks ----------------------------------------------------------------------------------

    async def CreateWebhook(self, request: pb.CreateWebhookRequest, context: Ctx) -> pb.Webhook:
        async with self._write(context) as session:
            doc = await webhooks.create(
                session, to_document(request.webhook), allow_private=self.ctx.settings.tams_allow_private_webhooks
            )
        await send_http(
            context, status=201, headers=[("location", f"{self._base(context)}/tams/service/webhooks/{doc['id']}")]
        )
        return to_message(doc, pb.Webhook())

    async def GetWebhook(self, request: pb.GetWebhookRequest, context: Ctx) -> pb.Webhook:
        async with self.ctx.db.session() as session:
            return to_message(await webhooks.get(session, request.webhook_id), pb.Webhook())

    async def UpdateWebhook(self, request: pb.UpdateWebhookRequest, context: Ctx) -> pb.Webhook:
        async with self._write(context) as session:
            doc = await webhooks.update(
                session,
                request.webhook_id,
                to_document(request.webhook),
                allow_private=self.ctx.settings.tams_allow_private_webhooks,
            )
        await send_http(context, status=201)  # the spec answers a successful update with 201
        return to_message(doc, pb.Webhook())

    async def DeleteWebhook(self, request: pb.DeleteWebhookRequest, context: Ctx) -> pb.DeleteWebhookResponse:
        async with self._write(context) as session:
            await webhooks.remove(session, request.webhook_id)
        await send_http(context, status=204)
        return pb.DeleteWebhookResponse()

    async def _webhooks(self, request: pb.ListWebhooksRequest, context: Ctx) -> tuple[list[dict[str, Any]], str]:
        rest = original(context)
        if rest is not None:
            tags = TagFilter.parse(
                {k: v[-1] for k, v in rest.dotted("tag").items()},
                {k: v[-1] for k, v in rest.dotted("tag_exists").items()},
            )
            query = webhooks.WebhookQuery(
                reverse=bool(get_urls.parse_bool(rest.get("reverse_order"), "reverse_order")),
                tags=tags,
                limit=segment_listing.limit_from_rest(rest),
            )
            page = rest.get("page") or None
        else:
            query = webhooks.WebhookQuery(
                reverse=request.reverse_order,
                tags=TagFilter.parse(request.tag, request.tag_exists),
                limit=segment_listing.limit_of(request.limit or None),
            )
            page = request.page or None
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            items, nxt = await webhooks.list_webhooks(session, query, after)
        token = self.ctx.pages.encode(query.scope(), nxt) if nxt else ""
        await self._paging(
            context,
            rest,
            query.limit,
            len(items),
            token,
            [("x-paging-reverse-order", "true" if query.reverse else "false")],
        )
        return items, token

    async def ListWebhooks(self, request: pb.ListWebhooksRequest, context: Ctx) -> pb.ListWebhooksResponse:
        items, token = await self._webhooks(request, context)
        return pb.ListWebhooksResponse(webhooks=[to_message(d, pb.Webhook()) for d in items], next_page=token)

    async def ListWebhooksRest(self, request: pb.ListWebhooksRequest, context: Ctx) -> struct_pb2.ListValue:
        items, _ = await self._webhooks(request, context)
        return dict_array(items)

    # ---- flow delete requests ----------------------------------------------------------------------

    async def _delete_requests(
        self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx
    ) -> tuple[list[dict[str, Any]], str]:
        rest = original(context)
        if rest is not None:
            reverse = get_urls.parse_bool(rest.get("reverse_order"), "reverse_order") or False
            query = deletion.RequestQuery(
                rest.get("sort_by") or "created", reverse, segment_listing.limit_from_rest(rest)
            )
            page = rest.get("page")
        else:
            query = deletion.RequestQuery(
                request.sort_by or "created", request.reverse_order, segment_listing.limit_of(request.limit or None)
            )
            page = request.page or None
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            items, nxt = await deletion.list_requests(session, query, after)
        token = self.ctx.pages.encode(query.scope(), nxt) if nxt else ""
        await self._paging(
            context,
            rest,
            query.limit,
            len(items),
            token,
            [("x-paging-reverse-order", "true" if query.reverse else "false")],
        )
        return items, token

    async def ListFlowDeleteRequests(
        self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx
    ) -> pb.ListFlowDeleteRequestsResponse:
        items, token = await self._delete_requests(request, context)
        return pb.ListFlowDeleteRequestsResponse(
            requests=[to_message(d, pb.FlowDeleteRequest()) for d in items], next_page=token
        )

    async def ListFlowDeleteRequestsRest(
        self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx
    ) -> struct_pb2.ListValue:
        items, _ = await self._delete_requests(request, context)
        return dict_array(items)

    async def GetFlowDeleteRequest(self, request: pb.GetFlowDeleteRequestRequest, context: Ctx) -> pb.FlowDeleteRequest:
        async with self.ctx.db.session() as session:
            doc = await deletion.get_request(session, request.request_id)
        return to_message(doc, pb.FlowDeleteRequest())


def object_store(ctx: AppContext) -> tuple[ObjectStore, ObjectLinks]:
    """The store TAMS Objects live in and what issues their presigned URLs, from the settings."""
    settings = ctx.settings
    if settings.object_store in ("", "filesystem"):
        storage_backends.configure(storage_backends.FILESYSTEM)
        return ctx.objects, UrlSigner(settings.resolved_secret())
    if settings.object_store != "s3":
        raise ValueError(f"POLYPHONY_OBJECT_STORE must be filesystem or s3, not {settings.object_store!r}")
    if not settings.s3_bucket:
        raise ValueError("POLYPHONY_OBJECT_STORE=s3 needs POLYPHONY_S3_BUCKET")
    from polyphony.flow import s3store

    client = s3store.make_client(settings)
    storage_backends.configure(
        storage_backends.s3_backend(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    )
    return s3store.S3ObjectStore(client, settings.s3_bucket), s3store.S3Links(client, settings.s3_bucket)


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    store, signer = object_store(ctx)
    worker = DeletionWorker(ctx.db, store)
    worker.start()
    ctx.closers.append(worker.stop)
    base = ctx.settings.public_url or f"http://{ctx.settings.host}:{ctx.settings.http_port}"

    async def render_segments(session: Any, docs: list[dict[str, Any]], options: dict[str, Any]) -> list[Any]:
        return await segments.render_stored(session, docs, options, signer=signer, base=base)

    events = dispatcher.Dispatcher(ctx.db, render_segments, allow_private=ctx.settings.tams_allow_private_webhooks)
    events.start()
    ctx.closers.append(events.stop)
    flow_pb2_grpc.add_FlowServiceServicer_to_server(FlowServicer(ctx, worker, store=store, links=signer), server)
    return str(pb.DESCRIPTOR.services_by_name["FlowService"].full_name)
