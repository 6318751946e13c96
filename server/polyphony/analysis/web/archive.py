"""AnalysisService, export of the whole service to one zip archive, and its import elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.api import httpbody_pb2

from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    CHUNK,
    split_body,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.http import is_head, send_http


class ArchiveRpc(AnalysisRpcBase):
    async def ExportArchive(
        self, request: pb.ExportArchiveRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        path = await self.archives.export_to_temp()
        try:
            size = path.stat().st_size
            disposition = ("content-disposition", 'attachment; filename="timeside-export.zip"')
            await send_http(context, headers=[disposition, ("content-length", str(size))])
            if is_head(context) or size == 0:
                yield httpbody_pb2.HttpBody(content_type="application/zip")
                return
            first = True
            with path.open("rb") as fh:
                while chunk := await asyncio.to_thread(fh.read, CHUNK):
                    yield httpbody_pb2.HttpBody(content_type="application/zip" if first else "", data=chunk)
                    first = False
        finally:
            path.unlink(missing_ok=True)

    async def ImportArchive(
        self, request_iterator: AsyncIterator[httpbody_pb2.HttpBody], context: grpc.aio.ServicerContext
    ) -> pb.ImportArchiveResponse:
        _, _, body = await split_body(request_iterator, lambda m: m)
        report = await self.archives.import_stream(body)
        return pb.ImportArchiveResponse(created=report.created, existing=report.existing)
