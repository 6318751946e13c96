"""Remote audio sources: a small plug-in interface and its registry, with the http(s) provider built in.

A provider turns an item's URL (`source_url`, or `external_uri` on the provider's domain) into audio
bytes. `fetch` streams the body in chunks and enforces a size bound; any failure (DNS, connection
refused, HTTP error status, too large) is an InvalidArgument naming the field the URL came from, so the
item create answers 400 and stores nothing. More providers register with `register_provider`.

The http(s) provider never connects to a private, loopback, link-local, multicast, reserved or
unspecified address (the URL's, a redirect's, or any its host name resolves to: the connection is
made to the very address that was checked, so DNS tricks do not get past it) unless the address
lies in one of the networks the `analysis_fetch_private_networks` setting lists.
"""

from __future__ import annotations

import asyncio
import http.client
import ipaddress
import re
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from polyphony.core.addresses import embedded_ipv4
from polyphony.core.config import Settings
from polyphony.core.errors import InvalidArgument

CHUNK = 64 * 1024
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
TIMEOUT = 30.0
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class FetchPolicy:
    """What the URL importer may fetch: a size bound, and the non-public networks it may still reach."""

    max_bytes: int = DEFAULT_MAX_BYTES
    private_networks: tuple[Network, ...] = field(default=())

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(settings.analysis_max_download, networks(settings.analysis_fetch_private_networks))

    def allows(self, address: Address) -> bool:
        # IPv4-mapped, 6to4, Teredo, NAT64: as public as what they reach (and a mapped one is just that)
        if not all(self.allows(a) for a in embedded_ipv4(address)):
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            return True
        public = not (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_multicast
            or address.is_reserved
            or address.is_unspecified
        )
        return public or any(address in net for net in self.private_networks if net.version == address.version)


def networks(values: Iterable[str]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())
    except ValueError as exc:
        raise ValueError(f"analysis_fetch_private_networks: {exc}") from None


class BlockedAddress(OSError):
    """The URL's host is (or resolves to) an address the fetch policy does not allow."""

    def __init__(self, address: str) -> None:
        super().__init__(f"blocked address {address}")
        self.address = address


def _guarded_connect(policy: FetchPolicy) -> Any:
    """A `socket.create_connection` that resolves the host itself and connects only to allowed addresses."""

    def connect(address: tuple[str, int], timeout: object = None, source_address: Any = None) -> socket.socket:
        host, port = address
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        allowed = [info for info in infos if policy.allows(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]))]
        if not allowed:
            raise BlockedAddress(str(infos[0][4][0]) if infos else host)
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in allowed:
            sock = socket.socket(family, kind, proto)
            try:
                if isinstance(timeout, int | float):
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                error = exc
                sock.close()
        assert error is not None
        raise error

    return connect


def _opener(policy: FetchPolicy) -> urllib.request.OpenerDirector:
    """An opener whose HTTP(S) connections check the peer address against `policy` before any byte is sent."""

    class GuardedHTTP(http.client.HTTPConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = _guarded_connect(policy)

    class GuardedHTTPS(http.client.HTTPSConnection):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = _guarded_connect(policy)

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTPS, req, context=getattr(self, "_context", None))

    opener = urllib.request.build_opener(_HttpOnlyRedirects(), HTTPHandler(), HTTPSHandler())
    opener.addheaders = [("User-Agent", "polyphony-timeside/1"), ("Accept", "audio/*, */*;q=0.5")]
    return opener


def _literal_address(url: str) -> Address | None:
    try:
        return ipaddress.ip_address((urlsplit(url).hostname or "").split("%", 1)[0])
    except ValueError:
        return None


@dataclass
class Download:
    """An opened remote audio body: a suggested file name and its bytes, streamed."""

    filename: str
    chunks: AsyncIterator[bytes]


class SourceProvider(Protocol):
    """What a remote-source plug-in provides (TimeSide `Provider` plus the fetch itself)."""

    pid: str
    name: str
    description: str
    domain: str  # host this provider owns ("" = any host; used to match `external_uri`)
    source_access: bool  # whether audio can actually be fetched

    def accepts(self, url: str) -> bool: ...

    async def open(self, url: str, *, field: str, limit: int, policy: FetchPolicy | None = None) -> Download: ...


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError("redirect to a non-http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _filename(url: str, headers: Message) -> str:
    disposition = headers.get_param("filename", header="content-disposition")
    if isinstance(disposition, str) and disposition.strip():
        return disposition.strip()
    last = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return last if re.search(r"\w", last) else "audio"


class HttpProvider:
    """Plain http(s) URLs on any host."""

    pid = "http"
    name = "HTTP(S) URL"
    description = "Downloads the audio file at an http:// or https:// URL."
    domain = ""
    source_access = True

    def accepts(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    async def open(self, url: str, *, field: str, limit: int, policy: FetchPolicy | None = None) -> Download:
        if not self.accepts(url):
            raise InvalidArgument("Enter a valid http or https URL.", field=field)
        policy = policy or FetchPolicy(limit)
        literal = _literal_address(url)
        if literal is not None and not policy.allows(literal):
            raise InvalidArgument(_blocked(str(literal)), field=field)
        try:
            response = await asyncio.to_thread(_opener(policy).open, url, timeout=TIMEOUT)
        except urllib.error.HTTPError as exc:
            raise InvalidArgument(f"The URL could not be fetched: HTTP {exc.code}.", field=field) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, BlockedAddress):
                raise InvalidArgument(_blocked(reason.address), field=field) from None
            raise InvalidArgument(f"The URL could not be fetched: {reason}.", field=field) from None
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            response.close()
            raise InvalidArgument(f"The remote file is larger than {limit} bytes.", field=field)
        filename = _filename(response.geturl(), response.headers)

        async def chunks() -> AsyncIterator[bytes]:
            total = 0
            try:
                while True:
                    try:
                        chunk = await asyncio.to_thread(response.read, CHUNK)
                    except OSError as exc:
                        raise InvalidArgument(f"The download failed: {exc}.", field=field) from None
                    if not chunk:
                        return
                    total += len(chunk)
                    if total > limit:
                        raise InvalidArgument(f"The remote file is larger than {limit} bytes.", field=field)
                    yield chunk
            finally:
                response.close()

        return Download(filename, chunks())


def _blocked(address: str) -> str:
    return (
        f"The URL leads to a private, loopback or link-local address ({address}), which this server "
        "does not fetch from."
    )


PROVIDERS: dict[str, SourceProvider] = {}


def register_provider(provider: SourceProvider) -> None:
    """Install a provider plug-in (a later one with the same pid replaces the earlier)."""
    PROVIDERS[provider.pid] = provider


register_provider(HttpProvider())


def provider_for(url: str, pid: str | None = None, *, field: str) -> SourceProvider:
    """The provider named `pid`, else the one owning the URL's host, else a generic one accepting it."""
    if pid:
        provider = PROVIDERS.get(pid)
        if provider is None:
            raise InvalidArgument(f"Object with pid={pid} does not exist.", field="provider")
        if not provider.accepts(url):
            raise InvalidArgument(f"The provider {pid} cannot fetch this URL.", field=field)
        return provider
    host = (urlsplit(url).hostname or "").lower()
    owned = [p for p in PROVIDERS.values() if p.domain and host in (p.domain, f"www.{p.domain}")]
    generic = [p for p in PROVIDERS.values() if not p.domain]
    for provider in owned + generic:
        if provider.source_access and provider.accepts(url):
            return provider
    raise InvalidArgument("No provider can fetch this URL.", field=field)
