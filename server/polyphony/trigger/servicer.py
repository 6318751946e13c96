"""TriggerService: Open Theater provisioning and cues over gRPC (and REST through Envoy). Thin."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.api import httpbody_pb2
from google.protobuf import json_format, struct_pb2, timestamp_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.core.context import AppContext
from polyphony.core.errors import DomainError, InvalidArgument, NotFound
from polyphony.edge.live import LiveApp
from polyphony.rpc.http import base_url, body_chunks, is_head, metadata, send_http
from polyphony.trigger import assets, catalog, cuelists, files, manage, projects_file
from polyphony.trigger.bus import CueBus, CueEvent, Overflow
from polyphony.trigger.cues import CueService
from polyphony.trigger.live import Audience, channel_namespace, project_namespace
from polyphony.trigger.models import Channel, Project
from polyphony.trigger.relays import RedisRelay, relay_for
from polyphony.trigger.webapp import WebApp

log = logging.getLogger("polyphony.trigger")
SERVICE = "polyphony.api.trigger.v1.TriggerService"
AUDIENCE_POLL_SECONDS = 1.0  # how often WatchAudience looks at the audience size


class SlowSubscriber(DomainError):
    http_status, grpc_code, reason = 503, "RESOURCE_EXHAUSTED", "SLOW_SUBSCRIBER"


def cue_message(event: CueEvent) -> pb.Cue:
    """The cue as a message: its payload a Struct (a JSON object on REST), its sequence a number."""
    ts = timestamp_pb2.Timestamp()
    ts.FromMilliseconds(event.published_ms)
    cue = pb.Cue(project_uuid=event.project_uuid, sequence=event.sequence, publish_time=ts)
    cue.payload.update(event.payload)
    return cue


def _integral(value: Any) -> Any:
    """Struct numbers are doubles; give whole numbers back as ints (`100`, not `100.0`)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def struct_to_dict(value: struct_pb2.Struct) -> dict[str, Any]:
    return _integral(json_format.MessageToDict(value))  # type: ignore[no-any-return]


def cue_list_message(view: cuelists.CueListView) -> pb.CueList:
    out = pb.CueList(project_uuid=view.project_uuid)
    for entry in view.cues:
        item = out.cues.add(cue_id=entry.cue_id, position=entry.position, label=entry.label)
        item.payload.update(entry.payload)
    if view.current is not None:
        out.current = view.current
    return out


def _stream_item_bytes(event: CueEvent) -> bytes:
    return bytes(pb.SubscribeResponse(cue=cue_message(event)).SerializeToString())


def _serialize_stream_item(item: Any) -> bytes:
    """Subscribe items are pre-encoded bytes (once per cue, shared by all subscribers) or messages."""
    return item if isinstance(item, bytes) else bytes(item.SerializeToString())


def _strings(values: Any, field: str) -> list[str]:
    out = []
    for value in values:
        if value.WhichOneof("kind") != "string_value":
            raise InvalidArgument(f"`{field}` must be a list of strings", field=field)
        out.append(value.string_value)
    return out


def project_fields(msg: pb.ProjectInput) -> manage.ProjectFields:
    label = _strings(msg.project_label.values, "projectLabel") if msg.HasField("project_label") else None
    return manage.ProjectFields(
        msg.project_uuid if msg.HasField("project_uuid") else None, list(msg.project_path), label or None
    )


def channel_fields(msg: pb.ChannelInput) -> manage.ChannelFields:
    return manage.ChannelFields(
        channel_uuid=msg.channel_uuid if msg.HasField("channel_uuid") else None,
        label=msg.label if msg.HasField("label") else None,
        container_ids=list(msg.container_ids),
        channel_trigger=msg.channel_trigger,
        provisioning_uri=msg.provisioning_uri if msg.HasField("provisioning_uri") else None,
        lastmodified=msg.lastmodified if msg.HasField("lastmodified") else None,
        renderer=msg.renderer if msg.HasField("renderer") else None,
    )


class TriggerServicer(trigger_pb2_grpc.TriggerServiceServicer):
    def __init__(self, ctx: AppContext, cues: CueService, audience: Audience | None = None) -> None:
        self.ctx = ctx
        self.cues = cues
        self.audience = audience

    def _base(self, context: grpc.aio.ServicerContext) -> str:
        return base_url(context, self.ctx.settings)

    async def _channel(self, c: Channel, project: Project, base: str) -> pb.Channel:
        out = pb.Channel(channel_uuid=c.uuid, container_ids=list(c.container_ids))
        if c.label is not None:
            out.label = c.label
        if c.files_dir is not None:
            out.provisioning_uri = f"{base}/opentheater/files/{project.uuid}/{c.uuid}/"
            newest = files.newest(await files.list_files(c.files_dir))
            if newest is not None:
                out.lastmodified = newest
        elif c.provisioning_uri is not None:
            out.provisioning_uri = c.provisioning_uri
            if c.lastmodified is not None:
                out.lastmodified = c.lastmodified
        elif c.assets_changed_ms is not None:  # assets uploaded here
            out.provisioning_uri = f"{base}/opentheater/files/{project.uuid}/{c.uuid}/"
            out.lastmodified = c.assets_changed_ms
        if c.channel_trigger:
            out.trigger_uri = base + channel_namespace(project.uuid, c.uuid)
        if c.renderer is not None:
            out.renderer = c.renderer
        return out

    async def _project(self, p: Project, base: str) -> pb.Project:
        item = pb.Project(project_uuid=p.uuid, project_path=list(p.path), trigger_uri=base + project_namespace(p.uuid))
        if p.label is not None:
            item.project_label.extend(list(p.label))
        item.channel_list.extend([await self._channel(c, p, base) for c in p.channels])
        return item

    async def GetProjectList(
        self, request: pb.GetProjectListRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetProjectListResponse:
        base = self._base(context)
        async with self.ctx.db.session() as session:
            projects = await catalog.list_projects(session)
        return pb.GetProjectListResponse(projects=[await self._project(p, base) for p in projects])

    async def _provisioned(self, session: AsyncSession, project_uuid: str, channel_uuid: str) -> Channel:
        channel = await catalog.get_channel(session, project_uuid, channel_uuid)
        if channel.files_dir is None and channel.assets_changed_ms is None:
            raise NotFound(f"channel {channel.uuid} is not provisioned by this server")
        return channel

    async def GetFileList(
        self, request: pb.GetFileListRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetFileListResponse:
        async with self.ctx.db.session() as session:
            channel = await self._provisioned(session, request.project_uuid, request.channel_uuid)
            if channel.files_dir is not None:
                entries = await files.list_files(channel.files_dir)
            else:
                entries = await assets.listing(session, channel.uuid)
        return pb.GetFileListResponse(
            files=[
                pb.FileDefinition(filepath=f.filepath, filesize=f.filesize, lastmodified=f.lastmodified)
                for f in entries
            ]
        )

    async def GetAsset(
        self, request: pb.GetAssetRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        range_header = metadata(context).get("range")
        async with self.ctx.db.session() as session:
            channel = await self._provisioned(session, request.project_uuid, request.channel_uuid)
            stored = None
            if channel.files_dir is None:
                stored = await assets.open_asset(session, channel.uuid, request.filepath, range_header)
        if stored is not None:
            size, span, ctype = stored.size, stored.span, stored.content_type
            chunks = assets.read(self.ctx.objects, stored)
        else:
            assert channel.files_dir is not None
            path = files.resolve(channel.files_dir, request.filepath)
            size = path.stat().st_size
            span = files.parse_range(range_header, size)
            ctype = files.content_type(path)
            start, end = span if span is not None else (0, size - 1)
            chunks = files.read(path, start, end)
        headers = [("accept-ranges", "bytes"), ("cache-control", "no-cache")]
        if span is not None:
            headers.append(("content-range", f"bytes {span[0]}-{span[1]}/{size}"))
        headers.append(("content-length", str(span[1] - span[0] + 1 if span is not None else size)))
        await send_http(context, status=206 if span is not None else 200, headers=headers)
        first = True
        if not is_head(context):
            async for chunk in chunks:
                yield httpbody_pb2.HttpBody(content_type=ctype if first else "", data=chunk)
                first = False
        if first:
            yield httpbody_pb2.HttpBody(content_type=ctype)

    # ---- management --------------------------------------------------------------------------
    async def _refresh_audience(self) -> None:
        if self.audience is not None:
            await self.audience.reload()

    async def CreateProject(self, request: pb.CreateProjectRequest, context: grpc.aio.ServicerContext) -> pb.Project:
        project = await manage.create_project(self.ctx.db, project_fields(request.project))
        await self._refresh_audience()
        await send_http(
            context, status=201, headers=[("location", f"{self._base(context)}/opentheater/projects/{project.uuid}")]
        )
        return await self._project(project, self._base(context))

    async def UpdateProject(self, request: pb.UpdateProjectRequest, context: grpc.aio.ServicerContext) -> pb.Project:
        project = await manage.update_project(self.ctx.db, request.project_uuid, project_fields(request.project))
        return await self._project(project, self._base(context))

    async def DeleteProject(
        self, request: pb.DeleteProjectRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteProjectResponse:
        uid = await manage.delete_project(self.ctx.db, self.ctx.objects, request.project_uuid)
        self.cues.forget(uid)
        await self._refresh_audience()
        await send_http(context, status=204)
        return pb.DeleteProjectResponse()

    async def CreateChannel(self, request: pb.CreateChannelRequest, context: grpc.aio.ServicerContext) -> pb.Channel:
        project, channel = await manage.create_channel(
            self.ctx.db, request.project_uuid, channel_fields(request.channel)
        )
        await self._refresh_audience()
        await send_http(context, status=201)
        return await self._channel(channel, project, self._base(context))

    async def UpdateChannel(self, request: pb.UpdateChannelRequest, context: grpc.aio.ServicerContext) -> pb.Channel:
        project, channel = await manage.update_channel(
            self.ctx.db, request.project_uuid, request.channel_uuid, channel_fields(request.channel)
        )
        await self._refresh_audience()
        return await self._channel(channel, project, self._base(context))

    async def DeleteChannel(
        self, request: pb.DeleteChannelRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteChannelResponse:
        await manage.delete_channel(self.ctx.db, self.ctx.objects, request.project_uuid, request.channel_uuid)
        await self._refresh_audience()
        await send_http(context, status=204)
        return pb.DeleteChannelResponse()

    async def UploadAsset(
        self, request_iterator: AsyncIterator[pb.UploadAssetRequest], context: grpc.aio.ServicerContext
    ) -> pb.UploadAssetResponse:
        it = aiter(request_iterator)
        first = await anext(it, None)
        if first is None:
            raise InvalidArgument("empty upload: the first message must name the asset", field="filepath")
        content_type = first.body.content_type or metadata(context).get("content-type")

        stored = await assets.upload(
            self.ctx.db,
            self.ctx.objects,
            first.project_uuid,
            first.channel_uuid,
            first.filepath,
            content_type,
            body_chunks(first, it),
        )
        await send_http(context, status=201 if stored.created else 200)
        return pb.UploadAssetResponse(
            file=pb.FileDefinition(
                filepath=stored.filepath, filesize=stored.filesize, lastmodified=stored.lastmodified
            ),
            content_type=stored.content_type,
            created=stored.created,
            channel_lastmodified=stored.channel_lastmodified,
        )

    async def DeleteAsset(
        self, request: pb.DeleteAssetRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteAssetResponse:
        await assets.delete(self.ctx.db, self.ctx.objects, request.project_uuid, request.channel_uuid, request.filepath)
        await send_http(context, status=204)
        return pb.DeleteAssetResponse()

    async def Publish(self, request: pb.PublishRequest, context: grpc.aio.ServicerContext) -> pb.PublishResponse:
        raw: bytes | str = request.payload or request.body.data
        if request.body.data and request.body.content_type and "json" not in request.body.content_type:
            raise InvalidArgument("send the trigger payload as application/json", field="payload")
        event = await self.cues.publish(request.project_uuid, raw)
        await send_http(context, status=201)
        return pb.PublishResponse(cue=cue_message(event))

    async def Subscribe(self, request: pb.SubscribeRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        async with self.ctx.db.session() as session:
            project = await catalog.get_project(session, request.project_uuid)
        async with self.cues.bus.subscribe(project.uuid) as sub:
            await context.send_initial_metadata(())  # the subscription is live from here on
            if request.include_state:
                sequence, state = self.cues.state(project.uuid)
                yield pb.SubscribeResponse(cue=cue_message(CueEvent(project.uuid, sequence, 0, state)), state=True)
            try:
                async for event in sub:
                    yield event.encoded("grpc.SubscribeResponse", _stream_item_bytes)
            except Overflow as exc:
                raise SlowSubscriber(str(exc)) from None

    async def WatchAudience(
        self, request: pb.WatchAudienceRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.WatchAudienceResponse]:
        async with self.ctx.db.session() as session:
            project = await catalog.get_project(session, request.project_uuid)
        last = -1
        while True:
            size = self.audience.project_audience(project.uuid) if self.audience is not None else 0
            if size != last:
                yield pb.WatchAudienceResponse(project_uuid=project.uuid, connections=size)
                last = size
            await asyncio.sleep(AUDIENCE_POLL_SECONDS)

    async def ListCues(self, request: pb.ListCuesRequest, context: grpc.aio.ServicerContext) -> pb.ListCuesResponse:
        async with self.ctx.db.session() as session:
            page = await self.cues.history(session, request.project_uuid, request.after, request.limit)
        response = pb.ListCuesResponse(cues=[cue_message(e) for e in page.cues])
        if page.next_after is not None:
            response.next_after = page.next_after
        return response

    async def GetCueList(
        self, request: pb.GetCueListRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetCueListResponse:
        async with self.ctx.db.session() as session:
            view = await cuelists.get(session, request.project_uuid)
        return pb.GetCueListResponse(cue_list=cue_list_message(view))

    async def ReplaceCueList(
        self, request: pb.ReplaceCueListRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReplaceCueListResponse:
        entries = [(c.label, struct_to_dict(c.payload)) for c in request.cues]
        view = await cuelists.replace(self.ctx.db, request.project_uuid, entries)
        return pb.ReplaceCueListResponse(cue_list=cue_list_message(view))

    async def NextCue(self, request: pb.NextCueRequest, context: grpc.aio.ServicerContext) -> pb.NextCueResponse:
        event, view = await cuelists.fire(self.cues, request.project_uuid, cuelists.Target(cuelists.Move.NEXT))
        return pb.NextCueResponse(cue_list=cue_list_message(view), cue=cue_message(event))

    async def PreviousCue(
        self, request: pb.PreviousCueRequest, context: grpc.aio.ServicerContext
    ) -> pb.PreviousCueResponse:
        target = cuelists.Target(cuelists.Move.PREVIOUS)
        event, view = await cuelists.fire(self.cues, request.project_uuid, target)
        return pb.PreviousCueResponse(cue_list=cue_list_message(view), cue=cue_message(event))

    async def JumpToCue(self, request: pb.JumpToCueRequest, context: grpc.aio.ServicerContext) -> pb.JumpToCueResponse:
        which = request.WhichOneof("target")
        if which is None:
            raise InvalidArgument("give `position` or `cueId`", field="position")
        target = cuelists.Target(
            cuelists.Move.JUMP,
            position=request.position if which == "position" else None,
            cue_id=request.cue_id if which == "cue_id" else None,
        )
        event, view = await cuelists.fire(self.cues, request.project_uuid, target)
        return pb.JumpToCueResponse(cue_list=cue_list_message(view), cue=cue_message(event))


def _add_to_server(servicer: TriggerServicer, server: grpc.aio.Server) -> None:
    """The generated registration, except that Subscribe's serializer accepts pre-encoded bytes."""
    handlers: dict[str, grpc.RpcMethodHandler] = {}
    for method in pb.DESCRIPTOR.services_by_name["TriggerService"].methods:
        request_cls = getattr(pb, method.input_type.name)
        response_cls = (
            httpbody_pb2.HttpBody
            if method.output_type.full_name == "google.api.HttpBody"
            else getattr(pb, method.output_type.name)
        )
        behavior = getattr(servicer, method.name)
        serialize = _serialize_stream_item if method.name == "Subscribe" else response_cls.SerializeToString
        factory = {
            (False, False): grpc.unary_unary_rpc_method_handler,
            (False, True): grpc.unary_stream_rpc_method_handler,
            (True, False): grpc.stream_unary_rpc_method_handler,
            (True, True): grpc.stream_stream_rpc_method_handler,
        }[(method.client_streaming, method.server_streaming)]
        handlers[method.name] = factory(
            behavior, request_deserializer=request_cls.FromString, response_serializer=serialize
        )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    server.add_registered_method_handlers(SERVICE, handlers)


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    if ctx.settings.projects_file:  # the file's projects are made equal to it; the API's are kept
        await catalog.sync_projects(ctx.db, projects_file.load(ctx.settings.projects_file), store=ctx.objects)
    settings = ctx.settings
    relay = relay_for(settings)
    cues = CueService(ctx.db, CueBus(), relay)
    await cues.start()
    log.info("cue bus: %s%s", relay.name, f" (channel {relay.channel})" if isinstance(relay, RedisRelay) else "")
    audience = Audience(
        live, cues, ctx.authorizer, ctx.db, follow=relay.name != "memory", heartbeat=settings.ws_heartbeat
    )
    WebApp().install(live)
    await audience.reload()

    async def close() -> None:
        await cues.close()
        await audience.close()

    ctx.closers.append(close)
    _add_to_server(TriggerServicer(ctx, cues, audience), server)
    return SERVICE
