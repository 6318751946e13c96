"""The plain WebSocket heartbeat: unsolicited Pong frames through Envoy, ignored by real clients."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import websockets

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client import json_of
from tests.harness import RunningServer, run_server

ROOT = Path(__file__).parents[2]
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
HEARTBEAT = 0.3


@pytest.fixture(scope="module")
def beating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "POLYPHONY_PROJECTS_FILE": str(ROOT / "tests" / "fixtures" / "opentheater" / "projects.yaml"),
        "POLYPHONY_WS_HEARTBEAT": str(HEARTBEAT),
    }
    with run_server(tmp_path_factory.mktemp("heartbeat"), extra_env=env) as srv:
        yield srv


async def _frames(reader: asyncio.StreamReader, seconds: float) -> list[tuple[int, bytes]]:
    """(opcode, payload) of every unmasked server frame that arrives within `seconds`."""
    frames: list[tuple[int, bytes]] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            head = await asyncio.wait_for(reader.readexactly(2), left)
        except TimeoutError:
            break
        assert head[1] & 0x80 == 0, "server frames are never masked"
        size = head[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        frames.append((head[0] & 0x0F, await reader.readexactly(size)))
    return frames


async def test_a_quiet_websocket_gets_heartbeats_between_its_cues(beating: RunningServer) -> None:
    host, port = beating.grpc_target.split(":")  # Envoy: one port for REST, gRPC and upgrades
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        (
            f"GET /ws/opentheater/{PIECE} HTTP/1.1\r\nHost: {beating.grpc_target}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    assert head.startswith(b"HTTP/1.1 101"), head
    frames = await _frames(reader, HEARTBEAT * 5)
    assert len(frames) >= 2 and set(frames) == {(0xA, b"")}  # only empty Pongs, nothing to answer
    async with grpc.aio.insecure_channel(beating.grpc_target) as channel:
        stub = trigger_pb2_grpc.TriggerServiceStub(channel)
        reply = await stub.Publish(
            pb.PublishRequest(project_uuid=PIECE, payload='{"content": {"text_de": "Puls"}}'),
            metadata=beating.grpc_auth(),
        )
    frames = await _frames(reader, HEARTBEAT * 3)
    texts = [payload.decode() for opcode, payload in frames if opcode == 0x1]
    assert [json.loads(t) for t in texts] == [json_of(reply.cue.payload)]
    assert {f for f in frames if f[0] != 0x1} == {(0xA, b"")}
    writer.close()


async def test_clients_ignore_the_heartbeat(beating: RunningServer) -> None:
    """The `websockets` client (as phones' WebSocket stacks do) takes the Pongs silently and stays open."""
    url = beating.http.replace("http://", "ws://") + f"/ws/opentheater/{PIECE}"
    async with websockets.connect(url) as ws:
        await asyncio.sleep(HEARTBEAT * 4)
        async with grpc.aio.insecure_channel(beating.grpc_target) as channel:
            stub = trigger_pb2_grpc.TriggerServiceStub(channel)
            cue = pb.PublishRequest(project_uuid=PIECE, payload='{"content": {"text_en": "beat"}}')
            reply = await stub.Publish(cue, metadata=beating.grpc_auth())
        while True:
            doc = json.loads(await asyncio.wait_for(ws.recv(), 10))
            if doc.get("timestamp") == json_of(reply.cue.payload)["timestamp"]:
                break
        await asyncio.sleep(HEARTBEAT * 3)
        await ws.ping()  # still open and answering
