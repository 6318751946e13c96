"""`polyphony edge`: one Envoy in front of several replicas (each a `polyphony serve` on its own machine).

The front edge forwards to each replica's *public* Envoy port, not to its internal gRPC and live ports:
REST transcoding, the Lua filter (error shapes, limits, the edge key), authorization and the live routes
stay in the replica's own, tested edge, rendered from the same descriptors as the code it runs; the front
needs no descriptor set and cannot drift from the replicas during a rolling upgrade. The front only
balances:

- one cluster of the replicas' public ports, spoken to in the protocol the client used (HTTP/1.1 for REST,
  socket.io polling and WebSocket upgrades; HTTP/2 for native gRPC);
- active health checks with the gRPC health service (the replica's Envoy passes it to a server process,
  so a replica whose processes are down is taken out even when its Envoy still accepts connections);
- outlier ejection of a replica that answers 5xx or cannot be reached, and a retry on another replica for
  requests that never reached one;
- sticky routing for the live prefixes (socket.io, plain WebSockets): socket.io long-polling keeps its
  session in one replica's memory and its handshake carries no `sid` yet, so the edge hashes on a cookie it
  sets itself on the first answer (`ring_hash` with a generated session cookie); every later poll and the
  WebSocket upgrade carry the cookie and reach the same replica.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from polyphony.core.registry import ServiceSpec
from polyphony.edge.ports import PortBusy, ensure_port_free

AFFINITY_COOKIE = "polyphony-replica"
_HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
CLUSTER = "replicas"


@dataclass(frozen=True)
class Replica:
    host: str
    port: int

    @classmethod
    def parse(cls, text: str) -> Replica:
        """`host:port` or `[v6]:port`."""
        host, sep, port = text.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"a replica is HOST:PORT (its public Envoy port), not {text!r}")
        return cls(host.strip("[]"), int(port))

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class FrontPlan:
    host: str
    port: int
    replicas: tuple[Replica, ...]
    live_prefixes: tuple[str, ...]
    health_interval: float = 2.0
    admin_port: int = 0  # 0: no admin listener


def front_config(plan: FrontPlan) -> dict[str, Any]:
    """The Envoy bootstrap of the front edge."""
    if not plan.replicas:
        raise ValueError("the front edge needs at least one replica")
    sticky = [
        {
            "match": {"prefix": prefix},
            "route": {
                "cluster": CLUSTER,
                "timeout": "0s",
                "hash_policy": [{"cookie": {"name": AFFINITY_COOKIE, "ttl": "0s", "path": "/"}}],
            },
        }
        for prefix in plan.live_prefixes
    ]
    retry = {
        "retry_on": "connect-failure,refused-stream,reset-before-request",
        "num_retries": 2,
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
                },
            }
        ],
        "host_selection_retry_max_attempts": 3,
    }
    routes = [
        *sticky,
        {"match": {"prefix": "/"}, "route": {"cluster": CLUSTER, "timeout": "0s", "retry_policy": retry}},
    ]
    hcm = {
        "@type": _HCM_TYPE,
        "stat_prefix": "front",
        "codec_type": "AUTO",
        "use_remote_address": True,
        "upgrade_configs": [{"upgrade_type": "websocket"}],
        "route_config": {"virtual_hosts": [{"name": "replicas", "domains": ["*"], "routes": routes}]},
        "http_filters": [
            {
                "name": "envoy.filters.http.router",
                "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"},
            }
        ],
    }
    endpoints = [
        {"endpoint": {"address": {"socket_address": {"address": r.host, "port_value": r.port}}}} for r in plan.replicas
    ]
    interval = f"{plan.health_interval:g}s"
    cluster = {
        "name": CLUSTER,
        "type": "STRICT_DNS",
        "connect_timeout": "2s",
        "lb_policy": "RING_HASH",
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
                "use_downstream_protocol_config": {"http_protocol_options": {}, "http2_protocol_options": {}},
            }
        },
        "health_checks": [
            {
                "timeout": "1s",
                "interval": interval,
                "unhealthy_threshold": 2,
                "healthy_threshold": 1,
                "event_log_path": "/dev/null",
                "grpc_health_check": {},
            }
        ],
        "common_lb_config": {"healthy_panic_threshold": {"value": 0}},
        "outlier_detection": {
            "consecutive_5xx": 5,
            "consecutive_gateway_failure": 3,
            "interval": "2s",
            "base_ejection_time": "10s",
            "max_ejection_percent": 50,
        },
        "load_assignment": {"cluster_name": CLUSTER, "endpoints": [{"lb_endpoints": endpoints}]},
    }
    config: dict[str, Any] = {
        "static_resources": {
            "listeners": [
                {
                    "name": "front",
                    "address": {"socket_address": {"address": plan.host, "port_value": plan.port}},
                    "filter_chains": [
                        {"filters": [{"name": "envoy.filters.network.http_connection_manager", "typed_config": hcm}]}
                    ],
                }
            ],
            "clusters": [cluster],
        }
    }
    if plan.admin_port:
        config["admin"] = {"address": {"socket_address": {"address": "127.0.0.1", "port_value": plan.admin_port}}}
    return config


def live_prefixes(services: tuple[ServiceSpec, ...]) -> tuple[str, ...]:
    return tuple(p for spec in services for p in spec.live_prefixes)


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "edge",
        help="run a front Envoy in front of several replicas (their public ports)",
        description="Balance REST, native gRPC, socket.io and WebSockets over several `polyphony serve` "
        "replicas, with gRPC health checks, outlier ejection and cookie affinity for the live routes.",
    )
    p.add_argument(
        "--replica",
        action="append",
        required=True,
        metavar="HOST:PORT",
        help="a replica's public Envoy port (repeat, or comma-separate)",
    )
    p.add_argument("--host", help="address the front edge binds [POLYPHONY_HOST, 127.0.0.1]")
    p.add_argument("--http-port", type=int, help="port of the front edge [POLYPHONY_HTTP_PORT, 8080]")
    p.add_argument("--admin-port", type=int, default=0, help="Envoy admin port on 127.0.0.1 [none]")
    p.add_argument("--health-interval", type=float, default=2.0, help="seconds between health checks [2]")
    p.add_argument("--data-dir", help="data directory; the config and log go to DATA_DIR/edge [./polyphony-data]")
    p.add_argument("--run-dir", default="", help="where the config and log go [DATA_DIR/edge]")
    p.add_argument("--print-config", action="store_true", help="print the Envoy config and exit")


def plan_from_args(args: argparse.Namespace, host: str, port: int, services: tuple[ServiceSpec, ...]) -> FrontPlan:
    replicas = tuple(Replica.parse(r) for arg in args.replica for r in arg.split(",") if r.strip())
    return FrontPlan(host, port, replicas, live_prefixes(services), args.health_interval, args.admin_port)


def run(
    args: argparse.Namespace,
    host: str,
    port: int,
    data_dir: Path,
    envoy_binary: str,
    services: tuple[ServiceSpec, ...],
) -> int:
    try:
        plan = plan_from_args(args, host, port, services)
    except ValueError as exc:
        print(f"polyphony edge: {exc}", file=sys.stderr)
        return 2
    text = yaml.safe_dump(front_config(plan), sort_keys=False)
    if args.print_config:
        print(text, end="")
        return 0
    run_dir = Path(args.run_dir) if args.run_dir else data_dir / "edge"
    run_dir.mkdir(parents=True, exist_ok=True)
    path = run_dir / "front.yaml"
    path.write_text(text)
    return asyncio.run(_run(plan, path, run_dir / "front.log", envoy_binary))


async def _run(plan: FrontPlan, config: Path, log_path: Path, envoy_binary: str) -> int:
    from polyphony.edge.process import EnvoyProcess
    from polyphony.edge.supervisor import Supervised

    try:
        ensure_port_free(plan.host, plan.port)
    except PortBusy as exc:
        print(f"polyphony edge: {exc}", file=sys.stderr, flush=True)
        return 2
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    envoy = EnvoyProcess(config, log_path, envoy_binary)
    edge = Supervised("front envoy", envoy.start, log_path)
    edge.start()
    try:
        await envoy.wait_port(plan.host, plan.port)
        print(f"polyphony edge ready on {plan.host}:{plan.port} in front of {', '.join(map(str, plan.replicas))}")
        print(f"  config {config}, log {log_path}; Ctrl-C stops it", flush=True)
        while not stop.is_set():
            edge.poll()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.25)
    except (RuntimeError, TimeoutError) as exc:
        print(f"polyphony edge: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        edge.stop()
    return 0
