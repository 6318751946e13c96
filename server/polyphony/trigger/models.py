"""ORM models: projects and channels (from the projects file or the management API), uploaded
assets, cues and per-project state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from polyphony.core.db import Base


class Project(Base):
    __tablename__ = "trigger_projects"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    path: Mapped[list[str]] = mapped_column(JSON)
    label: Mapped[list[str] | None] = mapped_column(JSON)
    # "file": listed in the projects file (synchronised at start); "api": created through the API.
    source: Mapped[str] = mapped_column(String(8), default="api", server_default="file")
    channels: Mapped[list[Channel]] = relationship(
        back_populates="project", order_by="Channel.position", cascade="all, delete-orphan", lazy="selectin"
    )


class Channel(Base):
    __tablename__ = "trigger_channels"

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_uuid: Mapped[str] = mapped_column(ForeignKey("trigger_projects.uuid", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str | None] = mapped_column(Text)
    container_ids: Mapped[list[str]] = mapped_column(JSON)
    channel_trigger: Mapped[bool] = mapped_column(Boolean, default=False)
    files_dir: Mapped[str | None] = mapped_column(Text)
    provisioning_uri: Mapped[str | None] = mapped_column(Text)
    lastmodified: Mapped[int | None] = mapped_column(BigInteger)
    renderer: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(8), default="api", server_default="file")
    # When the channel's uploaded assets last changed (epoch ms, strictly increasing); NULL: the
    # channel never had an uploaded asset. Set: this server provisions the channel's assets.
    assets_changed_ms: Mapped[int | None] = mapped_column(BigInteger)
    project: Mapped[Project] = relationship(back_populates="channels")


class Asset(Base):
    """A file uploaded into a channel through the API; its bytes live in the object store. Rows go
    with their channel (ON DELETE CASCADE); the service deletes the objects."""

    __tablename__ = "trigger_assets"
    __table_args__ = (UniqueConstraint("channel_uuid", "filepath", name="uq_trigger_assets_channel_filepath"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    channel_uuid: Mapped[str] = mapped_column(ForeignKey("trigger_channels.uuid", ondelete="CASCADE"))
    filepath: Mapped[str] = mapped_column(String(1024))
    filesize: Mapped[int] = mapped_column(BigInteger)
    lastmodified: Mapped[int] = mapped_column(BigInteger)  # epoch ms, strictly increasing per path
    content_type: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    object_key: Mapped[str] = mapped_column(String(255))


class Cue(Base):
    """Every accepted cue, in publish order (its id is the cue's sequence number)."""

    __tablename__ = "trigger_cues"
    __table_args__ = (Index("ix_trigger_cues_project_id", "project_uuid", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    project_uuid: Mapped[str] = mapped_column(String(36))
    published_ms: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[str] = mapped_column(Text)


class ProjectState(Base):
    """The merged result of all cues of a project (what a late joiner must see first)."""

    __tablename__ = "trigger_state"

    project_uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class CueListEntry(Base):
    """One cue of a project's cue list (fired by a stage manager with GO)."""

    __tablename__ = "trigger_cue_list_entries"
    __table_args__ = (Index("ix_trigger_cue_list_entries_project_position", "project_uuid", "position", unique=True),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    project_uuid: Mapped[str] = mapped_column(ForeignKey("trigger_projects.uuid", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)


class CueListCursor(Base):
    """Which cue of a project's list was fired last (absent or NULL: none since the list was stored)."""

    __tablename__ = "trigger_cue_list_cursors"

    project_uuid: Mapped[str] = mapped_column(ForeignKey("trigger_projects.uuid", ondelete="CASCADE"), primary_key=True)
    current: Mapped[int | None] = mapped_column(Integer, nullable=True)
    length: Mapped[int] = mapped_column(Integer, default=0)
