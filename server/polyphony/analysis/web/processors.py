"""AnalysisService, processors, their parameter schemas and defaults, sub-processors and presets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from google.protobuf import json_format

from polyphony.analysis.engine.processors import REGISTRY, get_processor
from polyphony.analysis.engine.subprocessors import all_subprocessors, get_subprocessor
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    body_dict,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.http import is_rest, send_http


class ProcessorsRpc(AnalysisRpcBase):
    async def ListProcessors(
        self, request: pb.ListProcessorsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Processor]:
        base = self._base(context)
        for pid in sorted(REGISTRY):
            yield mapping.processor_msg(REGISTRY[pid], base, self.catalog.processor_uuids.get(pid))

    async def GetProcessor(self, request: pb.GetProcessorRequest, context: grpc.aio.ServicerContext) -> pb.Processor:
        processor = get_processor(request.pid)
        return mapping.processor_msg(processor, self._base(context), self.catalog.processor_uuids.get(processor.pid))

    async def GetProcessorParametersSchema(
        self, request: pb.GetProcessorRequest, context: grpc.aio.ServicerContext
    ) -> pb.ProcessorParametersSchema:
        schema = get_processor(request.pid).parameters_schema
        return pb.ProcessorParametersSchema(parameters_schema=mapping.struct(schema))

    async def GetProcessorParametersDefault(
        self, request: pb.GetProcessorRequest, context: grpc.aio.ServicerContext
    ) -> pb.ProcessorParametersDefault:
        return pb.ProcessorParametersDefault(
            parameters_default=mapping.struct(get_processor(request.pid).parameters_default)
        )

    async def ListSubProcessors(
        self, request: pb.ListSubProcessorsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.SubProcessor]:
        base = self._base(context)
        for sub in await asyncio.to_thread(all_subprocessors):
            yield mapping.subprocessor_msg(sub, base)

    async def GetSubProcessor(
        self, request: pb.GetSubProcessorRequest, context: grpc.aio.ServicerContext
    ) -> pb.SubProcessor:
        found = await asyncio.to_thread(get_subprocessor, request.sub_processor_id)
        return mapping.subprocessor_msg(found, self._base(context))

    async def CreatePreset(self, request: pb.CreatePresetRequest, context: grpc.aio.ServicerContext) -> pb.Preset:
        given = request.preset
        raw: dict[str, object] = {}
        if given.HasField("processor"):
            raw["processor"] = given.processor
        if given.HasField("parameters"):
            raw["parameters"] = json_format.MessageToDict(given.parameters)
        if given.HasField("is_public"):
            raw["is_public"] = given.is_public
        preset, created = await self.catalog.create_preset(raw)
        message = mapping.preset_msg(preset, self._base(context))
        await send_http(context, 201 if created else 200, [("location", message.url)])
        return message

    async def ListPresets(
        self, request: pb.ListPresetsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Preset]:
        presets = await self.catalog.list_presets()
        base = self._base(context)
        for preset in presets:
            yield mapping.preset_msg(preset, base)

    async def GetPreset(self, request: pb.GetPresetRequest, context: grpc.aio.ServicerContext) -> pb.Preset:
        return mapping.preset_msg(await self.catalog.get_preset(request.uuid), self._base(context))

    async def UpdatePreset(self, request: pb.UpdatePresetRequest, context: grpc.aio.ServicerContext) -> pb.Preset:
        return mapping.preset_msg(
            await self.runs.update_preset(request.uuid, body_dict(request.body)), self._base(context)
        )

    async def DeletePreset(
        self, request: pb.DeletePresetRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeletePresetResponse:
        await self.runs.delete_preset(request.uuid)
        if is_rest(context):
            await send_http(context, 204)
        return pb.DeletePresetResponse()
