"""FlowService RPCs of webhooks: `/service/webhooks` and `/service/webhooks/{id}`."""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.flow import segment_listing, webhooks
from polyphony.flow.api.base import Ctx, FlowApi, ListedPage, reverse_header
from polyphony.flow.mapping import dict_array, python_to_struct, to_document, to_message
from polyphony.flow.tags import TagFilter
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, bind


def _typed(webhook: pb.Webhook) -> dict[str, Any]:
    """A typed webhook as its document; an empty `events` is `[]` (proto3 cannot tell it from absent)."""
    doc = to_document(webhook)
    doc.setdefault("events", [])
    return doc


def _json(webhook: struct_pb2.Struct) -> dict[str, Any]:
    """A REST body as sent (absent `events` stays absent, so the schema check names it)."""
    return to_document(webhook)


class WebhooksApi(FlowApi):
    async def _create(self, body: dict[str, Any], context: Ctx) -> dict[str, Any]:
        call = Call.of(context)
        async with self._write(call) as session:
            doc = await webhooks.create(session, body, allow_private=self.ctx.settings.tams_allow_private_webhooks)
        location = f"{self._base(call)}/tams/service/webhooks/{doc['id']}"
        await send_http(context, status=201, headers=[("location", location)])
        return doc

    async def _update(self, webhook_id: str, body: dict[str, Any], context: Ctx) -> dict[str, Any]:
        async with self._write(Call.of(context)) as session:
            doc = await webhooks.update(
                session, webhook_id, body, allow_private=self.ctx.settings.tams_allow_private_webhooks
            )
        await send_http(context, status=201)  # the spec answers a successful update with 201
        return doc

    async def _get(self, webhook_id: str) -> dict[str, Any]:
        async with self.ctx.db.session() as session:
            return await webhooks.get(session, webhook_id)

    async def CreateWebhook(self, request: pb.CreateWebhookRequest, context: Ctx) -> pb.Webhook:
        return to_message(await self._create(_typed(request.webhook), context), pb.Webhook())

    async def CreateWebhookRest(self, request: pb.CreateWebhookRestRequest, context: Ctx) -> struct_pb2.Struct:
        return python_to_struct(await self._create(_json(request.webhook), context))

    async def GetWebhook(self, request: pb.GetWebhookRequest, context: Ctx) -> pb.Webhook:
        return to_message(await self._get(request.webhook_id), pb.Webhook())

    async def GetWebhookRest(self, request: pb.GetWebhookRequest, context: Ctx) -> struct_pb2.Struct:
        return python_to_struct(await self._get(request.webhook_id))

    async def UpdateWebhook(self, request: pb.UpdateWebhookRequest, context: Ctx) -> pb.Webhook:
        doc = await self._update(request.webhook_id, _typed(request.webhook), context)
        return to_message(doc, pb.Webhook())

    async def UpdateWebhookRest(self, request: pb.UpdateWebhookRestRequest, context: Ctx) -> struct_pb2.Struct:
        return python_to_struct(await self._update(request.webhook_id, _json(request.webhook), context))

    async def DeleteWebhook(self, request: pb.DeleteWebhookRequest, context: Ctx) -> pb.DeleteWebhookResponse:
        async with self._write(Call.of(context)) as session:
            await webhooks.remove(session, request.webhook_id)
        await send_http(context, status=204)
        return pb.DeleteWebhookResponse()

    async def _webhooks(self, request: pb.ListWebhooksRequest, context: Ctx) -> ListedPage:
        call = Call.of(context)
        request = bind(request, call)
        query = webhooks.WebhookQuery(
            reverse=request.reverse_order,
            tags=TagFilter.parse(request.tag, request.tag_exists),
            limit=segment_listing.limit_or_default(request.limit),
        )
        after = self.ctx.pages.decode(query.scope(), request.page) if request.page else None
        async with self.ctx.db.session() as session:
            items, nxt = await webhooks.list_webhooks(session, query, after)
        token = self.ctx.pages.encode(query.scope(), nxt) if nxt else ""
        await self._paging(context, call, query.limit, len(items), token, [reverse_header(query.reverse)])
        return ListedPage(items, token)

    async def ListWebhooks(self, request: pb.ListWebhooksRequest, context: Ctx) -> pb.ListWebhooksResponse:
        page = await self._webhooks(request, context)
        return pb.ListWebhooksResponse(webhooks=[to_message(d, pb.Webhook()) for d in page.items], next_page=page.token)

    async def ListWebhooksRest(self, request: pb.ListWebhooksRequest, context: Ctx) -> struct_pb2.ListValue:
        return dict_array((await self._webhooks(request, context)).items)
