"""The web console's HTTP side, served by the live ASGI app (Envoy routes `/`, `/console/` and the
console's client routes there):

- `/console/<file>`: the built console (`console/dist`, made by scripts/setup with Vite), hashed assets
  cached for a year, everything else revalidated by ETag;
- `/` and the client routes (`/library`, `/show/<uuid>`, `/docs/<api>` ...) asked with `Accept: text/html`:
  the app's index.html (the SPA answers every route itself);
- `/` asked by anything else: a small JSON index of the APIs and where their docs are;
- `/console/openapi/{aura,opentheater}.json`: the OpenAPI documents generated from the protos.

Files are read on first request and kept until a rebuild changes them; a missing build is a clear 503.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from polyphony.__about__ import __version__
from polyphony.edge import assets, openapi
from polyphony.edge.live import LiveApp, Receive, Scope, Send

PREFIX = "/console/"
# OpenAPI documents generated from the protos' HTTP annotations (polyphony.edge.openapi), for the API docs
GENERATED_DOCS = {"openapi/aura.json": "media", "openapi/opentheater.json": "trigger"}
# client routes of the SPA (console/src/lib/router.ts); Envoy sends only `Accept: text/html` GETs here
CLIENT_ROUTES = re.compile(r"^/(library|show|docs|analysis|media)(/[^/]*)?/?$")
HASHED = re.compile(r"^assets/.+-[A-Za-z0-9_-]{8}\.(js|css)$")
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".yaml": "application/yaml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}

APIS = [
    {
        "name": "AURA",
        "service": "media",
        "base": "/aura/",
        "grpc": "polyphony.api.media.v1.MediaService",
        "docs": "/docs/aura",
        "openapi": "/console/openapi/aura.json",
    },
    {
        "name": "BBC TAMS",
        "service": "flow",
        "base": "/tams/",
        "grpc": "polyphony.api.flow.v1.FlowService",
        "docs": "/docs/tams",
        "openapi": "/console/specs/tams/api/TimeAddressableMediaStore.yaml",
    },
    {
        "name": "TimeSide",
        "service": "analysis",
        "base": "/timeside/api/",
        "grpc": "polyphony.api.analysis.v1.AnalysisService",
        "docs": "/docs/timeside",
        "openapi": "/timeside/api/schema/",
    },
    {
        "name": "Open Theater",
        "service": "trigger",
        "base": "/opentheater/",
        "grpc": "polyphony.api.trigger.v1.TriggerService",
        "docs": "/docs/opentheater",
        "openapi": "/console/openapi/opentheater.json",
    },
]


def index_document() -> bytes:
    """The JSON answer to `GET /` for clients that do not ask for HTML."""
    doc = {
        "name": "Polyphony",
        "version": __version__,
        "console": "/ (send Accept: text/html)",
        "apis": APIS,
        "grpc": {"reflection": True, "grpc_web": True},
    }
    return json.dumps(doc, indent=1).encode()


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str
    stamp: tuple[int, int] = (0, 0)  # (mtime_ns, size) of the file it was read from


def _asset(path: Path) -> Asset:
    st = path.stat()
    body = path.read_bytes()
    ctype = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain; charset=utf-8"
    return Asset(body, ctype, '"' + hashlib.sha256(body).hexdigest()[:32] + '"', (st.st_mtime_ns, st.st_size))


def _wants_html(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key.lower() == b"accept":
            return b"text/html" in value.lower()
    return False


class ConsoleApp:
    def __init__(self, dist: Path | None = None) -> None:
        self.dist = dist or assets.console_dist()
        self._cache: dict[str, Asset] = {}
        self._index = Asset(index_document(), "application/json", "")

    def install(self, live: LiveApp) -> None:
        live.route(PREFIX, self.files)
        live.fallback(self.root)

    def _file(self, relative: str) -> Asset | None:
        """The file at `relative` inside the build, re-read when a rebuild changed it."""
        parts = PurePosixPath(relative).parts
        if not parts or any(p in ("..", ".") or p.startswith(".") for p in parts) or "\\" in relative:
            return None
        path = self.dist.joinpath(*parts)
        try:
            st = path.stat()
        except OSError:
            self._cache.pop(relative, None)
            return None
        cached = self._cache.get(relative)
        if cached is not None and cached.stamp == (st.st_mtime_ns, st.st_size):
            return cached
        if not path.is_file():
            return None
        found = self._cache[relative] = _asset(path)
        return found

    def _generated(self, relative: str) -> Asset | None:
        if relative not in GENERATED_DOCS:
            return None
        if relative not in self._cache:
            body = json.dumps(openapi.document(GENERATED_DOCS[relative]), indent=1).encode()
            self._cache[relative] = Asset(body, "application/json", '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        return self._cache[relative]

    async def files(self, scope: Scope, receive: Receive, send: Send) -> None:
        relative = scope.get("path", "")[len(PREFIX) :]
        found = (self._generated(relative) or self._file(relative)) if scope["type"] == "http" else None
        if found is None:
            await _error(scope, send, 404, f"no console file {scope.get('path', '')!r}")
            return
        cache = "public, max-age=31536000, immutable" if HASHED.match(relative) else "no-cache"
        await _serve(scope, send, found, cache)

    async def root(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http":
            await _error(scope, send, 404, "not found")
            return
        if _wants_html(scope) and (path == "/" or CLIENT_ROUTES.match(path)):
            page = self._file("index.html")
            if page is None:
                await _error(scope, send, 503, f"the console is not built ({self.dist}): run scripts/setup")
                return
            await _serve(scope, send, page, "no-cache")
            return
        if path == "/":
            await _serve(scope, send, self._index, "no-cache")
            return
        await _error(scope, send, 404, f"nothing at {path!r}")


async def _error(scope: Scope, send: Send, status: int, message: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 4000 + status})
        return
    body = json.dumps({"error": message, "status": status}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _serve(scope: Scope, send: Send, file: Asset, cache: str) -> None:
    method = scope.get("method", "GET")
    if method not in ("GET", "HEAD"):
        body = json.dumps({"error": f"{method} is not allowed here", "status": 405}).encode()
        headers = [(b"allow", b"GET, HEAD"), (b"content-type", b"application/json")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 405, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    headers = [(b"content-type", file.content_type.encode()), (b"cache-control", cache.encode())]
    if file.etag:
        headers.append((b"etag", file.etag.encode()))
        request = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        if request.get("if-none-match") == file.etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
    headers.append((b"content-length", str(len(file.body)).encode()))
    headers.append((b"vary", b"accept"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else file.body})
