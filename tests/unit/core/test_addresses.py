"""IPv4 addresses tunnelled inside IPv6 ones are as private as what they reach: 6to4 (2002::/16), Teredo
(2001::/32), NAT64 and IPv4-mapped/-compatible addresses never pass the SSRF guards of TAMS (webhooks,
object copies) and TimeSide (URL import) when the IPv4 address inside is loopback or private."""

from __future__ import annotations

import ipaddress

import pytest

from polyphony.analysis.items.providers import FetchPolicy
from polyphony.core.addresses import embedded_ipv4
from polyphony.flow.egress import Refused, check_addresses

INSIDE = {
    "2002:7f00:1::": "127.0.0.1",  # 6to4 of loopback
    "2002:a00:1::1": "10.0.0.1",  # 6to4 of a private address
    "2002:c0a8:101::": "192.168.1.1",
    "2001:0:4136:e378:8000:63bf:80ff:fffe": "127.0.0.1",  # Teredo, client 127.0.0.1 (bits inverted)
    "64:ff9b::a9fe:a9fe": "169.254.169.254",  # NAT64 of the cloud metadata address
    "::ffff:127.0.0.1": "127.0.0.1",
    "::127.0.0.1": "127.0.0.1",
}


@pytest.mark.parametrize(("v6", "v4"), INSIDE.items())
def test_embedded_addresses_are_found(v6: str, v4: str) -> None:
    assert ipaddress.IPv4Address(v4) in embedded_ipv4(ipaddress.ip_address(v6))


@pytest.mark.parametrize("v6", INSIDE)
def test_tams_egress_refuses_tunnels_to_private_addresses(v6: str) -> None:
    with pytest.raises(Refused):
        check_addresses("example.test", [v6])


@pytest.mark.parametrize("v6", INSIDE)
def test_timeside_import_refuses_tunnels_to_private_addresses(v6: str) -> None:
    assert not FetchPolicy().allows(ipaddress.ip_address(v6))


def test_tunnels_to_public_addresses_still_pass() -> None:
    public = ["2002:808:808::1", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
    check_addresses("example.test", public)
    assert all(FetchPolicy().allows(ipaddress.ip_address(a)) for a in public)
    allowed = FetchPolicy(private_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    assert allowed.allows(ipaddress.ip_address("2002:a00:1::1"))  # the operator's allow-list still applies
