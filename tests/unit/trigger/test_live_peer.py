"""A plain WebSocket audience connection: its own outbox, so a stalled client cannot hold up others."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from polyphony.trigger.live import MAX_SOCKET_BACKLOG, WsPeer


async def test_messages_go_out_in_order() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    peer = WsPeer(send)
    task = asyncio.create_task(peer.run())
    for i in range(3):
        peer.offer(str(i))
    await asyncio.sleep(0.01)
    assert [m["text"] for m in sent] == ["0", "1", "2"]
    task.cancel()


async def test_a_stalled_client_is_dropped_without_blocking_the_offer() -> None:
    gate = asyncio.Event()
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "websocket.send":
            await gate.wait()  # the client stopped reading

    peer = WsPeer(send)
    task = asyncio.create_task(peer.run())
    peer.offer("0")
    await asyncio.sleep(0.01)  # the writer is now stuck sending "0"
    for i in range(1, MAX_SOCKET_BACKLOG + 5):  # never blocks, however slow the client
        peer.offer(str(i))
    assert peer.dropped
    gate.set()
    await asyncio.wait_for(task, 1)
    assert sent[0]["text"] == "0" and sent[-1] == {"type": "websocket.close", "code": 1013}
    assert len(sent) == 2  # the backlog was discarded, the socket closed


class _Transport:
    def __init__(self) -> None:
        self.written: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.written.append(data)


class _Target:
    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.transport = _Transport()


def test_frames_go_to_sockets_and_what_the_kernel_refuses_to_the_transport() -> None:
    import socket

    from polyphony.trigger.live import FrameWriter, ws_text_frame

    frame = ws_text_frame(b"x" * 1000)
    pairs = [socket.socketpair() for _ in range(3)]
    try:
        for ours, _theirs in pairs:
            ours.setblocking(False)
        full = pairs[2][0]
        full.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        while True:  # fill the third connection's socket buffer: the kernel takes part or nothing
            try:
                full.send(b"\0" * 4096)
            except BlockingIOError:
                break
        targets = [_Target(ours.fileno()) for ours, _ in pairs]
        FrameWriter.write(targets, frame)  # type: ignore[arg-type]
        for (_ours, theirs), target in zip(pairs[:2], targets[:2], strict=True):
            assert theirs.recv(4096) == frame and target.transport.written == []
        assert b"".join(targets[2].transport.written) == frame[-len(b"".join(targets[2].transport.written)) :]
        assert targets[2].transport.written  # the rest waits in the transport, in order
    finally:
        for a, b in pairs:
            a.close()
            b.close()


def test_each_frame_is_written_before_the_next_connection_is_looked_at() -> None:
    import socket

    from polyphony.trigger.live import FrameWriter, ws_text_frame

    frame = ws_text_frame(b"cue")
    pairs = [socket.socketpair() for _ in range(3)]
    events: list[str] = []

    def checked() -> Iterator[_Target]:
        for i, (ours, theirs) in enumerate(pairs):
            # by the time connection i is looked at, the one before it has its frame already
            theirs.setblocking(False)
            if i:
                events.append(f"{i - 1} has {pairs[i - 1][1].recv(64)!r}")
            events.append(f"check {i}")
            yield _Target(ours.fileno())

    try:
        FrameWriter.write(checked(), frame)  # type: ignore[arg-type]
        assert events == ["check 0", f"0 has {frame!r}", "check 1", f"1 has {frame!r}", "check 2"]
        assert pairs[2][1].recv(64) == frame
    finally:
        for a, b in pairs:
            a.close()
            b.close()


class _Protocol:
    def __init__(self, transport: "_SocketTransport") -> None:
        from polyphony.edge.private_api import WS_OPEN

        self.transport = transport
        self.state = WS_OPEN
        self.extensions: list[str] = []
        self._paused = False


class _SocketTransport(_Transport):
    def get_write_buffer_size(self) -> int:
        return sum(map(len, self.written))

    def is_closing(self) -> bool:
        return False

    def get_extra_info(self, name: str) -> None:
        return None


async def test_heartbeats_go_only_to_endpoints_that_have_been_quiet() -> None:
    """A cue is traffic too: connections that just got one need no heartbeat, and a heartbeat counts
    as traffic until the next one is due."""
    import socket
    import time

    from polyphony.edge.live import LiveApp
    from polyphony.edge.private_api import RawSocket
    from polyphony.trigger.live import HEARTBEAT_FRAME, Audience, Endpoint, RawPeer

    pairs = [socket.socketpair() for _ in range(2)]

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("heartbeats go straight to the socket")

    audience = Audience(LiveApp(), None, None, heartbeat=0)  # type: ignore[arg-type]
    try:
        quiet, busy = Endpoint("p", "/opentheater/p/quiet"), Endpoint("p", "/opentheater/p/busy")
        for ep, (ours, theirs) in zip((quiet, busy), pairs, strict=True):
            ours.setblocking(False)
            theirs.setblocking(False)
            raw = RawSocket.__new__(RawSocket)
            raw.transport = _SocketTransport()  # type: ignore[assignment]
            raw.protocol, raw.fd = _Protocol(raw.transport), ours.fileno()  # type: ignore[arg-type]
            ep.sockets[RawPeer(raw, send)] = None
        busy.last_sent = time.monotonic()  # a cue just went out there
        audience.endpoints = {ep.namespace: ep for ep in (quiet, busy)}
        await audience.heartbeat(quiet=5.0)
        assert pairs[0][1].recv(16) == HEARTBEAT_FRAME
        with pytest.raises(BlockingIOError):
            pairs[1][1].recv(16)
        await audience.heartbeat(quiet=5.0)  # the heartbeat itself was traffic: nothing is due yet
        with pytest.raises(BlockingIOError):
            pairs[0][1].recv(16)
        await audience.heartbeat(quiet=0.0)  # due everywhere
        assert [theirs.recv(16) for _, theirs in pairs] == [HEARTBEAT_FRAME, HEARTBEAT_FRAME]
    finally:
        await audience.close()
        for a, b in pairs:
            a.close()
            b.close()
