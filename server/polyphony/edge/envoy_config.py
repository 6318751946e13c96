"""Render Envoy's config from envoy/envoy.yaml and envoy/lua/shape.lua for the chosen ports and the
registered services (`polyphony.app.SERVICES`): the transcoder's service list, one route per REST prefix
with that service's JSON printing, the live routes, and the Lua filter's route families, content types
and error bodies (rendered by `polyphony.core.errors`, so Python and Lua answer alike)."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from string import Template
from typing import Any

import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

from polyphony.core import objects
from polyphony.core.errors import ErrorFamily, error_statuses, error_template
from polyphony.core.registry import ServiceSpec
from polyphony.edge import assets
from polyphony.edge.listen import Listen
from polyphony.edge.live import UNACKED_MS


# What one connection may hold in Envoy's buffers before reading from it pauses (flow control); a filter
# that must gather a whole body (Lua, for bodies without a length) answers 413 past it. It is the body
# limit itself, so a chunked body meets the limit a sized one does; never less than two streamed chunks,
# so a streamed answer's gRPC message (one chunk and its framing) always fits (`objects.CHUNK`).
def buffer_limit(max_body_bytes: int) -> int:
    return max(max_body_bytes, 2 * objects.CHUNK)


def gather_limit(max_body_bytes: int) -> int:
    """The stream buffer limit the edge.gather filter (envoy.yaml) sets when it starts gathering a body.

    While the edge's authorization check is pending, Envoy holds the body's first bytes and stops reading
    once they pass the listener's limit; one read can add up to a limit more, so at most twice the limit
    (plus a socket read) is held. Envoy lifts that pause only when the held bytes fall below half the
    stream's limit, so this limit is more than twice that: then reading resumes when gathering starts, in
    non-streaming mode, where passing the limit is a 413 (the Lua filter refuses anything over the body
    limit itself once the body is complete).
    """
    return min(4 * buffer_limit(max_body_bytes) + 256 * 1024, 2**32 - 1)


# REST request headers above MAX_HEADER_BYTES answer 431 in the API's error shape (Lua); Envoy refuses any
# request with more than MAX_HEADERS_KB (431, generic shape); gRPC's metadata limit is above both
# (polyphony.runtime), so no call between them is refused at random.
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS_KB = 64

# Methods whose requests may carry a body: on REST routes they are cut off when they stall (idle timeout).
BODY_METHODS = {"name": ":method", "string_match": {"safe_regex": {"regex": "POST|PUT|PATCH|DELETE"}}}


@dataclass(frozen=True)
class EdgePlan:
    host: str
    http_port: int
    grpc_listeners: tuple[Listen, ...]
    live_listeners: tuple[Listen, ...]
    max_body_bytes: int
    services: tuple[ServiceSpec, ...]
    # stamped by the Lua filter on every REST request it passes on (see polyphony.core.edge_key)
    edge_key: str = ""
    # Envoy's heap bound (overload manager): past 95% of it new requests get 503 until memory is freed
    max_heap_bytes: int = 1 << 30
    # a REST request with a body that sends nothing for this long is cut off (408)
    idle_timeout: float = 60.0


def _descriptor() -> descriptor_pb2.FileDescriptorSet:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(assets.descriptor_set().read_bytes())
    return fds


def served_services(services: tuple[ServiceSpec, ...], fds: descriptor_pb2.FileDescriptorSet) -> list[str]:
    present = {f"{f.package}.{s.name}" for f in fds.file for s in f.service}
    return [s.grpc_service for s in services if s.grpc_service in present]


def service_routes(
    services: tuple[ServiceSpec, ...], transcoder: dict[str, Any], idle_timeout: float = 60.0
) -> list[dict[str, Any]]:
    """Envoy routes for the registered services: first every live prefix (socket.io, WebSocket and the
    live app's pages, transcoder off), then every REST prefix with its service's JSON printing: requests
    that may carry a body with an idle timeout (a body that never finishes is cut off with 408), reads
    (downloads, event streams) without."""
    no_transcoder = {
        "envoy.filters.http.grpc_json_transcoder": {
            "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig",
            "disabled": True,
        }
    }
    routes: list[dict[str, Any]] = []
    for spec in services:
        for prefix in spec.live_prefixes:
            routes.append(
                {
                    "match": {"prefix": prefix},
                    "route": {"cluster": "live", "timeout": "0s", "upgrade_configs": [{"upgrade_type": "websocket"}]},
                    "typed_per_filter_config": no_transcoder,
                }
            )
    for spec in services:
        per_route = {**transcoder, "print_options": spec.json_style.print_options()}
        for prefix in spec.rest_prefixes:
            for body in (True, False):
                match: dict[str, Any] = {"path_separated_prefix": prefix.rstrip("/")}
                route: dict[str, Any] = {"cluster": "grpc", "timeout": "0s"}
                if body:
                    match["headers"] = [BODY_METHODS]
                    route["idle_timeout"] = f"{idle_timeout:g}s"
                routes.append(
                    {
                        "match": match,
                        "route": route,
                        "typed_per_filter_config": {"envoy.filters.http.grpc_json_transcoder": per_route},
                    }
                )
    return routes


def _path_pattern(template: str) -> str:
    """A Lua pattern for an HTTP rule path template (`/tams/flows/{id}/x` -> `^/tams/flows/[^/?]+/x/?$`).

    The transcoder matches a request path with or without one trailing slash (and refuses templates
    that end in `/`), so the pattern accepts both, as DRF-style `/timeside/api/items/` needs.
    """
    out = ""
    for part in re.split(r"(\{[^}]*\})", template.split(":")[0]):
        if part.startswith("{"):
            out += "[^?]+" if "**" in part else "[^/?]+"
        else:
            out += re.sub(r"([%^$().\[\]*+\-?])", r"%\1", part)
    return "^" + out + "/?$"


def _upload_bindings(fds: descriptor_pb2.FileDescriptorSet) -> list[tuple[str, str]]:
    """(method, path template) of every client-streaming RPC's HTTP bindings (uploads)."""
    routes: list[tuple[str, str]] = []
    for f in fds.file:
        for s in f.service:
            for m in s.method:
                if not m.client_streaming:
                    continue
                rule = m.options.Extensions[annotations_pb2.http]
                for r in [rule, *rule.additional_bindings]:
                    kind = r.WhichOneof("pattern")
                    if kind and kind != "custom":
                        routes.append((kind.upper(), getattr(r, kind)))
    return routes


def streamed_routes(fds: descriptor_pb2.FileDescriptorSet) -> list[tuple[str, str]]:
    """(method, Lua path pattern) of every client-streaming RPC with an HTTP binding (uploads)."""
    return [(method, _path_pattern(template)) for method, template in _upload_bindings(fds)]


def lua_string(text: str) -> str:
    """`text` as a Lua string literal (control characters as three-digit decimal escapes)."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\{ord(ch):03d}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def lua_tables(services: tuple[ServiceSpec, ...]) -> dict[str, str]:
    """The Lua filter's tables, rendered from the registry and the one error renderer."""
    families = ", ".join(
        f"{{{lua_string(prefix.rstrip('/'))}, {lua_string(spec.error_family.value)}}}"
        for spec in services
        for prefix in spec.rest_prefixes
    )
    content_types = ", ".join(
        f"[{lua_string(spec.error_family.value)}] = {lua_string(spec.content_type)}" for spec in services
    )
    used = [spec.error_family for spec in services]
    kinds = [*dict.fromkeys([*used, ErrorFamily.GENERIC])]
    errors = ",\n  ".join(
        f"[{lua_string(family.value)}] = {{"
        + ", ".join(f"[{status}] = {lua_string(error_template(family, status))}" for status in error_statuses())
        + "}"
        for family in kinds
    )
    phrases = ", ".join(f"[{status}] = {lua_string(HTTPStatus(status).phrase)}" for status in error_statuses())
    return {
        "__FAMILIES__": families,
        "__CONTENT_TYPES__": content_types,
        "__ERRORS__": errors,
        "__GENERIC__": ErrorFamily.GENERIC.value,
        "__PHRASES__": phrases,
    }


def _lua(plan: EdgePlan, fds: descriptor_pb2.FileDescriptorSet) -> str:
    source = (assets.envoy_dir() / "lua" / "shape.lua").read_text()
    rules = ", ".join(f"{{{json.dumps(m)}, {json.dumps(p)}}}" for m, p in streamed_routes(fds))
    if not re.fullmatch(r"[0-9a-f]*", plan.edge_key):
        raise ValueError("the edge key must be hex")
    values = {
        "__MAX_BODY__": str(plan.max_body_bytes),
        "__STREAMED__": rules,
        "__EDGE_KEY__": plan.edge_key,
        "__MAX_HEADER_BYTES__": str(MAX_HEADER_BYTES),
        **lua_tables(plan.services),
    }
    for key, value in values.items():
        source = source.replace(key, value)
    return source


def _header_predicate(header: str, value_match: dict[str, Any]) -> dict[str, Any]:
    return {
        "single_predicate": {
            "input": {
                "name": header.strip(":"),
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.type.matcher.v3.HttpRequestHeaderMatchInput",
                    "header_name": header,
                },
            },
            "value_match": value_match,
        }
    }


def _skip_predicates(config: dict[str, Any], filter_name: str) -> list[dict[str, Any]]:
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    [wrapped] = [f for f in hcm["http_filters"] if f["name"] == filter_name]
    predicates: list[dict[str, Any]] = wrapped["typed_config"]["xds_matcher"]["matcher_list"]["matchers"][0][
        "predicate"
    ]["or_matcher"]["predicate"]
    return predicates


def _path_regex(template: str) -> str:
    """An RE2 regex for an HTTP rule path template, as `_path_pattern`, on a `:path` with its query."""
    out = ""
    for part in re.split(r"(\{[^}]*\})", template.split(":")[0]):
        if part.startswith("{"):
            out += "[^?]+" if "**" in part else "[^/?]+"
        else:
            out += re.escape(part)
    return "^" + out + "/?(\\?.*)?$"


def upload_routes(fds: descriptor_pb2.FileDescriptorSet) -> list[tuple[str, str]]:
    """(method, RE2 regex on `:path`) of every client-streaming RPC with an HTTP binding (uploads)."""
    return [(method, _path_regex(template)) for method, template in _upload_bindings(fds)]


def _family_lua(services: tuple[ServiceSpec, ...]) -> str:
    source = (assets.envoy_dir() / "lua" / "family.lua").read_text()
    tables = lua_tables(services)
    for key in ("__FAMILIES__", "__GENERIC__"):
        source = source.replace(key, tables[key])
    return source


def _skip_live_routes_and_uploads(
    config: dict[str, Any], services: tuple[ServiceSpec, ...], fds: descriptor_pb2.FileDescriptorSet
) -> None:
    """The edge's header-only authorization and its body gathering skip the live app's prefixes (socket.io
    polling POSTs authenticate in their own protocol, and stream to the live app); the gathering also skips
    uploads (they stream to the server)."""
    live = [_header_predicate(":path", {"prefix": p}) for spec in services for p in spec.live_prefixes]
    _skip_predicates(config, "edge.authz").extend(live)
    uploads = [
        {
            "and_matcher": {
                "predicate": [
                    _header_predicate(":method", {"exact": method}),
                    _header_predicate(":path", {"safe_regex": {"google_re2": {}, "regex": regex}}),
                ]
            }
        }
        for method, regex in upload_routes(fds)
    ]
    _skip_predicates(config, "edge.gather").extend([*live, *uploads])


def render(plan: EdgePlan, out_dir: Path) -> Path:
    """Write envoy.json (and the Lua filter it loads) into `out_dir`; return the config path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fds = _descriptor()
    lua_path = out_dir / "shape.lua"
    lua_path.write_text(_lua(plan, fds))
    lua_path.chmod(0o600)  # it holds the edge key
    family_path = out_dir / "family.lua"
    family_path.write_text(_family_lua(plan.services))

    def endpoints(listeners: tuple[Listen, ...]) -> str:
        return json.dumps([{"endpoint": {"address": listen.envoy_address()}} for listen in listeners])

    text = Template((assets.envoy_dir() / "envoy.yaml").read_text()).substitute(
        descriptor=json.dumps(str(assets.descriptor_set())),
        services=json.dumps(served_services(plan.services, fds)),
        host=json.dumps(plan.host),
        http_port=plan.http_port,
        buffer_limit=buffer_limit(plan.max_body_bytes),
        body_buffer=gather_limit(plan.max_body_bytes),
        max_headers_kb=MAX_HEADERS_KB,
        max_heap=plan.max_heap_bytes,
        body_idle=f"{plan.idle_timeout:g}s",
        lua=json.dumps(str(lua_path)),
        family_lua=json.dumps(str(family_path)),
        grpc_endpoints=endpoints(plan.grpc_listeners),
        live_endpoints=endpoints(plan.live_listeners),
    )
    config = yaml.safe_load(text)
    [host] = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"][
        "route_config"
    ]["virtual_hosts"]
    host["routes"][:0] = service_routes(plan.services, config["x-transcoder"], plan.idle_timeout)
    _skip_live_routes_and_uploads(config, plan.services, fds)
    for key in [k for k in config if k.startswith("x-")]:
        del config[key]
    if hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux; accepted sockets inherit it from the listener
        # a client that leaves data unacknowledged this long (a phone gone without a goodbye) is dropped,
        # and with it the upstream connection to the live port, so its audience slot is freed
        config["static_resources"]["listeners"][0]["socket_options"] = [
            {
                "description": "TCP_USER_TIMEOUT",
                "level": socket.IPPROTO_TCP,
                "name": socket.TCP_USER_TIMEOUT,
                "int_value": UNACKED_MS,
                "state": "STATE_PREBIND",
            }
        ]
    path = out_dir / "envoy.json"
    path.write_text(json.dumps(config, indent=1))
    return path
