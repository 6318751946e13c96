"""Items: create (from a streamed form body or a typed upload), list, get, update, delete.

Every write that stored an object removes it again if the database write does not happen, so a failed
request leaves neither a row nor a file behind.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select

from polyphony.analysis.items.fields import validate_item_fields
from polyphony.analysis.items.formdata import FilePart, read_form
from polyphony.analysis.items.provider_rows import pid_of_uuid
from polyphony.analysis.items.providers import PROVIDERS, FetchPolicy, provider_for
from polyphony.analysis.items.sources import StoredSource, store_source
from polyphony.analysis.models import Item, Result
from polyphony.core.config import Settings
from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.core.local_copies import LocalCopies
from polyphony.core.objects import ObjectStore

SOURCE_FIELD = "source_file"
NOT_FOUND = "No Item matches the given query."


def now() -> datetime:
    return datetime.now(UTC)


def parse_uuid(value: str) -> str:
    """The canonical form of a uuid path parameter; a malformed one is simply not found (as in DRF)."""
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError):
        raise NotFound(NOT_FOUND) from None


@dataclass
class UploadState:
    """What a streamed body produced: at most one stored source."""

    source: StoredSource | None = None
    provider: str | None = None  # the `provider` field as sent (a pid or a provider URL)


class ItemService:
    def __init__(
        self, db: Database, objects: ObjectStore, policy: FetchPolicy | None = None, copies: LocalCopies | None = None
    ) -> None:
        self.db = db
        self.objects = objects
        self.copies = copies  # local copies of a remote store's uploads, kept as they pass
        self.policy = policy if policy is not None else FetchPolicy.from_settings(Settings())

    async def _discard(self, source: StoredSource | None) -> None:
        if source is not None:
            await self.objects.delete(source.key)

    async def _read_body(self, content_type: str, body: AsyncIterator[bytes]) -> tuple[dict[str, object], UploadState]:
        state = UploadState()

        async def on_file(part: FilePart, data: AsyncIterator[bytes]) -> None:
            if part.name != SOURCE_FIELD or state.source is not None:
                return  # other file fields are not part of an Item (DRF ignores them)
            state.source = await store_source(
                self.objects, part.filename, data, now(), field=SOURCE_FIELD, copies=self.copies
            )

        try:
            form = await read_form(content_type, body, on_file)
            if SOURCE_FIELD in form.text_parts:
                raise InvalidArgument(
                    "The submitted data was not a file. Check the encoding type on the form.", field=SOURCE_FIELD
                )
            if SOURCE_FIELD in form.fields and form.fields[SOURCE_FIELD] not in (None, ""):
                raise InvalidArgument(
                    "The submitted data was not a file. Check the encoding type on the form.", field=SOURCE_FIELD
                )
            provider = form.fields.get("provider")
            if provider not in (None, ""):
                state.provider = provider_pid_field(provider)
            return validate_item_fields(form.fields), state
        except BaseException:
            await self._discard(state.source)
            raise

    async def create_from_body(
        self, content_type: str, body: AsyncIterator[bytes], *, author: str | None = None
    ) -> Item:
        """Create an item from a raw request body (multipart upload, JSON or urlencoded)."""
        values, state = await self._read_body(content_type, body)
        if state.source is None:
            state.source = await self._fetch_remote(values, state.provider)
        return await self._insert(values, state.source, author)

    async def _fetch_remote(self, values: dict[str, object], provider_pid: str | None) -> StoredSource | None:
        """Download the audio of an item created without a file: from `source_url`, or from `external_uri`
        when a provider is named or owns its host. The provider used is recorded in `values`."""
        source_url, external_uri = str(values.get("source_url") or ""), str(values.get("external_uri") or "")
        if source_url:
            url, field = source_url, "source_url"
        elif external_uri and (provider_pid or _owned(external_uri)):
            url, field = external_uri, "external_uri"
        else:
            if provider_pid:
                raise InvalidArgument("Give source_url or external_uri to fetch from.", field="provider")
            return None
        provider = provider_for(url, provider_pid, field=field)
        download = await provider.open(url, field=field, limit=self.policy.max_bytes, policy=self.policy)
        source = await store_source(
            self.objects, download.filename, download.chunks, now(), field=field, copies=self.copies
        )
        values["provider_pid"] = provider.pid
        return source

    async def create_from_upload(
        self,
        raw_fields: Mapping[str, object],
        filename: str | None,
        data: AsyncIterator[bytes] | None,
        *,
        author: str | None = None,
    ) -> Item:
        """Create an item from typed fields and an optional audio stream (the gRPC upload)."""
        values = validate_item_fields(raw_fields)
        provider = raw_fields.get("provider")
        provider_pid = provider_pid_field(provider) if provider not in (None, "") else None
        source = None
        if filename is not None and data is not None:
            source = await store_source(self.objects, filename, data, now(), field=SOURCE_FIELD, copies=self.copies)
        else:
            source = await self._fetch_remote(values, provider_pid)
        return await self._insert(values, source, author)

    async def _insert(
        self, values: Mapping[str, object], source: StoredSource | None, author: str | None = None
    ) -> Item:
        stamp = now()
        item = Item(
            uuid=str(uuid.uuid4()),
            date_added=stamp,
            date_modified=stamp,
            author=author,
            title="",
            description="",
            artist="",
            album="",
            source_url="",
            external_id="",
            external_uri="",
            is_public=True,
            lock=False,
            test=False,
        )
        for name, value in values.items():
            setattr(item, name, value)
        _attach(item, source)
        try:
            async with self.db.transaction() as session:
                session.add(item)
        except BaseException:
            await self._discard(source)
            raise
        return item

    async def list(self, *, external_id: str | None = None, provider_pid: str | None = None) -> list[Item]:
        stmt = select(Item).order_by(Item.date_added, Item.uuid)
        if external_id is not None:
            stmt = stmt.where(Item.external_id == external_id)
        if provider_pid is not None:
            stmt = stmt.where(Item.provider_pid == provider_pid)
        async with self.db.session() as session:
            return list((await session.scalars(stmt)).all())

    async def get(self, item_uuid: str) -> Item:
        key = parse_uuid(item_uuid)
        async with self.db.session() as session:
            item = await session.get(Item, key)
        if item is None:
            raise NotFound(NOT_FOUND)
        return item

    async def update_from_body(self, item_uuid: str, content_type: str, body: AsyncIterator[bytes]) -> Item:
        """PUT/PATCH: change the writable fields present (all Item fields are optional, so PUT == PATCH)."""
        await self.get(item_uuid)
        values, state = await self._read_body(content_type, body)
        replaced: str | None = None
        try:
            async with self.db.transaction() as session:
                item = await session.get(Item, parse_uuid(item_uuid), with_for_update=True)
                if item is None:
                    raise NotFound(NOT_FOUND)
                for name, value in values.items():
                    setattr(item, name, value)
                if state.source is not None:
                    replaced = item.source_key
                    _attach(item, state.source)
                item.date_modified = now()
        except BaseException:
            await self._discard(state.source)
            raise
        if replaced is not None:
            await self._release(replaced)
        return item

    async def delete(self, item_uuid: str) -> None:
        key = parse_uuid(item_uuid)
        async with self.db.transaction() as session:
            item = await session.get(Item, key, with_for_update=True)
            if item is None:
                raise NotFound(NOT_FOUND)
            source_key = item.source_key
            result_files = (
                await session.scalars(
                    select(Result.file_key).where(Result.item_uuid == key, Result.file_key.is_not(None))
                )
            ).all()
            await session.delete(item)  # results and tasks go with it (ON DELETE CASCADE)
        if source_key is not None:
            await self._release(source_key)
        for file_key in result_files:
            if file_key is not None:
                await self.objects.delete(file_key)

    async def _release(self, key: str) -> None:
        """Delete a stored object once no item refers to it any more."""
        async with self.db.session() as session:
            users = await session.scalar(select(func.count()).select_from(Item).where(Item.source_key == key))
        if not users:
            await self.objects.delete(key)


def provider_pid_field(value: object) -> str:
    """The `provider` field: a provider pid or its API URL (`.../providers/{uuid or pid}/`)."""
    if not isinstance(value, str):
        raise InvalidArgument("Incorrect type. Expected URL string.", field="provider")
    key = value.rstrip("/").rsplit("/", 1)[-1]
    if key in PROVIDERS:
        return key
    pid = pid_of_uuid(key)
    if pid is None:
        raise InvalidArgument(f'Invalid hyperlink - Object "{key}" does not exist.', field="provider")
    return pid


def _owned(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(p.domain and host in (p.domain, f"www.{p.domain}") for p in PROVIDERS.values())


def _attach(item: Item, source: StoredSource | None) -> None:
    if source is None:
        return
    item.source_key = source.key
    item.source_filename = source.filename
    item.file_size = source.size
    item.sha1 = source.sha1
    item.sha256 = source.sha256
    item.mime_type = source.audio.mime_type
    item.audio_duration = source.audio.duration
    item.samplerate = source.audio.samplerate
    item.channels = source.audio.channels
