"""The live ASGI app behind Envoy's `/socket.io/`, `/ws/`, `/opentheater/app/` and console routes.

One python-socketio `AsyncServer` (Engine.IO 4, polling + websocket) plus plain WebSocket and HTTP
handlers that services register by path prefix. Served by uvicorn inside the server process.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import socketio

from polyphony.edge.private_api import RoomIndexManager

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIHandler = Callable[[Scope, Receive, Send], Awaitable[None]]


# A client that leaves data unacknowledged this long (a phone gone without a goodbye) is dropped by the
# kernel (TCP_USER_TIMEOUT): set on plain WebSocket audience sockets and on Envoy's listener.
UNACKED_MS = 30_000


class LiveApp:
    def __init__(self) -> None:
        # Every namespace reaches the catch-all `connect` handlers services register (`namespace="*"`),
        # which accept the ones they serve; the manager keeps a reverse index of rooms (see private_api).
        self.sio = socketio.AsyncServer(
            async_mode="asgi", cors_allowed_origins="*", namespaces="*", client_manager=RoomIndexManager()
        )
        self._sio_app = socketio.ASGIApp(self.sio, socketio_path="socket.io")
        self._routes: list[tuple[str, ASGIHandler]] = []
        self._fallback: ASGIHandler = not_found

    def route(self, prefix: str, handler: ASGIHandler) -> None:
        """Serve HTTP and WebSocket requests whose path starts with `prefix` with `handler`."""
        self._routes.append((prefix, handler))
        self._routes.sort(key=lambda r: -len(r[0]))

    def fallback(self, handler: ASGIHandler) -> None:
        """Serve requests that no route (and not socket.io) takes with `handler` (default: a 404)."""
        self._fallback = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "")
        for prefix, handler in self._routes:  # first: a route may serve a file under /socket.io/
            if path.startswith(prefix):
                await handler(scope, receive, send)
                return
        if path.startswith("/socket.io"):
            await self._sio_app(scope, receive, send)
            return
        await self._fallback(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4404})
        return
    body = json.dumps({"error": "not found", "status": 404}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
