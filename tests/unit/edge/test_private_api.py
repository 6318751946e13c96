"""Each thing `polyphony.edge.private_api` assumes about uvicorn, python-socketio, engine.io and asyncio
internals, checked against the installed versions: one test per assumption, each failing with a
message that says which internal changed. When a library upgrade breaks the audience fan-out's
direct writes, it fails here first.

The socket.io and WebSocket tests run a real uvicorn server (its `websockets` protocol, as `serve`
does) on loopback and speak Engine.IO 4 with the `websockets` client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio
import uvicorn
import websockets
from engineio import packet as eio_packet

from polyphony.edge.private_api import (
    UVICORN_WEBSOCKETS,
    EngineSessions,
    RawSocket,
    RoomIndexManager,
    event_packet,
    queue_idle,
)
from polyphony.trigger.live import ws_text_frame

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]
NS = "/opentheater/p"


@contextlib.asynccontextmanager
async def _serve(app: App) -> AsyncIterator[str]:
    """`app` under uvicorn with the `websockets` protocol on a free loopback port; yields ws://host:port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, ws="websockets", interface="asgi3", lifespan="off", log_level="warning", ws_per_message_deflate=False
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.01)
        assert server.started, "uvicorn did not start"
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
        sock.close()


# asyncio -----------------------------------------------------------------------------------------
async def test_asyncio_queue_counts_items_until_task_done() -> None:
    queue: asyncio.Queue[int] = asyncio.Queue()
    assert hasattr(queue, "_unfinished_tasks"), "asyncio.Queue no longer has _unfinished_tasks (see queue_idle)"
    assert queue_idle(queue)
    queue.put_nowait(1)
    queue.get_nowait()
    assert not queue_idle(queue), "asyncio.Queue._unfinished_tasks no longer counts items taken but not done"
    queue.task_done()
    assert queue_idle(queue), "asyncio.Queue._unfinished_tasks is not 0 after task_done"


# uvicorn -----------------------------------------------------------------------------------------
async def _with_raw_socket(check: Callable[[RawSocket | None, Any], Awaitable[None]]) -> list[str]:
    """Accept one WebSocket, run `check(RawSocket.of(send), send)` and return what the client got."""
    failures: list[BaseException] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()
        await send({"type": "websocket.accept"})
        try:
            await check(RawSocket.of(send), send)
        except BaseException as exc:  # reported by the test, not swallowed by uvicorn
            failures.append(exc)
        await send({"type": "websocket.close", "code": 1000})

    got: list[str] = []
    async with _serve(app) as url, websockets.connect(url + "/ws") as ws:
        with contextlib.suppress(websockets.ConnectionClosed):
            while True:
                got.append(str(await asyncio.wait_for(ws.recv(), 10)))
    if failures:
        raise failures[0]
    return got


async def test_uvicorn_send_is_a_bound_method_of_its_websockets_protocol() -> None:
    async def check(raw: RawSocket | None, send: Any) -> None:
        protocol = getattr(send, "__self__", None)
        assert protocol is not None, "uvicorn's ASGI send is no longer a bound method of the connection's protocol"
        assert type(protocol).__module__.startswith(UVICORN_WEBSOCKETS), (
            f"uvicorn's websockets protocol moved: {type(protocol).__module__} (UVICORN_WEBSOCKETS)"
        )
        assert isinstance(getattr(protocol, "transport", None), asyncio.Transport), "no protocol.transport"
        assert raw is not None and raw.fd >= 0

    await _with_raw_socket(check)


async def test_uvicorn_protocol_exposes_handshake_state_and_flow_control() -> None:
    async def check(raw: RawSocket | None, send: Any) -> None:
        assert raw is not None
        protocol = raw.protocol
        assert isinstance(getattr(protocol, "handshake_completed_event", None), asyncio.Event), (
            "uvicorn's protocol has no handshake_completed_event"
        )
        assert await raw.opened(), "after accept the protocol is not OPEN (websockets State) or has extensions"
        assert hasattr(protocol, "extensions"), "the websockets protocol has no `extensions`"
        assert getattr(protocol, "_paused", None) is False, "websockets' flow-control flag `_paused` changed"
        assert raw.is_open() and raw.ready() and raw.backlog() == 0

    await _with_raw_socket(check)


async def test_a_whole_frame_written_to_the_transport_reaches_the_client_between_protocol_frames() -> None:
    async def check(raw: RawSocket | None, send: Any) -> None:
        assert raw is not None
        await send({"type": "websocket.send", "text": "before"})
        raw.write(ws_text_frame(b"direct"))
        await send({"type": "websocket.send", "text": "after"})

    assert await _with_raw_socket(check) == ["before", "direct", "after"]


# engine.io and python-socketio -------------------------------------------------------------------
class _SocketIO:
    """A python-socketio server as the live app builds it, with one raw Engine.IO 4 client."""

    def __init__(self) -> None:
        self.sio = socketio.AsyncServer(
            async_mode="asgi", cors_allowed_origins="*", namespaces="*", client_manager=RoomIndexManager()
        )
        self.asgi = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self.raws: dict[str, RawSocket] = {}

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        raw = RawSocket.of(send) if scope["type"] == "websocket" else None

        async def noting(message: dict[str, Any]) -> None:
            text = message.get("text")
            if raw is not None and isinstance(text, str) and text.startswith("0{"):
                self.raws[json.loads(text[1:])["sid"]] = raw
            await send(message)

        await self.asgi(scope, receive, noting)


@contextlib.asynccontextmanager
async def _client() -> AsyncIterator[tuple[_SocketIO, Any, str]]:
    """(server, connected websocket client, its engine.io sid), joined to namespace NS."""
    server = _SocketIO()
    async with _serve(server.app) as url, websockets.connect(url + "/socket.io/?EIO=4&transport=websocket") as ws:
        opened = str(await ws.recv())
        assert opened.startswith("0{"), f"engine.io OPEN packet changed: {opened!r}"
        eio_sid = json.loads(opened[1:])["sid"]
        await ws.send(f"40{NS},")
        joined = str(await ws.recv())
        assert joined.startswith(f"40{NS},"), joined
        yield server, ws, eio_sid


async def test_engineio_keeps_its_sessions_in_a_map_by_sid() -> None:
    async with _client() as (server, _ws, eio_sid):
        sockets = getattr(server.sio.eio, "sockets", None)
        assert isinstance(sockets, dict), "engine.io's AsyncServer.sockets is no longer a dict of sessions"
        assert eio_sid in sockets, "engine.io's sockets map is not keyed by the engine.io sid"
        sessions = EngineSessions(server.sio)
        assert sessions.count() == 1 and sessions.get(eio_sid) is sockets[eio_sid]


async def test_an_engineio_session_has_a_packet_queue_and_transport_flags() -> None:
    async with _client() as (server, _ws, eio_sid):
        sock = server.sio.eio.sockets[eio_sid]
        assert isinstance(getattr(sock, "queue", None), asyncio.Queue), "engine.io session has no asyncio queue"
        for flag, value in (("upgraded", True), ("upgrading", False), ("closed", False)):
            assert getattr(sock, flag, None) is value, f"engine.io session flag `{flag}` is not {value} on websocket"
        await asyncio.sleep(0.05)
        assert queue_idle(sock.queue), "an idle websocket session's queue still counts unfinished packets"


async def test_an_idle_websocket_session_takes_a_frame_directly() -> None:
    async with _client() as (server, ws, eio_sid):
        await asyncio.sleep(0.05)
        _pkt, text = event_packet(server.sio, NS, "displayContent", {"a": 1})
        others: list[str] = []
        targets = list(EngineSessions(server.sio).direct([("s", eio_sid)], server.raws, others.append))
        assert others == [] and targets == [server.raws[eio_sid]], "an idle websocket session was not direct"
        assert EngineSessions.writable_directly(server.sio.eio.sockets[eio_sid], server.raws[eio_sid])
        targets[0].write(ws_text_frame(text))
        assert await asyncio.wait_for(ws.recv(), 10) == f'42{NS},["displayContent",{{"a":1}}]'


async def test_a_queued_packet_goes_out_through_the_sessions_own_writer() -> None:
    async with _client() as (server, ws, eio_sid):
        sessions = EngineSessions(server.sio)
        sock = sessions.get(eio_sid)
        pkt, _ = event_packet(server.sio, NS, "displayContent", {"q": 1})
        sessions.enqueue(sock, pkt)
        assert not queue_idle(sock.queue) and sessions.queued(sock) == 1
        others: list[str] = []
        assert list(sessions.direct([("s", eio_sid)], server.raws, others.append)) == [], "busy queue went direct"
        assert others == [eio_sid]
        assert await asyncio.wait_for(ws.recv(), 10) == f'42{NS},["displayContent",{{"q":1}}]'
        await asyncio.sleep(0.05)
        assert queue_idle(sock.queue), "engine.io's writer does not mark queued packets done"


async def test_aborting_a_session_closes_it_at_once() -> None:
    async with _client() as (server, _ws, eio_sid):
        sessions = EngineSessions(server.sio)
        sock = sessions.get(eio_sid)
        sessions.enqueue(sock, event_packet(server.sio, NS, "displayContent", {"never": 1})[0])
        await sessions.abort(sock)
        assert sock.closed, "engine.io's close(wait=False, abort=True) left the session open"
        assert sessions.get(eio_sid) is None


async def test_event_packet_is_what_emit_sends() -> None:
    async with _client() as (server, ws, _eio_sid):
        data = {"content": {"t": "ü"}, "n": [1, 2.5, None]}
        await server.sio.emit("displayContent", data, namespace=NS)
        emitted = str(await asyncio.wait_for(ws.recv(), 10))
        pkt, text = event_packet(server.sio, NS, "displayContent", data)
        assert text.decode() == emitted, "python-socketio's packet_class encodes an EVENT differently from emit"
        assert pkt.packet_type == eio_packet.MESSAGE and "4" + str(pkt.data) == emitted


# the manager -------------------------------------------------------------------------------------
def _state(manager: Any) -> dict[str, Any]:
    """A manager's bookkeeping by engine.io sid (socket.io sids are random)."""
    rooms = {
        ns: {
            room if room is None or not manager.is_sid_room(ns, room) else "<own>": sorted(members.values())
            for room, members in by_room.items()
        }
        for ns, by_room in manager.rooms.items()
    }
    return {"rooms": rooms, "callbacks": len(manager.callbacks), "pending": dict(manager.pending_connect)}


async def test_the_room_index_manager_keeps_the_stock_managers_bookkeeping() -> None:
    stock, ours = socketio.AsyncManager(), RoomIndexManager()
    for manager in (stock, ours):
        socketio.AsyncServer(async_mode="asgi", client_manager=manager)
        for name in ("rooms", "callbacks", "pending_connect", "pending_disconnect"):
            assert isinstance(getattr(manager, name, None), dict), f"socketio's base manager has no `{name}` dict"
    sids: dict[int, dict[str, str]] = {id(stock): {}, id(ours): {}}
    for manager in (stock, ours):
        for i in range(6):
            sid = await manager.pre_connect(f"e{i}", NS)
            sids[id(manager)][f"e{i}"] = sid
            if i != 5:  # e5 stays pre-connected (its connect handler has not answered)
                await manager.connect(sid, NS)
            if i % 2:
                await manager.enter_room(sid, NS, "odd")
        mine = sids[id(manager)]
        manager._generate_ack_id(mine["e1"], lambda *a: None)
        for eio_sid in ("e1", "e2", "e5"):
            manager.pre_disconnect(mine[eio_sid], NS)
            await manager.disconnect(mine[eio_sid], NS)
    assert _state(ours) == _state(stock)
    assert ours.members(NS) == 3 == len(list(stock.get_participants(NS, None))), "room None is not every client"
    assert ours.members("/nowhere") == 0
    for eio_sid in ("e0", "e3"):

        def rooms(manager: Any, eio_sid: str = eio_sid) -> list[str]:
            sid = sids[id(manager)][eio_sid]
            return sorted("<own>" if r == sid else str(r) for r in manager.get_rooms(sid, NS))

        assert rooms(ours) == rooms(stock), "get_rooms differs from the stock manager"
    assert not ours.pending_disconnect and not stock.pending_disconnect
