"""FlowService RPCs of Segments: `/flows/{id}/segments` (list, stream, register, upload, delete)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.flow import deletion, ingest, objects, segment_listing, segments
from polyphony.flow.api.base import Ctx, FlowApi, reverse_header
from polyphony.flow.mapping import dict_array, to_document, to_message, value_to_python
from polyphony.flow.timerange import TimeRange
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, bind


class SegmentsApi(FlowApi):
    async def _segments(self, request: pb.ListSegmentsRequest, context: Ctx) -> tuple[segments.SegmentPage, str]:
        call = Call.of(context)
        query = segment_listing.segment_query(bind(request, call), call.number("limit", request.limit))
        scope = query.scope(request.flow_id)
        after = int(self.ctx.pages.decode(scope, request.page)["s"]) if request.page else None
        async with self.ctx.db.session() as session:
            result = await segments.list_segments(
                session, request.flow_id, query, after, signer=self.signer, base=self._base(call)
            )
        token = self.ctx.pages.encode(scope, {"s": result.next_after}) if result.next_after is not None else ""
        extra = [("x-paging-timerange", result.timerange.format()), reverse_header(query.reverse)]
        await self._paging(context, call, query.limit, len(result.items), token, extra)
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
        call = Call.of(context)
        query = segment_listing.with_limit(
            segment_listing.segment_query(bind(request, call), call.number("limit", request.limit)), segments.MAX_LIMIT
        )
        after: int | None = None
        while True:
            async with self.ctx.db.session() as session:
                result = await segments.list_segments(
                    session, request.flow_id, query, after, signer=self.signer, base=self._base(call)
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
        async with self._write(Call.of(context)) as session:
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
        call = Call.of(context)
        tr = TimeRange.parse(request.timerange or "_")
        async with self._write(call) as session:
            outcome = await deletion.delete_segments(
                session,
                request.flow_id,
                tr,
                request.object_id or None,
                threshold=self.ctx.settings.tams_sync_delete_limit,
            )
        return await self._deleted(context, call, outcome, pb.DeleteSegmentsResponse())
