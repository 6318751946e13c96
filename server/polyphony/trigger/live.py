"""The audience side: socket.io namespaces and plain WebSockets fed from the cue bus.

- socket.io namespace `/opentheater/<projectUuid>`: every cue of the project as `displayContent`;
  with `channelTrigger`, `/opentheater/<projectUuid>/<channelUuid>` gets only that channel's keys.
  A new connection first receives the project's current merged state (cues are deltas).
  `broadcast-message` (the Open Theater cueing-software event) publishes a cue when the connection
  authenticated with a write token (`auth: {"token": ...}`); the ack answers `{"sequence": n}` or
  `{"error": ..., "status": N}`, and errors are also sent as a `cue-error` event.
- WebSocket `/ws/opentheater/<projectUuid>[/<channelUuid>]`: the same JSON payloads as text frames;
  a text frame sent by a client is published like `broadcast-message` when the socket was opened
  with a write token (`?token=` or `Authorization: Bearer`). When an endpoint has sent nothing for
  `heartbeat` seconds, each of its connections gets an unsolicited Pong frame (RFC 6455 5.5.3: a one-way
  heartbeat that clients do not answer), all written in one sweep; it keeps proxies and NAT from closing
  a quiet connection (cues do that while a show runs), and a
  peer that stops acknowledging it (gone without a goodbye) is dropped by the kernel after
  UNACKED_MS (TCP_USER_TIMEOUT). Socket.io connections have engine.io's own ping/pong.
One relay task per project reads the bus and encodes each cue once per endpoint: the JSON text, the
socket.io packet and the WebSocket frame bytes. Subscribers on uvicorn's `websockets` protocol
(plain WebSocket, and socket.io clients on the websocket transport) get those same frame bytes
written straight to their socket, with no per-subscriber task, await or encoding; other
connections (socket.io polling, or a transport whose engine.io queue still holds packets, so that
order is kept) get the pre-encoded packet queued. Projects and channels created, changed or deleted
through the management API open, reshape or close their endpoints (`reload`); a connection to a
namespace this process does not know yet (created by another process) reloads the catalog first.

socket.io connections reach one catch-all `connect` handler (the live app's server accepts every
namespace, `namespaces="*"`), which serves the namespaces of the current endpoints and refuses the
rest. Whatever the direct writes need to know of uvicorn's, engine.io's, python-socketio's and
asyncio's internals is in `polyphony.edge.private_api`, and nowhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import socketio
from engineio import packet as eio_packet

from polyphony.core.auth import Api, Authorizer, Scope, credentials_from
from polyphony.core.db import Database
from polyphony.core.errors import DomainError, NotFound, Unauthenticated
from polyphony.edge.live import UNACKED_MS, LiveApp, Receive, Send
from polyphony.edge.live import Scope as AsgiScope
from polyphony.edge.private_api import EngineSessions, RawSocket, RoomIndexManager, event_packet
from polyphony.trigger import catalog
from polyphony.trigger import payload as payloads
from polyphony.trigger.bus import CueEvent, Overflow
from polyphony.trigger.cues import CueService
from polyphony.trigger.gcpolicy import GcPolicy

log = logging.getLogger("polyphony.trigger")

EVENT = "displayContent"
SEND_EVENT = "broadcast-message"
ERROR_EVENT = "cue-error"
WS_PREFIX = "/ws/opentheater/"
MAX_SOCKET_BACKLOG = 1024  # queued messages after which a client counts as gone
MAX_RAW_BACKLOG = 4 * 1024 * 1024  # unsent bytes after which a directly written client counts as gone
FAST_EMIT = True  # False: every socket.io message through python-socketio's own (awaited) emit
FOLLOW_SECONDS = 2.0  # how often a process re-reads the catalog when other processes manage it
GC_CHECK_SECONDS = 5.0  # how often the garbage-collection policy looks at the audience size
HEARTBEAT_FRAME = b"\x8a\x00"  # an unsolicited, empty Pong frame
HEARTBEAT_CHUNK = 1000  # connections per event-loop turn in a heartbeat sweep (a cue can go out between)


def _uuids(namespace: str) -> bool:
    """True when `/opentheater/<uuid>[/<uuid>]` could name a project (or channel) endpoint."""
    parts = namespace[len("/opentheater/") :].split("/")
    return 1 <= len(parts) <= 2 and all(catalog.canonical_uuid(p) == p.lower() for p in parts)


def project_namespace(project_uuid: str) -> str:
    return f"/opentheater/{project_uuid}"


def channel_namespace(project_uuid: str, channel_uuid: str) -> str:
    return f"/opentheater/{project_uuid}/{channel_uuid}"


@dataclass
class Endpoint:
    """One audience endpoint: a project (all keys) or one channel (its container ids only)."""

    project_uuid: str
    namespace: str
    container_ids: tuple[str, ...] | None = None  # None: the whole project
    # plain WebSocket connections, oldest first (a dict keeps the order they joined in; cues go out in it)
    sockets: dict[WsPeer | RawPeer, None] = field(default_factory=dict)
    last_sent: float = 0.0  # monotonic time of the last cue or heartbeat written to those connections

    def shape(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        return doc if self.container_ids is None else payloads.for_channel(doc, self.container_ids)


def ws_text_frame(data: bytes) -> bytes:
    """One unmasked, unfragmented WebSocket text frame (RFC 6455 5.2) carrying `data`: what a server
    writes, byte for byte the same for every connection without extensions."""
    n = len(data)
    if n < 126:
        return bytes((0x81, n)) + data
    if n < 65536:
        return bytes((0x81, 126)) + n.to_bytes(2, "big") + data
    return bytes((0x81, 127)) + n.to_bytes(8, "big") + data


class FrameWriter:
    """Writes one frame straight to the sockets of many connections whose transports have nothing
    buffered (`os.write` on the file descriptor: the least Python per subscriber; the system call is
    most of a fan-out's cost). The transports cannot close or write meanwhile (this runs on the event
    loop's thread without awaiting), so each descriptor is still the connection just checked. A frame
    the kernel does not take whole goes to the transport, whose buffer was empty, so order is kept.

    `targets` is consumed lazily: a generator that checks each connection just before its frame is
    written lets the first phones receive a cue while the rest of the audience is still being
    looked at (collecting ten thousand connections first delayed every one of them by ~25 ms)."""

    @staticmethod
    def write(targets: Iterable[RawSocket], frame: bytes) -> None:
        write, size = os.write, len(frame)
        for target in targets:
            try:
                n = write(target.fd, frame)
            except BlockingIOError:
                n = 0
            except OSError:
                continue  # the connection broke; its transport finds out on its next read
            if n != size:
                target.transport.write(frame[n:])


class WsPeer:
    """One plain WebSocket audience connection: a bounded outbox drained by its own writer task, so
    a slow connection never holds up the fan-out to the others (it is dropped when its outbox fills)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue(MAX_SOCKET_BACKLOG + 1)
        self.dropped = False
        self._code = 1013

    def offer_frame(self, text: str, frame: bytes) -> None:
        self.offer(text)

    def offer(self, text: str) -> None:
        if self.dropped:
            return
        if self._outbox.qsize() >= MAX_SOCKET_BACKLOG:
            log.warning("WebSocket client fell %s messages behind; disconnecting", MAX_SOCKET_BACKLOG)
            self._drop(1013)
            return
        self._outbox.put_nowait(text)

    def _drop(self, code: int) -> None:
        self.dropped = True
        self._code = code
        while not self._outbox.empty():
            self._outbox.get_nowait()
        self._outbox.put_nowait(None)  # the writer closes the socket

    async def close(self) -> None:
        """Close the connection (its endpoint went away)."""
        if not self.dropped:
            self._drop(1001)

    async def run(self) -> None:
        while (text := await self._outbox.get()) is not None:
            await self._send({"type": "websocket.send", "text": text})
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": self._code})


class RawPeer:
    """A plain WebSocket audience connection written to directly (see RawSocket): every message, cue
    or answer, is one synchronous transport write, so order is kept without a writer task. One that
    lets MAX_RAW_BACKLOG bytes pile up unread is disconnected."""

    def __init__(self, raw: RawSocket, send: Send) -> None:
        self.raw = raw
        self._send = send
        self.dropped = False
        sock = raw.transport.get_extra_info("socket")
        if sock is not None and hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, UNACKED_MS)

    def offer(self, text: str) -> None:
        self.offer_frame(text, ws_text_frame(text.encode()))

    def direct(self) -> RawSocket | None:
        """This connection, when the next frame can go straight to its socket (nothing buffered)."""
        raw = self.raw
        if self.dropped or raw.fd < 0 or not raw.is_open():
            return None
        transport = raw.transport
        if transport.get_write_buffer_size() or transport.is_closing():
            return None
        return raw

    def offer_frame(self, text: str, frame: bytes) -> None:
        if self.dropped or not self.raw.is_open():
            return
        transport = self.raw.transport
        if transport.get_write_buffer_size() > MAX_RAW_BACKLOG:
            self.dropped = True
            log.warning("WebSocket client left %s bytes unread; disconnecting", MAX_RAW_BACKLOG)
            transport.abort()
            return
        transport.write(frame)

    async def close(self) -> None:
        """Close the connection (its endpoint went away)."""
        if not self.dropped:
            self.dropped = True
            with contextlib.suppress(Exception):
                await self._send({"type": "websocket.close", "code": 1001})

    async def run(self) -> None:
        return None


def _error(err: DomainError) -> dict[str, Any]:
    return {"error": err.detail, "status": err.http_status}


def _direct_ws(peers: list[WsPeer | RawPeer], text: str, frame: bytes) -> Iterator[RawSocket]:
    """The plain WebSocket connections whose sockets take `frame` directly, one at a time; every other
    one gets the message through its own outbox as it comes up."""
    for peer in peers:
        raw = peer.direct() if isinstance(peer, RawPeer) else None
        if raw is not None:
            yield raw
        else:
            peer.offer_frame(text, frame)


class Audience:
    def __init__(
        self,
        live: LiveApp,
        cues: CueService,
        authorizer: Authorizer,
        db: Database | None = None,
        *,
        follow: bool = False,
        heartbeat: float = 20.0,
    ) -> None:
        self.sio: socketio.AsyncServer = live.sio
        if not isinstance(self.sio.manager, RoomIndexManager):
            raise TypeError("the live app's socket.io server must use RoomIndexManager (see LiveApp)")
        self.sessions = EngineSessions(self.sio)
        self.cues = cues
        self.auth = authorizer
        self.db = db
        self.endpoints: dict[str, Endpoint] = {}
        self._projects: dict[str, list[Endpoint]] = {}
        self._relays: dict[str, asyncio.Task[None]] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self._raw: dict[str, RawSocket] = {}  # engine.io sid -> its websocket, when written directly
        self.writer = FrameWriter()
        self.gc = GcPolicy()
        self._gc_task = asyncio.create_task(self._watch_audience())
        self._heartbeat_task = asyncio.create_task(self._heartbeat(heartbeat)) if heartbeat > 0 else None
        self._reload_lock = asyncio.Lock()
        self._follower: asyncio.Task[None] | None = None
        self._lookup: asyncio.Future[None] | None = None
        self._lookup_started = 0.0
        self._sio_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        live.route(WS_PREFIX, self.websocket)
        live.route("/socket.io/", self.socketio_entry)
        self.sio.on("connect", self._connect, namespace="*")
        self.sio.on(SEND_EVENT, self._broadcast, namespace="*")
        if follow and db is not None:
            self._follower = asyncio.create_task(self._follow())

    def add_project(self, project_uuid: str, channels: list[tuple[str, tuple[str, ...]]]) -> None:
        """Serve a project's namespace and exactly the given (channel uuid, container ids) channel
        namespaces (adding, reshaping or closing channel endpoints as needed)."""
        eps = self._projects.get(project_uuid)
        if eps is None:
            eps = [Endpoint(project_uuid, project_namespace(project_uuid))]
            self.endpoints[eps[0].namespace] = eps[0]
            self._relays[project_uuid] = asyncio.create_task(self._relay(project_uuid))
        current = {ep.namespace: ep for ep in eps[1:]}
        wanted = [eps[0]]
        for channel_uuid, ids in channels:
            ns = channel_namespace(project_uuid, channel_uuid)
            ep = current.pop(ns, None)
            if ep is None:
                ep = Endpoint(project_uuid, ns, ids)
                self.endpoints[ns] = ep
            ep.container_ids = ids
            wanted.append(ep)
        self._projects[project_uuid] = wanted
        for ep in current.values():
            self._close_endpoint(ep)

    def remove_project(self, project_uuid: str) -> None:
        """Close a deleted project's endpoints (its audiences are disconnected)."""
        for ep in self._projects.pop(project_uuid, []):
            self._close_endpoint(ep)
        task = self._relays.pop(project_uuid, None)
        if task is not None:
            task.cancel()

    def _close_endpoint(self, ep: Endpoint) -> None:
        self.endpoints.pop(ep.namespace, None)
        for sid, _eio_sid in list(self.sio.manager.get_participants(ep.namespace, None)):
            self._spawn(self.sio.disconnect(sid, namespace=ep.namespace))
        for peer in list(ep.sockets):
            self._spawn(peer.close())
        ep.sockets.clear()

    async def reload(self) -> None:
        """Make the endpoints equal the stored catalog (after management calls; other processes')."""
        if self.db is None:
            return
        async with self._reload_lock:
            async with self.db.session() as session:
                projects = await catalog.list_projects(session)
            wanted = {
                p.uuid: [(c.uuid, tuple(c.container_ids)) for c in p.channels if c.channel_trigger] for p in projects
            }
            for project_uuid in list(self._projects):
                if project_uuid not in wanted:
                    self.remove_project(project_uuid)
                    self.cues.forget(project_uuid)
            for project_uuid, channels in wanted.items():
                self.add_project(project_uuid, channels)

    def audience_size(self) -> int:
        """Open audience connections of this process (socket.io sessions and plain WebSockets)."""
        return self.sessions.count() + sum(len(ep.sockets) for ep in self.endpoints.values())

    def project_audience(self, project_uuid: str) -> int:
        """Open audience connections of this process on one project (any of its endpoints)."""
        manager: RoomIndexManager = self.sio.manager
        return sum(
            len(ep.sockets) + manager.members(ep.namespace)
            for ep in self.endpoints.values()
            if ep.project_uuid == project_uuid
        )

    async def _watch_audience(self) -> None:
        while True:
            await asyncio.sleep(GC_CHECK_SECONDS)
            self.gc.update(self.audience_size())

    async def _heartbeat(self, every: float) -> None:
        while True:  # so a quiet connection goes at most 1.5 x `every` without hearing from us
            await asyncio.sleep(every / 2)
            await self.heartbeat(quiet=every)

    async def heartbeat(self, quiet: float = 0.0) -> None:
        """A heartbeat to the plain WebSocket connections of every endpoint that has written nothing
        for `quiet` seconds, HEARTBEAT_CHUNK connections per event-loop turn. A cue is traffic too:
        while a show sends cues, nobody needs a heartbeat, and none competes with a cue."""
        now = time.monotonic()
        # Only connections written to directly: the ASGI interface of a WsPeer (another server's socket) has
        # no Pong, and such a server keeps its own pings. One with bytes still buffered gets it queued.
        peers: list[WsPeer | RawPeer] = []
        for ep in self.endpoints.values():
            if ep.sockets and now - ep.last_sent >= quiet:
                ep.last_sent = now
                peers.extend(p for p in ep.sockets if isinstance(p, RawPeer))
        for start in range(0, len(peers), HEARTBEAT_CHUNK):
            chunk = peers[start : start + HEARTBEAT_CHUNK]
            self.writer.write(_direct_ws(chunk, "", HEARTBEAT_FRAME), HEARTBEAT_FRAME)
            await asyncio.sleep(0)

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(FOLLOW_SECONDS)
            try:
                await self.reload()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("re-reading the Open Theater catalog failed")

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def close(self) -> None:
        tasks = [*self._relays.values(), self._gc_task]
        if self._heartbeat_task is not None:
            tasks.append(self._heartbeat_task)
        self.gc.stop()
        if self._follower is not None:
            tasks.append(self._follower)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # socket.io -----------------------------------------------------------------------------
    async def _connect(self, namespace: str, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        """Every socket.io connection: to a project or channel endpoint with a read token (a write
        token also lets it send cues). A namespace this process does not serve yet may have been
        created by another process through the API: it is looked up first (endpoint_for)."""
        if namespace == "/":
            return True  # the default namespace, as python-socketio serves it: nothing is sent there
        ep = await self.endpoint_for(namespace)
        if ep is None:
            raise socketio.exceptions.ConnectionRefusedError("Unable to connect")
        token = auth.get("token") if isinstance(auth, dict) else None
        creds = credentials_from(None, token if isinstance(token, str) else None)
        try:
            await self.auth.check_async(Api.OPENTHEATER, Scope.READ, creds)
        except DomainError as err:
            raise socketio.exceptions.ConnectionRefusedError(_error(err)) from None
        writer = True
        try:
            await self.auth.check_async(Api.OPENTHEATER, Scope.WRITE, creds)
        except DomainError:
            writer = False
        await self.sio.save_session(sid, {"writer": writer}, namespace=namespace)
        self._spawn(self._send_state_when_connected(ep, sid))
        return True

    async def _broadcast(self, namespace: str, sid: str, data: Any = None) -> dict[str, Any]:
        """`broadcast-message`: publish a cue to the endpoint's project (write token needed)."""
        session = await self.sio.get_session(sid, namespace=namespace)
        ep = self.endpoints.get(namespace)
        try:
            if ep is None:
                raise NotFound(f"no endpoint {namespace!r}")
            if not session.get("writer"):
                raise Unauthenticated("sending cues needs a write token in the socket.io auth payload")
            raw = data if isinstance(data, str) else json.dumps(data)
            event = await self.cues.publish(ep.project_uuid, raw)
        except DomainError as err:
            body = _error(err)
            await self.sio.emit(ERROR_EVENT, body, to=sid, namespace=namespace)
            return body
        return {"sequence": event.sequence}

    async def _send_state_when_connected(self, ep: Endpoint, sid: str) -> None:
        for _ in range(500):  # the CONNECT packet goes out after the connect handler returns
            if self.sio.manager.is_connected(sid, ep.namespace):
                break
            await asyncio.sleep(0.01)
        else:
            return
        _, state = self.cues.state(ep.project_uuid)
        shaped = ep.shape(state)
        if shaped is None or not (shaped.get("content") or shaped.get("styles")):
            return
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, ep.namespace)
        if not FAST_EMIT or eio_sid is None:
            await self.sio.emit(EVENT, shaped, to=sid, namespace=ep.namespace)
            return
        pkt, text = event_packet(self.sio, ep.namespace, EVENT, shaped)
        self._send_sio(eio_sid, pkt, ws_text_frame(text))

    # fan-out -------------------------------------------------------------------------------
    async def _relay(self, project_uuid: str) -> None:
        while True:
            try:
                async with self.cues.bus.subscribe(project_uuid) as sub:
                    async for event in sub:
                        self._deliver(event, self._projects.get(project_uuid, ()))
                return
            except Overflow:
                log.warning("audience relay of %s fell behind; resending state", project_uuid)
                _, state = self.cues.state(project_uuid)
                self._deliver(CueEvent(project_uuid, 0, 0, state), self._projects.get(project_uuid, ()))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("audience relay of %s failed; restarting", project_uuid)
                await asyncio.sleep(0.1)

    def _deliver(self, event: CueEvent, eps: Any) -> None:
        """One cue to every endpoint of its project: encoded once per endpoint, written without awaiting."""
        for ep in eps:
            shaped = event.payload if ep.container_ids is None else ep.shape(event.payload)
            if shaped is None:
                continue
            self._emit(ep.namespace, shaped)
            if ep.sockets:
                text = event.text if ep.container_ids is None else payloads.encode(shaped)
                frame = ws_text_frame(text.encode())
                self.writer.write(_direct_ws(list(ep.sockets), text, frame), frame)
                ep.last_sent = time.monotonic()
        self.gc.after_cue(self.audience_size())

    def _emit(self, namespace: str, data: dict[str, Any]) -> None:
        """`displayContent` to every client of a namespace: the socket.io packet and its WebSocket frame
        are encoded once; each client gets the frame written directly or the packet queued."""
        if not FAST_EMIT:
            self._spawn(self.sio.emit(EVENT, data, namespace=namespace))
            return
        pkt, text = event_packet(self.sio, namespace, EVENT, data)
        frame = ws_text_frame(text)
        # get_participants walks a copy of the namespace's members: no need to copy them again
        participants = self.sio.manager.get_participants(namespace, None)
        self.writer.write(
            self.sessions.direct(participants, self._raw, lambda eio_sid: self._send_sio(eio_sid, pkt, frame)), frame
        )

    def _send_sio(self, eio_sid: str, pkt: eio_packet.Packet, frame: bytes) -> None:
        """One engine.io message to one client. The frame is written directly only when the client is
        on the websocket transport and its engine.io queue is idle (every packet queued before was
        written already), so messages never overtake each other; otherwise the packet is queued."""
        sessions = self.sessions
        sock = sessions.get(eio_sid)
        if sock is None:
            return
        raw = self._raw.get(eio_sid)
        if raw is not None and sessions.writable_directly(sock, raw):
            if raw.backlog() > MAX_RAW_BACKLOG:
                log.warning("socket.io client %s left %s bytes unread; disconnecting", eio_sid, MAX_RAW_BACKLOG)
                raw.abort()
                return
            raw.write(frame)
            return
        if sessions.queued(sock) >= MAX_SOCKET_BACKLOG:
            log.warning("socket.io client %s fell %s messages behind; disconnecting", eio_sid, MAX_SOCKET_BACKLOG)
            self._spawn(sessions.abort(sock))
            return
        sessions.enqueue(sock, pkt)

    async def socketio_entry(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        """python-socketio's ASGI app, noting which engine.io session each websocket serves so that
        cues can be written to it directly (the `sid` query parameter of an upgrade, or the sid in
        the OPEN packet of a websocket-only connection)."""
        raw = RawSocket.of(send) if scope["type"] == "websocket" else None
        if raw is None:
            await self._sio_app(scope, receive, send)
            return
        sid = (parse_qs(scope.get("query_string", b"").decode()).get("sid") or [None])[0]
        mine: list[str] = []
        if sid:
            self._raw[sid] = raw
            mine.append(sid)

        async def noting(message: dict[str, Any]) -> None:
            if not mine and message.get("type") == "websocket.send":
                text = message.get("text")
                if isinstance(text, str) and text.startswith("0{"):
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        opened = str(json.loads(text[1:])["sid"])
                        self._raw[opened] = raw
                        mine.append(opened)
            await send(message)

        try:
            await self._sio_app(scope, receive, noting)
        finally:
            for opened in mine:
                if self._raw.get(opened) is raw:
                    del self._raw[opened]

    # plain WebSocket -----------------------------------------------------------------------
    async def endpoint_for(self, namespace: str) -> Endpoint | None:
        """The endpoint of `namespace`; one this process does not serve yet (a project or channel another
        process just created) is looked up in the database first, so it is served at once. Lookups are
        single-flight: concurrent misses share one catalog read that started after they arrived."""
        ep = self.endpoints.get(namespace)
        if ep is not None or self.db is None or not namespace.startswith("/opentheater/") or not _uuids(namespace):
            return ep
        asked = time.monotonic()
        while True:
            if self._lookup is None or self._lookup.done():
                if self._lookup_started >= asked:
                    break  # a read that began after we asked has finished
                self._lookup_started = time.monotonic()
                self._lookup = asyncio.ensure_future(self.reload())
            started = self._lookup_started
            with contextlib.suppress(Exception):
                await asyncio.shield(self._lookup)
            if started >= asked:
                break
        return self.endpoints.get(namespace)

    async def websocket(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        ep = await self.endpoint_for("/opentheater/" + path[len(WS_PREFIX) :].strip("/"))
        if scope["type"] != "websocket":
            body = json.dumps(
                {"error": "WebSocket upgrade required" if ep else "not found", "status": 426 if ep else 404}
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 426 if ep else 404,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if (await receive())["type"] != "websocket.connect":
            return
        if ep is None:
            await send({"type": "websocket.close", "code": 4404})
            return
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        token = (parse_qs(scope.get("query_string", b"").decode()).get("token") or [None])[0]
        try:
            creds = credentials_from(headers.get("authorization"), token)
            await self.auth.check_async(Api.OPENTHEATER, Scope.READ, creds)
        except DomainError:
            await send({"type": "websocket.close", "code": 4401})
            return
        writer = True
        try:
            await self.auth.check_async(Api.OPENTHEATER, Scope.WRITE, creds)
        except DomainError:
            writer = False
        await send({"type": "websocket.accept"})
        raw = RawSocket.of(send)
        peer: WsPeer | RawPeer = RawPeer(raw, send) if raw is not None and await raw.opened() else WsPeer(send)
        writer_task = asyncio.create_task(peer.run())
        _, state = self.cues.state(ep.project_uuid)
        shaped = ep.shape(state)
        if shaped is not None and (shaped.get("content") or shaped.get("styles")):
            peer.offer(payloads.encode(shaped))
        ep.sockets[peer] = None
        try:
            while not peer.dropped:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                data = message.get("text") or message.get("bytes") or b""
                peer.offer(json.dumps(await self._publish_from_socket(ep, writer, data)))
        finally:
            ep.sockets.pop(peer, None)
            writer_task.cancel()
            await asyncio.gather(writer_task, return_exceptions=True)

    async def _publish_from_socket(self, ep: Endpoint, writer: bool, raw: str | bytes) -> dict[str, Any]:
        try:
            if not writer:
                raise Unauthenticated("sending cues needs a write token (?token= or Authorization: Bearer)")
            event = await self.cues.publish(ep.project_uuid, raw)
        except DomainError as err:
            return {"type": ERROR_EVENT, **_error(err)}
        return {"type": "ack", "sequence": event.sequence}
