"""Render Envoy's config from envoy/envoy.yaml and envoy/lua/shape.lua for the chosen ports."""

from __future__ import annotations

import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from string import Template

import yaml
from google.api import annotations_pb2
from google.protobuf import descriptor_pb2

from polyphony.edge import assets
from polyphony.edge.live import UNACKED_MS

SERVICES = (
    "polyphony.api.media.v1.MediaService",
    "polyphony.api.flow.v1.FlowService",
    "polyphony.api.analysis.v1.AnalysisService",
    "polyphony.api.trigger.v1.TriggerService",
)


# What one connection may hold in Envoy's buffers before reading from it pauses (flow control); a filter
# that must gather a whole body (Lua, for bodies without a length) answers 413 past it. It is the body
# limit itself, so a chunked body meets exactly the limit a sized one does.
def buffer_limit(max_body_bytes: int) -> int:
    return max(max_body_bytes, 65536)


# REST request headers above MAX_HEADER_BYTES answer 431 in the API's error shape (Lua); Envoy refuses any
# request with more than MAX_HEADERS_KB (431, generic shape); gRPC's metadata limit is above both
# (polyphony.runtime), so no call between them is refused at random.
MAX_HEADER_BYTES = 32 * 1024
MAX_HEADERS_KB = 64


@dataclass(frozen=True)
class EdgePlan:
    host: str
    http_port: int
    grpc_ports: tuple[int, ...]
    live_ports: tuple[int, ...]
    max_body_bytes: int
    # stamped by the Lua filter on every REST request it passes on (see polyphony.core.edge_key)
    edge_key: str = ""
    # Envoy's heap bound (overload manager): past 95% of it new requests get 503 until memory is freed
    max_heap_bytes: int = 1 << 30
    # a REST request (not native gRPC, not WebSocket) that sends nothing for this long is cut off (408)
    idle_timeout: float = 60.0


def _descriptor() -> descriptor_pb2.FileDescriptorSet:
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(assets.descriptor_set().read_bytes())
    return fds


def served_services(fds: descriptor_pb2.FileDescriptorSet) -> list[str]:
    present = {f"{f.package}.{s.name}" for f in fds.file for s in f.service}
    return [s for s in SERVICES if s in present]


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


def streamed_routes(fds: descriptor_pb2.FileDescriptorSet) -> list[tuple[str, str]]:
    """(method, Lua path pattern) of every client-streaming RPC with an HTTP binding (uploads)."""
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
                        routes.append((kind.upper(), _path_pattern(getattr(r, kind))))
    return routes


def _lua(plan: EdgePlan, fds: descriptor_pb2.FileDescriptorSet) -> str:
    source = (assets.envoy_dir() / "lua" / "shape.lua").read_text()
    rules = ", ".join(f"{{{json.dumps(m)}, {json.dumps(p)}}}" for m, p in streamed_routes(fds))
    if not re.fullmatch(r"[0-9a-f]*", plan.edge_key):
        raise ValueError("the edge key must be hex")
    return (
        source.replace("__MAX_BODY__", str(plan.max_body_bytes))
        .replace("__STREAMED__", rules)
        .replace("__EDGE_KEY__", plan.edge_key)
        .replace("__MAX_HEADER_BYTES__", str(MAX_HEADER_BYTES))
    )


def render(plan: EdgePlan, out_dir: Path) -> Path:
    """Write envoy.json (and the Lua filter it loads) into `out_dir`; return the config path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    fds = _descriptor()
    lua_path = out_dir / "shape.lua"
    lua_path.write_text(_lua(plan, fds))
    lua_path.chmod(0o600)  # it holds the edge key

    def endpoints(ports: tuple[int, ...]) -> str:
        return json.dumps(
            [{"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": p}}}} for p in ports]
        )

    text = Template((assets.envoy_dir() / "envoy.yaml").read_text()).substitute(
        descriptor=json.dumps(str(assets.descriptor_set())),
        services=json.dumps(served_services(fds)),
        host=json.dumps(plan.host),
        http_port=plan.http_port,
        buffer_limit=buffer_limit(plan.max_body_bytes),
        max_body=plan.max_body_bytes,
        max_headers_kb=MAX_HEADERS_KB,
        max_heap=plan.max_heap_bytes,
        body_idle=f"{plan.idle_timeout:g}s",
        lua=json.dumps(str(lua_path)),
        grpc_endpoints=endpoints(plan.grpc_ports),
        live_endpoints=endpoints(plan.live_ports),
    )
    config = yaml.safe_load(text)
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
