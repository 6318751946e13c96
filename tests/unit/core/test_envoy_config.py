import json
import socket
from pathlib import Path

import pytest

from polyphony.app import SERVICES
from polyphony.edge.envoy_config import EdgePlan, _path_pattern, render


def test_path_pattern_matches_only_the_template() -> None:
    import re

    def lua_to_re(p: str) -> str:
        return p.replace("%", "\\")

    pattern = re.compile(lua_to_re(_path_pattern("/tams/flows/{flow_id}/segments")))
    assert pattern.match("/tams/flows/abc/segments")
    assert not pattern.match("/tams/flows/abc/def/segments")
    assert not pattern.match("/tams/flows/abc/segments/x")


def test_render_writes_ports_endpoints_and_lua(tmp_path: Path) -> None:
    plan = EdgePlan("127.0.0.1", 18000, (19001, 19002), (19100,), 1024, SERVICES)
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
    config = json.loads(render(EdgePlan("127.0.0.1", 18000, (19001,), (19100,), 1024, SERVICES), tmp_path).read_text())
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
