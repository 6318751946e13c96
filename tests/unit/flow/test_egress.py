"""The SSRF guard for client-given URLs (webhooks, copies from uncontrolled Object instances)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from polyphony.core.errors import InvalidArgument
from polyphony.flow import egress

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "224.0.0.1",
    "192.0.2.10",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::",
    "ff02::1",
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address: str) -> None:
    with pytest.raises(egress.Refused):
        egress.check_addresses("host", [address])


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass(address: str) -> None:
    egress.check_addresses("host", [address])


def test_one_bad_address_among_good_ones_is_refused() -> None:
    with pytest.raises(egress.Refused):
        egress.check_addresses("host", ["8.8.8.8", "10.0.0.1"])


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://[::1]/x",
        "https://169.254.169.254/latest",
        "http://localhost:8080/x",
        "http://10.0.0.1/",
    ],
)
async def test_check_url_refuses_private_targets_unless_allowed(url: str) -> None:
    with pytest.raises(InvalidArgument) as err:
        await egress.check_url(url, allow_private=False)
    assert err.value.field == "url"
    await egress.check_url(url, allow_private=True)


@pytest.mark.parametrize("url", ["ftp://8.8.8.8/x", "not a url", "http:///x", "http://8.8.8.8:99999/"])
async def test_check_url_rejects_malformed_urls_always(url: str) -> None:
    for allow in (False, True):
        with pytest.raises(InvalidArgument):
            await egress.check_url(url, allow_private=allow)


async def test_check_url_passes_a_public_literal_without_dns() -> None:
    await egress.check_url("https://93.184.216.34/hook", allow_private=False)


async def test_the_client_refuses_to_connect_to_loopback_at_connect_time() -> None:
    """Even a URL that was never checked (or whose DNS answer changed) cannot reach loopback."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        for host in ("127.0.0.1", "localhost"):
            async with egress.client(allow_private=False, timeout=5) as client:
                with pytest.raises(httpx.ConnectError, match="loopback"):
                    await client.get(f"http://{host}:{port}/")
        async with egress.client(allow_private=True, timeout=5) as client:
            resp = await client.get(f"http://127.0.0.1:{port}/")
            assert resp.status_code == 200 and resp.text == "ok"
    finally:
        server.close()
        await server.wait_closed()
