"""The browser side of Open Theater, served by the live ASGI app (Envoy routes `/opentheater/app/`
and `/socket.io/` there):

- `/opentheater/app/` (index), `/opentheater/app/audience.html?project=<uuid>[&channel=<uuid>]` (renders
  a project's text, image, video and audio containers from live `displayContent` cues) and
  `/opentheater/app/stage.html?project=<uuid>` (a stage manager's cue list with a GO button, calling
  the REST API with the write token the operator enters), plus their scripts and stylesheet.
- `/socket.io/socket.io.js` (and `.min.js`): the socket.io 4 browser client, vendored from the npm
  package `socket.io-client` (MIT, see static/socket.io-client.LICENSE) so no Node is needed at run time.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from polyphony.edge.live import LiveApp, Receive, Scope, Send, not_found

STATIC = Path(__file__).parent / "static"
APP_PREFIX = "/opentheater/app/"
SOCKET_IO_JS = ("/socket.io/socket.io.js", "/socket.io/socket.io.min.js")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
}
PAGES = {
    "": "index.html",
    "index.html": "index.html",
    "audience.html": "audience.html",
    "stage.html": "stage.html",
    "audience.js": "audience.js",
    "stage.js": "stage.js",
    "app.css": "app.css",
}


class StaticFile:
    """A file read once at start, with its content type and a strong ETag."""

    def __init__(self, path: Path) -> None:
        self.body = path.read_bytes()
        self.content_type = TYPES[path.suffix]
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:32] + '"'


class WebApp:
    def __init__(self) -> None:
        self.files = {name: StaticFile(STATIC / file) for name, file in PAGES.items()}
        self.client = StaticFile(STATIC / "socket.io.min.js")

    def install(self, live: LiveApp) -> None:
        live.route(APP_PREFIX, self.app)
        for path in SOCKET_IO_JS:
            live.route(path, self.socket_io_js)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.files.get(scope.get("path", "")[len(APP_PREFIX) :]) if scope["type"] == "http" else None
        if found is None:
            await not_found(scope, receive, send)
            return
        await _serve(scope, send, found, "no-cache")

    async def socket_io_js(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in SOCKET_IO_JS:
            await not_found(scope, receive, send)
            return
        await _serve(scope, send, self.client, "public, max-age=86400")


async def _serve(scope: Scope, send: Send, file: StaticFile, cache: str) -> None:
    method = scope.get("method", "GET")
    headers = [
        (b"content-type", file.content_type.encode()),
        (b"etag", file.etag.encode()),
        (b"cache-control", cache.encode()),
    ]
    if method not in ("GET", "HEAD"):
        await send(
            {
                "type": "http.response.start",
                "status": 405,
                "headers": [(b"allow", b"GET, HEAD"), (b"content-length", b"0")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    request = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
    if request.get("if-none-match") == file.etag:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    headers.append((b"content-length", str(len(file.body)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else file.body})
