"""Portable archives of the analysis service: export everything to one zip, import it elsewhere.

Layout: `manifest.json` (format, version, every table's rows, and the stored files with their SHA-256)
and `objects/<object key>` for each item's audio and each result's container. UUIDs, object keys and
every link are kept, so an archive imported into a fresh server gives the same resources.

Import is idempotent and atomic: the body is spooled to a temporary file; the manifest is checked
(known tables and columns, well-formed uuids, links that resolve inside the archive or in the target
database); files are copied into the object store with their SHA-256 verified; then all rows are
inserted in one transaction, rows whose primary key already exists being kept. Any failure rolls the
transaction back and removes the files this import wrote, so a broken archive imports nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import tempfile
import uuid
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, insert, select, tuple_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.analysis.models import (
    Analysis,
    AnalysisTrack,
    Annotation,
    AnnotationResult,
    AnnotationTrack,
    Experience,
    ExperiencePreset,
    Item,
    Preset,
    Result,
    Selection,
    SelectionChild,
    SelectionItem,
    Task,
)
from polyphony.core.db import Base, Database
from polyphony.core.errors import InvalidArgument
from polyphony.core.objects import ObjectStore

FORMAT = "polyphony-timeside-archive"
VERSION = 1
FIELD = "archive"
CHUNK = 256 * 1024
# Dependency order: a table only refers to tables before it.
TABLES: list[tuple[str, type[Base]]] = [
    ("items", Item),
    ("presets", Preset),
    ("experiences", Experience),
    ("experience_presets", ExperiencePreset),
    ("selections", Selection),
    ("selection_items", SelectionItem),
    ("selection_children", SelectionChild),
    ("tasks", Task),
    ("results", Result),
    ("analyses", Analysis),
    ("analysis_tracks", AnalysisTrack),
    ("annotation_tracks", AnnotationTrack),
    ("annotations", Annotation),
    ("annotation_results", AnnotationResult),
]
FILE_COLUMNS = {"items": "source_key", "results": "file_key"}


@dataclass
class ImportReport:
    created: dict[str, int] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)


def _bad(message: str) -> InvalidArgument:
    return InvalidArgument(message, field=FIELD)


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    return value


def _row_dict(model: type[Base], row: Any) -> dict[str, Any]:
    return {c.key: _dump_value(getattr(row, c.key)) for c in model.__table__.columns}


def _pk(model: type[Base]) -> list[Any]:
    return list(model.__table__.primary_key.columns)  # type: ignore[attr-defined]


def _member(key: str) -> str:
    return f"objects/{key}"


def _safe_key(key: object) -> str:
    if not isinstance(key, str) or not key.startswith("timeside/") or ".." in key.split("/") or "\\" in key:
        raise _bad(f"Invalid object key {key!r}.")
    return key


class Archives:
    def __init__(self, db: Database, objects: ObjectStore) -> None:
        self.db = db
        self.objects = objects

    # export ------------------------------------------------------------------------------------
    async def export_to_temp(self) -> Path:
        """Write the archive to a temporary file (the caller streams and deletes it)."""
        tables: dict[str, list[dict[str, Any]]] = {}
        async with self.db.session() as session:
            for name, model in TABLES:
                keys = [c for c in _pk(model)]
                rows = (await session.scalars(select(model).order_by(*keys))).all()
                tables[name] = [_row_dict(model, r) for r in rows]
        fd, raw_path = tempfile.mkstemp(prefix="timeside-export-", suffix=".zip")
        os.close(fd)
        path = Path(raw_path)
        try:
            files: dict[str, dict[str, Any]] = {}
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
                for table, column in FILE_COLUMNS.items():
                    for row in tables[table]:
                        key = row.get(column)
                        if not key or key in files or await self.objects.size(key) is None:
                            continue
                        digest, size = hashlib.sha256(), 0
                        with zf.open(_member(key), "w", force_zip64=True) as out:
                            async for chunk in self.objects.read(key):
                                digest.update(chunk)
                                size += len(chunk)
                                await asyncio.to_thread(out.write, chunk)
                        files[key] = {"sha256": digest.hexdigest(), "size": size}
                manifest = {
                    "format": FORMAT,
                    "version": VERSION,
                    "exported": datetime.now(UTC).isoformat(),
                    "tables": tables,
                    "files": files,
                }
                zf.writestr("manifest.json", json.dumps(manifest, separators=(",", ":")))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    # import ------------------------------------------------------------------------------------
    async def import_stream(self, body: AsyncIterator[bytes]) -> ImportReport:
        fd, raw_path = tempfile.mkstemp(prefix="timeside-import-", suffix=".zip")
        path = Path(raw_path)
        try:
            with os.fdopen(fd, "wb") as fh:
                async for chunk in body:
                    await asyncio.to_thread(fh.write, chunk)
            return await self.import_file(path)
        finally:
            path.unlink(missing_ok=True)

    async def import_file(self, path: Path) -> ImportReport:
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise _bad("Not a zip archive.") from None
        with zf:
            tables, files = self._manifest(zf)
            written: list[str] = []
            try:
                for key, meta in files.items():
                    if await self._copy(zf, key, meta):
                        written.append(key)
                return await self._insert(tables)
            except BaseException:
                for key in written:
                    await self.objects.delete(key)
                raise

    def _manifest(self, zf: zipfile.ZipFile) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, Any]]]:
        try:
            manifest = json.loads(zf.read("manifest.json"))
        except KeyError:
            raise _bad("The archive has no manifest.json.") from None
        except (ValueError, zipfile.BadZipFile, OSError) as exc:
            raise _bad(f"Unreadable manifest.json: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _bad(f"Not a {FORMAT}.")
        if manifest.get("version") != VERSION:
            raise _bad(f"Unsupported archive version {manifest.get('version')!r}.")
        raw_tables, raw_files = manifest.get("tables"), manifest.get("files", {})
        if not isinstance(raw_tables, dict) or not isinstance(raw_files, dict):
            raise _bad("manifest.json needs `tables` and `files` objects.")
        known = dict(TABLES)
        unknown = set(raw_tables) - set(known)
        if unknown:
            raise _bad(f"Unknown tables: {', '.join(sorted(unknown))}.")
        tables: dict[str, list[dict[str, Any]]] = {}
        for name, model in TABLES:
            rows = raw_tables.get(name, [])
            if not isinstance(rows, list):
                raise _bad(f"Table {name} is not a list.")
            tables[name] = [self._row(name, model, r) for r in rows]
        files: dict[str, dict[str, Any]] = {}
        for key, meta in raw_files.items():
            if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
                raise _bad(f"Bad file entry for {key!r}.")
            files[_safe_key(key)] = meta
        for table, column in FILE_COLUMNS.items():
            for row in tables[table]:
                key = row.get(column)
                if key is not None and _safe_key(key) not in files:
                    raise _bad(f"{table} {row.get('uuid')} refers to {key!r}, which the archive does not hold.")
        return tables, files

    @staticmethod
    def _row(table: str, model: type[Base], raw: object) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise _bad(f"A row of {table} is not an object.")
        columns = {c.key: c for c in model.__table__.columns}
        extra = set(raw) - set(columns)
        if extra:
            raise _bad(f"Unknown columns in {table}: {', '.join(sorted(extra))}.")
        out: dict[str, Any] = {}
        for key, column in columns.items():
            value = raw.get(key)
            if value is None and not column.nullable and column.default is None:
                raise _bad(f"{table}.{key} is missing.")
            if isinstance(column.type, DateTime) and value is not None:
                try:
                    value = datetime.fromisoformat(str(value))
                except ValueError:
                    raise _bad(f"{table}.{key}: not an ISO date ({value!r}).") from None
            if (key == "uuid" or key.endswith("_uuid")) and value is not None and key != "single_preset":
                try:
                    value = str(uuid.UUID(str(value)))
                except ValueError:
                    raise _bad(f"{table}.{key}: not a uuid ({value!r}).") from None
            if key in raw:
                out[key] = value
        return out

    async def _copy(self, zf: zipfile.ZipFile, key: str, meta: dict[str, Any]) -> bool:
        """Store one archived file (True when this import wrote it); its SHA-256 must match."""
        try:
            info = zf.getinfo(_member(key))
        except KeyError:
            raise _bad(f"The archive lacks the file {key!r}.") from None
        if await self.objects.size(key) is not None:
            return False  # already here (an earlier import of the same archive): keep it
        digest = hashlib.sha256()

        async def chunks() -> AsyncIterator[bytes]:
            with zf.open(info) as fh:
                while True:
                    try:
                        chunk = await asyncio.to_thread(fh.read, CHUNK)
                    except (zipfile.BadZipFile, OSError, EOFError) as exc:
                        raise _bad(f"Corrupt file {key!r} in the archive: {exc}") from None
                    if not chunk:
                        return
                    digest.update(chunk)
                    yield chunk

        await self.objects.put(key, chunks())
        if digest.hexdigest() != meta["sha256"]:
            await self.objects.delete(key)
            raise _bad(f"The file {key!r} does not match its SHA-256.")
        return True

    async def _insert(self, tables: dict[str, list[dict[str, Any]]]) -> ImportReport:
        report = ImportReport()
        try:
            async with self.db.transaction() as session:
                for name, model in TABLES:
                    fresh = await self._fresh_rows(session, model, tables[name])
                    report.created[name] = len(fresh)
                    report.existing[name] = len(tables[name]) - len(fresh)
                    if fresh:
                        await session.execute(insert(model), fresh)
        except IntegrityError as exc:
            raise _bad(f"The archive does not fit this server's data: {str(exc.orig).splitlines()[0]}") from None
        return report

    @staticmethod
    async def _fresh_rows(session: AsyncSession, model: type[Base], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows whose primary key is not in the database yet."""
        pk = [c.key for c in _pk(model)]
        present: set[tuple[Any, ...]] = set()
        keys = [tuple(r.get(k) for k in pk) for r in rows]
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            columns = [getattr(model, k) for k in pk]
            cond = tuple_(*columns).in_(batch) if len(pk) > 1 else columns[0].in_([b[0] for b in batch])
            present.update(tuple(r) for r in (await session.execute(select(*columns).where(cond))).all())
        seen: set[tuple[Any, ...]] = set()
        out = []
        for key, row in zip(keys, rows, strict=True):
            if key not in present and key not in seen:
                seen.add(key)
                out.append(row)
        return out
