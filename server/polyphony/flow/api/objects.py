"""FlowService RPCs of Media Objects: storage allocation, `/objects/{id}`, instances, and the bytes behind our
own presigned URLs (`/tams/_objects`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

from google.api import httpbody_pb2
from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.errors import InvalidArgument
from polyphony.flow import get_urls, instances, objects, segment_listing
from polyphony.flow.api.base import Ctx, FlowApi
from polyphony.flow.mapping import python_to_struct, to_document, to_message
from polyphony.flow.tags import TagFilter
from polyphony.rpc.http import body_chunks, send_http
from polyphony.rpc.listing import Call, bind


class ObjectsApi(FlowApi):
    async def AllocateStorage(self, request: pb.AllocateStorageRequest, context: Ctx) -> pb.FlowStorage:
        call = Call.of(context)
        body = {k: v for k, v in to_document(request).items() if k != "flow_id"}
        async with self._write(call) as session:
            items = await objects.allocate(session, request.flow_id, body, signer=self.signer, base=self._base(call))
        await send_http(context, status=201)
        return to_message({"media_objects": items}, pb.FlowStorage())

    async def GetObject(self, request: pb.GetObjectRequest, context: Ctx) -> pb.Object:
        return to_message(await self._object(request, context), pb.Object())

    async def GetObjectRest(self, request: pb.GetObjectRequest, context: Ctx) -> struct_pb2.Struct:
        return python_to_struct(await self._object(request, context))

    async def _object(self, request: pb.GetObjectRequest, context: Ctx) -> dict[str, Any]:
        call = Call.of(context)
        request = bind(request, call)
        object_id = unquote(request.object_id)
        flt = get_urls.url_filter(
            request.accept_get_urls if request.HasField("accept_get_urls") else None,
            request.accept_storage_ids or None,
            request.presigned if request.HasField("presigned") else None,
            request.verbose_storage,
            get_urls.backend_tag_filter(request.storage_backend_tag, request.storage_backend_tag_exists),
        )
        limit = segment_listing.limit_of(call.number("limit", request.limit))
        flow_tags = TagFilter.parse(request.flow_tag, request.flow_tag_exists)
        scope = f"object|{object_id}|{limit}|{flow_tags.key()}"
        after = str(self.ctx.pages.decode(scope, request.page)["f"]) if request.page else None
        async with self.ctx.db.session() as session:
            result = await objects.get_object(
                session,
                object_id,
                flt=flt,
                signer=self.signer,
                base=self._base(call),
                after=after,
                limit=limit,
                flow_tags=flow_tags,
            )
        token = self.ctx.pages.encode(scope, {"f": result.next_after}) if result.next_after else ""
        await self._paging(context, call, limit, None, token)
        return result.document

    async def CreateObjectInstance(
        self, request: pb.CreateObjectInstanceRequest, context: Ctx
    ) -> pb.CreateObjectInstanceResponse:
        body = to_document(request).get("instance", {})
        object_id = unquote(request.object_id)
        async with self._write(Call.of(context)) as session:
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
        async with self._write(Call.of(context)) as session:
            key = await objects.delete_instance(
                session, unquote(request.object_id), request.storage_id or None, request.label or None
            )
        if key is not None:
            await objects.delete_bytes(self.store, [key])
        await send_http(context, status=204)
        return pb.DeleteObjectInstanceResponse()

    async def UploadObject(
        self, request_iterator: AsyncIterator[pb.UploadObjectRequest], context: Ctx
    ) -> pb.UploadObjectResponse:
        it = aiter(request_iterator)
        first = await anext(it, None)
        if first is None:
            raise InvalidArgument("empty upload", field="body")
        call = Call.of(context)
        rest = call.rest
        object_id = unquote(first.object_id)
        expires = rest.get("expires") if rest is not None else first.expires
        signature = rest.get("signature") if rest is not None else first.signature
        self.verifier.verify("PUT", object_id, expires, signature)
        content_type = first.body.content_type or call.metadata.get("content-type")

        size = await objects.upload(self.ctx.db, self.store, object_id, content_type, body_chunks(first, it))
        return pb.UploadObjectResponse(size=size)

    async def DownloadObject(
        self, request: pb.DownloadObjectRequest, context: Ctx
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        call = Call.of(context)
        rest = call.rest
        object_id = unquote(request.object_id)
        expires = rest.get("expires") if rest is not None else request.expires
        signature = rest.get("signature") if rest is not None else request.signature
        self.verifier.verify("GET", object_id, expires, signature)
        async with self.ctx.db.session() as session:
            answer = await objects.download(session, object_id, call.metadata.get("range"))
        await send_http(context, answer.status, answer.headers)
        sent = False
        if not call.is_head:
            async for chunk in objects.read(self.store, answer):
                yield httpbody_pb2.HttpBody(content_type=answer.content_type if not sent else "", data=chunk)
                sent = True
        if not sent:
            yield httpbody_pb2.HttpBody(content_type=answer.content_type)
