"""FlowService RPCs of Sources: `/sources`, `/sources/{id}` and the Source's properties."""

from __future__ import annotations

from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.flow import flows, listing, sources
from polyphony.flow.api.base import Ctx, FlowApi, ListedPage
from polyphony.flow.mapping import dict_array, python_to_struct, python_to_value, to_message, value_to_python
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, bind


class SourcesApi(FlowApi):
    async def GetSource(self, request: pb.GetSourceRequest, context: Ctx) -> pb.Source:
        async with self.ctx.db.session() as session:
            doc = await flows.get_source(session, request.source_id)
        return to_message(doc, pb.Source())

    async def ListSources(self, request: pb.ListSourcesRequest, context: Ctx) -> pb.ListSourcesResponse:
        page = await self._list_sources(request, context)
        return pb.ListSourcesResponse(sources=[to_message(d, pb.Source()) for d in page.items], next_page=page.token)

    async def ListSourcesRest(self, request: pb.ListSourcesRequest, context: Ctx) -> struct_pb2.ListValue:
        return dict_array((await self._list_sources(request, context)).items)

    async def _list_sources(self, request: pb.ListSourcesRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        query = listing.source_query(
            label=request.label,
            format=request.format,
            tag=request.tag,
            tag_exists=request.tag_exists,
            limit=call.number("limit", request.limit),
            sort_by=request.sort_by,
            reverse_order=request.reverse_order,
            collected_by_ids=request.collected_by_ids if request.HasField("collected_by_ids") else None,
        )
        after = self.ctx.pages.decode(query.scope(), request.page) if request.page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_sources(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, call, query.limit, len(result.items), token)
        return ListedPage(result.items, token)

    # ---- source properties -------------------------------------------------------------------------

    async def GetSourceTags(self, request: pb.GetSourceTagsRequest, context: Ctx) -> struct_pb2.Struct:
        async with self.ctx.db.session() as session:
            return python_to_struct(await sources.get_tags(session, request.source_id))

    async def GetSourceTag(self, request: pb.GetSourceTagRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await sources.get_tag(session, request.source_id, request.name))

    async def SetSourceTag(self, request: pb.SetSourceTagRequest, context: Ctx) -> pb.SetSourceTagResponse:
        async with self._write(Call.of(context)) as session:
            await sources.set_tag(session, request.source_id, request.name, value_to_python(request.value))
        await send_http(context, status=204)
        return pb.SetSourceTagResponse()

    async def DeleteSourceTag(self, request: pb.DeleteSourceTagRequest, context: Ctx) -> pb.DeleteSourceTagResponse:
        async with self._write(Call.of(context)) as session:
            await sources.delete_tag(session, request.source_id, request.name)
        await send_http(context, status=204)
        return pb.DeleteSourceTagResponse()

    async def _get_source_property(self, source_id: str, name: str) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await sources.get_property(session, source_id, name))

    async def _set_source_property(self, context: Ctx, source_id: str, name: str, value: str | None) -> None:
        async with self._write(Call.of(context)) as session:
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
