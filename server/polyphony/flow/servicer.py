"""FlowService: TAMS over gRPC (and REST through Envoy). Thin: parse, call the domain, map."""

from __future__ import annotations

from typing import Any, TypeAlias
from urllib.parse import urlencode

import grpc
from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.app import AppContext
from polyphony.core.query import OriginalRequest
from polyphony.edge.live import LiveApp
from polyphony.flow import flows, listing, profiles
from polyphony.flow.mapping import (
    json_array,
    python_to_struct,
    python_to_value,
    to_document,
    to_message,
    value_to_python,
)
from polyphony.flow.service_info import service_document
from polyphony.rpc.http import base_url, original, send_http

Ctx: TypeAlias = grpc.aio.ServicerContext


def _flow(doc: dict[str, Any]) -> pb.Flow:
    return to_message(doc, pb.Flow())


class FlowServicer(flow_pb2_grpc.FlowServiceServicer):
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    async def GetService(self, request: pb.GetServiceRequest, context: Ctx) -> pb.Service:
        return to_message(service_document(), pb.Service())

    # ---- flows -------------------------------------------------------------------------------------

    async def GetFlow(self, request: pb.GetFlowRequest, context: Ctx) -> pb.Flow:
        rest = original(context)
        include = request.include_timerange or (rest is not None and rest.get("include_timerange") == "true")
        async with self.ctx.db.session() as session:
            doc = await flows.get_flow(session, request.flow_id, include_timerange=include)
        return _flow(doc)

    async def PutFlow(self, request: pb.PutFlowRequest, context: Ctx) -> pb.Flow:
        body = to_document(request.flow)
        async with self.ctx.db.transaction() as session:
            result = await flows.put_flow(session, request.flow_id, body)
        await send_http(context, status=201 if result.created else 204)
        return _flow(result.flow)

    async def DeleteFlow(self, request: pb.DeleteFlowRequest, context: Ctx) -> pb.DeleteFlowResponse:
        async with self.ctx.db.transaction() as session:
            await flows.delete_flow(session, request.flow_id)
        await send_http(context, status=204)
        return pb.DeleteFlowResponse()

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
                source_id=request.source_id, format=request.format, codec=request.codec, label=request.label,
                profile_id=request.profile_id, frame_width=request.frame_width, frame_height=request.frame_height,
                tag=request.tag, tag_exists=request.tag_exists, limit=request.limit, page=request.page)
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_flows(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, rest, query.limit, len(result.items), token)
        return [_flow(d) for d in result.items], token

    async def _paging(self, context: Ctx, rest: OriginalRequest | None, limit: int, count: int, token: str) -> None:
        headers = [("x-paging-limit", str(limit)), ("x-paging-count", str(count))]
        if token:
            headers.append(("x-paging-nextkey", token))
            if rest is not None:
                params = [(k, v) for k, v in rest.params if k != "page"] + [("page", token)]
                fallback = self.ctx.settings.public_url or f"http://localhost:{self.ctx.settings.http_port}"
                headers.append(("link", f'<{base_url(context, fallback)}{rest.path}?{urlencode(params)}>; rel="next"'))
        await send_http(context, headers=headers)

    # ---- flow properties ---------------------------------------------------------------------------

    async def GetFlowLabel(self, request: pb.GetFlowLabelRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "label"))

    async def SetFlowLabel(self, request: pb.SetFlowLabelRequest, context: Ctx) -> pb.SetFlowLabelResponse:
        async with self.ctx.db.transaction() as session:
            await flows.set_string_property(session, request.flow_id, "label", request.label)
        await send_http(context, status=204)
        return pb.SetFlowLabelResponse()

    async def DeleteFlowLabel(self, request: pb.DeleteFlowLabelRequest, context: Ctx) -> pb.DeleteFlowLabelResponse:
        async with self.ctx.db.transaction() as session:
            await flows.delete_property(session, request.flow_id, "label")
        await send_http(context, status=204)
        return pb.DeleteFlowLabelResponse()

    async def GetFlowDescription(self, request: pb.GetFlowDescriptionRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_property(session, request.flow_id, "description"))

    async def SetFlowDescription(
        self, request: pb.SetFlowDescriptionRequest, context: Ctx
    ) -> pb.SetFlowDescriptionResponse:
        async with self.ctx.db.transaction() as session:
            await flows.set_string_property(session, request.flow_id, "description", request.description)
        await send_http(context, status=204)
        return pb.SetFlowDescriptionResponse()

    async def DeleteFlowDescription(
        self, request: pb.DeleteFlowDescriptionRequest, context: Ctx
    ) -> pb.DeleteFlowDescriptionResponse:
        async with self.ctx.db.transaction() as session:
            await flows.delete_property(session, request.flow_id, "description")
        await send_http(context, status=204)
        return pb.DeleteFlowDescriptionResponse()

    async def GetFlowReadOnly(self, request: pb.GetFlowReadOnlyRequest, context: Ctx) -> struct_pb2.Value:
        async with self.ctx.db.session() as session:
            return python_to_value(await flows.get_read_only(session, request.flow_id))

    async def SetFlowReadOnly(self, request: pb.SetFlowReadOnlyRequest, context: Ctx) -> pb.SetFlowReadOnlyResponse:
        async with self.ctx.db.transaction() as session:
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
        async with self.ctx.db.transaction() as session:
            await flows.set_tag(session, request.flow_id, request.name, value_to_python(request.value))
        await send_http(context, status=204)
        return pb.SetFlowTagResponse()

    async def DeleteFlowTag(self, request: pb.DeleteFlowTagRequest, context: Ctx) -> pb.DeleteFlowTagResponse:
        async with self.ctx.db.transaction() as session:
            await flows.delete_tag(session, request.flow_id, request.name)
        await send_http(context, status=204)
        return pb.DeleteFlowTagResponse()

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
                label=request.label, format=request.format, tag=request.tag, tag_exists=request.tag_exists,
                limit=request.limit, page=request.page)
        after = self.ctx.pages.decode(query.scope(), page) if page else None
        async with self.ctx.db.session() as session:
            result = await flows.list_sources(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, rest, query.limit, len(result.items), token)
        return [to_message(d, pb.Source()) for d in result.items], token

    # ---- profiles ----------------------------------------------------------------------------------

    async def CreateProfile(self, request: pb.CreateProfileRequest, context: Ctx) -> pb.Profile:
        async with self.ctx.db.transaction() as session:
            doc = await profiles.create_profile(session, to_document(request.profile))
        await send_http(context, status=201)
        return to_message(doc, pb.Profile())

    async def GetProfile(self, request: pb.GetProfileRequest, context: Ctx) -> pb.Profile:
        async with self.ctx.db.session() as session:
            doc = await profiles.get_profile(session, request.profile_id)
        return to_message(doc, pb.Profile())


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    flow_pb2_grpc.add_FlowServiceServicer_to_server(FlowServicer(ctx), server)
    return str(pb.DESCRIPTOR.services_by_name["FlowService"].full_name)
