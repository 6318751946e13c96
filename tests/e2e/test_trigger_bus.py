"""The cue bus across server replicas: two separate `polyphony serve` processes (each with its own
Envoy) on one shared database, relaying cues through Redis pub/sub. Redis on 127.0.0.1:6379 is
required: without it the replicas refuse to start and these tests fail."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import socketio

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client import json_of
from tests.harness import RunningServer, run_server

ROOT = Path(__file__).parents[2]
PROJECTS = str(ROOT / "tests" / "fixtures" / "opentheater" / "projects.yaml")
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
DE_READ = "7eb2e01e-faef-439c-b431-08c25a374cba"


@contextlib.contextmanager
def two_replicas(tmp_path: Path, bus: str = "redis") -> Iterator[tuple[RunningServer, RunningServer]]:
    env = {
        "POLYPHONY_PROJECTS_FILE": PROJECTS,
        "POLYPHONY_CUE_BUS": bus,
        # one deployment: the shared database and secret give both replicas the same derived cue channel
        "POLYPHONY_SECRET": uuid.uuid4().hex,
    }
    with (
        run_server(tmp_path / "a", extra_env=env) as a,
        run_server(tmp_path / "b", extra_env=env | {"POLYPHONY_DATABASE_URL": a.database_url}) as b,
    ):
        yield a, b


class Listener:
    """A socket.io audience on one namespace of one replica."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.got: asyncio.Queue[dict[str, object]] = asyncio.Queue()

    async def connect(
        self,
        srv: RunningServer,
        namespace: str,
        auth: dict[str, str] | None = None,
        transports: tuple[str, ...] = ("websocket",),
    ) -> None:
        self.client.on("displayContent", self.got.put, namespace=namespace)
        await self.client.connect(
            srv.http,
            namespaces=[namespace],
            socketio_path="/socket.io",
            transports=list(transports),
            auth=auth,
            wait_timeout=10,
        )

    async def next_text(self, key: str = "text_de") -> object:
        while True:
            doc = await asyncio.wait_for(self.got.get(), 10)
            content = doc.get("content")
            if isinstance(content, dict) and key in content:
                return content[key]

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.client.disconnect(), 2)


def test_cue_published_on_one_replica_reaches_subscribers_of_the_other(tmp_path: Path) -> None:
    with two_replicas(tmp_path) as (a, b):
        channels = {re.search(r"cue bus: redis \(channel (\S+)\)", srv.log()) for srv in (a, b)}
        assert None not in channels and len({m.group(1) for m in channels if m}) == 1, "replicas on two channels"
        asyncio.run(_across(a, b))


async def _across(a: RunningServer, b: RunningServer) -> None:
    on_b, chan_b, sender_b, polling_b = Listener(), Listener(), Listener(), Listener()
    await on_b.connect(b, f"/opentheater/{PIECE}")
    # long-polling: every request of the session goes to replica b, as a sticky front sends them
    await polling_b.connect(b, f"/opentheater/{PIECE}", transports=("polling",))
    await chan_b.connect(b, f"/opentheater/{PIECE}/{DE_READ}")
    await sender_b.connect(b, f"/opentheater/{PIECE}", auth={"token": b.write_token})
    try:
        async with grpc.aio.insecure_channel(a.grpc_target) as ch_a, grpc.aio.insecure_channel(b.grpc_target) as ch_b:
            stub_a, stub_b = trigger_pb2_grpc.TriggerServiceStub(ch_a), trigger_pb2_grpc.TriggerServiceStub(ch_b)
            stream_b = stub_b.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
            stream_a = stub_a.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
            await stream_b.initial_metadata()
            await stream_a.initial_metadata()
            # A -> B: gRPC publish on replica A, socket.io and gRPC subscribers on replica B
            payload = {"content": {"text_de": "von A", "text_en": "from A"}}
            reply = await stub_a.Publish(
                pb.PublishRequest(project_uuid=PIECE, payload=json.dumps(payload)), metadata=a.grpc_auth()
            )
            item = await asyncio.wait_for(stream_b.read(), 10)
            assert (item.cue.sequence, item.cue.payload) == (reply.cue.sequence, reply.cue.payload)
            assert await on_b.next_text() == "von A"
            assert await polling_b.next_text() == "von A"
            assert await chan_b.next_text() == "von A"
            assert chan_b.got.empty()  # the channel namespace got only its own keys (no text_en)
            assert (await asyncio.wait_for(stream_a.read(), 10)).cue.sequence == reply.cue.sequence
            # B -> A: a cueing desk's `broadcast-message` on replica B reaches A's gRPC subscriber
            ack = await sender_b.client.call(
                "broadcast-message", {"content": {"text_de": "von B"}}, namespace=f"/opentheater/{PIECE}", timeout=10
            )
            item = await asyncio.wait_for(stream_a.read(), 10)
            assert item.cue.sequence == ack["sequence"] and json_of(item.cue.payload)["content"] == {"text_de": "von B"}
            assert (await asyncio.wait_for(stream_b.read(), 10)).cue.sequence == ack["sequence"]
            assert await on_b.next_text() == "von B"
            # late joiner on B sees the state built from cues of both replicas
            state_stream = stub_b.Subscribe(pb.SubscribeRequest(project_uuid=PIECE, include_state=True))
            first = await asyncio.wait_for(state_stream.read(), 10)
            assert first.state and json_of(first.cue.payload)["content"] == {"text_de": "von B", "text_en": "from A"}
            for s in (stream_a, stream_b, state_stream):
                s.cancel()
            # each cue arrived exactly once on B's audience
            await asyncio.sleep(0.3)
            assert on_b.got.empty()
    finally:
        for listener in (on_b, chan_b, sender_b, polling_b):
            await listener.close()


@pytest.mark.parametrize("bus", ["memory"])
def test_without_a_shared_bus_replicas_stay_apart(tmp_path: Path, bus: str) -> None:
    """The control case: the in-process bus does not cross replicas (so the test above proves Redis)."""
    with two_replicas(tmp_path, bus) as (a, b):
        asyncio.run(_apart(a, b))


async def _apart(a: RunningServer, b: RunningServer) -> None:
    async with grpc.aio.insecure_channel(a.grpc_target) as ch_a, grpc.aio.insecure_channel(b.grpc_target) as ch_b:
        stub_a, stub_b = trigger_pb2_grpc.TriggerServiceStub(ch_a), trigger_pb2_grpc.TriggerServiceStub(ch_b)
        stream_b = stub_b.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
        await stream_b.initial_metadata()
        await stub_a.Publish(
            pb.PublishRequest(project_uuid=PIECE, payload='{"content": {"text_de": "x"}}'), metadata=a.grpc_auth()
        )
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(stream_b.read(), 1.0)
        stream_b.cancel()


def test_a_project_created_on_one_replica_is_live_on_the_other(tmp_path: Path) -> None:
    with two_replicas(tmp_path) as (a, b):
        asyncio.run(_created_across(a, b))


async def _created_across(a: RunningServer, b: RunningServer) -> None:
    async with grpc.aio.insecure_channel(a.grpc_target) as ch_a:
        stub_a = trigger_pb2_grpc.TriggerServiceStub(ch_a)
        project = await stub_a.CreateProject(
            pb.CreateProjectRequest(project=pb.ProjectInput(project_path=["NEW"])), metadata=a.grpc_auth()
        )
        channel = await stub_a.CreateChannel(
            pb.CreateChannelRequest(
                project_uuid=project.project_uuid,
                channel=pb.ChannelInput(container_ids=["text_de"], channel_trigger=True),
            ),
            metadata=a.grpc_auth(),
        )
        whole, only = Listener(), Listener()
        try:  # replica B never heard of the project: it looks it up when an audience connects
            await whole.connect(b, f"/opentheater/{project.project_uuid}")
            await only.connect(b, f"/opentheater/{project.project_uuid}/{channel.channel_uuid}")
            await stub_a.Publish(
                pb.PublishRequest(
                    project_uuid=project.project_uuid, payload='{"content": {"text_de": "neu", "text_en": "new"}}'
                ),
                metadata=a.grpc_auth(),
            )
            assert await whole.next_text() == "neu"
            assert await only.next_text() == "neu"
        finally:
            await whole.close()
            await only.close()
