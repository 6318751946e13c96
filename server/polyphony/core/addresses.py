"""IPv4 addresses hidden inside IPv6 ones, for the guards that keep outgoing requests (TAMS webhooks and
object copies, TimeSide URL imports) off loopback and private networks: an IPv6 address that tunnels to
an IPv4 one is only as public as that IPv4 address."""

from __future__ import annotations

import ipaddress

# RFC 6052 well-known NAT64 prefix: the last 32 bits are the IPv4 address a NAT64 gateway reaches.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def embedded_ipv4(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses `address` carries: IPv4-mapped (::ffff:a.b.c.d), 6to4 (2002::/16), Teredo
    (2001::/32: its server and its client), NAT64 (64:ff9b::/96) and IPv4-compatible (::a.b.c.d)."""
    if isinstance(address, ipaddress.IPv4Address):
        return []
    found: list[ipaddress.IPv4Address] = []
    if address.ipv4_mapped is not None:
        found.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        found.append(address.sixtofour)
    if address.teredo is not None:
        found.extend(address.teredo)
    low = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in NAT64 or (int(address) >> 32 == 0 and int(address) > 1):
        found.append(low)
    return found
