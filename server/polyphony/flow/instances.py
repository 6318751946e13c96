"""Controlled Object instances (`POST /objects/{id}/instances` with a `storage_id`): the service copies
the Object from one of its uncontrolled instances into its own storage backend and advertises the copy
in `get_urls` from then on.

The bytes stream from the source URL into the object store (never held whole); only http(s) URLs are
fetched, redirects are not followed, and the copy is recorded only once complete (the store's writes
are atomic), so a failed copy leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx

from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.core.objects import ObjectStore
from polyphony.flow import egress
from polyphony.flow.objects import set_controlled, storage_key

TIMEOUT_SECONDS = 60.0
CHUNK = 256 * 1024


class _SourceFailed(Exception):
    pass


async def _fetch(client: httpx.AsyncClient, url: str, store: ObjectStore, key: str) -> int:
    async with client.stream("GET", url) as response:
        if response.status_code != 200:
            raise _SourceFailed(f"{url} answered HTTP {response.status_code}")

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in response.aiter_bytes(CHUNK):
                yield chunk

        return (await store.put(key, chunks())).size


async def copy_in(
    db: Database, store: ObjectStore, object_id: str, sources: list[str], *, allow_private: bool = False
) -> None:
    """Copy the Object from the first source URL that answers; 400 when none does. Sources on loopback,
    private or link-local addresses are refused unless `allow_private` (see egress.py)."""
    key = storage_key(object_id)
    reasons = []
    async with egress.client(allow_private=allow_private, timeout=TIMEOUT_SECONDS) as client:
        for url in sources:
            if urlsplit(url).scheme not in ("http", "https"):
                reasons.append(f"{url}: not an http(s) URL")
                continue
            try:
                size = await _fetch(client, url, store, key)
            except (httpx.HTTPError, _SourceFailed) as exc:
                reasons.append(str(exc) or type(exc).__name__)
                continue
            if not await set_controlled(db, object_id, key, size):
                await store.delete(key)
                raise NotFound(f"object {object_id} was deleted during the copy")
            return
    raise InvalidArgument(
        f"could not copy object {object_id} from its instances: {'; '.join(reasons)}", field="storage_id"
    )
