"""ORM models of the TimeSide-style analysis service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from polyphony.core.db import Base


class Item(Base):
    """One audio source (TimeSide `Item`). The audio bytes live in the object store under `source_key`."""

    __tablename__ = "analysis_items"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    artist: Mapped[str] = mapped_column(String(256), default="")
    album: Mapped[str] = mapped_column(String(256), default="")
    source_url: Mapped[str] = mapped_column(String(1024), default="")
    external_id: Mapped[str] = mapped_column(String(256), default="", index=True)
    external_uri: Mapped[str] = mapped_column(String(1024), default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Username of the user whose token created it (TimeSide `author`; None for server tokens).
    author: Mapped[str | None] = mapped_column(String(150), index=True, nullable=True)
    lock: Mapped[bool] = mapped_column(Boolean, default=False)
    test: Mapped[bool] = mapped_column(Boolean, default=False)

    # The uploaded audio and what was measured from it (all empty for items without a file).
    source_key: Mapped[str | None] = mapped_column(String(600), index=True)
    source_filename: Mapped[str | None] = mapped_column(String(512))
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    mime_type: Mapped[str | None] = mapped_column(String(100))
    audio_duration: Mapped[float | None] = mapped_column(Float)
    samplerate: Mapped[int | None] = mapped_column(Integer)
    channels: Mapped[int | None] = mapped_column(Integer)
    sha1: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # The provider plug-in the audio came from (None for uploads).
    provider_pid: Mapped[str | None] = mapped_column(String(128), index=True)

    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ProcessorRow(Base):
    """A processor version known to this server (synced from the registry at start)."""

    __tablename__ = "analysis_processors"
    __table_args__ = (UniqueConstraint("pid", "version"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    pid: Mapped[str] = mapped_column(String(128), index=True)
    version: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    parameters_schema: Mapped[dict[str, object]] = mapped_column(JSON)


class Preset(Base):
    """A processor (pid + version) with its parameters (TimeSide `Preset`)."""

    __tablename__ = "analysis_presets"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    processor_pid: Mapped[str] = mapped_column(String(128), index=True)
    processor_version: Mapped[str] = mapped_column(String(64))
    parameters: Mapped[dict[str, object]] = mapped_column(JSON)
    # SHA-256 of (pid, version, normalized parameters): equal presets are one row.
    digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Experience(Base):
    """A set of presets (TimeSide `Experience`)."""

    __tablename__ = "analysis_experiences"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Username of the user whose token created it (TimeSide `author`; None for server tokens).
    author: Mapped[str | None] = mapped_column(String(150), index=True, nullable=True)
    # Set for the one-preset experience made on demand when a task names a preset directly.
    single_preset: Mapped[str | None] = mapped_column(String(36), unique=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExperiencePreset(Base):
    __tablename__ = "analysis_experience_presets"

    experience_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_experiences.uuid", ondelete="CASCADE"), primary_key=True
    )
    preset_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_presets.uuid", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Selection(Base):
    """A set of items and nested selections (TimeSide `Selection`)."""

    __tablename__ = "analysis_selections"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Username of the user whose token created it (TimeSide `author`; None for server tokens).
    author: Mapped[str | None] = mapped_column(String(150), index=True, nullable=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SelectionItem(Base):
    __tablename__ = "analysis_selection_items"

    selection_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_selections.uuid", ondelete="CASCADE"), primary_key=True
    )
    item_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_items.uuid", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class SelectionChild(Base):
    __tablename__ = "analysis_selection_children"

    parent_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_selections.uuid", ondelete="CASCADE"), primary_key=True
    )
    child_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_selections.uuid", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class Task(Base):
    """One run of an experience over an item or a selection (TimeSide `Task`)."""

    __tablename__ = "analysis_tasks"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_uuid: Mapped[str | None] = mapped_column(
        ForeignKey("analysis_items.uuid", ondelete="CASCADE"), index=True, nullable=True
    )
    # Set when the task was created from one preset (its experience is then that preset's own).
    preset_uuid: Mapped[str | None] = mapped_column(
        ForeignKey("analysis_presets.uuid", ondelete="CASCADE"), index=True, nullable=True
    )
    experience_uuid: Mapped[str | None] = mapped_column(
        ForeignKey("analysis_experiences.uuid", ondelete="CASCADE"), index=True
    )
    selection_uuid: Mapped[str | None] = mapped_column(
        ForeignKey("analysis_selections.uuid", ondelete="CASCADE"), index=True
    )
    status: Mapped[int] = mapped_column(Integer, default=2)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str] = mapped_column(Text, default="")
    run_started: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Username of the user whose token created it (TimeSide `author`; None for server tokens).
    author: Mapped[str | None] = mapped_column(String(150), index=True, nullable=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Result(Base):
    """The output of a preset on an item, unique per (item, preset); the container is a JSON object."""

    __tablename__ = "analysis_results"
    __table_args__ = (UniqueConstraint("item_uuid", "preset_uuid"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    item_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_items.uuid", ondelete="CASCADE"), index=True)
    preset_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_presets.uuid", ondelete="CASCADE"), index=True)
    status: Mapped[int] = mapped_column(Integer, default=1)
    mime_type: Mapped[str] = mapped_column(String(100), default="")
    file_key: Mapped[str | None] = mapped_column(String(600))
    # SHA-256 of (audio content hash, processor pid, version, normalized parameters).
    cache_key: Mapped[str | None] = mapped_column(String(64), index=True)
    reused_from: Mapped[str | None] = mapped_column(String(36))
    task_uuid: Mapped[str | None] = mapped_column(String(36), index=True)
    run_time: Mapped[float | None] = mapped_column(Float)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Provider(Base):
    """A remote audio source plug-in known to this server (TimeSide `Provider`), synced at start."""

    __tablename__ = "analysis_providers"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    pid: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    domain: Mapped[str] = mapped_column(String(256), default="")
    source_access: Mapped[bool] = mapped_column(Boolean, default=True)


class Analysis(Base):
    """A reusable player view: one sub-output of a preset's analyzer (TimeSide `Analysis`)."""

    __tablename__ = "analysis_analyses"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    preset_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_presets.uuid", ondelete="CASCADE"), index=True)
    sub_processor_id: Mapped[str] = mapped_column(String(256))
    render_type: Mapped[int] = mapped_column(Integer, default=0)
    featured: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnalysisTrack(Base):
    """An analysis shown on one item (TimeSide `AnalysisTrack`)."""

    __tablename__ = "analysis_analysis_tracks"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    analysis_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_analyses.uuid", ondelete="CASCADE"), index=True)
    item_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_items.uuid", ondelete="CASCADE"), index=True)
    color: Mapped[str] = mapped_column(String(6), default="")
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnnotationTrack(Base):
    """A track of human time-span tags on one item (TimeSide `AnnotationTrack`)."""

    __tablename__ = "analysis_annotation_tracks"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    item_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_items.uuid", ondelete="CASCADE"), index=True)
    start_time: Mapped[float] = mapped_column(Float, default=0.0)
    overlapping: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    # Username of the user whose token created it (TimeSide `author`; None for server tokens).
    author: Mapped[str | None] = mapped_column(String(150), index=True, nullable=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Annotation(Base):
    """One time span [start_time, stop_time] of an annotation track (TimeSide `Annotation`)."""

    __tablename__ = "analysis_annotations"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    track_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_annotation_tracks.uuid", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(512), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    start_time: Mapped[float] = mapped_column(Float, index=True)
    stop_time: Mapped[float] = mapped_column(Float)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    date_modified: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnnotationResult(Base):
    __tablename__ = "analysis_annotation_results"

    annotation_uuid: Mapped[str] = mapped_column(
        ForeignKey("analysis_annotations.uuid", ondelete="CASCADE"), primary_key=True
    )
    result_uuid: Mapped[str] = mapped_column(ForeignKey("analysis_results.uuid", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class User(Base):
    """A TimeSide user: a name, a password (scrypt hash) and an API token (stored as its SHA-256)."""

    __tablename__ = "analysis_users"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # Random salt; the token is HMAC(server secret, uuid + salt), so it is never stored in clear.
    token_salt: Mapped[str] = mapped_column(String(64))
    can_write: Mapped[bool] = mapped_column(Boolean, default=True)
    date_added: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
