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
    status: Mapped[str | None] = mapped_column(String(32), index=True)  # the client-set ingest status
    init_segments: Mapped[bool] = mapped_column(Boolean, default=False)  # essence_parameters.init_segments
    segments_updated_us: Mapped[int | None] = mapped_column(BigInteger)
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
    """An immutable Profile: the document as registered, plus typed copies of what listings filter on."""

    __tablename__ = "flow_profiles"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    created_us: Mapped[int] = mapped_column(BigInteger)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    format: Mapped[str | None] = mapped_column(String(64), index=True)  # flow_metadata.format
    codec: Mapped[str | None] = mapped_column(String(255), index=True)  # flow_metadata.codec
    label: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_flow_profiles_created", "created_us", "id"),)


class SegmentRow(Base):
    """A Flow Segment. Its timerange is kept as half-open integer nanoseconds `[start_ns, end_ns)` (open ends
    as the 64-bit extremes) next to its text; segments of a flow never overlap, so the primary key
    (flow_id, start_ns) orders them by time and serves timerange queries and keyset paging."""

    __tablename__ = "flow_segments"

    # No foreign key: a deleted Flow's segments are removed in batches by a Flow Delete Request.
    flow_id: Mapped[str] = mapped_column(ID, primary_key=True)
    start_ns: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    end_ns: Mapped[int] = mapped_column(BigInteger)
    timerange: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(255))
    ts_offset_ns: Mapped[int] = mapped_column(BigInteger, default=0)
    # Other client-set properties (last_duration, sample_offset/count, uncontrolled get_urls), or None.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_flow_segments_object", "object_id", "flow_id"),)


class ObjectRow(Base):
    """A Media (or initialisation) Object: allocated by `/storage`, filled by a presigned PUT, and
    registered by the first Segment that references it."""

    __tablename__ = "flow_objects"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str | None] = mapped_column(String(512))  # where the bytes are in the object store
    allocated_for: Mapped[str | None] = mapped_column(ID)  # the Flow whose /storage allocated it
    content_type: Mapped[str | None] = mapped_column(String(255))
    size: Mapped[int | None] = mapped_column(BigInteger)  # set once the bytes are uploaded
    registered: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_init: Mapped[bool] = mapped_column(Boolean, default=False)
    first_referenced_by_flow: Mapped[str | None] = mapped_column(ID)
    timerange: Mapped[str | None] = mapped_column(String(64))  # the object's own timeline
    key_frame_count: Mapped[int | None] = mapped_column(Integer)
    init_object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    created_us: Mapped[int] = mapped_column(BigInteger, index=True)


class ObjectInstanceRow(Base):
    """An extra instance of an Object: an uncontrolled URL registered by a client."""

    __tablename__ = "flow_object_instances"

    object_id: Mapped[str] = mapped_column(ForeignKey("flow_objects.id", ondelete="CASCADE"), primary_key=True)
    label: Mapped[str] = mapped_column(String(255), primary_key=True)
    url: Mapped[str] = mapped_column(Text)


class DeleteRequestRow(Base):
    """A Flow Delete Request: segments (and maybe the Flow) being deleted by a background job."""

    __tablename__ = "flow_delete_requests"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    flow_id: Mapped[str] = mapped_column(ID, index=True)
    timerange_to_delete: Mapped[str] = mapped_column(String(64))
    timerange_remaining: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(255))
    delete_flow: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_by: Mapped[str | None] = mapped_column(Text)
    created_us: Mapped[int] = mapped_column(BigInteger)
    updated_us: Mapped[int] = mapped_column(BigInteger)
    expiry_us: Mapped[int] = mapped_column(BigInteger)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_flow_delete_requests_created", "created_us", "id"),)


class WebhookRow(Base):
    """A registered webhook: where to POST events, which events, and its delivery state (the outbox
    below holds what is still to be delivered; `next_attempt_us`/`attempts` drive the backoff)."""

    __tablename__ = "flow_webhooks"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), index=True)
    api_key_name: Mapped[str | None] = mapped_column(Text)
    api_key_value: Mapped[str | None] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSON)
    # The filters and get_urls options exactly as registered (flow_ids, accept_get_urls, presigned, ...).
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_us: Mapped[int] = mapped_column(BigInteger)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed deliveries in a row
    next_attempt_us: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_until_us: Mapped[int] = mapped_column(BigInteger, default=0)  # a dispatcher is delivering until then


class WebhookTagRow(Base):
    __tablename__ = "flow_webhook_tags"

    webhook_id: Mapped[str] = mapped_column(ForeignKey("flow_webhooks.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(String(1000), primary_key=True)

    __table_args__ = (Index("ix_flow_webhook_tags_name_value", "name", "value"),)


class OutboxRow(Base):
    """An event waiting to be POSTed to one webhook. Written in the transaction of the change that caused
    it, deleted once the receiver acknowledged it, so an event survives crashes and restarts."""

    __tablename__ = "flow_event_outbox"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("flow_webhooks.id", ondelete="CASCADE"), index=True)
    event_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_us: Mapped[int] = mapped_column(BigInteger)


class ServiceInfoRow(Base):
    """The `/service` name and description as changed by `POST /service` (one row, id 1; absent: defaults)."""

    __tablename__ = "flow_service_info"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
