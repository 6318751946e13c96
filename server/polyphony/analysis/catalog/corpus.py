"""Annotated corpora: analyses (player views of one analyzer output), analysis tracks (an analysis on an
item), annotation tracks and annotations (human-tagged time spans of an item).

Every write is checked field by field before anything is stored (400 naming the field): links must
exist, times must be finite, inside the item's duration and ordered, annotations of a track that does
not allow overlapping may not overlap, and an annotation may only cite results of its track's item.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.analysis.catalog import refs
from polyphony.analysis.engine.subprocessors import get_subprocessor
from polyphony.analysis.items.service import now
from polyphony.analysis.models import (
    Analysis,
    AnalysisTrack,
    Annotation,
    AnnotationResult,
    AnnotationTrack,
    Item,
    Preset,
    Result,
)
from polyphony.core.db import Database
from polyphony.core.errors import InvalidArgument, NotFound

T = TypeVar("T")
_COLOR = re.compile(r"^[0-9A-Fa-f]{6}$")
EPSILON = 1e-6


def number(raw: Mapping[str, object], name: str, *, required: bool, default: float = 0.0) -> float:
    if name not in raw:
        if required:
            raise InvalidArgument("This field is required.", field=name)
        return default
    value = raw[name]
    if value is None:
        raise InvalidArgument("This field may not be null.", field=name)
    if isinstance(value, bool):
        raise InvalidArgument("A valid number is required.", field=name)
    try:
        out = float(value) if isinstance(value, int | float | str) else math.nan
    except ValueError:
        out = math.nan
    if not math.isfinite(out):
        raise InvalidArgument("A valid number is required.", field=name)
    return out


def link(raw: Mapping[str, object], name: str, kind: str) -> str:
    return refs.uuid_or_invalid(refs.reference(raw.get(name), kind, name), name)


async def must_exist(session: AsyncSession, model: type[Any], key: str, field: str) -> Any:
    row = await session.get(model, key)
    if row is None:
        raise InvalidArgument(f'Invalid hyperlink - Object "{key}" does not exist.', field=field)
    return row


def common(row: Any, raw: Mapping[str, object], creating: bool) -> None:
    """title, description, is_public (present fields, or defaults on create)."""
    if creating or "title" in raw:
        row.title = refs.text(dict(raw), "title", 512)
    if creating or "description" in raw:
        row.description = refs.text(dict(raw), "description", None)
    if creating or "is_public" in raw:
        row.is_public = refs.boolean(dict(raw), "is_public")


def _get_or_404(row: T | None, model: str) -> T:
    if row is None:
        raise NotFound(f"No {model} matches the given query.")
    return row


@dataclass
class TrackView:
    row: AnnotationTrack
    annotations: list[str]


@dataclass
class AnnotationView:
    row: Annotation
    results: list[str]


@dataclass
class AnalysisTrackView:
    row: AnalysisTrack
    preset: Preset
    result: Result | None


class Corpus:
    def __init__(self, db: Database) -> None:
        self.db = db

    # analyses --------------------------------------------------------------------------------
    async def _analysis_fields(
        self, session: AsyncSession, row: Analysis, raw: Mapping[str, object], creating: bool
    ) -> None:
        common(row, raw, creating)
        if creating or "preset" in raw:
            row.preset_uuid = (await must_exist(session, Preset, link(raw, "preset", "presets"), "preset")).uuid
        if creating or "sub_processor" in raw:
            sub_key = refs.reference(raw.get("sub_processor"), "subprocessors", "sub_processor")
            try:
                row.sub_processor_id = get_subprocessor(sub_key).sub_processor_id
            except NotFound:
                raise InvalidArgument(
                    f'Invalid hyperlink - Object "{sub_key}" does not exist.', field="sub_processor"
                ) from None
        preset = await session.get(Preset, row.preset_uuid)
        if preset is not None and get_subprocessor(row.sub_processor_id).processor.pid != preset.processor_pid:
            raise InvalidArgument(
                f"{row.sub_processor_id} is not an output of the preset's processor {preset.processor_pid}.",
                field="sub_processor",
            )
        if creating or "render_type" in raw:
            render = raw.get("render_type", 0)
            if isinstance(render, bool) or render not in (0, 1):
                raise InvalidArgument(f'"{render}" is not a valid choice.', field="render_type")
            row.render_type = int(render)  # type: ignore[call-overload]
        if creating or "featured" in raw:
            row.featured = refs.boolean(dict(raw), "featured", False)

    async def create_analysis(self, raw: Mapping[str, object]) -> Analysis:
        stamp = now()
        row = Analysis(uuid=str(uuid.uuid4()), date_added=stamp, date_modified=stamp)
        async with self.db.transaction() as session:
            await self._analysis_fields(session, row, raw, True)
            session.add(row)
        return row

    async def update_analysis(self, key: str, raw: Mapping[str, object]) -> Analysis:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, Analysis, key, "Analysis", lock=True)
            await self._analysis_fields(session, row, raw, False)
            row.date_modified = now()
        return row

    async def get_analysis(self, key: str) -> Analysis:
        async with self.db.session() as session:
            return await refs.row_or_404(session, Analysis, key, "Analysis")

    async def list_analyses(self) -> list[Analysis]:
        async with self.db.session() as session:
            return list((await session.scalars(select(Analysis).order_by(Analysis.date_added, Analysis.uuid))).all())

    async def delete_analysis(self, key: str) -> None:
        await self._delete(Analysis, key, "Analysis")

    async def _delete(self, model: type[Any], key: str, name: str) -> None:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, model, key, name)
            await session.delete(row)

    # analysis tracks ---------------------------------------------------------------------------
    async def _analysis_track_fields(
        self, session: AsyncSession, row: AnalysisTrack, raw: Mapping[str, object], creating: bool
    ) -> None:
        common(row, raw, creating)
        if creating or "analysis" in raw:
            row.analysis_uuid = (
                await must_exist(session, Analysis, link(raw, "analysis", "analysis"), "analysis")
            ).uuid
        if creating or "item" in raw:
            row.item_uuid = (await must_exist(session, Item, link(raw, "item", "items"), "item")).uuid
        if creating or "color" in raw:
            color = refs.text(dict(raw), "color", 6)
            if color and not _COLOR.match(color):
                raise InvalidArgument("Enter six hexadecimal digits, e.g. ff8800.", field="color")
            row.color = color.lower()

    async def _track_view(self, session: AsyncSession, row: AnalysisTrack) -> AnalysisTrackView:
        analysis = await session.get(Analysis, row.analysis_uuid)
        preset = await session.get(Preset, analysis.preset_uuid) if analysis is not None else None
        if preset is None:
            raise NotFound("No AnalysisTrack matches the given query.")
        result = await session.scalar(
            select(Result).where(Result.item_uuid == row.item_uuid, Result.preset_uuid == preset.uuid)
        )
        return AnalysisTrackView(row, preset, result)

    async def create_analysis_track(self, raw: Mapping[str, object]) -> AnalysisTrackView:
        stamp = now()
        row = AnalysisTrack(uuid=str(uuid.uuid4()), date_added=stamp, date_modified=stamp)
        async with self.db.transaction() as session:
            await self._analysis_track_fields(session, row, raw, True)
            session.add(row)
            await session.flush()
            return await self._track_view(session, row)

    async def update_analysis_track(self, key: str, raw: Mapping[str, object]) -> AnalysisTrackView:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, AnalysisTrack, key, "AnalysisTrack", lock=True)
            await self._analysis_track_fields(session, row, raw, False)
            row.date_modified = now()
            await session.flush()
            return await self._track_view(session, row)

    async def repoint_analysis_track(self, key: str, preset_uuid: str) -> AnalysisTrackView:
        """Move a track to the analysis of `preset_uuid` with its current sub-processor (a copy of its current
        analysis is made for that preset if there is none yet)."""
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, AnalysisTrack, key, "AnalysisTrack", lock=True)
            current = _get_or_404(await session.get(Analysis, row.analysis_uuid), "AnalysisTrack")
            if current.preset_uuid != preset_uuid:
                target = await session.scalar(
                    select(Analysis)
                    .where(Analysis.preset_uuid == preset_uuid, Analysis.sub_processor_id == current.sub_processor_id)
                    .order_by(Analysis.date_added, Analysis.uuid)
                    .limit(1)
                )
                if target is None:
                    stamp = now()
                    target = Analysis(
                        uuid=str(uuid.uuid4()),
                        title=current.title,
                        description=current.description,
                        preset_uuid=preset_uuid,
                        sub_processor_id=current.sub_processor_id,
                        render_type=current.render_type,
                        featured=current.featured,
                        is_public=current.is_public,
                        date_added=stamp,
                        date_modified=stamp,
                    )
                    session.add(target)
                    await session.flush()
                row.analysis_uuid, row.date_modified = target.uuid, now()
                await session.flush()
            return await self._track_view(session, row)

    async def get_analysis_track(self, key: str) -> AnalysisTrackView:
        async with self.db.session() as session:
            row = await refs.row_or_404(session, AnalysisTrack, key, "AnalysisTrack")
            return await self._track_view(session, row)

    async def list_analysis_tracks(self, analysis: str | None, item: str | None) -> list[AnalysisTrackView]:
        stmt = select(AnalysisTrack).order_by(AnalysisTrack.date_added, AnalysisTrack.uuid)
        if analysis:
            stmt = stmt.where(AnalysisTrack.analysis_uuid == refs.reference(analysis, "analysis", "analysis"))
        if item:
            stmt = stmt.where(AnalysisTrack.item_uuid == refs.reference(item, "items", "item"))
        async with self.db.session() as session:
            return [await self._track_view(session, r) for r in (await session.scalars(stmt)).all()]

    async def delete_analysis_track(self, key: str) -> None:
        await self._delete(AnalysisTrack, key, "AnalysisTrack")

    # annotation tracks -------------------------------------------------------------------------
    async def _annotation_track_fields(
        self, session: AsyncSession, row: AnnotationTrack, raw: Mapping[str, object], creating: bool
    ) -> None:
        common(row, raw, creating)
        if creating or "item" in raw:
            new_item = link(raw, "item", "items")
            await must_exist(session, Item, new_item, "item")
            if not creating and new_item != row.item_uuid and await self._annotation_keys(session, row.uuid):
                raise InvalidArgument("The item of a track that has annotations cannot change.", field="item")
            row.item_uuid = new_item
        if creating or "overlapping" in raw:
            row.overlapping = refs.boolean(dict(raw), "overlapping", False)
            if not creating and not row.overlapping and await self._any_overlap(session, row.uuid):
                raise InvalidArgument("The track's annotations overlap.", field="overlapping")
        if creating or "start_time" in raw:
            row.start_time = number(raw, "start_time", required=False)
            item = await session.get(Item, row.item_uuid)
            duration = item.audio_duration if item is not None else None
            if row.start_time < 0 or (duration is not None and row.start_time > duration + EPSILON):
                raise InvalidArgument(
                    f"Ensure this value is between 0 and the item's duration ({duration} s).", field="start_time"
                )

    async def _annotation_keys(self, session: AsyncSession, track: str) -> list[str]:
        return list(
            (
                await session.scalars(
                    select(Annotation.uuid)
                    .where(Annotation.track_uuid == track)
                    .order_by(Annotation.start_time, Annotation.stop_time, Annotation.uuid)
                )
            ).all()
        )

    async def _any_overlap(self, session: AsyncSession, track: str) -> bool:
        spans = (
            await session.execute(
                select(Annotation.start_time, Annotation.stop_time)
                .where(Annotation.track_uuid == track)
                .order_by(Annotation.start_time)
            )
        ).all()
        reach = -math.inf
        for start, stop in spans:
            if start < reach - EPSILON:
                return True
            reach = max(reach, stop)
        return False

    async def create_annotation_track(self, raw: Mapping[str, object], *, author: str | None = None) -> TrackView:
        stamp = now()
        row = AnnotationTrack(uuid=str(uuid.uuid4()), date_added=stamp, date_modified=stamp, author=author)
        async with self.db.transaction() as session:
            await self._annotation_track_fields(session, row, raw, True)
            session.add(row)
        return TrackView(row, [])

    async def update_annotation_track(self, key: str, raw: Mapping[str, object]) -> TrackView:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, AnnotationTrack, key, "AnnotationTrack", lock=True)
            await self._annotation_track_fields(session, row, raw, False)
            row.date_modified = now()
            return TrackView(row, await self._annotation_keys(session, row.uuid))

    async def get_annotation_track(self, key: str) -> TrackView:
        async with self.db.session() as session:
            row = await refs.row_or_404(session, AnnotationTrack, key, "AnnotationTrack")
            return TrackView(row, await self._annotation_keys(session, row.uuid))

    async def list_annotation_tracks(
        self, item: str | None, *, see_all: bool = True, owner: str | None = None
    ) -> list[TrackView]:
        """Annotation tracks, oldest first: all of them (`see_all`, server tokens), else the public ones and
        those `owner` (a username, None for anonymous callers) created, as TimeSide lists them."""
        stmt = select(AnnotationTrack).order_by(AnnotationTrack.date_added, AnnotationTrack.uuid)
        if not see_all:
            visible = AnnotationTrack.is_public.is_(True)
            stmt = stmt.where(visible | (AnnotationTrack.author == owner) if owner else visible)
        if item:
            stmt = stmt.where(AnnotationTrack.item_uuid == refs.reference(item, "items", "item_uuid"))
        async with self.db.session() as session:
            return [
                TrackView(r, await self._annotation_keys(session, r.uuid)) for r in (await session.scalars(stmt)).all()
            ]

    async def delete_annotation_track(self, key: str) -> None:
        await self._delete(AnnotationTrack, key, "AnnotationTrack")

    async def item_tracks(self, item_uuid: str) -> tuple[list[str], list[str]]:
        """(analysis track uuids, annotation track uuids) of an item, oldest first."""
        async with self.db.session() as session:
            analysis = (
                await session.scalars(
                    select(AnalysisTrack.uuid)
                    .where(AnalysisTrack.item_uuid == item_uuid)
                    .order_by(AnalysisTrack.date_added, AnalysisTrack.uuid)
                )
            ).all()
            annotation = (
                await session.scalars(
                    select(AnnotationTrack.uuid)
                    .where(AnnotationTrack.item_uuid == item_uuid)
                    .order_by(AnnotationTrack.date_added, AnnotationTrack.uuid)
                )
            ).all()
        return list(analysis), list(annotation)

    # annotations -------------------------------------------------------------------------------
    async def _annotation_fields(
        self, session: AsyncSession, row: Annotation, raw: Mapping[str, object], creating: bool
    ) -> list[str] | None:
        common(row, raw, creating)
        if creating or "track" in raw:
            row.track_uuid = (
                await must_exist(session, AnnotationTrack, link(raw, "track", "annotation_tracks"), "track")
            ).uuid
        track = _get_or_404(await session.get(AnnotationTrack, row.track_uuid), "AnnotationTrack")
        item = await session.get(Item, track.item_uuid)
        if creating or "start_time" in raw:
            row.start_time = number(raw, "start_time", required=True)
        if creating or "stop_time" in raw:
            row.stop_time = number(raw, "stop_time", required=True)
        duration = item.audio_duration if item is not None else None
        if row.start_time < 0:
            raise InvalidArgument("Ensure this value is greater than or equal to 0.", field="start_time")
        if row.stop_time <= row.start_time:
            raise InvalidArgument("stop_time must be after start_time.", field="stop_time")
        if duration is not None and row.stop_time > duration + EPSILON:
            raise InvalidArgument(
                f"Ensure this value is at most the item's duration ({duration} s).", field="stop_time"
            )
        if not track.overlapping:
            clash = await session.scalar(
                select(Annotation.uuid).where(
                    Annotation.track_uuid == track.uuid,
                    Annotation.uuid != row.uuid,
                    Annotation.start_time < row.stop_time - EPSILON,
                    Annotation.stop_time > row.start_time + EPSILON,
                )
            )
            if clash is not None:
                raise InvalidArgument(
                    f"Overlaps annotation {clash} on a track that does not allow overlapping.", field="start_time"
                )
        if not creating and "results" not in raw:
            return None
        results = refs.references(raw.get("results", []), "results", "results")
        for key in results:
            result = await must_exist(session, Result, key, "results")
            if result.item_uuid != track.item_uuid:
                raise InvalidArgument(f"Result {key} is not a result of the track's item.", field="results")
        return results

    async def _results(self, session: AsyncSession, key: str) -> list[str]:
        return list(
            (
                await session.scalars(
                    select(AnnotationResult.result_uuid)
                    .where(AnnotationResult.annotation_uuid == key)
                    .order_by(AnnotationResult.position)
                )
            ).all()
        )

    async def _save_annotation(self, session: AsyncSession, row: Annotation, results: list[str] | None) -> None:
        if results is None:
            return
        await session.execute(delete(AnnotationResult).where(AnnotationResult.annotation_uuid == row.uuid))
        session.add_all(
            [AnnotationResult(annotation_uuid=row.uuid, result_uuid=k, position=i) for i, k in enumerate(results)]
        )

    async def create_annotation(self, raw: Mapping[str, object]) -> AnnotationView:
        stamp = now()
        row = Annotation(uuid=str(uuid.uuid4()), date_added=stamp, date_modified=stamp)
        async with self.db.transaction() as session:
            results = await self._annotation_fields(session, row, raw, True)
            session.add(row)
            await session.flush()
            await self._save_annotation(session, row, results)
        return AnnotationView(row, results or [])

    async def update_annotation(self, key: str, raw: Mapping[str, object]) -> AnnotationView:
        async with self.db.transaction() as session:
            row = await refs.row_or_404(session, Annotation, key, "Annotation", lock=True)
            results = await self._annotation_fields(session, row, raw, False)
            row.date_modified = now()
            await self._save_annotation(session, row, results)
            await session.flush()
            return AnnotationView(row, await self._results(session, row.uuid))

    async def get_annotation(self, key: str) -> AnnotationView:
        async with self.db.session() as session:
            row = await refs.row_or_404(session, Annotation, key, "Annotation")
            return AnnotationView(row, await self._results(session, row.uuid))

    async def list_annotations(self, track: str | None) -> list[AnnotationView]:
        stmt = select(Annotation).order_by(
            Annotation.track_uuid, Annotation.start_time, Annotation.stop_time, Annotation.uuid
        )
        if track:
            stmt = stmt.where(Annotation.track_uuid == refs.reference(track, "annotation_tracks", "track_uuid"))
        async with self.db.session() as session:
            return [
                AnnotationView(r, await self._results(session, r.uuid)) for r in (await session.scalars(stmt)).all()
            ]

    async def delete_annotation(self, key: str) -> None:
        await self._delete(Annotation, key, "Annotation")
