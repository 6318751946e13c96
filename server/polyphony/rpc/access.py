"""The access policy of every RPC and HTTP route, read from the one place it is declared: the
`polyphony.api.common.v1.access` option on each proto method.

- `method_scope("/pkg.Service/Method")`: for the gRPC interceptor (the API is the service's, from the
  registry: `polyphony.core.registry`; each API's scopes are its own, named after its error family).
- `HttpRoutes`: (HTTP method, path) -> the same policy, from each method's `google.api.http` rules, for the
  edge's header-only authorization check (`polyphony.edge.authz`) and for tests that walk every route.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from google.api import annotations_pb2
from google.protobuf import descriptor_pb2, descriptor_pool

from polyphony.api.common.v1 import options_pb2
from polyphony.core.auth import Api, Scope
from polyphony.core.errors import ErrorFamily

_SCOPES: dict[int, Scope] = {
    options_pb2.ACCESS_READ: Scope.READ,
    options_pb2.ACCESS_WRITE: Scope.WRITE,
    options_pb2.ACCESS_DELETE: Scope.DELETE,
    options_pb2.ACCESS_ADMIN: Scope.ADMIN,
}


@dataclass(frozen=True)
class Policy:
    api: Api
    family: ErrorFamily
    # None: the method authenticates the request itself (ACCESS_SIGNED, e.g. a presigned URL)
    scope: Scope | None


def scope_of(access: int) -> Scope | None:
    """The scope an `Access` value needs; None for ACCESS_SIGNED (the method checks a signature itself)."""
    if access == options_pb2.ACCESS_SIGNED:
        return None
    return _SCOPES.get(access, Scope.WRITE)  # unannotated: closed (write)


@lru_cache(maxsize=1024)
def method_scope(method: str) -> Scope | None:
    """The scope "/pkg.Service/Method" needs (None: the method checks its own signature)."""
    service, _, name = method.lstrip("/").rpartition("/")
    try:
        desc = descriptor_pool.Default().FindMethodByName(f"{service}.{name}")
        access: int = desc.GetOptions().Extensions[options_pb2.access]  # type: ignore[index]
    except KeyError:
        access = options_pb2.ACCESS_UNSPECIFIED
    return scope_of(access)


@dataclass(frozen=True)
class HttpRoute:
    verb: str  # GET, PUT, POST, DELETE, PATCH
    template: str  # the google.api.http path template, e.g. /tams/flows/{flow_id}
    rpc: str  # /pkg.Service/Method
    policy: Policy
    client_streaming: bool
    body: str  # the rule's body field ("" none, "*" whole message)
    pattern: re.Pattern[str]
    literal_chars: int  # more literal characters = more specific, as the transcoder prefers


def _template_regex(template: str) -> re.Pattern[str]:
    """`/tams/flows/{id}/x` -> a regex matching the request path (the transcoder also accepts one trailing /)."""
    out = ""
    for part in re.split(r"(\{[^}]*\})", template.split(":")[0]):
        if part.startswith("{"):
            out += ".+" if "**" in part else "[^/]+"
        else:
            out += re.escape(part)
    return re.compile(out + "/?")


def http_routes_of(fds: descriptor_pb2.FileDescriptorSet, families: Mapping[str, ErrorFamily]) -> list[HttpRoute]:
    """The HTTP routes of the services in `families` (full gRPC service name -> error family: the registry)."""
    routes: list[HttpRoute] = []
    for f in fds.file:
        for s in f.service:
            family = families.get(f"{f.package}.{s.name}")
            if family is None:
                continue
            for m in s.method:
                access: int = m.options.Extensions[options_pb2.access]  # type: ignore[index]
                policy = Policy(Api(family.value), family, scope_of(access))
                rule = m.options.Extensions[annotations_pb2.http]
                for r in [rule, *rule.additional_bindings]:
                    kind = r.WhichOneof("pattern")
                    if not kind:
                        continue
                    verb, template = (
                        (r.custom.kind.upper(), r.custom.path) if kind == "custom" else (kind.upper(), getattr(r, kind))
                    )
                    literal = len(re.sub(r"\{[^}]*\}", "", template))
                    routes.append(
                        HttpRoute(
                            verb,
                            template,
                            f"/{f.package}.{s.name}/{m.name}",
                            policy,
                            m.client_streaming,
                            r.body,
                            _template_regex(template),
                            literal,
                        )
                    )
    return routes


class HttpRoutes:
    """Finds the route (and so the policy) an HTTP request is for."""

    def __init__(self, routes: list[HttpRoute]) -> None:
        self.routes = routes
        self._by_verb: dict[str, list[HttpRoute]] = {}
        for route in sorted(routes, key=lambda r: -r.literal_chars):
            self._by_verb.setdefault(route.verb, []).append(route)

    @classmethod
    def from_descriptor_set(cls, data: bytes, families: Mapping[str, ErrorFamily]) -> HttpRoutes:
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(data)
        return cls(http_routes_of(fds, families))

    def match(self, verb: str, path: str) -> HttpRoute | None:
        path = path.partition("?")[0]
        for route in self._by_verb.get(verb.upper(), ()):
            if route.pattern.fullmatch(path):
                return route
        return None
