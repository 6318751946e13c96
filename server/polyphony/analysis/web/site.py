"""AnalysisService, the API root, the OpenAPI schema and docs, and the legacy HTML pages (item, export, player)."""

from __future__ import annotations

import asyncio

import grpc
from google.api import httpbody_pb2
from google.protobuf import struct_pb2

from polyphony.analysis.engine import visuals
from polyphony.analysis.models import Item
from polyphony.analysis.web import mapping, openapi, pages
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.http import original

HTML = "text/html; charset=utf-8"
PAGE_PIXELS = 600
API_COLLECTIONS = (
    "items",
    "selections",
    "processors",
    "subprocessors",
    "presets",
    "experiences",
    "tasks",
    "results",
    "analysis",
    "analysis_tracks",
    "annotation_tracks",
    "annotations",
    "providers",
    "users",
)


class SiteRpc(AnalysisRpcBase):
    async def GetApiRoot(self, request: pb.GetApiRootRequest, context: grpc.aio.ServicerContext) -> struct_pb2.Struct:
        base = f"{self._base(context)}/timeside/api"
        return mapping.struct({name: f"{base}/{name}/" for name in API_COLLECTIONS})

    async def GetApiSchema(
        self, request: pb.GetApiSchemaRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(
            content_type="application/vnd.oai.openapi+json", data=openapi.schema_document(self._base(context))
        )

    async def GetApiDocs(
        self, request: pb.GetApiDocsRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        return httpbody_pb2.HttpBody(content_type=HTML, data=openapi.docs_page(self._base(context)))

    async def _envelope(self, item: Item) -> visuals.Envelope | None:
        if item.source_key is None or await self.ctx.objects.size(item.source_key) is None:
            return None
        async with self.copies.local_file(item.source_key) as path:
            return await asyncio.to_thread(visuals.waveform, path, None, None, PAGE_PIXELS)

    async def GetItemPage(
        self, request: pb.GetItemPageRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        item = await self.items.get(request.uuid)
        page = pages.item_page(self._base(context), item, await self._envelope(item))
        return httpbody_pb2.HttpBody(content_type=HTML, data=page)

    async def GetItemExportPage(
        self, request: pb.GetItemPageRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        item = await self.items.get(request.uuid)
        page = pages.export_page(self._base(context), item, await self.runs.list_results(item.uuid))
        return httpbody_pb2.HttpBody(content_type=HTML, data=page)

    async def GetPlayerPage(
        self, request: pb.GetPlayerPageRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        rest = original(context)
        wanted = rest.get("item") if rest is not None else (request.item if request.HasField("item") else None)
        current = await self.items.get(wanted) if wanted else None
        env = await self._envelope(current) if current is not None else None
        page = pages.player_page(self._base(context), await self.items.list(), current, env)
        return httpbody_pb2.HttpBody(content_type=HTML, data=page)
