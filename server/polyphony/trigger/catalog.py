"""Projects and channels: from the projects file (synchronised at start) and the management API."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database, get_for_update
from polyphony.core.errors import NotFound
from polyphony.core.objects import ObjectStore
from polyphony.trigger.models import Asset, Channel, Project
from polyphony.trigger.projects_file import ProjectSpec


def canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def _sync(session: AsyncSession, specs: tuple[ProjectSpec, ...]) -> list[str]:
    """Make the file's projects equal the file; keep what the API created. Returns the object keys
    of uploaded assets whose channels disappeared (to delete once the transaction committed)."""
    existing = list((await session.scalars(select(Project).order_by(Project.position))).all())
    projects = {p.uuid: p for p in existing}
    channels = {c.uuid: c for p in existing for c in p.channels}
    wanted = {s.project_uuid for s in specs}
    spec_channels = {c.channel_uuid for s in specs for c in s.channels}
    assets = (await session.execute(select(Asset.channel_uuid, Asset.object_key))).all()
    kept: set[str] = set()
    for project in existing:
        if project.uuid not in wanted and project.source == "file":
            await session.delete(project)
        elif project.uuid not in wanted:
            kept.update(c.uuid for c in project.channels if c.uuid not in spec_channels)
    await session.flush()
    for position, spec in enumerate(specs):
        found = projects.get(spec.project_uuid)
        if found is None:
            project = Project(uuid=spec.project_uuid, position=position, path=[], label=None, channels=[])
            session.add(project)
        else:
            project = found
        project.source = "file"
        project.position = position
        project.path = list(spec.project_path)
        project.label = list(spec.project_label) if spec.project_label is not None else None
        rows = []
        for cs in spec.channels:
            channel = channels.get(cs.channel_uuid) or Channel(uuid=cs.channel_uuid)
            channel.source = "file"
            channel.label = cs.label
            channel.container_ids = list(cs.container_ids)
            channel.channel_trigger = cs.channel_trigger
            channel.files_dir = cs.files_dir
            channel.provisioning_uri = cs.provisioning_uri
            channel.lastmodified = cs.lastmodified
            channel.renderer = cs.renderer
            rows.append(channel)
        # channels the API added to a file project stay, after the file's own
        rows += [
            c
            for c in (found.channels if found is not None else [])
            if c.source == "api" and c.uuid not in spec_channels
        ]
        for cpos, channel in enumerate(rows):
            channel.position = cpos
        kept.update(c.uuid for c in rows)
        project.channels = rows
    for offset, project in enumerate(p for p in existing if p.uuid not in wanted and p.source != "file"):
        project.position = len(specs) + offset
    gone = set(channels) - kept
    return [key for channel_uuid, key in assets if channel_uuid in gone]


async def sync_projects(
    db: Database, specs: tuple[ProjectSpec, ...], attempts: int = 5, store: ObjectStore | None = None
) -> None:
    """Make the stored file projects equal the projects file (idempotent; ids are the file's UUIDs),
    keeping the projects and channels created through the API. Retried when another server process
    synchronises at the same time."""
    for attempt in range(attempts):
        try:
            async with db.transaction() as session:
                orphans = await _sync(session, specs)
            break
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    if store is not None:
        for key in orphans:
            await store.delete(key)


async def list_projects(session: AsyncSession) -> list[Project]:
    return list((await session.scalars(select(Project).order_by(Project.position))).all())


async def get_project(session: AsyncSession, project_uuid: str, *, for_update: bool = False) -> Project:
    """The project; with `for_update` locked until the write transaction ends (`core.db.get_for_update`):
    every change to a project or its channels takes that lock first, so concurrent edits serialize."""
    uid = canonical_uuid(project_uuid)
    if not uid:
        project = None
    elif for_update:
        project = await get_for_update(session, Project, uid)
    else:
        project = await session.get(Project, uid)
    if project is None:
        raise NotFound(f"no project {project_uuid!r}")
    return project


async def get_channel(session: AsyncSession, project_uuid: str, channel_uuid: str) -> Channel:
    project = await get_project(session, project_uuid)
    uid = canonical_uuid(channel_uuid)
    for channel in project.channels:
        if channel.uuid == uid:
            return channel
    raise NotFound(f"no channel {channel_uuid!r} in project {project.uuid}")
