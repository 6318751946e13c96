"""AnalysisService, the annotated corpus: analyses, analysis tracks, annotation tracks and annotations."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator

import grpc

from polyphony.analysis.engine.processors import get_processor
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    body_dict,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.auth import credentials_from
from polyphony.rpc.http import metadata, original, send_http


class CorpusRpc(AnalysisRpcBase):
    async def CreateAnalysis(self, request: pb.CreateAnalysisRequest, context: grpc.aio.ServicerContext) -> pb.Analysis:
        message = mapping.analysis_msg(await self.corpus.create_analysis(body_dict(request.body)), self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListAnalyses(
        self, request: pb.ListAnalysesRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Analysis]:
        base = self._base(context)
        for row in await self.corpus.list_analyses():
            yield mapping.analysis_msg(row, base)

    async def GetAnalysis(self, request: pb.GetAnalysisRequest, context: grpc.aio.ServicerContext) -> pb.Analysis:
        return mapping.analysis_msg(await self.corpus.get_analysis(request.uuid), self._base(context))

    async def UpdateAnalysis(self, request: pb.UpdateAnalysisRequest, context: grpc.aio.ServicerContext) -> pb.Analysis:
        row = await self.corpus.update_analysis(request.uuid, body_dict(request.body))
        return mapping.analysis_msg(row, self._base(context))

    async def DeleteAnalysis(
        self, request: pb.DeleteAnalysisRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAnalysisResponse:
        await self.corpus.delete_analysis(request.uuid)
        await self._no_content(context)
        return pb.DeleteAnalysisResponse()

    async def CreateAnalysisTrack(
        self, request: pb.CreateAnalysisTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnalysisTrack:
        view = await self.corpus.create_analysis_track(body_dict(request.body))
        await self.runs.ensure_result(view.row.item_uuid, view.preset.uuid)
        message = mapping.analysis_track_msg(view, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListAnalysisTracks(
        self, request: pb.ListAnalysisTracksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.AnalysisTrack]:
        rest = original(context)
        if rest is not None:
            analysis, item = rest.get("analysis"), rest.get("item") or rest.get("item_uuid")
        else:
            analysis = request.analysis if request.HasField("analysis") else None
            item = request.item if request.HasField("item") else None
        base = self._base(context)
        for view in await self.corpus.list_analysis_tracks(analysis, item):
            yield mapping.analysis_track_msg(view, base)

    async def GetAnalysisTrack(
        self, request: pb.GetAnalysisTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnalysisTrack:
        view = await self.corpus.get_analysis_track(request.uuid)
        if view.result is None:
            await self.runs.ensure_result(view.row.item_uuid, view.preset.uuid)
        return mapping.analysis_track_msg(view, self._base(context))

    async def SetAnalysisTrackParameters(
        self, request: pb.SetAnalysisTrackParametersRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnalysisTrack:
        body = body_dict(request.body)
        nested = body.get("parameters")
        params = nested if set(body) == {"parameters"} and isinstance(nested, dict) else body
        view = await self.corpus.get_analysis_track(request.uuid)
        preset, _ = await self.catalog.create_preset({"processor": view.preset.processor_pid, "parameters": params})
        view = await self.corpus.repoint_analysis_track(request.uuid, preset.uuid)
        if view.result is None:
            await self.runs.ensure_result(view.row.item_uuid, view.preset.uuid)
        return mapping.analysis_track_msg(view, self._base(context))

    async def GetAnalysisTrackParametersDefault(
        self, request: pb.GetAnalysisTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.ProcessorParametersDefault:
        view = await self.corpus.get_analysis_track(request.uuid)
        processor = get_processor(view.preset.processor_pid)
        return pb.ProcessorParametersDefault(parameters_default=mapping.struct(processor.parameters_default))

    async def UpdateAnalysisTrack(
        self, request: pb.UpdateAnalysisTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnalysisTrack:
        view = await self.corpus.update_analysis_track(request.uuid, body_dict(request.body))
        return mapping.analysis_track_msg(view, self._base(context))

    async def DeleteAnalysisTrack(
        self, request: pb.DeleteAnalysisTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAnalysisTrackResponse:
        await self.corpus.delete_analysis_track(request.uuid)
        await self._no_content(context)
        return pb.DeleteAnalysisTrackResponse()

    async def CreateAnnotationTrack(
        self, request: pb.CreateAnnotationTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnnotationTrack:
        view = await self.corpus.create_annotation_track(body_dict(request.body), author=await self._author(context))
        message = mapping.annotation_track_msg(view, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListAnnotationTracks(
        self, request: pb.ListAnnotationTracksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.AnnotationTrack]:
        rest = original(context)
        item = (
            (rest.get("item_uuid") or rest.get("item"))
            if rest is not None
            else (request.item_uuid if request.HasField("item_uuid") else None)
        )
        base = self._base(context)
        token = credentials_from(metadata(context).get("authorization")).token
        server_token = token is not None and any(
            hmac.compare_digest(token.encode(), t.encode())
            for t in (*self.ctx.settings.write_tokens, *self.ctx.settings.read_tokens)
        )
        owner = None if server_token else await self.users.author_of(token)
        for view in await self.corpus.list_annotation_tracks(item, see_all=server_token, owner=owner):
            yield mapping.annotation_track_msg(view, base)

    async def GetAnnotationTrack(
        self, request: pb.GetAnnotationTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnnotationTrack:
        return mapping.annotation_track_msg(await self.corpus.get_annotation_track(request.uuid), self._base(context))

    async def UpdateAnnotationTrack(
        self, request: pb.UpdateAnnotationTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.AnnotationTrack:
        view = await self.corpus.update_annotation_track(request.uuid, body_dict(request.body))
        return mapping.annotation_track_msg(view, self._base(context))

    async def DeleteAnnotationTrack(
        self, request: pb.DeleteAnnotationTrackRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAnnotationTrackResponse:
        await self.corpus.delete_annotation_track(request.uuid)
        await self._no_content(context)
        return pb.DeleteAnnotationTrackResponse()

    async def CreateAnnotation(
        self, request: pb.CreateAnnotationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Annotation:
        view = await self.corpus.create_annotation(body_dict(request.body))
        message = mapping.annotation_msg(view, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListAnnotations(
        self, request: pb.ListAnnotationsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Annotation]:
        rest = original(context)
        track = (
            (rest.get("track_uuid") or rest.get("track"))
            if rest is not None
            else (request.track_uuid if request.HasField("track_uuid") else None)
        )
        base = self._base(context)
        for view in await self.corpus.list_annotations(track):
            yield mapping.annotation_msg(view, base)

    async def GetAnnotation(self, request: pb.GetAnnotationRequest, context: grpc.aio.ServicerContext) -> pb.Annotation:
        return mapping.annotation_msg(await self.corpus.get_annotation(request.uuid), self._base(context))

    async def UpdateAnnotation(
        self, request: pb.UpdateAnnotationRequest, context: grpc.aio.ServicerContext
    ) -> pb.Annotation:
        view = await self.corpus.update_annotation(request.uuid, body_dict(request.body))
        return mapping.annotation_msg(view, self._base(context))

    async def DeleteAnnotation(
        self, request: pb.DeleteAnnotationRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAnnotationResponse:
        await self.corpus.delete_annotation(request.uuid)
        await self._no_content(context)
        return pb.DeleteAnnotationResponse()
