"""Outgoing requests to URLs that clients gave us (webhook deliveries, copies from uncontrolled Object
instances) must not reach the service's own network: loopback, private, link-local, shared, multicast
and reserved addresses are refused unless `POLYPHONY_TAMS_ALLOW_PRIVATE_WEBHOOKS` allows them.

URLs are checked when they are registered (400 with the spec's error body), and every connection is
checked again when it is made: the HTTP client's network backend resolves the host itself, refuses
the connection when any address is not public, and connects to the address it checked, so a DNS answer
that changes between the check and the connection (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from polyphony.core.addresses import embedded_ipv4
from polyphony.core.errors import InvalidArgument

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The target resolves to an address this service may not contact."""


def _blocked(ip: Address) -> str | None:
    for inner in embedded_ipv4(ip):  # IPv4-mapped, 6to4, Teredo, NAT64: as public as what they reach
        kind = _blocked(inner)
        if kind is not None:
            return kind
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return None  # an IPv4 address written as IPv6: judged by the IPv4 address alone
    for kind in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    if not ip.is_global:  # shared address space (100.64/10), benchmarking, documentation ranges...
        return "non-public"
    return None


def check_addresses(host: str, addresses: Iterable[str]) -> None:
    """Raise Refused unless every address `host` resolved to is public."""
    for text in addresses:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
        kind = _blocked(ip)
        if kind is not None:
            raise Refused(f"{host} resolves to the {kind} address {ip}, which this service does not contact")


async def resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (an IP literal resolves to itself)."""
    literal = host.strip("[]")
    try:
        return [str(ipaddress.ip_address(literal))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(literal, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def check_url(url: str, *, allow_private: bool, field: str = "url") -> None:
    """400 (InvalidArgument) when `url` is not http(s) or, unless allowed, targets a non-public address.
    A backslash (a path separator to WHATWG parsers, not to Python's: they would disagree on the host), a
    space or a control character makes a URL invalid."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # e.g. a bracketed host that is no IPv6 address
        valid = False
    if not valid or any(c == "\\" or c.isspace() or ord(c) < 32 for c in url):
        raise InvalidArgument(f"{url[:200]!r} is not an absolute http or https URL", field=field)
    host = parts.hostname
    assert host is not None  # `valid` says so
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise InvalidArgument(f"{url!r} has an invalid port", field=field) from None
    if allow_private:
        return
    try:
        check_addresses(host, await resolve(host, port))
    except Refused as exc:
        raise InvalidArgument(str(exc), field=field) from None
    except OSError:
        raise InvalidArgument(f"the host of {url!r} cannot be resolved", field=field) from None


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks and connects to the checked address (see the module doc)."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if self._allow_private:
            return await self._inner.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
        try:
            addresses = await resolve(host, port)
            check_addresses(host, addresses)
        except Refused as exc:
            raise httpcore.ConnectError(str(exc)) from None
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
        failure: Exception = httpcore.ConnectError(f"cannot connect to {host}")
        for address in addresses:  # each one checked above; the first that answers wins
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not contacted")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (and its exception mapping) over a pool that uses the guarded network backend.
    httpx offers no option for a network backend, so the pool it built is replaced by one that has ours."""

    def __init__(self, allow_private: bool) -> None:
        super().__init__(trust_env=allow_private)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(allow_private)
        )


def client(*, allow_private: bool, timeout: float) -> httpx.AsyncClient:
    """An HTTP client for client-given URLs: no redirects, and only public addresses unless
    `allow_private`. Guarded clients ignore proxy settings from the environment (a proxy would connect
    for us, past the check); with `allow_private` they honour them as httpx does by default."""
    return httpx.AsyncClient(
        transport=_GuardedTransport(allow_private), timeout=timeout, follow_redirects=False, trust_env=allow_private
    )
