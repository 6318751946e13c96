"""Remote audio sources: a small plug-in interface and its registry, with the http(s) provider built in.

A provider turns an item's URL (`source_url`, or `external_uri` on the provider's domain) into audio
bytes. `fetch` streams the body in chunks and enforces a size bound; any failure (DNS, connection
refused, HTTP error status, too large) is an InvalidArgument naming the field the URL came from, so the
item create answers 400 and stores nothing. More providers register with `register_provider`.
"""

from __future__ import annotations

import asyncio
import os
import re
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import Message
from typing import Protocol
from urllib.parse import unquote, urlsplit

from polyphony.core.errors import InvalidArgument

CHUNK = 64 * 1024
DEFAULT_MAX_BYTES = 512 * 1024 * 1024
TIMEOUT = 30.0


def max_download_bytes() -> int:
    """The download bound (`POLYPHONY_ANALYSIS_MAX_DOWNLOAD`, bytes; default 512 MiB)."""
    raw = os.environ.get("POLYPHONY_ANALYSIS_MAX_DOWNLOAD", "")
    return int(raw) if raw.strip().isdigit() else DEFAULT_MAX_BYTES


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

    async def open(self, url: str, *, field: str, limit: int) -> Download: ...


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.URLError("redirect to a non-http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects())
_OPENER.addheaders = [("User-Agent", "polyphony-timeside/1"), ("Accept", "audio/*, */*;q=0.5")]


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

    async def open(self, url: str, *, field: str, limit: int) -> Download:
        if not self.accepts(url):
            raise InvalidArgument("Enter a valid http or https URL.", field=field)
        try:
            response = await asyncio.to_thread(_OPENER.open, url, timeout=TIMEOUT)
        except urllib.error.HTTPError as exc:
            raise InvalidArgument(f"The URL could not be fetched: HTTP {exc.code}.", field=field) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
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
