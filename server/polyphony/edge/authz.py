"""The edge's header-only authorization check (Envoy ext_authz, HTTP mode, on the live app's port).

Envoy asks `/_edge/authz<original path>` with the original method and the `Authorization` header, and no
body, for every REST request that may carry one, before it reads a byte of that body. This answers 200
(go on) or the caller's 401/403 in the API's own error shape, which Envoy sends as is. The policy comes
from the same proto options as the gRPC interceptor's (`polyphony.rpc.access`), and the interceptor still
checks every call: this check only makes sure nobody without a valid token gets a body buffered.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from polyphony.core.auth import Authorizer, credentials_from
from polyphony.core.errors import DomainError, ErrorFamily, render_error_json
from polyphony.edge.live import Receive, Scope, Send
from polyphony.rpc.access import HttpRoutes

PREFIX = "/_edge/authz"


class EdgeAuthz:
    def __init__(self, authorizer: Authorizer, routes: HttpRoutes) -> None:
        self.auth = authorizer
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = scope.get("raw_path") or scope.get("path", "").encode()
        path = raw.decode("latin-1")[len(PREFIX) :] or "/"
        route = self.routes.match(scope.get("method", "GET"), path)
        if route is None or route.policy.scope is None:  # unknown route (the transcoder 404s it) or signed
            await _answer(send, 200, b"", "text/plain")
            return
        authorization = None
        for key, value in scope.get("headers", ()):
            if key == b"authorization":
                authorization = value.decode("latin-1")
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        try:
            creds = credentials_from(authorization, (query.get("access_token") or [None])[0])
            await self.auth.check_async(route.policy.api, route.policy.scope, creds)
        except DomainError as err:
            family = route.policy.family
            ctype = "application/vnd.api+json" if family is ErrorFamily.AURA else "application/json"
            await _answer(send, err.http_status, render_error_json(family, err).encode(), ctype)
            return
        await _answer(send, 200, b"", "text/plain")


async def _answer(send: Send, status: int, body: bytes, content_type: str) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="polyphony"'))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
