from __future__ import annotations

import pytest

from polyphony.core.config import Settings
from polyphony.core.public_url import is_trusted_proxy, public_base_url, trusted_networks

DIRECT = Settings(http_port=8080)
PROXIED = Settings(http_port=8080, trusted_proxies=("10.0.0.0/8", "::1/128"))


def test_public_url_wins_over_every_header() -> None:
    s = Settings(public_url="https://media.example.org/")
    assert public_base_url(s, {"x-edge-host": "a:1", "x-forwarded-proto": "https"}) == "https://media.example.org"


def test_direct_clients_host_is_used_but_never_their_forwarded_headers() -> None:
    md = {"x-edge-host": "box:8080", "x-edge-peer": "192.0.2.7:5555", "x-forwarded-proto": "https"}
    assert public_base_url(DIRECT, md) == "http://box:8080"
    md["x-forwarded-host"] = "evil.example"
    assert public_base_url(DIRECT, md) == "http://box:8080"


@pytest.mark.parametrize("host", ["javascript:alert(1)", 'a"><b', "a b", "", "x" * 300, "host:99999999"])
def test_a_bad_host_falls_back_to_the_default(host: str) -> None:
    assert public_base_url(DIRECT, {"x-edge-host": host}) == "http://localhost:8080"


def test_trusted_proxies_speak_for_the_client() -> None:
    md = {
        "x-edge-host": "inner:8080",
        "x-edge-peer": "10.1.2.3:4000",
        "x-forwarded-proto": "https",
        "x-forwarded-host": "media.example.org",
    }
    assert public_base_url(PROXIED, md) == "https://media.example.org"
    assert public_base_url(PROXIED, {**md, "x-forwarded-proto": "javascript:"}) == "http://media.example.org"
    assert public_base_url(PROXIED, {**md, "x-edge-peer": "[::1]:4000"}) == "https://media.example.org"
    # not through a configured proxy: neither its forwarded headers nor its Host
    assert public_base_url(PROXIED, {**md, "x-edge-peer": "192.0.2.7:4000"}) == "http://localhost:8080"
    assert public_base_url(PROXIED, {**md, "x-edge-peer": "forged"}) == "http://localhost:8080"


def test_peer_forms() -> None:
    assert is_trusted_proxy(PROXIED, "10.0.0.1:1")
    assert is_trusted_proxy(PROXIED, "[::ffff:10.0.0.1]:1")
    assert not is_trusted_proxy(PROXIED, "")
    assert not is_trusted_proxy(DIRECT, "10.0.0.1:1")


def test_a_bad_cidr_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="POLYPHONY_TRUSTED_PROXIES"):
        trusted_networks(("10.0.0.0/33",))


def test_the_default_base() -> None:
    assert Settings(host="0.0.0.0", http_port=80).default_base_url == "http://localhost:80"
    assert Settings(host="192.0.2.1", http_port=81).default_base_url == "http://192.0.2.1:81"
    assert Settings(host="2001:db8::1", http_port=82).default_base_url == "http://[2001:db8::1]:82"
