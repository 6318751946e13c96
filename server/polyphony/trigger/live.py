"""The audience side: socket.io namespaces and plain WebSockets fed from the cue bus.

- socket.io namespace `/opentheater/<projectUuid>`: every cue of the project as `displayContent`;
  with `channelTrigger`, `/opentheater/<projectUuid>/<channelUuid>` gets only that channel's keys.
  A new connection first receives the project's current merged state (cues are deltas).
  `broadcast-message` (the Open Theater cueing-software event) publishes a cue when the connection
  authenticated with a write token (`auth: {"token": ...}`); the ack answers `{"sequence": n}` or
  `{"error": ..., "status": N}`, and errors are also sent as a `cue-error` event.
- WebSocket `/ws/opentheater/<projectUuid>[/<channelUuid>]`: the same JSON payloads as text frames;
  a text frame sent by a client is published like `broadcast-message` when the socket was opened
  with a write token (`?token=` or `Authorization: Bearer`).
One relay task per project reads the bus and emits each cue once per namespace, so a payload is
encoded once per publish, not once per client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from polyphony.core.auth import Authorizer, Scope, credentials_from
from polyphony.core.errors import DomainError, Unauthenticated
from polyphony.edge.live import LiveApp, Receive, Send
from polyphony.edge.live import Scope as AsgiScope
from polyphony.trigger import payload as payloads
from polyphony.trigger.bus import CueEvent, Overflow
from polyphony.trigger.cues import CueService

log = logging.getLogger("polyphony.trigger")

EVENT = "displayContent"
SEND_EVENT = "broadcast-message"
ERROR_EVENT = "cue-error"
WS_PREFIX = "/ws/opentheater/"
MAX_SOCKET_BACKLOG = 1024  # queued messages after which a client counts as gone
FAST_EMIT = True


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
    sockets: set[WsPeer] = field(default_factory=set)  # plain WebSocket connections

    def shape(self, doc: dict[str, Any]) -> dict[str, Any] | None:
        return doc if self.container_ids is None else payloads.for_channel(doc, self.container_ids)


class WsPeer:
    """One plain WebSocket audience connection: a bounded outbox drained by its own writer task, so
    a slow connection never holds up the fan-out to the others (it is dropped when its outbox fills)."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._outbox: asyncio.Queue[str | None] = asyncio.Queue(MAX_SOCKET_BACKLOG + 1)
        self.dropped = False

    def offer(self, text: str) -> None:
        if self.dropped:
            return
        if self._outbox.qsize() >= MAX_SOCKET_BACKLOG:
            self.dropped = True
            log.warning("WebSocket client fell %s messages behind; disconnecting", MAX_SOCKET_BACKLOG)
            while not self._outbox.empty():
                self._outbox.get_nowait()
            self._outbox.put_nowait(None)  # the writer closes the socket
            return
        self._outbox.put_nowait(text)

    async def run(self) -> None:
        while (text := await self._outbox.get()) is not None:
            await self._send({"type": "websocket.send", "text": text})
        with contextlib.suppress(Exception):
            await self._send({"type": "websocket.close", "code": 1013})


def _error(err: DomainError) -> dict[str, Any]:
    return {"error": err.detail, "status": err.http_status}


class Audience:
    def __init__(self, live: LiveApp, cues: CueService, authorizer: Authorizer) -> None:
        self.sio: socketio.AsyncServer = live.sio
        self.cues = cues
        self.auth = authorizer
        self.endpoints: dict[str, Endpoint] = {}
        self._relays: list[asyncio.Task[None]] = []
        self._pending: set[asyncio.Task[None]] = set()
        live.route(WS_PREFIX, self.websocket)

    def add_project(self, project_uuid: str, channels: list[tuple[str, tuple[str, ...]]]) -> None:
        """Serve a project's namespace and the given (channel uuid, container ids) channel namespaces."""
        eps = [Endpoint(project_uuid, project_namespace(project_uuid))]
        eps += [Endpoint(project_uuid, channel_namespace(project_uuid, c), ids) for c, ids in channels]
        for ep in eps:
            self.endpoints[ep.namespace] = ep
            self._register(ep)
        self._relays.append(asyncio.create_task(self._relay(project_uuid, eps)))

    async def close(self) -> None:
        for task in self._relays:
            task.cancel()
        await asyncio.gather(*self._relays, return_exceptions=True)

    # socket.io -----------------------------------------------------------------------------
    def _register(self, ep: Endpoint) -> None:
        ns = ep.namespace

        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            token = auth.get("token") if isinstance(auth, dict) else None
            creds = credentials_from(None, token if isinstance(token, str) else None)
            try:
                self.auth.check(Scope.READ, creds)
            except DomainError as err:
                raise socketio.exceptions.ConnectionRefusedError(_error(err)) from None
            writer = True
            try:
                self.auth.check(Scope.WRITE, creds)
            except DomainError:
                writer = False
            await self.sio.save_session(sid, {"writer": writer}, namespace=ns)
            task = asyncio.create_task(self._send_state_when_connected(ep, sid))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            return True

        async def broadcast(sid: str, data: Any = None) -> dict[str, Any]:
            session = await self.sio.get_session(sid, namespace=ns)
            try:
                if not session.get("writer"):
                    raise Unauthenticated("sending cues needs a write token in the socket.io auth payload")
                raw = data if isinstance(data, str) else json.dumps(data)
                event = await self.cues.publish(ep.project_uuid, raw)
            except DomainError as err:
                body = _error(err)
                await self.sio.emit(ERROR_EVENT, body, to=sid, namespace=ns)
                return body
            return {"sequence": event.sequence}

        self.sio.on("connect", connect, namespace=ns)
        self.sio.on(SEND_EVENT, broadcast, namespace=ns)

    async def _send_state_when_connected(self, ep: Endpoint, sid: str) -> None:
        for _ in range(500):  # the CONNECT packet goes out after the connect handler returns
            if self.sio.manager.is_connected(sid, ep.namespace):
                break
            await asyncio.sleep(0.01)
        else:
            return
        _, state = self.cues.state(ep.project_uuid)
        shaped = ep.shape(state)
        if shaped is not None and (shaped.get("content") or shaped.get("styles")):
            await self.sio.emit(EVENT, shaped, to=sid, namespace=ep.namespace)

    # fan-out -------------------------------------------------------------------------------
    async def _relay(self, project_uuid: str, eps: list[Endpoint]) -> None:
        while True:
            try:
                async with self.cues.bus.subscribe(project_uuid) as sub:
                    async for event in sub:
                        await self._deliver(event, eps)
                return
            except Overflow:
                log.warning("audience relay of %s fell behind; resending state", project_uuid)
                _, state = self.cues.state(project_uuid)
                await self._deliver(CueEvent(project_uuid, 0, 0, state), eps)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("audience relay of %s failed; restarting", project_uuid)
                await asyncio.sleep(0.1)

    async def _deliver(self, event: CueEvent, eps: list[Endpoint]) -> None:
        for ep in eps:
            shaped = event.payload if ep.container_ids is None else ep.shape(event.payload)
            if shaped is None:
                continue
            await self._emit(ep.namespace, shaped)
            if ep.sockets:
                text = event.text if ep.container_ids is None else payloads.encode(shaped)
                for peer in list(ep.sockets):
                    peer.offer(text)

    async def _emit(self, namespace: str, data: dict[str, Any]) -> None:
        """`displayContent` to every client of a namespace: the packet is encoded once and queued on
        each Engine.IO socket directly (python-socketio's own broadcast starts one task per client)."""
        eio_sockets = getattr(self.sio.eio, "sockets", None)
        if not FAST_EMIT or eio_sockets is None:
            await self.sio.emit(EVENT, data, namespace=namespace)
            return
        encoded = self.sio.packet_class(sio_packet.EVENT, namespace=namespace, data=[EVENT, data]).encode()
        frame = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        for _sid, eio_sid in self.sio.manager.get_participants(namespace, None):
            sock = eio_sockets.get(eio_sid)
            if sock is None or sock.closed:
                continue
            if sock.queue.qsize() >= MAX_SOCKET_BACKLOG:
                log.warning("socket.io client %s fell %s messages behind; disconnecting", eio_sid, MAX_SOCKET_BACKLOG)
                task = asyncio.create_task(sock.close(wait=False, abort=True))
                self._pending.add(task)
                task.add_done_callback(self._pending.discard)
                continue
            sock.queue.put_nowait(frame)

    # plain WebSocket -----------------------------------------------------------------------
    async def websocket(self, scope: AsgiScope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        ep = self.endpoints.get("/opentheater/" + path[len(WS_PREFIX):].strip("/"))
        if scope["type"] != "websocket":
            body = json.dumps({"error": "WebSocket upgrade required" if ep else "not found",
                               "status": 426 if ep else 404}).encode()
            await send({"type": "http.response.start", "status": 426 if ep else 404,
                        "headers": [(b"content-type", b"application/json")]})
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
            self.auth.check(Scope.READ, creds)
        except DomainError:
            await send({"type": "websocket.close", "code": 4401})
            return
        writer = True
        try:
            self.auth.check(Scope.WRITE, creds)
        except DomainError:
            writer = False
        await send({"type": "websocket.accept"})
        peer = WsPeer(send)
        writer_task = asyncio.create_task(peer.run())
        _, state = self.cues.state(ep.project_uuid)
        shaped = ep.shape(state)
        if shaped is not None and (shaped.get("content") or shaped.get("styles")):
            peer.offer(payloads.encode(shaped))
        ep.sockets.add(peer)
        try:
            while not peer.dropped:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("text") or message.get("bytes") or b""
                peer.offer(json.dumps(await self._publish_from_socket(ep, writer, raw)))
        finally:
            ep.sockets.discard(peer)
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
