"""AnalysisService: the TimeSide server API over gRPC (and REST through Envoy). Thin: parse, call, map."""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.api import httpbody_pb2
from google.protobuf import json_format, struct_pb2

from polyphony.analysis import mapping, openapi, pages, visuals
from polyphony.analysis.archive import Archives
from polyphony.analysis.catalog import Catalog
from polyphony.analysis.corpus import Corpus
from polyphony.analysis.downloads import Downloads, is_audio_result
from polyphony.analysis.items import NOT_FOUND, ItemService
from polyphony.analysis.models import Item
from polyphony.analysis.processors import REGISTRY, get_processor
from polyphony.analysis.provider_rows import get_provider, list_providers, sync_providers
from polyphony.analysis.providers import FetchPolicy
from polyphony.analysis.runner import make_runner
from polyphony.analysis.runs import RunService, TaskEvent
from polyphony.analysis.subprocessors import all_subprocessors, get_subprocessor
from polyphony.analysis.users import UserService
from polyphony.analysis.web import CHUNK, body_dict, pick, sse_frame, visual_args, waveform_args
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.core.auth import credentials_from
from polyphony.core.context import AppContext
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.edge.live import LiveApp
from polyphony.rpc.http import base_url, is_rest, metadata, original, send_http

log = logging.getLogger("polyphony.analysis")
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


async def split_body(messages: AsyncIterator[Any], body_of: Any) -> tuple[Any, str, AsyncIterator[bytes]]:
    """(first message, content type, all body bytes) of a stream whose messages carry an HttpBody."""
    it = aiter(messages)
    first = await anext(it, None)
    if first is None:

        async def nothing() -> AsyncIterator[bytes]:
            return
            yield b""

        return None, "", nothing()

    async def data() -> AsyncIterator[bytes]:
        head = body_of(first)
        if head.data:
            yield head.data
        async for message in it:
            chunk = body_of(message).data
            if chunk:
                yield chunk

    return first, body_of(first).content_type, data()


async def upload_parts(messages: AsyncIterator[pb.UploadItemRequest]) -> tuple[pb.ItemFields, AsyncIterator[bytes]]:
    it = aiter(messages)
    first = await anext(it, None)
    if first is None or first.WhichOneof("part") != "fields":
        raise InvalidArgument("the first UploadItem message must carry `fields`", field="fields")

    async def chunks() -> AsyncIterator[bytes]:
        async for message in it:
            if message.WhichOneof("part") != "chunk":
                raise InvalidArgument("only `chunk` messages may follow `fields`", field="chunk")
            yield message.chunk

    return first.fields, chunks()


class AnalysisServicer(analysis_pb2_grpc.AnalysisServiceServicer):
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.items = ItemService(ctx.db, ctx.objects, FetchPolicy.from_settings(ctx.settings))
        self.catalog = Catalog(ctx.db)
        self.runner = make_runner(ctx.db, ctx.objects, ctx.settings)
        self.runs = RunService(ctx.db, ctx.objects, self.catalog, self.runner)
        self.downloads = Downloads(ctx.db, ctx.objects)
        self.corpus = Corpus(ctx.db)
        self.users = UserService(ctx.db, ctx.settings.resolved_secret())
        self.archives = Archives(ctx.db, ctx.objects)

    async def refresh_tokens(self) -> None:
        """Give the server's Authorizer the current user tokens (after a change, and every second so other
        worker processes see users created elsewhere)."""
        self.ctx.authorizer.set_issued(await self.users.issued_tokens())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.refresh_tokens()
            except Exception:  # a transient database error: keep the last known tokens
                log.warning("could not refresh user tokens", exc_info=True)

    async def _author(self, context: grpc.aio.ServicerContext) -> str | None:
        """The username of the user whose token (API token or JWT) made this request, if any."""
        return await self.users.author_of(credentials_from(metadata(context).get("authorization")).token)

    def _base(self, context: grpc.aio.ServicerContext) -> str:
        fallback = self.ctx.settings.public_url or f"http://localhost:{self.ctx.settings.http_port}"
        return base_url(context, fallback)

    async def _created(self, context: grpc.aio.ServicerContext, message: pb.Item) -> pb.Item:
        await send_http(context, 201, [("location", message.url)])
        return message

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
        async for chunk in self.ctx.objects.read(item.source_key):
            yield httpbody_pb2.HttpBody(content_type=content_type if first else "", data=chunk)
            first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=content_type)

    # processors, presets ------------------------------------------------------------------
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

    async def GetApiRoot(self, request: pb.GetApiRootRequest, context: grpc.aio.ServicerContext) -> struct_pb2.Struct:
        base = f"{self._base(context)}/timeside/api"
        return mapping.struct({name: f"{base}/{name}/" for name in API_COLLECTIONS})

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

    # experiences, selections --------------------------------------------------------------
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

    # tasks -------------------------------------------------------------------------------
    async def CreateTask(self, request: pb.CreateTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        given = request.task
        raw: dict[str, object] = {
            name: getattr(given, name)
            for name in ("item", "preset", "status", "experience", "selection")
            if given.HasField(name)
        }
        task = await self.runs.create_task(raw, author=await self._author(context))
        message = mapping.task_msg(task, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def ListTasks(
        self, request: pb.ListTasksRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Task]:
        tasks = await self.runs.list_tasks()
        base = self._base(context)
        for task in tasks:
            yield mapping.task_msg(task, base)

    async def GetTask(self, request: pb.GetTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        return mapping.task_msg(await self.runs.get_task(request.uuid), self._base(context))

    async def DeleteTask(
        self, request: pb.DeleteTaskRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteTaskResponse:
        await self.runs.delete_task(request.uuid)
        if is_rest(context):
            await send_http(context, 204)
        return pb.DeleteTaskResponse()

    async def UpdateTask(self, request: pb.UpdateTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        task = await self.runs.update_task(request.uuid, body_dict(request.body))
        return mapping.task_msg(task, self._base(context))

    async def CancelTask(self, request: pb.CancelTaskRequest, context: grpc.aio.ServicerContext) -> pb.Task:
        return mapping.task_msg(await self.runs.cancel_task(request.uuid), self._base(context))

    def _event_msg(self, event: TaskEvent, base: str) -> pb.TaskEvent:
        message = pb.TaskEvent(event=event.kind, sequence=event.sequence, task=mapping.task_msg(event.task, base))
        if event.result is not None:
            message.result.CopyFrom(mapping.result_msg(event.result, base))
        return message

    async def WatchTask(
        self, request: pb.WatchTaskRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.TaskEvent]:
        base = self._base(context)
        async for event in self.runs.watch(request.uuid):
            yield self._event_msg(event, base)

    async def GetTaskEvents(
        self, request: pb.GetTaskEventsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        base = self._base(context)
        events = self.runs.watch(request.uuid)
        first = await anext(events)  # a 404 before any byte is sent
        await send_http(context, headers=[("cache-control", "no-cache")])
        yield httpbody_pb2.HttpBody(content_type="text/event-stream", data=sse_frame(first, base))
        async for event in events:
            yield httpbody_pb2.HttpBody(data=sse_frame(event, base))

    # results -----------------------------------------------------------------------------
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
        async for piece in pieces:
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

    async def GetItemWaveform(
        self, request: pb.GetItemWaveformRequest, context: grpc.aio.ServicerContext
    ) -> pb.Waveform:
        item = await self.items.get(request.uuid)
        args = waveform_args(request, original(context))
        path = self.ctx.objects.local_path(item.source_key) if item.source_key else None
        if path is None:
            raise NotFound("This item has no audio file.")
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
        async for chunk in download.body:
            yield httpbody_pb2.HttpBody(content_type=download.mime if first else "", data=chunk)
            first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=download.mime)

    # schema, docs and the legacy HTML pages ---------------------------------------------------
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
        path = self.ctx.objects.local_path(item.source_key) if item.source_key else None
        if path is None:
            return None
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

    # providers, subprocessors -------------------------------------------------------------
    async def ListProviders(
        self, request: pb.ListProvidersRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Provider]:
        base = self._base(context)
        for row in await list_providers(self.ctx.db):
            yield mapping.provider_msg(row, base)

    async def GetProvider(self, request: pb.GetProviderRequest, context: grpc.aio.ServicerContext) -> pb.Provider:
        return mapping.provider_msg(await get_provider(self.ctx.db, request.uuid), self._base(context))

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

    # analyses, analysis tracks --------------------------------------------------------------
    async def _no_content(self, context: grpc.aio.ServicerContext) -> None:
        if is_rest(context):
            await send_http(context, 204)

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

    # annotation tracks, annotations -----------------------------------------------------------
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

    # users, tokens ----------------------------------------------------------------------------
    async def ListUsers(
        self, request: pb.ListUsersRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.User]:
        base = self._base(context)
        for user in await self.users.list():
            yield mapping.user_msg(user, base)

    async def GetUser(self, request: pb.GetUserRequest, context: grpc.aio.ServicerContext) -> pb.User:
        token = credentials_from(metadata(context).get("authorization")).token
        return mapping.user_msg(await self.users.get(request.username, token), self._base(context))

    async def CreateUser(self, request: pb.CreateUserRequest, context: grpc.aio.ServicerContext) -> pb.User:
        user = await self.users.create(body_dict(request.body))
        await self.refresh_tokens()
        message = mapping.user_msg(user, self._base(context))
        await send_http(context, 201, [("location", message.url)])
        return message

    async def DeleteUser(
        self, request: pb.DeleteUserRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteUserResponse:
        await self.users.delete(request.username)
        await self.refresh_tokens()
        await self._no_content(context)
        return pb.DeleteUserResponse()

    async def ObtainAuthToken(
        self, request: pb.ObtainAuthTokenRequest, context: grpc.aio.ServicerContext
    ) -> pb.AuthToken:
        return pb.AuthToken(token=await self.users.obtain_token(body_dict(request.body)))

    async def ObtainJwtPair(self, request: pb.ObtainJwtPairRequest, context: grpc.aio.ServicerContext) -> pb.JwtPair:
        refresh, access = await self.users.obtain_jwt_pair(body_dict(request.body))
        return pb.JwtPair(refresh=refresh, access=access)

    async def RefreshJwt(self, request: pb.RefreshJwtRequest, context: grpc.aio.ServicerContext) -> pb.JwtPair:
        return pb.JwtPair(access=await self.users.refresh_jwt(body_dict(request.body)))

    async def VerifyJwt(self, request: pb.VerifyJwtRequest, context: grpc.aio.ServicerContext) -> pb.VerifyJwtResponse:
        self.users.verify_jwt(body_dict(request.body))
        return pb.VerifyJwtResponse()

    async def GetCsrfToken(self, request: pb.GetCsrfTokenRequest, context: grpc.aio.ServicerContext) -> pb.CsrfToken:
        return pb.CsrfToken(csrftoken=secrets.token_urlsafe(48))

    # export, import ---------------------------------------------------------------------------
    async def ExportArchive(
        self, request: pb.ExportArchiveRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        path = await self.archives.export_to_temp()
        try:
            await send_http(context, headers=[("content-disposition", 'attachment; filename="timeside-export.zip"')])
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


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    servicer = AnalysisServicer(ctx)
    analysis_pb2_grpc.add_AnalysisServiceServicer_to_server(servicer, server)
    await servicer.catalog.sync_processors()
    await sync_providers(ctx.db)
    # Discovering sub-processor ids runs every processor once (~1.5 s): do it in the background so
    # start-up does not wait for it (the first sub-processor request would, if it came first).
    warm_up = asyncio.create_task(asyncio.to_thread(all_subprocessors), name="analysis-subprocessors")

    async def stop_warm_up() -> None:
        await asyncio.gather(warm_up, return_exceptions=True)

    ctx.closers.append(stop_warm_up)
    await servicer.refresh_tokens()
    ctx.authorizer.add_verifier(servicer.users.access_scope)
    refresher = asyncio.create_task(servicer._refresh_loop(), name="analysis-user-tokens")

    async def stop_refresher() -> None:
        refresher.cancel()
        await asyncio.gather(refresher, return_exceptions=True)

    ctx.closers.append(stop_refresher)
    await servicer.runner.resume()
    ctx.closers.append(servicer.runner.close)
    return str(pb.DESCRIPTOR.services_by_name["AnalysisService"].full_name)
