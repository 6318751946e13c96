"""FlowService RPCs of Flows: `/flows`, `/flows/{id}` and the Flow's properties."""

from __future__ import annotations

from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.flow import deletion, flows, listing
from polyphony.flow.api.base import Ctx, FlowApi, ListedPage
from polyphony.flow.mapping import (
    dict_array,
    python_to_struct,
    python_to_value,
    to_document,
    to_message,
    value_to_python,
)
from polyphony.flow.timerange import TimeRange
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, bind


class FlowsApi(FlowApi):
    async def GetFlow(self, request: pb.GetFlowRequest, context: Ctx) -> pb.Flow:
        request = bind(request, Call.of(context))  # the spec's booleans only (`include_timerange`)
        within = TimeRange.parse(request.timerange) if request.timerange else None
        async with self.ctx.db.session() as session:
            doc = await flows.get_flow(
                session, request.flow_id, include_timerange=request.include_timerange, within=within
            )
        return to_message(doc, pb.Flow())

    async def PutFlow(self, request: pb.PutFlowRequest, context: Ctx) -> pb.Flow:
        body = to_document(request.flow)
        async with self._write(Call.of(context)) as session:
            result = await flows.put_flow(session, request.flow_id, body)
        await send_http(context, status=201 if result.created else 204)
        return to_message(result.flow, pb.Flow())

    async def DeleteFlow(self, request: pb.DeleteFlowRequest, context: Ctx) -> pb.DeleteFlowResponse:
        call = Call.of(context)
        async with self._write(call) as session:
            outcome = await deletion.delete_flow(
                session, request.flow_id, threshold=self.ctx.settings.tams_sync_delete_limit
            )
        return await self._deleted(context, call, outcome, pb.DeleteFlowResponse())

    async def ListFlows(self, request: pb.ListFlowsRequest, context: Ctx) -> pb.ListFlowsResponse:
        page = await self._list_flows(request, context)
        return pb.ListFlowsResponse(flows=[to_message(d, pb.Flow()) for d in page.items], next_page=page.token)

    async def ListFlowsRest(self, request: pb.ListFlowsRequest, context: Ctx) -> struct_pb2.ListValue:
        return dict_array((await self._list_flows(request, context)).items)

    async def _list_flows(self, request: pb.ListFlowsRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        query = listing.flow_query(
            source_id=request.source_id,
            format=request.format,
            codec=request.codec,
            label=request.label,
            profile_id=request.profile_id,
            frame_width=request.frame_width,
            frame_height=request.frame_height,
            tag=request.tag,
            tag_exists=request.tag_exists,
            limit=call.number("limit", request.limit),
            timerange=request.timerange,
            sort_by=request.sort_by,
            reverse_order=request.reverse_order,
            status=request.status,
            init_segments=request.init_segments if request.HasField("init_segments") else None,
            collected_by_ids=request.collected_by_ids if request.HasField("collected_by_ids") else None,
        )
        after = self.ctx.pages.decode(query.scope(), request.page) if request.page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_flows(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, call, query.limit, len(result.items), token)
        return ListedPage(result.items, token)

    # ---- flow properties ---------------------------------------------------------------------------

    async def GetFlowLabel(self, request: pb.GetFlowLabelRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "label"))

    async def SetFlowLabel(self, request: pb.SetFlowLabelRequest, context: Ctx) -> pb.SetFlowLabelResponse:
        async with self._write(Call.of(context)) as session:
            await flows.set_string_property(session, request.flow_id, "label", request.label)
        await send_http(context, status=204)
        return pb.SetFlowLabelResponse()

    async def DeleteFlowLabel(self, request: pb.DeleteFlowLabelRequest, context: Ctx) -> pb.DeleteFlowLabelResponse:
        async with self._write(Call.of(context)) as session:
            await flows.delete_property(session, request.flow_id, "label")
        await send_http(context, status=204)
        return pb.DeleteFlowLabelResponse()

    async def GetFlowDescription(self, request: pb.GetFlowDescriptionRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "description"))

    async def SetFlowDescription(
        self, request: pb.SetFlowDescriptionRequest, context: Ctx
    ) -> pb.SetFlowDescriptionResponse:
        async with self._write(Call.of(context)) as session:
            await flows.set_string_property(session, request.flow_id, "description", request.description)
        await send_http(context, status=204)
        return pb.SetFlowDescriptionResponse()

    async def DeleteFlowDescription(
        self, request: pb.DeleteFlowDescriptionRequest, context: Ctx
    ) -> pb.DeleteFlowDescriptionResponse:
        async with self._write(Call.of(context)) as session:
            await flows.delete_property(session, request.flow_id, "description")
        await send_http(context, status=204)
        return pb.DeleteFlowDescriptionResponse()

    async def GetFlowReadOnly(self, request: pb.GetFlowReadOnlyRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_read_only(session, request.flow_id))

    async def SetFlowReadOnly(self, request: pb.SetFlowReadOnlyRequest, context: Ctx) -> pb.SetFlowReadOnlyResponse:
        async with self._write(Call.of(context)) as session:
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
        async with self._write(Call.of(context)) as session:
            await flows.set_tag(session, request.flow_id, request.name, value_to_python(request.value))
        await send_http(context, status=204)
        return pb.SetFlowTagResponse()

    async def DeleteFlowTag(self, request: pb.DeleteFlowTagRequest, context: Ctx) -> pb.DeleteFlowTagResponse:
        async with self._write(Call.of(context)) as session:
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
        async with self._write(Call.of(context)) as session:
            await flows.set_collection(session, request.flow_id, value)
        await send_http(context, status=204)
        return pb.SetFlowCollectionResponse()

    async def DeleteFlowCollection(
        self, request: pb.DeleteFlowCollectionRequest, context: Ctx
    ) -> pb.DeleteFlowCollectionResponse:
        async with self._write(Call.of(context)) as session:
            await flows.delete_collection(session, request.flow_id)
        await send_http(context, status=204)
        return pb.DeleteFlowCollectionResponse()

    async def _get_bit_rate(self, flow_id: str, name: str) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, flow_id, name))

    async def _set_bit_rate(self, context: Ctx, flow_id: str, name: str, value: struct_pb2.Value) -> None:
        async with self._write(Call.of(context)) as session:
            await flows.set_bit_rate(session, flow_id, name, value_to_python(value))
        await send_http(context, status=204)

    async def _delete_bit_rate(self, context: Ctx, flow_id: str, name: str) -> None:
        async with self._write(Call.of(context)) as session:
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
