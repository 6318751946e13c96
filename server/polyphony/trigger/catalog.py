"""Projects and channels: mirrored from the projects file into the database, read back for requests."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.db import Database
from polyphony.core.errors import NotFound
from polyphony.trigger.models import Channel, Project
from polyphony.trigger.projects_file import ProjectSpec


def canonical_uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


async def _sync(session: AsyncSession, specs: tuple[ProjectSpec, ...]) -> None:
    projects = {p.uuid: p for p in (await session.scalars(select(Project))).all()}
    channels = {c.uuid: c for p in projects.values() for c in p.channels}
    wanted = {s.project_uuid for s in specs}
    for project in list(projects.values()):
        if project.uuid not in wanted:
            await session.delete(project)
    await session.flush()
    for position, spec in enumerate(specs):
        found = projects.get(spec.project_uuid)
        if found is None:
            project = Project(uuid=spec.project_uuid, position=position, path=[], label=None, channels=[])
            session.add(project)
        else:
            project = found
        project.position = position
        project.path = list(spec.project_path)
        project.label = list(spec.project_label) if spec.project_label is not None else None
        rows = []
        for cpos, cs in enumerate(spec.channels):
            channel = channels.get(cs.channel_uuid) or Channel(uuid=cs.channel_uuid)
            channel.position = cpos
            channel.label = cs.label
            channel.container_ids = list(cs.container_ids)
            channel.channel_trigger = cs.channel_trigger
            channel.files_dir = cs.files_dir
            channel.provisioning_uri = cs.provisioning_uri
            channel.lastmodified = cs.lastmodified
            channel.renderer = cs.renderer
            rows.append(channel)
        project.channels = rows


async def sync_projects(db: Database, specs: tuple[ProjectSpec, ...], attempts: int = 5) -> None:
    """Make the stored projects equal the projects file (idempotent; ids are the file's UUIDs).
    Retried when another server process synchronises at the same time."""
    for attempt in range(attempts):
        try:
            async with db.transaction() as session:
                await _sync(session, specs)
            return
        except IntegrityError:
            if attempt == attempts - 1:
                raise


async def list_projects(session: AsyncSession) -> list[Project]:
    return list((await session.scalars(select(Project).order_by(Project.position))).all())


async def get_project(session: AsyncSession, project_uuid: str) -> Project:
    uid = canonical_uuid(project_uuid)
    project = await session.get(Project, uid) if uid else None
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
