"""Managing projects and channels through the API (the projects file is the other source).

Projects and channels created here are stored with `source="api"`; the projects file's own are
`source="file"` and are made equal to the file again at every start (see `catalog.sync_projects`),
so an API change to a file project lasts until the next start. UUIDs are unique across projects
and channels, as in the projects file. Deleting removes the channels' uploaded assets from the
object store once the database transaction has committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import Conflict, FailedPrecondition, InvalidArgument
from polyphony.core.objects import ObjectStore
from polyphony.trigger import catalog
from polyphony.trigger.models import Asset, Channel, Cue, Project, ProjectState
from polyphony.trigger.projects_file import CONTAINER_ID

MAX_TEXT = 1000
MAX_ITEMS = 100


@dataclass(frozen=True)
class ProjectFields:
    project_uuid: str | None
    path: list[str]
    label: list[str] | None


@dataclass(frozen=True)
class ChannelFields:
    channel_uuid: str | None
    label: str | None
    container_ids: list[str]
    channel_trigger: bool
    provisioning_uri: str | None
    lastmodified: float | None
    renderer: str | None


def _uuid(value: str | None, field: str) -> str | None:
    if value is None or value == "":
        return None
    canonical = catalog.canonical_uuid(value)
    if canonical is None:
        raise InvalidArgument(f"`{field}` must be a UUID, not {value!r}", field=field)
    return canonical


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"`{field}` must be a non-empty string", field=field)
    if len(value) > MAX_TEXT or "\x00" in value:
        raise InvalidArgument(f"`{field}` must be at most {MAX_TEXT} characters, without NUL", field=field)
    return value


def _optional_text(value: str | None, field: str) -> str | None:
    return None if value is None else _text(value, field)


def check_project(fields: ProjectFields) -> ProjectFields:
    if not fields.path:
        raise InvalidArgument("`projectPath` must be a non-empty list of strings", field="projectPath")
    if len(fields.path) > MAX_ITEMS:
        raise InvalidArgument(f"`projectPath` has more than {MAX_ITEMS} items", field="projectPath")
    path = [_text(p, "projectPath") for p in fields.path]
    label = None
    if fields.label:
        label = [_text(v, "projectLabel") for v in fields.label]
        if len(label) != len(path):
            raise InvalidArgument("`projectLabel` must have as many items as `projectPath`", field="projectLabel")
    return ProjectFields(_uuid(fields.project_uuid, "projectUuid"), path, label)


def check_channel(fields: ChannelFields) -> ChannelFields:
    if len(fields.container_ids) > MAX_ITEMS:
        raise InvalidArgument(f"`containerIds` has more than {MAX_ITEMS} items", field="containerIds")
    for cid in fields.container_ids:
        if not CONTAINER_ID.match(cid) or len(cid) > MAX_TEXT:
            raise InvalidArgument(f"container id {cid!r} is not `<type>_<name>` (e.g. `text_de`)", field="containerIds")
    if len(set(fields.container_ids)) != len(fields.container_ids):
        raise InvalidArgument("`containerIds` must not repeat an id", field="containerIds")
    uri = _optional_text(fields.provisioning_uri, "provisioningUri")
    if uri is not None:
        try:
            parts = urlsplit(uri)
        except ValueError:  # e.g. a bracketed host that is no IP address (`http://[::1\\]/`)
            parts = None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidArgument("`provisioningUri` must be an absolute http(s) URL", field="provisioningUri")
    lastmodified = fields.lastmodified
    if lastmodified is not None:
        if uri is None:
            raise InvalidArgument("`lastmodified` is only allowed with `provisioningUri`", field="lastmodified")
        if lastmodified < 0 or not float(lastmodified).is_integer() or lastmodified > 2**53:
            raise InvalidArgument("`lastmodified` must be a non-negative integer (epoch ms)", field="lastmodified")
    return ChannelFields(
        channel_uuid=_uuid(fields.channel_uuid, "channelUuid"),
        label=_optional_text(fields.label, "label"),
        container_ids=list(fields.container_ids),
        channel_trigger=fields.channel_trigger,
        provisioning_uri=uri,
        lastmodified=lastmodified,
        renderer=_optional_text(fields.renderer, "renderer"),
    )


async def _uuid_taken(session: AsyncSession, uid: str) -> bool:
    return await session.get(Project, uid) is not None or await session.get(Channel, uid) is not None


async def create_project(db: Database, fields: ProjectFields) -> Project:
    fields = check_project(fields)
    uid = fields.project_uuid or str(uuid.uuid4())
    async with db.transaction() as session:
        if await _uuid_taken(session, uid):
            raise Conflict(f"UUID {uid} is already used by a project or channel")
        position = (await session.scalar(select(func.max(Project.position)))) or 0
        project = Project(
            uuid=uid, position=position + 1, path=fields.path, label=fields.label, source="api", channels=[]
        )
        session.add(project)
    return project


async def update_project(db: Database, project_uuid: str, fields: ProjectFields) -> Project:
    fields = check_project(fields)
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        if fields.project_uuid is not None and fields.project_uuid != project.uuid:
            raise InvalidArgument("`projectUuid` in the body differs from the one in the path", field="projectUuid")
        project.path = fields.path
        project.label = fields.label
    return project


async def delete_project(db: Database, store: ObjectStore, project_uuid: str) -> str:
    """Delete a project with everything it owns; returns its canonical UUID."""
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        channel_ids = [c.uuid for c in project.channels]
        keys = list((await session.scalars(select(Asset.object_key).where(Asset.channel_uuid.in_(channel_ids)))).all())
        await session.execute(delete(Cue).where(Cue.project_uuid == project.uuid))
        await session.execute(delete(ProjectState).where(ProjectState.project_uuid == project.uuid))
        await session.delete(project)
    for key in keys:
        await store.delete(key)
    return project.uuid


def _apply(channel: Channel, fields: ChannelFields) -> None:
    if fields.provisioning_uri is not None and channel.assets_changed_ms is not None:
        raise FailedPrecondition(
            "this channel's assets are uploaded here; delete the channel to provision it elsewhere (`provisioningUri`)",
            field="provisioningUri",
        )
    if fields.provisioning_uri is not None and channel.files_dir is not None:
        raise FailedPrecondition(
            "this channel's files come from a directory of the projects file", field="provisioningUri"
        )
    channel.label = fields.label
    channel.container_ids = fields.container_ids
    channel.channel_trigger = fields.channel_trigger
    channel.provisioning_uri = fields.provisioning_uri
    channel.lastmodified = int(fields.lastmodified) if fields.lastmodified is not None else None
    channel.renderer = fields.renderer


async def create_channel(db: Database, project_uuid: str, fields: ChannelFields) -> tuple[Project, Channel]:
    fields = check_channel(fields)
    uid = fields.channel_uuid or str(uuid.uuid4())
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        if await _uuid_taken(session, uid):
            raise Conflict(f"UUID {uid} is already used by a project or channel")
        channel = Channel(uuid=uid, source="api", position=len(project.channels), files_dir=None)
        _apply(channel, fields)
        project.channels.append(channel)
    return project, channel


async def update_channel(
    db: Database, project_uuid: str, channel_uuid: str, fields: ChannelFields
) -> tuple[Project, Channel]:
    fields = check_channel(fields)
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        channel = await catalog.get_channel(session, project.uuid, channel_uuid)
        if fields.channel_uuid is not None and fields.channel_uuid != channel.uuid:
            raise InvalidArgument("`channelUuid` in the body differs from the one in the path", field="channelUuid")
        _apply(channel, fields)
    return project, channel


async def delete_channel(db: Database, store: ObjectStore, project_uuid: str, channel_uuid: str) -> Project:
    async with db.transaction() as session:
        project = await catalog.get_project(session, project_uuid, for_update=True)
        channel = await catalog.get_channel(session, project.uuid, channel_uuid)
        keys = list((await session.scalars(select(Asset.object_key).where(Asset.channel_uuid == channel.uuid))).all())
        project.channels.remove(channel)
        for position, other in enumerate(project.channels):
            other.position = position
    for key in keys:
        await store.delete(key)
    return project
