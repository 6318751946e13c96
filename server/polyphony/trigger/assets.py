"""Assets uploaded into a channel through the API: bytes in the object store, rows in the database.

A channel provisions either a directory named in the projects file (`files`), files elsewhere
(`provisioningUri`), or the assets uploaded here; uploading is refused for the first two. Each
upload streams to a fresh object key, and only once the bytes are stored does one transaction
point the asset row at it (the old object is deleted after the commit), so a failed or rejected
upload leaves the stored asset exactly as it was. Every change moves the asset's `lastmodified`
and the channel's (`assets_changed_ms`, what `projectList.json` lists) strictly forward, so clients
that compare `lastmodified` always see the change, even within one millisecond.

Asset paths are relative, `/`-separated and confined to the channel: no `..` or `.` segments,
no empty segments, no absolute paths, backslashes, NUL or control characters; hidden names and
`.json` names are refused because `fileList.json` never lists them (the reference generator's rule).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import FailedPrecondition, InvalidArgument, NotFound
from polyphony.core.objects import ObjectStore
from polyphony.trigger import catalog, files
from polyphony.trigger.models import Asset, Channel

MAX_ASSET_BYTES = 4 * 1024**3
MAX_PATH_BYTES = 1024
_CONTENT_TYPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class StoredAsset:
    filepath: str
    filesize: int
    lastmodified: int
    content_type: str
    created: bool
    channel_lastmodified: int


def now_ms() -> int:
    return int(time.time() * 1000)


def check_path(filepath: str) -> str:
    """The asset path, or InvalidArgument saying why it cannot name a file of the channel."""
    if not filepath:
        raise InvalidArgument("the asset path is empty", field="filepath")
    if "\x00" in filepath:
        raise InvalidArgument("the asset path contains a NUL character", field="filepath")
    if "\\" in filepath:
        raise InvalidArgument("the asset path contains a backslash; separate names with `/`", field="filepath")
    if _CONTROL.search(filepath):
        raise InvalidArgument("the asset path contains a control character", field="filepath")
    if filepath.startswith("/") or re.match(r"^[A-Za-z]:", filepath):
        raise InvalidArgument("the asset path must be relative to the channel, not absolute", field="filepath")
    if len(filepath.encode()) > MAX_PATH_BYTES:
        raise InvalidArgument(f"the asset path is longer than {MAX_PATH_BYTES} bytes", field="filepath")
    parts = filepath.split("/")
    if any(p in ("..", ".") for p in parts):
        raise InvalidArgument("the asset path must stay inside its channel (no `..` or `.` segments)", field="filepath")
    if any(p == "" for p in parts):
        raise InvalidArgument("the asset path has an empty segment (`//` or a trailing `/`)", field="filepath")
    if any(p.startswith(".") for p in parts):
        raise InvalidArgument(
            "the asset path has a hidden name (starting with `.`), which fileList.json never lists", field="filepath"
        )
    if PurePosixPath(filepath).suffix.lower() == ".json":
        raise InvalidArgument(
            "the asset path ends in `.json`, reserved for listings and never listed in fileList.json", field="filepath"
        )
    return filepath


def content_type_for(filepath: str, given: str | None) -> str:
    """The content type to serve: the one given, or a guess from the name."""
    given = (given or "").strip()
    if given and given.lower() != "application/octet-stream":
        if not _CONTENT_TYPE.match(given) or len(given) > 255:
            raise InvalidArgument(f"malformed content type {given!r}", field="contentType")
        return given
    return files.content_type(PurePosixPath(filepath))


async def _managed_channel(
    session: AsyncSession, project_uuid: str, channel_uuid: str, *, lock: bool = False
) -> Channel:
    project = await catalog.get_project(session, project_uuid)
    channel = await catalog.get_channel(session, project.uuid, channel_uuid)
    if channel.files_dir is not None:
        raise FailedPrecondition(
            "this channel's files come from a directory named in the projects file; change them there"
        )
    if channel.provisioning_uri is not None:
        raise FailedPrecondition("this channel's files are provisioned elsewhere (`provisioningUri`)")
    if lock:
        await session.refresh(channel, with_for_update=True)
    return channel


async def _find(session: AsyncSession, channel_uuid: str, filepath: str) -> Asset | None:
    return await session.scalar(select(Asset).where(Asset.channel_uuid == channel_uuid, Asset.filepath == filepath))


def _object_key(channel_uuid: str) -> str:
    return f"trigger/assets/{channel_uuid}/{uuid.uuid4().hex}"


async def upload(
    db: Database,
    store: ObjectStore,
    project_uuid: str,
    channel_uuid: str,
    filepath: str,
    content_type: str | None,
    chunks: AsyncIterable[bytes],
    *,
    max_bytes: int = MAX_ASSET_BYTES,
) -> StoredAsset:
    """Create or replace an asset with the bytes of `chunks`."""
    filepath = check_path(filepath)
    ctype = content_type_for(filepath, content_type)
    async with db.session() as session:  # refuse early: before any byte is stored
        channel = await _managed_channel(session, project_uuid, channel_uuid)
        channel_id = channel.uuid
    key = _object_key(channel_id)
    stored = await store.put(key, chunks, max_bytes=max_bytes)
    try:
        for attempt in range(3):
            try:
                return await _commit_upload(
                    db, project_uuid, channel_id, filepath, ctype, key, stored.size, stored.sha256, store
                )
            except IntegrityError:  # the same path was created concurrently: replace it instead
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    except BaseException:
        await store.delete(key)
        raise


async def _commit_upload(
    db: Database,
    project_uuid: str,
    channel_id: str,
    filepath: str,
    ctype: str,
    key: str,
    size: int,
    sha256: str,
    store: ObjectStore,
) -> StoredAsset:
    async with db.transaction() as session:
        channel = await _managed_channel(session, project_uuid, channel_id, lock=True)
        asset = await _find(session, channel.uuid, filepath)
        now = now_ms()
        old_key = None
        if asset is None:
            asset = Asset(id=str(uuid.uuid4()), channel_uuid=channel.uuid, filepath=filepath, lastmodified=now)
            session.add(asset)
            created = True
        else:
            old_key = asset.object_key
            asset.lastmodified = max(now, asset.lastmodified + 1)
            created = False
        asset.filesize = size
        asset.content_type = ctype
        asset.sha256 = sha256
        asset.object_key = key
        channel.assets_changed_ms = max(asset.lastmodified, (channel.assets_changed_ms or 0) + 1)
        changed = channel.assets_changed_ms
        await session.flush()
    if old_key is not None:
        await store.delete(old_key)
    return StoredAsset(filepath, size, asset.lastmodified, ctype, created, changed)


async def delete(db: Database, store: ObjectStore, project_uuid: str, channel_uuid: str, filepath: str) -> int:
    """Delete an asset; returns the channel's new `lastmodified`."""
    filepath = check_path(filepath)
    async with db.transaction() as session:
        channel = await _managed_channel(session, project_uuid, channel_uuid, lock=True)
        asset = await _find(session, channel.uuid, filepath)
        if asset is None:
            raise NotFound(f"no asset {filepath!r} in channel {channel.uuid}")
        key = asset.object_key
        await session.delete(asset)
        channel.assets_changed_ms = max(now_ms(), (channel.assets_changed_ms or 0) + 1)
        changed = channel.assets_changed_ms
    await store.delete(key)
    return changed


async def listing(session: AsyncSession, channel_uuid: str) -> list[files.FileEntry]:
    """The channel's uploaded assets as `fileList.json` entries, in natural order."""
    rows = (await session.scalars(select(Asset).where(Asset.channel_uuid == channel_uuid))).all()
    entries = [files.FileEntry(a.filepath, a.filesize, a.lastmodified) for a in rows]
    return sorted(entries, key=lambda f: files.natural_key(f.filepath))


@dataclass(frozen=True)
class AssetRead:
    key: str
    size: int
    content_type: str
    span: tuple[int, int] | None  # inclusive byte range, None: whole


async def open_asset(session: AsyncSession, channel_uuid: str, filepath: str, range_header: str | None) -> AssetRead:
    asset = await _find(session, channel_uuid, filepath) if filepath else None
    if asset is None:
        raise NotFound(f"no file {filepath!r} in this channel")
    span = files.parse_range(range_header, asset.filesize)
    return AssetRead(asset.object_key, asset.filesize, asset.content_type, span)


async def read(store: ObjectStore, item: AssetRead) -> AsyncIterator[bytes]:
    start, end = item.span if item.span is not None else (0, item.size - 1)
    if item.size == 0:
        return
    async for chunk in store.read(item.key, start, end + 1):
        yield chunk
