"""The one way an absolute URL's base (scheme and authority) is chosen.

1. `POLYPHONY_PUBLIC_URL` when it is set: every link uses it, whatever the request says.
2. Otherwise the request's own view, from the headers the edge passes on (`x-edge-host`: the `Host` the
   client sent; `x-edge-peer`: the address Envoy received the connection from):
   - a peer in `POLYPHONY_TRUSTED_PROXIES` (CIDRs) is a proxy of ours: its `X-Forwarded-Proto` (http or
     https) and `X-Forwarded-Host` are believed;
   - anyone else's `X-Forwarded-*` is ignored; their `Host` is used only while no proxy is configured
     (direct access); once proxies are configured, only theirs is.
   A host that is not a plain `host[:port]` and a scheme other than http/https are never echoed: the
   settings' default base is used instead.
3. `Settings.default_base_url` (http://localhost:<http_port> for a loopback edge).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from functools import lru_cache

from polyphony.core.config import Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# host[:port]: a DNS name or IPv4 address, or a bracketed IPv6 address; a port of at most 5 digits
_AUTHORITY = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$"
)
_SCHEMES = ("http", "https")


@lru_cache(maxsize=8)
def trusted_networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    """The `trusted_proxies` setting as networks (a bad entry is a configuration error)."""
    try:
        return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())
    except ValueError as exc:
        raise ValueError(f"POLYPHONY_TRUSTED_PROXIES: {exc}") from None


def peer_address(peer: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP of Envoy's `ip:port` / `[ip]:port` view of the downstream address (None if unreadable)."""
    host = peer.strip()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(settings: Settings, peer: str) -> bool:
    address = peer_address(peer)
    if address is None:
        return False
    return any(address.version == net.version and address in net for net in trusted_networks(settings.trusted_proxies))


def _authority(value: str | None) -> str | None:
    if not value:
        return None
    value = value.split(",")[0].strip()  # a list of forwarded hosts: the first is the client's
    return value if len(value) <= 260 and _AUTHORITY.match(value) else None


def public_base_url(settings: Settings, headers: Mapping[str, str]) -> str:
    """Scheme and authority of absolute links in the answer to a request with `headers` (lower-case
    names), without a trailing slash (see the module docstring for the rules)."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    host = _authority(headers.get("x-edge-host"))
    scheme = "http"
    if is_trusted_proxy(settings, headers.get("x-edge-peer", "")):
        forwarded_host = _authority(headers.get("x-forwarded-host"))
        host = forwarded_host or host
        proto = headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        if proto in _SCHEMES:
            scheme = proto
    elif settings.trusted_proxies:
        host = None  # proxies are configured and this request did not come through one
    if host is None:
        return settings.default_base_url
    return f"{scheme}://{host}"
