"""ORM models of the TAMS store: typed columns for what is filtered or sorted on, plus the full document."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from polyphony.core.db import Base

ID = String(36)


class SourceRow(Base):
    __tablename__ = "flow_sources"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    format: Mapped[str] = mapped_column(String(64), index=True)
    label: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str | None] = mapped_column(Text)
    created_us: Mapped[int] = mapped_column(BigInteger)  # microseconds since the Unix epoch
    updated_us: Mapped[int] = mapped_column(BigInteger)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_flow_sources_created", "created_us", "id"),)


class FlowRow(Base):
    __tablename__ = "flow_flows"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("flow_sources.id"), index=True)
    format: Mapped[str] = mapped_column(String(64), index=True)
    codec: Mapped[str | None] = mapped_column(String(255), index=True)
    label: Mapped[str | None] = mapped_column(Text)
    profile_id: Mapped[str | None] = mapped_column(ID, index=True)
    frame_width: Mapped[int | None] = mapped_column(Integer)
    frame_height: Mapped[int | None] = mapped_column(Integer)
    read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_us: Mapped[int] = mapped_column(BigInteger)
    metadata_updated_us: Mapped[int] = mapped_column(BigInteger)
    # The Flow as the client last set it (client-managed properties only; server-managed ones are rendered).
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    __table_args__ = (Index("ix_flow_flows_created", "created_us", "id"),)


class FlowTagRow(Base):
    """One row per tag value (an array-valued tag has several), for `tag.{name}=` filters."""

    __tablename__ = "flow_flow_tags"

    flow_id: Mapped[str] = mapped_column(ForeignKey("flow_flows.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)

    __table_args__ = (Index("ix_flow_flow_tags_name_value", "name", "value"),)


class SourceTagRow(Base):
    __tablename__ = "flow_source_tags"

    source_id: Mapped[str] = mapped_column(ForeignKey("flow_sources.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)

    __table_args__ = (Index("ix_flow_source_tags_name_value", "name", "value"),)


class CollectionItemRow(Base):
    """A member of a Flow's `flow_collection` (source collections and `collected_by` are derived from these)."""

    __tablename__ = "flow_collection_items"

    collector_id: Mapped[str] = mapped_column(ForeignKey("flow_flows.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[str] = mapped_column(ID, index=True)
    role: Mapped[str | None] = mapped_column(Text)


class ProfileRow(Base):
    __tablename__ = "flow_profiles"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_us: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
