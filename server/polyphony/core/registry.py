"""What a service is, to the rest of the house: one `ServiceSpec` per service package.

Each service package exports exactly one `SERVICE: ServiceSpec` from `polyphony/<svc>/service.py`;
the composition root (`polyphony.app.SERVICES`) lists them explicitly, and everything that used to keep
service names by hand is derived from that list: the servicers registered in each process, Envoy's
routes and transcoder options, the Lua filter's route families and error bodies, the interceptor's
error shapes and the Alembic branches that `migrate` upgrades.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from polyphony.core.errors import ErrorFamily


@dataclass(frozen=True)
class JsonStyle:
    """How the gRPC-JSON transcoder prints a service's REST answers (its routes' `print_options`)."""

    preserve_proto_field_names: bool  # snake_case field names (TAMS, TimeSide) instead of lowerCamelCase
    always_print_primitive_fields: bool  # print zeros, empty strings and false

    def print_options(self) -> dict[str, bool]:
        return {
            "always_print_primitive_fields": self.always_print_primitive_fields,
            "always_print_enums_as_ints": False,
            "preserve_proto_field_names": self.preserve_proto_field_names,
        }


# The proto3 JSON mapping's default printer (json_name, zeros printed): AURA, Open Theater.
CAMEL_CASE = JsonStyle(preserve_proto_field_names=False, always_print_primitive_fields=True)
# snake_case names as the spec spells them, absent fields omitted: TAMS, TimeSide.
SNAKE_CASE = JsonStyle(preserve_proto_field_names=True, always_print_primitive_fields=False)

# `register(server, ctx, live)`: add the servicer to the grpc.aio server and any live (socket.io,
# WebSocket, HTTP) handlers to the live app; background work it starts goes on `ctx.closers`.
# (Typed loosely here: core knows neither gRPC nor the edge's live app.)
Register = Callable[[Any, Any, Any], Awaitable[object]]


@dataclass(frozen=True)
class ServiceSpec:
    """One service, as the composition root, the edge and the migrations see it."""

    name: str  # short name: the package (`polyphony.<name>`), the Alembic branch label, the table prefix
    grpc_service: str  # full gRPC service name, e.g. "polyphony.api.media.v1.MediaService"
    rest_prefixes: tuple[str, ...]  # URL path prefixes of its REST API ("/aura": "/aura" and "/aura/...")
    json_style: JsonStyle  # how its REST routes print JSON
    error_family: ErrorFamily  # the spec's error body shape on its routes
    register: Register
    models: ModuleType  # its SQLAlchemy models (imported: their tables are on the shared metadata)
    migrations: Path  # its Alembic version directory (branch label = `name`)
    content_type: str = "application/json"  # content type of its JSON answers
    live_prefixes: tuple[str, ...] = ()  # path prefixes the live ASGI app serves for it (socket.io, /ws/...)


def error_families(services: Sequence[ServiceSpec]) -> dict[str, ErrorFamily]:
    """Full gRPC service name -> the error family its methods answer in."""
    return {s.grpc_service: s.error_family for s in services}
