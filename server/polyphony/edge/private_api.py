"""The one module that relies on what uvicorn, python-socketio, engine.io and asyncio do not publish.

The audience fan-out (`trigger/live.py`) writes one pre-encoded frame straight to the socket of
every connection that can take it, instead of awaiting a send per client; that keeps a cue to
10,000 phones within tens of milliseconds, and the public interfaces cannot do it. What it needs
to know for that, and nothing else of those libraries' internals, is here:

- asyncio: `Queue._unfinished_tasks`, the count of items put and not yet taken and marked done
  (`queue_idle`);
- uvicorn's `websockets` protocol: the ASGI `send` callable is a bound method of the connection's
  protocol object, which has `transport`, `state`, `extensions`, `handshake_completed_event` and
  websockets' flow-control flag `_paused` (`RawSocket`);
- engine.io: the server's `sockets` map (engine.io sid -> session), and on a session `queue` (an
  asyncio.Queue of packets that its writer drains), `upgraded`, `upgrading`, `closed` and
  `close(wait=, abort=)` (`EngineSessions`);
- python-socketio: `AsyncServer.packet_class` encodes an EVENT packet exactly as `emit` would
  (`event_packet`), and the base manager's bookkeeping (`rooms`, where room `None` of a namespace
  holds all its clients, `callbacks`, `pending_connect`, `pending_disconnect`) that
  `RoomIndexManager.basic_disconnect` keeps as the stock one does and `members` counts.

`tests/unit/edge/test_private_api.py` checks each assumption against the installed versions, one
test per assumption, each failing with a message that names what changed; an upgrade of one of
these libraries fails there, in one place. Nothing else in Polyphony touches these internals or
replaces a library's method.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Iterator
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet
from websockets.protocol import State

Send = Callable[[dict[str, Any]], Coroutine[Any, Any, None]]
UVICORN_WEBSOCKETS = "uvicorn.protocols.websockets.websockets_impl"
WS_OPEN = State.OPEN


# asyncio -----------------------------------------------------------------------------------------
def queue_idle(queue: asyncio.Queue[Any]) -> bool:
    """True when every item ever put into `queue` was taken and marked done (`task_done`)."""
    return queue._unfinished_tasks == 0  # type: ignore[attr-defined,no-any-return]


# uvicorn -----------------------------------------------------------------------------------------
class RawSocket:
    """Direct writes to an open connection of uvicorn's `websockets` protocol (the one `serve` runs,
    without compression). Writing a whole pre-built frame with one `transport.write` cannot interleave
    with the protocol's own frames, which it also writes whole."""

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.transport: asyncio.Transport = protocol.transport
        sock = self.transport.get_extra_info("socket")
        self.fd: int = sock.fileno() if sock is not None else -1

    @classmethod
    def of(cls, send: Any) -> RawSocket | None:
        """The connection behind an ASGI `send`, when it is uvicorn's `websockets` protocol."""
        protocol = getattr(send, "__self__", None)
        if protocol is None or not type(protocol).__module__.startswith(UVICORN_WEBSOCKETS):
            return None
        if getattr(protocol, "transport", None) is None or not hasattr(protocol, "extensions"):
            return None
        return cls(protocol)

    async def opened(self) -> bool:
        """Wait until the handshake is written (uvicorn completes it after `websocket.accept`); True
        when the connection is open and uncompressed."""
        event = getattr(self.protocol, "handshake_completed_event", None)
        if event is not None:
            await event.wait()
        return self.protocol.state is WS_OPEN and not self.protocol.extensions

    def is_open(self) -> bool:
        return self.protocol.state is WS_OPEN  # type: ignore[no-any-return]

    def ready(self) -> bool:
        """Open, uncompressed, and not paused by flow control (so no send of the protocol's own is
        waiting to finish: whatever it wrote before is in the transport already)."""
        p = self.protocol
        return p.state is WS_OPEN and getattr(p, "_paused", True) is False and not p.extensions

    def backlog(self) -> int:
        return int(self.transport.get_write_buffer_size())

    def write(self, frame: bytes) -> None:
        self.transport.write(frame)

    def abort(self) -> None:
        self.transport.abort()


# engine.io ---------------------------------------------------------------------------------------
class EngineSessions:
    """The engine.io sessions of a python-socketio server: which can take a frame written directly
    to their websocket, and queueing a packet for the others."""

    def __init__(self, sio: socketio.AsyncServer) -> None:
        self._eio = sio.eio

    def count(self) -> int:
        return len(self._eio.sockets)

    def get(self, eio_sid: str) -> Any | None:
        """The open session, or None."""
        sock = self._eio.sockets.get(eio_sid)
        return None if sock is None or sock.closed else sock

    def direct(
        self, participants: Iterable[tuple[str, str]], raws: dict[str, RawSocket], other: Callable[[str], None]
    ) -> Iterator[RawSocket]:
        """The websockets of the participants that take a frame written directly, one at a time: the
        client is on the websocket transport, its engine.io queue is idle (everything queued before
        was written) and its transport has nothing buffered, so the frame cannot overtake anything.
        `other(eio_sid)` is called for every other participant as it comes up."""
        sockets = self._eio.sockets
        for _sid, eio_sid in participants:
            sock = sockets.get(eio_sid)
            raw = raws.get(eio_sid)
            if (
                raw is not None
                and sock is not None
                and sock.upgraded
                and not sock.closed
                and raw.fd >= 0
                and sock.queue._unfinished_tasks == 0  # queue_idle, inlined: this runs per client and cue
                and raw.ready()
                and not raw.transport.get_write_buffer_size()
                and not raw.transport.is_closing()
            ):
                yield raw
            else:
                other(eio_sid)

    @staticmethod
    def writable_directly(sock: Any, raw: RawSocket | None) -> bool:
        """The session is on the websocket transport, not upgrading, with an idle queue."""
        return raw is not None and sock.upgraded and not sock.upgrading and queue_idle(sock.queue) and raw.ready()

    @staticmethod
    def queued(sock: Any) -> int:
        return int(sock.queue.qsize())

    @staticmethod
    def enqueue(sock: Any, pkt: eio_packet.Packet) -> None:
        """Queue a packet for the session's own writer (websocket or long-polling)."""
        sock.queue.put_nowait(pkt)

    @staticmethod
    def abort(sock: Any) -> Coroutine[Any, Any, None]:
        """Close the session at once, without flushing its queue."""
        return sock.close(wait=False, abort=True)  # type: ignore[no-any-return]


# python-socketio ---------------------------------------------------------------------------------
def event_packet(sio: socketio.AsyncServer, namespace: str, event: str, data: Any) -> tuple[eio_packet.Packet, bytes]:
    """An `emit(event, data, namespace=...)` encoded once: the engine.io MESSAGE packet to queue, and
    the text payload of the WebSocket frame (`4` + the socket.io packet) to write directly."""
    encoded = sio.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, data]).encode()
    return eio_packet.Packet(eio_packet.MESSAGE, encoded), b"4" + encoded.encode()


class RoomIndexManager(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio's client manager with a reverse index of each client's rooms. The stock manager
    finds a leaving client's rooms by copying and scanning every room of the namespace, and every
    client has a room of its own, so N clients leaving cost O(N^2): 10,000 audience phones closing
    at the end of a show kept the server busy for tens of seconds."""

    def __init__(self) -> None:
        super().__init__()
        self._member_of: dict[tuple[str, str], set[Any]] = {}

    def basic_enter_room(self, sid: str, namespace: str, room: Any, eio_sid: str | None = None) -> None:
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._member_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Any) -> None:
        super().basic_leave_room(sid, namespace, room)
        rooms = self._member_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._member_of[(namespace, sid)]

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        if namespace not in self.rooms:
            return
        for room in list(self._member_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            waiting = pending.get(namespace)
            if waiting is not None and sid in waiting:
                waiting.remove(sid)
                if not waiting:
                    del pending[namespace]

    def get_rooms(self, sid: str, namespace: str) -> list[Any]:
        return [r for r in self._member_of.get((namespace, sid), ()) if r is not None]

    def members(self, namespace: str) -> int:
        """Clients in a namespace (connected or still in their connect handler): its room `None`."""
        return len(self.rooms.get(namespace, {}).get(None, ()))
