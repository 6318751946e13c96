"""AnalysisService, experiences (sets of presets) and selections (sets of items)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    body_dict,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.http import is_rest, send_http


class ExperiencesRpc(AnalysisRpcBase):
    async def CreateExperience(
        self, request: pb.CreateExperienceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Experience:
        view = await self.catalog.create_experience(body_dict(request.body), author=await self._author(context))
        message = mapping.experience_msg(view, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListExperiences(
        self, request: pb.ListExperiencesRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Experience]:
        base = self._base(context)
        for view in await self.catalog.list_experiences():
            yield mapping.experience_msg(view, base)

    async def GetExperience(self, request: pb.GetExperienceRequest, context: grpc.aio.ServicerContext) -> pb.Experience:
        return mapping.experience_msg(await self.catalog.get_experience(request.uuid), self._base(context))

    async def UpdateExperience(
        self, request: pb.UpdateExperienceRequest, context: grpc.aio.ServicerContext
    ) -> pb.Experience:
        view = await self.catalog.update_experience(request.uuid, body_dict(request.body))
        return mapping.experience_msg(view, self._base(context))

    async def DeleteExperience(
        self, request: pb.DeleteExperienceRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteExperienceResponse:
        await self.catalog.delete_experience(request.uuid)
        if is_rest(context):
            await send_http(context, 204)
        return pb.DeleteExperienceResponse()

    async def CreateSelection(
        self, request: pb.CreateSelectionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Selection:
        view = await self.catalog.create_selection(body_dict(request.body), author=await self._author(context))
        message = mapping.selection_msg(view, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListSelections(
        self, request: pb.ListSelectionsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Selection]:
        base = self._base(context)
        for view in await self.catalog.list_selections():
            yield mapping.selection_msg(view, base)

    async def GetSelection(self, request: pb.GetSelectionRequest, context: grpc.aio.ServicerContext) -> pb.Selection:
        return mapping.selection_msg(await self.catalog.get_selection(request.uuid), self._base(context))

    async def UpdateSelection(
        self, request: pb.UpdateSelectionRequest, context: grpc.aio.ServicerContext
    ) -> pb.Selection:
        view = await self.catalog.update_selection(request.uuid, body_dict(request.body))
        return mapping.selection_msg(view, self._base(context))

    async def DeleteSelection(
        self, request: pb.DeleteSelectionRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteSelectionResponse:
        await self.catalog.delete_selection(request.uuid)
        if is_rest(context):
            await send_http(context, 204)
        return pb.DeleteSelectionResponse()
