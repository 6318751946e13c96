"""FlowService RPCs of the service itself: `/`, `/service`, storage backends, profiles, Flow Delete Requests."""

from __future__ import annotations

from urllib.parse import unquote

from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.flow import deletion, profiles, segment_listing, service_info, storage_backends
from polyphony.flow.api.base import Ctx, FlowApi, ListedPage, reverse_header
from polyphony.flow.mapping import dict_array, to_document, to_message
from polyphony.flow.tags import TagFilter
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, bind

# What `GET /tams/` lists: the paths under the API root (the spec's example).
ROOT_ENDPOINTS = ("service", "flows", "sources", "flow-delete-requests")


class ServiceApi(FlowApi):
    async def ListRootEndpoints(self, request: pb.ListRootEndpointsRequest, context: Ctx) -> struct_pb2.ListValue:
        endpoints = struct_pb2.ListValue()
        endpoints.extend(list(ROOT_ENDPOINTS))
        return endpoints

    async def GetService(self, request: pb.GetServiceRequest, context: Ctx) -> pb.Service:
        async with self.ctx.db.session() as session:
            return to_message(await service_info.get_service(session), pb.Service())

    async def UpdateService(self, request: pb.UpdateServiceRequest, context: Ctx) -> pb.Service:
        async with self._write(Call.of(context)) as session:
            doc = await service_info.update_service(session, to_document(request))
        await send_http(context, status=200)
        return to_message(doc, pb.Service())

    # ---- storage backends --------------------------------------------------------------------------

    async def _storage_backends(self, request: pb.ListStorageBackendsRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        tags, reverse = TagFilter.parse(request.tag, request.tag_exists), request.reverse_order
        limit = segment_listing.limit_or_default(request.limit)
        scope = f"storage-backends|{tags.key()}|{reverse}|{limit}"
        after = int(self.ctx.pages.decode(scope, request.page).get("n", 0)) if request.page else 0
        found = storage_backends.backends(tags, reverse=reverse)
        items = found[after : after + limit]  # a handful of backends: a position in the sorted list is exact
        token = self.ctx.pages.encode(scope, {"n": after + limit}) if after + limit < len(found) else ""
        await self._paging(context, call, limit, len(items), token, [reverse_header(reverse)])
        return ListedPage(items, token)

    async def ListStorageBackends(
        self, request: pb.ListStorageBackendsRequest, context: Ctx
    ) -> pb.ListStorageBackendsResponse:
        page = await self._storage_backends(request, context)
        return pb.ListStorageBackendsResponse(storage_backends=[to_message(b, pb.StorageBackend()) for b in page.items])

    async def ListStorageBackendsRest(
        self, request: pb.ListStorageBackendsRequest, context: Ctx
    ) -> struct_pb2.ListValue:
        return dict_array((await self._storage_backends(request, context)).items)

    # ---- profiles ----------------------------------------------------------------------------------

    async def CreateProfile(self, request: pb.CreateProfileRequest, context: Ctx) -> pb.Profile:
        body = to_document(request.profile)
        profile_id = unquote(request.profile_id) or str(body.get("id", ""))
        async with self._write(Call.of(context)) as session:
            doc = await profiles.create_profile(session, profile_id, body)
        await send_http(context, status=201)
        return to_message(doc, pb.Profile())

    async def ListProfiles(self, request: pb.ListProfilesRequest, context: Ctx) -> pb.ListProfilesResponse:
        page = await self._list_profiles(request, context)
        return pb.ListProfilesResponse(profiles=[to_message(d, pb.Profile()) for d in page.items], next_page=page.token)

    async def ListProfilesRest(self, request: pb.ListProfilesRequest, context: Ctx) -> struct_pb2.ListValue:
        return dict_array((await self._list_profiles(request, context)).items)

    async def _list_profiles(self, request: pb.ListProfilesRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        query = profiles.ProfileQuery(
            format=request.format or None,
            codec=request.codec or None,
            label=request.label or None,
            limit=segment_listing.limit_of(call.number("limit", request.limit)),
        )
        after = self.ctx.pages.decode(query.scope(), request.page) if request.page else None
        async with self.ctx.db.session() as session:
            result = await profiles.list_profiles(session, query, after)
        token = self.ctx.pages.encode(query.scope(), result.next_position) if result.next_position else ""
        await self._paging(context, call, query.limit, len(result.items), token)
        return ListedPage(result.items, token)

    async def GetProfile(self, request: pb.GetProfileRequest, context: Ctx) -> pb.Profile:
        async with self.ctx.db.session() as session:
            doc = await profiles.get_profile(session, request.profile_id)
        return to_message(doc, pb.Profile())

    # ---- flow delete requests ----------------------------------------------------------------------

    async def _delete_requests(self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        query = deletion.RequestQuery(
            request.sort_by or "created", request.reverse_order, segment_listing.limit_or_default(request.limit)
        )
        after = self.ctx.pages.decode(query.scope(), request.page) if request.page else None
        async with self.ctx.db.session() as session:
            items, nxt = await deletion.list_requests(session, query, after)
        token = self.ctx.pages.encode(query.scope(), nxt) if nxt else ""
        await self._paging(context, call, query.limit, len(items), token, [reverse_header(query.reverse)])
        return ListedPage(items, token)

    async def ListFlowDeleteRequests(
        self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx
    ) -> pb.ListFlowDeleteRequestsResponse:
        page = await self._delete_requests(request, context)
        return pb.ListFlowDeleteRequestsResponse(
            requests=[to_message(d, pb.FlowDeleteRequest()) for d in page.items], next_page=page.token
        )

    async def ListFlowDeleteRequestsRest(
        self, request: pb.ListFlowDeleteRequestsRequest, context: Ctx
    ) -> struct_pb2.ListValue:
        return dict_array((await self._delete_requests(request, context)).items)

    async def GetFlowDeleteRequest(self, request: pb.GetFlowDeleteRequestRequest, context: Ctx) -> pb.FlowDeleteRequest:
        async with self.ctx.db.session() as session:
            doc = await deletion.get_request(session, request.request_id)
        return to_message(doc, pb.FlowDeleteRequest())
