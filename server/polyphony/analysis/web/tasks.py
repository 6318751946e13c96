"""AnalysisService, tasks: create, list, get, update (start), cancel, delete, and watch their progress
(gRPC stream, Server-Sent Events)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from google.api import httpbody_pb2

from polyphony.analysis.tasks.runs import TaskEvent
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.analysis.web.requests import (
    body_dict,
    sse_frame,
)
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.rpc.http import is_head, is_rest, send_http


class TasksRpc(AnalysisRpcBase):
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
        if is_head(context):  # the headers of the stream, never its (endless) frames
            yield httpbody_pb2.HttpBody(content_type="text/event-stream")
            return
        yield httpbody_pb2.HttpBody(content_type="text/event-stream", data=sse_frame(first, base))
        async for event in events:
            yield httpbody_pb2.HttpBody(data=sse_frame(event, base))
