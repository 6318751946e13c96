"""The URL importer refuses private, loopback and link-local addresses unless the settings allow them."""

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Iterator

import pytest

from polyphony.analysis.items.providers import FetchPolicy, networks
from polyphony.analysis.items.service import ItemService
from polyphony.core.config import Settings
from polyphony.core.errors import InvalidArgument
from tests.unit.analysis.conftest import encode, sine, stored_files

TONE = encode(sine(0.5))


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/to-private":
            self.send_response(302)
            self.send_header("location", "http://10.0.0.1/tone.wav")
            self.send_header("content-length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("content-type", "audio/wav")
        self.send_header("content-length", str(len(TONE)))
        self.end_headers()
        self.wfile.write(TONE)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield int(srv.server_address[1])
    srv.shutdown()
    srv.server_close()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "224.0.0.1",
    ],
)
def test_non_public_addresses_are_refused_by_default(address: str) -> None:
    assert not FetchPolicy().allows(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert FetchPolicy().allows(ipaddress.ip_address(address))


def test_listed_networks_are_allowed_and_come_from_the_settings() -> None:
    settings = Settings.from_env(
        {
            "POLYPHONY_ANALYSIS_FETCH_PRIVATE_NETWORKS": "127.0.0.0/8, 10.0.0.0/8",
            "POLYPHONY_ANALYSIS_MAX_DOWNLOAD": "1234",
        }
    )
    policy = FetchPolicy.from_settings(settings)
    assert policy.max_bytes == 1234
    assert policy.allows(ipaddress.ip_address("127.0.0.2")) and policy.allows(ipaddress.ip_address("10.9.9.9"))
    assert not policy.allows(ipaddress.ip_address("::1")) and not policy.allows(ipaddress.ip_address("192.168.0.1"))
    with pytest.raises(ValueError):
        networks(["not a network"])


async def test_a_host_name_resolving_to_loopback_is_refused(service: ItemService, port: int) -> None:
    service.policy = FetchPolicy()
    for url in (
        f"http://localhost:{port}/tone.wav",
        f"http://127.0.0.1:{port}/tone.wav",
        f"http://[::1]:{port}/tone.wav",
    ):
        with pytest.raises(InvalidArgument) as err:
            await service.create_from_body("application/json", _json({"source_url": url}))
        assert err.value.field == "source_url" and "private, loopback or link-local" in err.value.detail
    assert stored_files(service) == []


async def test_allowed_loopback_is_fetched_but_a_redirect_to_a_private_address_is_not(
    service: ItemService, port: int
) -> None:
    service.policy = FetchPolicy(private_networks=networks(["127.0.0.0/8"]))
    item = await service.create_from_body(
        "application/json", _json({"source_url": f"http://127.0.0.1:{port}/tone.wav"})
    )
    assert item.source_key is not None
    with pytest.raises(InvalidArgument) as err:
        await service.create_from_body("application/json", _json({"source_url": f"http://127.0.0.1:{port}/to-private"}))
    assert err.value.field == "source_url" and "10.0.0.1" in err.value.detail
    assert len(stored_files(service)) == 1


async def _json(body: dict[str, object]):  # type: ignore[no-untyped-def]
    import json

    yield json.dumps(body).encode()
