import json
import socket
from pathlib import Path

import pytest

from polyphony.app import SERVICES
from polyphony.edge.envoy_config import EdgePlan, _path_pattern, render
from polyphony.edge.listen import Listen


def test_path_pattern_matches_only_the_template() -> None:
    import re

    def lua_to_re(p: str) -> str:
        return p.replace("%", "\\")

    pattern = re.compile(lua_to_re(_path_pattern("/tams/flows/{flow_id}/segments")))
    assert pattern.match("/tams/flows/abc/segments")
    assert not pattern.match("/tams/flows/abc/def/segments")
    assert not pattern.match("/tams/flows/abc/segments/x")


def test_render_writes_ports_endpoints_and_lua(tmp_path: Path) -> None:
    plan = EdgePlan("127.0.0.1", 18000, (Listen(port=19001), Listen(port=19002)), (Listen(port=19100),), 1024, SERVICES)
    config = json.loads(render(plan, tmp_path).read_text())
    listener = config["static_resources"]["listeners"][0]
    assert listener["address"]["socket_address"]["port_value"] == 18000
    grpc = next(c for c in config["static_resources"]["clusters"] if c["name"] == "grpc")
    ports = [
        e["endpoint"]["address"]["socket_address"]["port_value"]
        for e in grpc["load_assignment"]["endpoints"][0]["lb_endpoints"]
    ]
    assert ports == [19001, 19002]
    lua = (tmp_path / "shape.lua").read_text()
    assert "local MAX_BODY = 1024" in lua and "__STREAMED__" not in lua
    assert not any(k.startswith("x-") for k in config)


@pytest.mark.skipif(not hasattr(socket, "TCP_USER_TIMEOUT"), reason="Linux only: elsewhere Envoy keeps the default")
def test_the_listener_drops_clients_that_stop_acknowledging(tmp_path: Path) -> None:
    config = json.loads(
        render(
            EdgePlan("127.0.0.1", 18000, (Listen(port=19001),), (Listen(port=19100),), 1024, SERVICES), tmp_path
        ).read_text()
    )
    [option] = config["static_resources"]["listeners"][0]["socket_options"]
    assert (option["level"], option["name"], option["int_value"]) == (
        socket.IPPROTO_TCP,
        socket.TCP_USER_TIMEOUT,
        30_000,
    )
    # what the listener is given, the phones' connections have (Linux copies it to accepted sockets)
    with socket.socket() as listener:
        listener.setsockopt(option["level"], option["name"], option["int_value"])
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()):
            accepted, _ = listener.accept()
            with accepted:
                assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 30_000


def test_internal_listeners_are_unix_sockets_and_the_edge_port_is_never_shared(tmp_path: Path) -> None:
    """Workers and the live app listen on sockets in the run directory (no port is picked and bound later);
    Envoy's listener refuses SO_REUSEPORT, so a second server on a busy port fails instead of sharing it;
    a request that cannot reach a (restarting) worker is retried on another."""
    from polyphony.edge.listen import internal_listeners

    grpc, live = internal_listeners(tmp_path / "run", 2, 0, 0)
    assert [Path(g.path).name for g in grpc] == ["worker-1.sock", "worker-2.sock"] and live.path.endswith("live.sock")
    config = json.loads(
        render(EdgePlan("127.0.0.1", 18000, tuple(grpc), (live,), 1024, SERVICES), tmp_path).read_text()
    )
    [listener] = config["static_resources"]["listeners"]
    assert listener["enable_reuse_port"] is False
    clusters = {c["name"]: c for c in config["static_resources"]["clusters"]}
    paths = [
        e["endpoint"]["address"]["pipe"]["path"]
        for e in clusters["grpc"]["load_assignment"]["endpoints"][0]["lb_endpoints"]
    ]
    assert paths == [g.path for g in grpc]
    [host] = listener["filter_chains"][0]["filters"][0]["typed_config"]["route_config"]["virtual_hosts"]
    assert "connect-failure" in host["retry_policy"]["retry_on"]


def test_socket_paths_too_long_for_sun_path_move_to_a_short_private_folder(tmp_path: Path) -> None:
    from polyphony.edge.listen import MAX_SOCKET_PATH, internal_listeners

    deep = tmp_path / ("d" * 120) / "run"
    grpc, live = internal_listeners(deep, 3, 0, 0)
    assert all(len(listen.path) <= MAX_SOCKET_PATH for listen in (*grpc, live))
    assert internal_listeners(deep, 3, 0, 0) == (grpc, live)  # the same paths after a restart
    configured, live_port = internal_listeners(deep, 2, 7000, 7100)
    assert [c.port for c in configured] == [7000, 7001] and live_port.port == 7100


def test_every_5xx_of_the_edge_is_logged_with_envoys_reason(tmp_path: Path) -> None:
    # a 500 Envoy answers itself (a streamed message past the buffer limit) reaches no server: only this
    # access log tells of it (in the edge's log, beside the servers' own tracebacks for theirs)
    plan = EdgePlan("127.0.0.1", 18000, (Listen(port=19001),), (Listen(port=19100),), 1024, SERVICES)
    config = json.loads(render(plan, tmp_path).read_text())
    hcm = config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
    [log] = hcm["access_log"]
    assert log["filter"]["status_code_filter"]["comparison"]["op"] == "GE"
    assert log["filter"]["status_code_filter"]["comparison"]["value"]["default_value"] == 500
    assert "%RESPONSE_CODE_DETAILS%" in log["typed_config"]["log_format"]["text_format_source"]["inline_string"]
