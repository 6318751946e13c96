"""WatchAudience: a project's live audience size follows plain WebSocket and socket.io audiences as they
come and go (the Show screen of the console shows it)."""

from __future__ import annotations

import asyncio

import grpc
import pytest
import socketio
import websockets

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from tests.harness import RunningServer

MANNHEIM = "ff277516-121b-4304-b256-d5a8b70e136a"


async def test_audience_size_follows_connections(server: RunningServer, channel: grpc.aio.Channel) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    call = stub.WatchAudience(pb.WatchAudienceRequest(project_uuid=MANNHEIM))
    frames = call.__aiter__()

    async def size() -> int:
        frame = await asyncio.wait_for(frames.__anext__(), 10)
        assert frame.project_uuid == MANNHEIM
        return int(frame.connections)

    base = await size()
    url = server.http.replace("http://", "ws://") + f"/ws/opentheater/{MANNHEIM}"
    async with websockets.connect(url):
        assert await size() == base + 1
        sio = socketio.AsyncClient()
        await sio.connect(server.http, namespaces=[f"/opentheater/{MANNHEIM}"], transports=["websocket"])
        assert await size() == base + 2
        await sio.disconnect()
        assert await size() == base + 1
    assert await size() == base
    call.cancel()


async def test_unknown_project_is_not_found(channel: grpc.aio.Channel) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        async for _ in stub.WatchAudience(pb.WatchAudienceRequest(project_uuid="00000000-0000-4000-8000-000000000000")):
            pass
    assert err.value.code() == grpc.StatusCode.NOT_FOUND
