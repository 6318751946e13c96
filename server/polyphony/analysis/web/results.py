"""AnalysisService, results: list, get, their data in every container format, encoded audio,
annotation-tool exports and PNG visuals."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from google.api import httpbody_pb2

from polyphony.analysis.items.downloads import is_audio_result
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    CHUNK,
    visual_args,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.errors import NotFound
from polyphony.rpc.http import is_head, metadata, original, send_http


class ResultsRpc(AnalysisRpcBase):
    async def ListResults(
        self, request: pb.ListResultsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Result]:
        rest = original(context)
        if rest is not None:
            item_uuid, preset_uuid = rest.get("item_uuid"), rest.get("preset_uuid")
        else:
            item_uuid = request.item_uuid if request.HasField("item_uuid") else None
            preset_uuid = request.preset_uuid if request.HasField("preset_uuid") else None
        results = await self.runs.list_results(item_uuid, preset_uuid)
        base = self._base(context)
        for result in results:
            yield mapping.result_msg(result, base)

    async def GetResult(self, request: pb.GetResultRequest, context: grpc.aio.ServicerContext) -> pb.Result:
        return mapping.result_msg(await self.runs.get_result(request.uuid), self._base(context))

    async def GetResultData(
        self, request: pb.GetResultDataRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        if request.format == "audio":
            result = await self.runs.get_result(request.uuid)
            if not is_audio_result(result):
                raise NotFound("This result holds no encoded audio.")
            download = await self.downloads.serve(
                result.file_key or "", result.mime_type, metadata(context).get("range")
            )
            await send_http(context, download.status, download.headers)
            mime, pieces = download.mime, download.body
        else:
            mime, pieces = await self.runs.result_stream(request.uuid, request.format)
        first = True
        async for piece in pieces if not is_head(context) else _nothing():
            for i in range(0, len(piece), CHUNK):
                yield httpbody_pb2.HttpBody(content_type=mime if first else "", data=piece[i : i + CHUNK])
                first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=mime)

    async def ExportResultTrack(
        self, request: pb.ExportResultTrackRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        result = await self.runs.get_result(request.uuid)
        item = await self.items.get(result.item_uuid)
        media = mapping.source_file_url(self._base(context), item) or ""
        mime, ext, data = await self.runs.result_export(
            request.uuid, request.res_id, request.tool, media, item.mime_type or "", item.samplerate or 44100
        )
        name = f"{result.uuid}-{request.res_id}.{ext}".replace('"', "")
        await send_http(context, 200, [("content-disposition", f'attachment; filename="{name}"')])
        return httpbody_pb2.HttpBody(content_type=mime, data=data)

    async def GetResultVisual(
        self, request: pb.GetResultVisualRequest, context: grpc.aio.ServicerContext
    ) -> httpbody_pb2.HttpBody:
        args = visual_args(request, original(context))
        png = await self.runs.result_visual(request.uuid, **args)
        return httpbody_pb2.HttpBody(content_type="image/png", data=png)


async def _nothing() -> AsyncIterator[bytes]:
    """No bytes: what a HEAD answer streams (its headers are those of the GET)."""
    return
    yield b""
