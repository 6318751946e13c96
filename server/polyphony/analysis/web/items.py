"""AnalysisService, items: create (form body or typed upload), list, get, update, delete; their source file,
waveform and transcoded downloads."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.api import httpbody_pb2

from polyphony.analysis.engine import visuals
from polyphony.analysis.items.service import NOT_FOUND
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    pick,
    split_body,
    upload_parts,
    waveform_args,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.rpc.http import is_head, is_rest, metadata, original, send_http


class ItemsRpc(AnalysisRpcBase):
    async def CreateItem(
        self, request_iterator: AsyncIterator[httpbody_pb2.HttpBody], context: grpc.aio.ServicerContext
    ) -> pb.Item:
        _, content_type, body = await split_body(request_iterator, lambda m: m)
        item = await self.items.create_from_body(content_type, body, author=await self._author(context))
        return await self._created(context, mapping.item_full(item, self._base(context)))

    async def UploadItem(
        self, request_iterator: AsyncIterator[pb.UploadItemRequest], context: grpc.aio.ServicerContext
    ) -> pb.Item:
        fields, chunks = await upload_parts(request_iterator)
        raw = {f.name: v for f, v in fields.ListFields() if f.name != "source_filename"}
        filename = fields.source_filename if fields.HasField("source_filename") else None
        item = await self.items.create_from_upload(
            raw, filename, chunks if filename is not None else None, author=await self._author(context)
        )
        return await self._created(context, mapping.item_full(item, self._base(context)))

    async def ListItems(
        self, request: pb.ListItemsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Item]:
        rest = original(context)
        if rest is not None:
            external_id, provider_pid = rest.get("external_id"), rest.get("provider_pid")
        else:
            external_id = request.external_id if request.HasField("external_id") else None
            provider_pid = request.provider_pid if request.HasField("provider_pid") else None
        items = await self.items.list(external_id=external_id, provider_pid=provider_pid)
        base = self._base(context)
        for item in items:
            yield mapping.item_short(item, base)

    async def GetItem(self, request: pb.GetItemRequest, context: grpc.aio.ServicerContext) -> pb.Item:
        item = await self.items.get(request.uuid)
        return mapping.item_full(item, self._base(context), await self.corpus.item_tracks(item.uuid))

    async def UpdateItem(
        self, request_iterator: AsyncIterator[pb.UpdateItemRequest], context: grpc.aio.ServicerContext
    ) -> pb.Item:
        first, content_type, body = await split_body(request_iterator, lambda m: m.body)
        if first is None:
            raise InvalidArgument("empty request stream", field="uuid")
        item = await self.items.update_from_body(first.uuid, content_type, body)
        return mapping.item_full(item, self._base(context))

    async def DeleteItem(
        self, request: pb.DeleteItemRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteItemResponse:
        await self.items.delete(request.uuid)
        if is_rest(context):
            await send_http(context, 204)
        return pb.DeleteItemResponse()

    async def GetItemSource(
        self, request: pb.GetItemSourceRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        item = await self.items.get(request.uuid)
        if item.source_key is None or mapping.source_name(item) != request.filename:
            raise NotFound(NOT_FOUND)
        size = await self.ctx.objects.size(item.source_key)
        if size is None:
            raise NotFound(NOT_FOUND)
        await send_http(context, headers=[("content-length", str(size))])
        content_type = item.mime_type or "application/octet-stream"
        first = True
        chunks = self.ctx.objects.read(item.source_key) if not is_head(context) else _nothing()
        async for chunk in chunks:
            yield httpbody_pb2.HttpBody(content_type=content_type if first else "", data=chunk)
            first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=content_type)

    async def GetItemWaveform(
        self, request: pb.GetItemWaveformRequest, context: grpc.aio.ServicerContext
    ) -> pb.Waveform:
        item = await self.items.get(request.uuid)
        args = waveform_args(request, original(context))
        if item.source_key is None or await self.ctx.objects.size(item.source_key) is None:
            raise NotFound("This item has no audio file.")
        async with self.copies.local_file(item.source_key) as path:
            env = await asyncio.to_thread(visuals.waveform, path, **args)
        return pb.Waveform(
            start=env.start, stop=env.stop, nb_pixels=env.nb_pixels, time=env.time, min=env.min, max=env.max
        )

    async def DownloadItem(
        self, request: pb.DownloadItemRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        item = await self.items.get(request.uuid)
        rest = original(context)
        start, stop = pick(request, rest, "start", "range_start"), pick(request, rest, "stop", "range_stop")
        download = await self.downloads.prepare(item, request.ext, start, stop, metadata(context).get("range"))
        await send_http(context, download.status, download.headers)
        first = True
        async for chunk in download.body if not is_head(context) else _nothing():
            yield httpbody_pb2.HttpBody(content_type=download.mime if first else "", data=chunk)
            first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=download.mime)


async def _nothing() -> AsyncIterator[bytes]:
    """No bytes: what a HEAD answer streams (its headers are those of the GET)."""
    return
    yield b""
