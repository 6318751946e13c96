"""Profiles: immutable, reusable technical Flow metadata (`/service/profiles`)."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.flow import schemas
from polyphony.flow.clock import now_us, rfc3339
from polyphony.flow.models import ProfileRow


def render(row: ProfileRow) -> dict[str, Any]:
    doc = copy.deepcopy(row.document)
    doc["created"] = rfc3339(row.created_us)
    return doc


async def create_profile(session: AsyncSession, body: dict[str, Any]) -> dict[str, Any]:
    doc = {k: v for k, v in body.items() if k != "created"}
    schemas.check("profile.json", doc, what="profile")
    if await session.get(ProfileRow, doc["id"]) is not None:
        # Profiles are immutable: the spec answers 400 for an attempt to update one.
        raise InvalidArgument(f"profile {doc['id']} already exists and profiles cannot be changed", field="id")
    row = ProfileRow(id=doc["id"], created_us=now_us(), document=doc)
    session.add(row)
    await session.flush()
    return render(row)


async def get_profile(session: AsyncSession, profile_id: str) -> dict[str, Any]:
    if not schemas.is_uuid(profile_id):
        raise NotFound(f"profile id {profile_id!r} in the path is not a valid UUID")
    row = await session.get(ProfileRow, profile_id)
    if row is None:
        raise NotFound(f"profile {profile_id} does not exist")
    return render(row)


async def flow_metadata(session: AsyncSession, profile_id: str) -> dict[str, Any]:
    """The technical metadata a Flow created from `profile_id` takes (400 when there is no such Profile)."""
    row = await session.get(ProfileRow, profile_id)
    if row is None:
        raise InvalidArgument(f"profile {profile_id} does not exist", field="profile_id")
    metadata: dict[str, Any] = row.document["flow_metadata"]
    return metadata
