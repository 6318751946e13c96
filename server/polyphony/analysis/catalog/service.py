"""Processors (synced to the database), presets (normalized, one per distinct parameters),
experiences (sets of presets) and selections (sets of items and nested selections)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.analysis.catalog import refs
from polyphony.analysis.engine.processors import (
    REGISTRY,
    Processor,
    get_processor,
    normalize_parameters,
    parameters_digest,
)
from polyphony.analysis.items.service import now
from polyphony.analysis.models import (
    Experience,
    ExperiencePreset,
    Item,
    Preset,
    ProcessorRow,
    Result,
    Selection,
    SelectionChild,
    SelectionItem,
)
from polyphony.core.db import Database, get_for_update
from polyphony.core.errors import Conflict, InvalidArgument, NotFound


@dataclass
class ExperienceView:
    row: Experience
    presets: list[str]


@dataclass
class SelectionView:
    row: Selection
    items: list[str]
    selections: list[str]


def processor_field(value: object) -> Processor:
    pid = refs.reference(value, "processors", "processor")
    try:
        return get_processor(pid)
    except NotFound:
        raise InvalidArgument(f"Object with pid={pid} does not exist.", field="processor") from None


class Catalog:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.processor_uuids: dict[str, str] = {}

    # processors ------------------------------------------------------------------------------
    async def sync_processors(self) -> None:
        """Make sure every registry processor version has its row (and a stable uuid)."""
        async with self.db.transaction() as session:
            rows = {(r.pid, r.version): r for r in (await session.scalars(select(ProcessorRow))).all()}
            for p in REGISTRY.values():
                row = rows.get((p.pid, p.version))
                if row is None:
                    row = ProcessorRow(uuid=str(uuid.uuid4()), pid=p.pid, version=p.version)
                    session.add(row)
                row.name, row.description, row.parameters_schema = p.name, p.description, p.parameters_schema
                self.processor_uuids[p.pid] = row.uuid

    # presets -------------------------------------------------------------------------------
    async def create_preset(self, raw: Mapping[str, object]) -> tuple[Preset, bool]:
        """(preset, created): an equal preset (same processor version and normalized parameters) is reused."""
        processor = processor_field(raw.get("processor"))
        params = normalize_parameters(processor, raw.get("parameters", {}) or {})
        is_public = refs.boolean(dict(raw), "is_public")
        digest = parameters_digest(processor.pid, processor.version, params)
        existing = await self._preset_by_digest(digest)
        if existing is not None:
            return existing, False
        stamp = now()
        preset = Preset(
            uuid=str(uuid.uuid4()),
            processor_pid=processor.pid,
            processor_version=processor.version,
            parameters=params,
            digest=digest,
            is_public=is_public,
            date_added=stamp,
            date_modified=stamp,
        )
        try:
            async with self.db.transaction() as session:
                session.add(preset)
        except IntegrityError:  # created concurrently: the other one is the preset
            existing = await self._preset_by_digest(digest)
            if existing is None:
                raise
            return existing, False
        return preset, True

    async def update_preset(self, key: str, raw: Mapping[str, object]) -> tuple[Preset, list[str]]:
        """PUT/PATCH: the fields present replace their value. Returns the preset and the container keys of the
        results it loses (computed with its old processor or parameters) for the caller to delete."""
        preset = await self.get_preset(key)
        stale: list[str] = []
        async with self.db.transaction() as session:
            # the fields the request leaves out keep the values of the locked row, never of an earlier read
            row = await get_for_update(session, Preset, preset.uuid)
            if row is None:
                raise NotFound("No Preset matches the given query.")
            if "processor" in raw:
                processor = processor_field(raw.get("processor"))
            else:
                processor = REGISTRY.get(row.processor_pid) or processor_field(row.processor_pid)
            if "parameters" in raw:
                given = raw.get("parameters") or {}
            else:
                given = row.parameters if processor.pid == row.processor_pid else {}
            params = normalize_parameters(processor, given)
            is_public = refs.boolean(dict(raw), "is_public", row.is_public)
            digest = parameters_digest(processor.pid, processor.version, params)
            if digest != row.digest:
                other = await session.scalar(select(Preset.uuid).where(Preset.digest == digest))
                if other is not None:
                    raise Conflict(f"An equal preset already exists: {other}.", field="parameters")
                stale = [
                    k
                    for k in (
                        await session.scalars(
                            select(Result.file_key).where(Result.preset_uuid == row.uuid, Result.file_key.is_not(None))
                        )
                    ).all()
                    if k is not None
                ]
                await session.execute(delete(Result).where(Result.preset_uuid == row.uuid))
                row.processor_pid, row.processor_version = processor.pid, processor.version
                row.parameters, row.digest = params, digest
            row.is_public, row.date_modified = is_public, now()
        return row, stale

    async def _preset_by_digest(self, digest: str) -> Preset | None:
        async with self.db.session() as session:
            return await session.scalar(select(Preset).where(Preset.digest == digest))

    async def list_presets(self) -> list[Preset]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Preset).order_by(Preset.date_added, Preset.uuid))).all())

    async def get_preset(self, key: str) -> Preset:
        async with self.db.session() as session:
            preset = await session.get(Preset, refs.uuid_or_404(key, "Preset"))
        if preset is None:
            raise NotFound("No Preset matches the given query.")
        return preset

    # experiences ---------------------------------------------------------------------------
    async def _preset_keys(self, session: AsyncSession, raw: object) -> list[str]:
        keys = refs.references(raw, "presets", "presets")
        for key in keys:
            if await session.get(Preset, key) is None:
                raise InvalidArgument(f'Invalid hyperlink - Object "{key}" does not exist.', field="presets")
        return keys

    async def create_experience(self, raw: dict[str, object], *, author: str | None = None) -> ExperienceView:
        row = _new_common(Experience, raw, author)
        async with self.db.transaction() as session:
            keys = await self._preset_keys(session, raw.get("presets", []))
            session.add(row)
            await session.flush()
            session.add_all(
                [ExperiencePreset(experience_uuid=row.uuid, preset_uuid=k, position=i) for i, k in enumerate(keys)]
            )
        return ExperienceView(row, keys)

    async def update_experience(self, key: str, raw: dict[str, object]) -> ExperienceView:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, Experience, key, "Experience", lock=True)
            _patch_common(row, raw)
            if "presets" in raw:
                keys = await self._preset_keys(session, raw["presets"])
                await session.execute(delete(ExperiencePreset).where(ExperiencePreset.experience_uuid == row.uuid))
                session.add_all(
                    [ExperiencePreset(experience_uuid=row.uuid, preset_uuid=k, position=i) for i, k in enumerate(keys)]
                )
            row.date_modified = now()
        return await self.get_experience(row.uuid)

    async def experience_for_preset(self, preset: Preset) -> str:
        """TimeSide's per-preset "single experience", made on demand."""
        async with self.db.session() as session:
            found = await session.scalar(select(Experience.uuid).where(Experience.single_preset == preset.uuid))
        if found is not None:
            return found
        stamp = now()
        row = Experience(
            uuid=str(uuid.uuid4()),
            title=f"{preset.processor_pid} ({preset.uuid})",
            description="",
            is_public=preset.is_public,
            single_preset=preset.uuid,
            date_added=stamp,
            date_modified=stamp,
        )
        try:
            async with self.db.transaction() as session:
                session.add(row)
                await session.flush()
                session.add(ExperiencePreset(experience_uuid=row.uuid, preset_uuid=preset.uuid, position=0))
        except IntegrityError:
            async with self.db.session() as session:
                found = await session.scalar(select(Experience.uuid).where(Experience.single_preset == preset.uuid))
            if found is None:
                raise
            return found
        return row.uuid

    async def _experience_presets(self, session: AsyncSession, key: str) -> list[str]:
        stmt = (
            select(ExperiencePreset.preset_uuid)
            .where(ExperiencePreset.experience_uuid == key)
            .order_by(ExperiencePreset.position)
        )
        return list((await session.scalars(stmt)).all())

    async def get_experience(self, key: str) -> ExperienceView:
        async with self.db.session() as session:
            row = await session.get(Experience, refs.uuid_or_404(key, "Experience"))
            if row is None:
                raise NotFound("No Experience matches the given query.")
            return ExperienceView(row, await self._experience_presets(session, row.uuid))

    async def list_experiences(self) -> list[ExperienceView]:
        async with self.db.session() as session:
            rows = (
                await session.scalars(
                    select(Experience)
                    .where(Experience.single_preset.is_(None))
                    .order_by(Experience.date_added, Experience.uuid)
                )
            ).all()
            return [ExperienceView(r, await self._experience_presets(session, r.uuid)) for r in rows]

    async def delete_experience(self, key: str) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Experience, refs.uuid_or_404(key, "Experience"))
            if row is None:
                raise NotFound("No Experience matches the given query.")
            await session.delete(row)

    async def experience_presets(self, key: str) -> list[Preset]:
        async with self.db.session() as session:
            keys = await self._experience_presets(session, key)
            presets = [await session.get(Preset, k) for k in keys]
        return [p for p in presets if p is not None]

    # selections ----------------------------------------------------------------------------
    async def _members(
        self, session: AsyncSession, raw: dict[str, object], own: str | None
    ) -> tuple[list[str], list[str]]:
        items = refs.references(raw.get("items", []), "items", "items")
        for key in items:
            if await session.get(Item, key) is None:
                raise InvalidArgument(f'Invalid hyperlink - Object "{key}" does not exist.', field="items")
        children = refs.references(raw.get("selections", []), "selections", "selections")
        for key in children:
            if await session.get(Selection, key) is None:
                raise InvalidArgument(f'Invalid hyperlink - Object "{key}" does not exist.', field="selections")
            if own is not None and (key == own or own in await self._descendants(session, key)):
                raise InvalidArgument("A selection cannot contain itself.", field="selections")
        return items, children

    async def _descendants(self, session: AsyncSession, key: str) -> set[str]:
        seen: set[str] = set()
        todo = [key]
        while todo:
            current = todo.pop()
            for child in (
                await session.scalars(select(SelectionChild.child_uuid).where(SelectionChild.parent_uuid == current))
            ).all():
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    async def create_selection(self, raw: dict[str, object], *, author: str | None = None) -> SelectionView:
        row = _new_common(Selection, raw, author)
        async with self.db.transaction() as session:
            items, children = await self._members(session, raw, None)
            session.add(row)
            await session.flush()
            self._add_members(session, row.uuid, items, children)
        return SelectionView(row, items, children)

    @staticmethod
    def _add_members(session: AsyncSession, key: str, items: list[str], children: list[str]) -> None:
        session.add_all([SelectionItem(selection_uuid=key, item_uuid=k, position=i) for i, k in enumerate(items)])
        session.add_all([SelectionChild(parent_uuid=key, child_uuid=k, position=i) for i, k in enumerate(children)])

    async def update_selection(self, key: str, raw: dict[str, object]) -> SelectionView:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, Selection, key, "Selection", lock=True)
            _patch_common(row, raw)
            items, children = await self._members(session, raw, row.uuid)
            if "items" in raw:
                await session.execute(delete(SelectionItem).where(SelectionItem.selection_uuid == row.uuid))
            if "selections" in raw:
                await session.execute(delete(SelectionChild).where(SelectionChild.parent_uuid == row.uuid))
            await session.flush()
            self._add_members(
                session, row.uuid, items if "items" in raw else [], children if "selections" in raw else []
            )
            row.date_modified = now()
        return await self.get_selection(row.uuid)

    async def _view(self, session: AsyncSession, row: Selection) -> SelectionView:
        items = (
            await session.scalars(
                select(SelectionItem.item_uuid)
                .where(SelectionItem.selection_uuid == row.uuid)
                .order_by(SelectionItem.position)
            )
        ).all()
        children = (
            await session.scalars(
                select(SelectionChild.child_uuid)
                .where(SelectionChild.parent_uuid == row.uuid)
                .order_by(SelectionChild.position)
            )
        ).all()
        return SelectionView(row, list(items), list(children))

    async def get_selection(self, key: str) -> SelectionView:
        async with self.db.session() as session:
            row = await session.get(Selection, refs.uuid_or_404(key, "Selection"))
            if row is None:
                raise NotFound("No Selection matches the given query.")
            return await self._view(session, row)

    async def list_selections(self) -> list[SelectionView]:
        async with self.db.session() as session:
            rows = (await session.scalars(select(Selection).order_by(Selection.date_added, Selection.uuid))).all()
            return [await self._view(session, r) for r in rows]

    async def delete_selection(self, key: str) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Selection, refs.uuid_or_404(key, "Selection"))
            if row is None:
                raise NotFound("No Selection matches the given query.")
            await session.delete(row)

    async def all_items(self, key: str) -> list[str]:
        """Own items then the items of nested selections, recursively, each once."""
        out: list[str] = []
        seen: set[str] = set()
        async with self.db.session() as session:

            async def walk(current: str) -> None:
                if current in seen:
                    return
                seen.add(current)
                view = await self._view(session, Selection(uuid=current))
                for item in view.items:
                    if item not in out:
                        out.append(item)
                for child in view.selections:
                    await walk(child)

            await walk(key)
        return out


_Common = TypeVar("_Common", Experience, Selection)


def _new_common(kind: type[_Common], raw: dict[str, object], author: str | None) -> _Common:
    """A new experience or selection from the title/description/is_public fields they share (POST)."""
    stamp = now()
    return kind(
        uuid=str(uuid.uuid4()),
        title=refs.text(raw, "title", 512),
        description=refs.text(raw, "description", None),
        is_public=refs.boolean(raw, "is_public"),
        date_added=stamp,
        date_modified=stamp,
        author=author,
    )


def _patch_common(row: Experience | Selection, raw: dict[str, object]) -> None:
    """Apply the title/description/is_public fields experiences and selections share (PUT/PATCH)."""
    if "title" in raw:
        row.title = refs.text(raw, "title", 512)
    if "description" in raw:
        row.description = refs.text(raw, "description", None)
    if "is_public" in raw:
        row.is_public = refs.boolean(raw, "is_public")
