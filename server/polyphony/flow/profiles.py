"""Profiles: immutable, reusable technical Flow metadata (`/service/profiles`)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.core.errors import InvalidArgument, NotFound
from polyphony.flow import principal, schemas
from polyphony.flow.clock import now_us, rfc3339
from polyphony.flow.keyset import Page, after_condition
from polyphony.flow.models import ProfileRow

# The formats a Profile may describe: the multi format is not applicable to Profiles (the spec's HEAD
# /service/profiles parameter lists these four; GET accepts content-format.json, which adds multi and
# therefore matches no Profile).
PROFILE_FORMATS = (
    "urn:x-nmos:format:video",
    "urn:x-tam:format:image",
    "urn:x-nmos:format:audio",
    "urn:x-nmos:format:data",
)
LISTABLE_FORMATS = (*PROFILE_FORMATS, "urn:x-nmos:format:multi")


def render(row: ProfileRow) -> dict[str, Any]:
    doc = copy.deepcopy(row.document)
    doc["created"] = rfc3339(row.created_us)
    return doc


def check_profile_id(profile_id: str) -> None:
    """The spec answers 404 ("the requested Profile ID in the path is invalid") for a malformed path id."""
    if not schemas.is_uuid(profile_id):
        raise NotFound(f"profile id {profile_id!r} in the path is not a valid UUID")


async def create_profile(session: AsyncSession, profile_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /service/profiles/{profileId}: register a new Profile (never replace one: 400)."""
    check_profile_id(profile_id)
    doc = {k: v for k, v in body.items() if k != "created"}  # `created` is managed here (profile.json)
    doc.setdefault("id", profile_id)
    if doc["id"] != profile_id:
        raise InvalidArgument(f"body id {doc['id']} does not match the profile id {profile_id} in the path", field="id")
    by = principal.of(session)
    if by is not None:
        doc.setdefault("created_by", by)
    schemas.check("profile.json", doc, what="profile")
    if await session.get(ProfileRow, profile_id) is not None:
        # Profiles are immutable: the spec answers 400 for an attempt to update one.
        raise InvalidArgument(f"profile {profile_id} already exists and profiles cannot be changed", field="id")
    metadata = doc["flow_metadata"]
    row = ProfileRow(
        id=profile_id,
        created_us=now_us(),
        document=doc,
        format=metadata.get("format"),
        codec=metadata.get("codec"),
        label=doc.get("label"),
    )
    session.add(row)
    await session.flush()
    return render(row)


async def get_profile(session: AsyncSession, profile_id: str) -> dict[str, Any]:
    check_profile_id(profile_id)
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


# ---- listing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileQuery:
    format: str | None = None
    codec: str | None = None
    label: str | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.format is not None and self.format not in LISTABLE_FORMATS:
            raise InvalidArgument(f"unknown format {self.format!r}", field="format")
        if self.codec is not None:
            schemas.check("mime-type.json", self.codec, what="codec")

    def scope(self) -> str:
        parts = [self.format, self.codec, self.label, self.limit]
        return "profiles|" + "|".join("" if p is None else str(p) for p in parts)


async def list_profiles(session: AsyncSession, query: ProfileQuery, after: dict[str, Any] | None) -> Page:
    """Profiles matching `query`, newest first, keyset-paged on (created, id)."""
    conds: list[ColumnElement[bool]] = []
    for column, value in (
        (ProfileRow.format, query.format),
        (ProfileRow.codec, query.codec),
        (ProfileRow.label, query.label),
    ):
        if value is not None:
            conds.append(column == value)
    conds += after_condition(ProfileRow.created_us, ProfileRow.id, after)
    rows: Sequence[ProfileRow] = (
        await session.scalars(
            select(ProfileRow)
            .where(*conds)
            .order_by(ProfileRow.created_us.desc(), ProfileRow.id.desc())
            .limit(query.limit + 1)
        )
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    nxt = {"c": rows[-1].created_us, "i": rows[-1].id} if more and rows else None
    return Page([render(r) for r in rows], nxt)
