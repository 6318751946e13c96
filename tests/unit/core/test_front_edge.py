"""The front edge's config (`polyphony edge`) and the internal bind address."""

import subprocess
from pathlib import Path

import pytest
import yaml

from polyphony.app import SERVICES
from polyphony.core.config import Settings
from polyphony.edge import assets
from polyphony.edge.front import AFFINITY_COOKIE, FrontPlan, Replica, front_config, live_prefixes
from polyphony.edge.listen import Listen, internal_listeners


def _plan(*replicas: str) -> FrontPlan:
    return FrontPlan("127.0.0.1", 18080, tuple(Replica.parse(r) for r in replicas), live_prefixes(SERVICES))


def test_replicas_are_host_port() -> None:
    assert Replica.parse("10.0.0.5:8080") == Replica("10.0.0.5", 8080)
    assert Replica.parse("[fd00::1]:8080") == Replica("fd00::1", 8080)
    assert str(Replica("fd00::1", 8080)) == "[fd00::1]:8080"
    for bad in ("10.0.0.5", ":8080", "host:http", "host:0", "host:70000"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            Replica.parse(bad)


def test_the_front_balances_replicas_with_health_checks_ejection_and_live_affinity() -> None:
    config = front_config(_plan("10.0.0.5:8080", "replica-b:8080"))
    [cluster] = config["static_resources"]["clusters"]
    endpoints = [
        e["endpoint"]["address"]["socket_address"] for e in cluster["load_assignment"]["endpoints"][0]["lb_endpoints"]
    ]
    assert endpoints == [{"address": "10.0.0.5", "port_value": 8080}, {"address": "replica-b", "port_value": 8080}]
    assert cluster["health_checks"][0]["grpc_health_check"] == {}
    assert cluster["outlier_detection"]["consecutive_5xx"] > 0
    assert cluster["lb_policy"] == "RING_HASH"
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    assert hcm["upgrade_configs"] == [{"upgrade_type": "websocket"}]
    routes = hcm["route_config"]["virtual_hosts"][0]["routes"]
    sticky = {r["match"]["prefix"] for r in routes if "hash_policy" in r["route"]}
    # every live prefix (socket.io and plain WebSockets) hashes on the cookie the edge sets; REST does not
    assert sticky == set(live_prefixes(SERVICES)) and "/socket.io/" in sticky
    assert all(
        r["route"]["hash_policy"][0]["cookie"]["name"] == AFFINITY_COOKIE
        for r in routes
        if r["match"]["prefix"] in sticky
    )
    assert routes[-1]["match"] == {"prefix": "/"} and "hash_policy" not in routes[-1]["route"]


def test_envoy_accepts_the_front_config(tmp_path: Path) -> None:
    path = tmp_path / "front.yaml"
    path.write_text(yaml.safe_dump(front_config(_plan("127.0.0.1:18081", "127.0.0.1:18082"))))
    done = subprocess.run(
        [str(assets.envoy_binary("")), "--mode", "validate", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_front_needs_a_replica() -> None:
    with pytest.raises(ValueError, match="at least one replica"):
        front_config(_plan())


def test_internal_tcp_ports_bind_the_configured_address(tmp_path: Path) -> None:
    assert Settings.from_env({}).internal_host == "127.0.0.1"
    assert Settings.from_env({"POLYPHONY_INTERNAL_HOST": "0.0.0.0"}).internal_host == "0.0.0.0"
    grpc, live = internal_listeners(tmp_path / "run", 2, 19001, 19100, "0.0.0.0")
    assert [g.grpc_address() for g in grpc] == ["0.0.0.0:19001", "0.0.0.0:19002"]
    assert live.host == "0.0.0.0"
    # the local Envoy reaches a wildcard bind on loopback; the worker's command line keeps the host
    assert grpc[0].envoy_address() == {"socket_address": {"address": "127.0.0.1", "port_value": 19001}}
    assert Listen.parse(str(grpc[0])) == grpc[0]
    assert Listen.parse(str(Listen(port=19001))) == Listen(port=19001)
    assert Listen.parse("[::]:19001").grpc_address() == "[::]:19001"
    # Unix sockets (the default) are unchanged
    grpc, live = internal_listeners(tmp_path / "run", 1, 0, 0, "0.0.0.0")
    assert grpc[0].path and live.path
