"""Domain rows -> AnalysisService messages (TimeSide's serializer shapes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from google.protobuf import struct_pb2

from polyphony.analysis.catalog.corpus import AnalysisTrackView, AnnotationView, TrackView
from polyphony.analysis.catalog.service import ExperienceView, SelectionView
from polyphony.analysis.engine.processors import Processor, get_processor
from polyphony.analysis.engine.subprocessors import SubProcessor, get_subprocessor
from polyphony.analysis.formats.containers import WRITERS
from polyphony.analysis.items.provider_rows import uuid_of_pid
from polyphony.analysis.models import Analysis, Item, Preset, Provider, Result, Task, User
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.core.errors import NotFound


def iso(value: datetime) -> str:
    """DRF's default datetime rendering (ISO 8601, UTC as `Z`)."""
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def item_url(base: str, item_uuid: str) -> str:
    return f"{base}/timeside/api/items/{item_uuid}/"


def source_name(item: Item) -> str | None:
    return item.source_key.rsplit("/", 1)[-1] if item.source_key else None


def source_file_url(base: str, item: Item) -> str | None:
    name = source_name(item)
    return None if name is None else f"{base}/timeside/media/items/{item.uuid}/{quote(name)}"


def author_url(base: str, author: str | None) -> str | None:
    """The `author` field: the URL of the user who created the object (None: a server token did)."""
    return f"{base}/timeside/api/users/{author}/" if author else None


def item_short(item: Item, base: str) -> pb.Item:
    """The list form (TimeSide's item list serializer)."""
    msg = pb.Item(
        uuid=item.uuid,
        url=item_url(base, item.uuid),
        title=item.title,
        description=item.description,
        source_url=item.source_url,
        artist=item.artist,
        album=item.album,
    )
    source = source_file_url(base, item)
    if source is not None:
        msg.source_file = source
    if item.mime_type is not None:
        msg.mime_type = item.mime_type
    if item.author:
        msg.author = f"{base}/timeside/api/users/{item.author}/"
    return msg


def item_full(item: Item, base: str, tracks: tuple[list[str], list[str]] | None = None) -> pb.Item:
    """The detail form (with the item's analysis and annotation track URLs when `tracks` is given)."""
    msg = item_short(item, base)
    if item.provider_pid is not None:
        provider_uuid = uuid_of_pid(item.provider_pid)
        if provider_uuid is not None:
            msg.provider = f"{base}/timeside/api/providers/{provider_uuid}/"
    if tracks is not None:
        msg.analysis_tracks.extend(f"{base}/timeside/api/analysis_tracks/{k}/" for k in tracks[0])
        msg.annotation_tracks.extend(f"{base}/timeside/api/annotation_tracks/{k}/" for k in tracks[1])
    for ext in ("mp3", "ogg", "flac"):
        msg.audio_url[ext] = f"{base}/timeside/items/{item.uuid}/download/{ext}"
    msg.waveform_url = f"{base}/timeside/api/items/{item.uuid}/waveform/"
    msg.external_id = item.external_id
    msg.external_uri = item.external_uri
    msg.is_public = item.is_public
    msg.lock = item.lock
    msg.test = item.test
    msg.date_added = iso(item.date_added)
    msg.date_modified = iso(item.date_modified)
    for name in ("audio_duration", "samplerate", "channels", "sha1", "sha256"):
        value = getattr(item, name)
        if value is not None:
            setattr(msg, name, value)
    return msg


def struct(values: Mapping[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(dict(values))
    return out


def processor_msg(p: Processor, base: str, uuid: str | None = None) -> pb.Processor:
    msg = pb.Processor(
        name=p.name,
        description=p.description,
        pid=p.pid,
        url=f"{base}/timeside/api/processors/{p.pid}/",
        version=p.version,
        parameters_default=struct(p.parameters_default),
        parameters_schema=struct(p.parameters_schema),
        synchronous=False,
    )
    if uuid is not None:
        msg.uuid = uuid
    return msg


def preset_msg(p: Preset, base: str) -> pb.Preset:
    return pb.Preset(
        url=f"{base}/timeside/api/presets/{p.uuid}/",
        uuid=p.uuid,
        processor=f"{base}/timeside/api/processors/{p.processor_pid}/",
        parameters=struct(p.parameters),
        is_public=p.is_public,
        date_added=iso(p.date_added),
        date_modified=iso(p.date_modified),
        processor_version=p.processor_version,
    )


def task_msg(t: Task, base: str) -> pb.Task:
    msg = pb.Task(
        url=f"{base}/timeside/api/tasks/{t.uuid}/",
        uuid=t.uuid,
        status=t.status,
        progress=t.progress,
        date_added=iso(t.date_added),
        date_modified=iso(t.date_modified),
    )
    if t.item_uuid is not None:
        msg.item = item_url(base, t.item_uuid)
    if t.selection_uuid is not None:
        msg.selection = f"{base}/timeside/api/selections/{t.selection_uuid}/"
    if t.experience_uuid is not None:
        msg.experience = f"{base}/timeside/api/experiences/{t.experience_uuid}/"
    if t.preset_uuid is not None:
        msg.preset = f"{base}/timeside/api/presets/{t.preset_uuid}/"
    if t.error:
        msg.error = t.error
    if t.author:
        msg.author = f"{base}/timeside/api/users/{t.author}/"
    return msg


def experience_msg(v: ExperienceView, base: str) -> pb.Experience:
    r = v.row
    return pb.Experience(
        url=f"{base}/timeside/api/experiences/{r.uuid}/",
        uuid=r.uuid,
        title=r.title,
        description=r.description,
        presets=[f"{base}/timeside/api/presets/{k}/" for k in v.presets],
        is_public=r.is_public,
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
        author=author_url(base, r.author),
    )


def selection_msg(v: SelectionView, base: str) -> pb.Selection:
    r = v.row
    return pb.Selection(
        url=f"{base}/timeside/api/selections/{r.uuid}/",
        uuid=r.uuid,
        title=r.title,
        description=r.description,
        items=[item_url(base, k) for k in v.items],
        selections=[f"{base}/timeside/api/selections/{k}/" for k in v.selections],
        is_public=r.is_public,
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
        author=author_url(base, r.author),
    )


def result_msg(r: Result, base: str) -> pb.Result:
    msg = pb.Result(
        url=f"{base}/timeside/api/results/{r.uuid}/",
        uuid=r.uuid,
        item=item_url(base, r.item_uuid),
        preset=f"{base}/timeside/api/presets/{r.preset_uuid}/",
        status=r.status,
        mime_type=r.mime_type,
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
    )
    if r.file_key is not None and r.mime_type.startswith("audio/"):
        msg.file = f"{base}/timeside/results/{r.uuid}/audio/"
        msg.files["audio"] = msg.file
    elif r.file_key is not None:
        msg.file = f"{base}/timeside/results/{r.uuid}/json/"
        for fmt in WRITERS:
            msg.files[fmt] = f"{base}/timeside/results/{r.uuid}/{fmt}/"
    if r.run_time is not None:
        msg.run_time = r.run_time
    msg.reused = r.reused_from is not None
    if r.reused_from is not None:
        msg.reused_from = f"{base}/timeside/api/results/{r.reused_from}/"
    if r.task_uuid is not None:
        msg.task = f"{base}/timeside/api/tasks/{r.task_uuid}/"
    return msg


def provider_msg(p: Provider, base: str) -> pb.Provider:
    return pb.Provider(
        uuid=p.uuid,
        url=f"{base}/timeside/api/providers/{p.uuid}/",
        pid=p.pid,
        name=p.name,
        description=p.description,
        domain=p.domain,
        source_access=p.source_access,
    )


def subprocessor_msg(s: SubProcessor, base: str) -> pb.SubProcessor:
    return pb.SubProcessor(
        uuid=s.uuid,
        url=f"{base}/timeside/api/subprocessors/{s.sub_processor_id}/",
        name=s.name,
        processor=f"{base}/timeside/api/processors/{s.processor.pid}/",
        sub_processor_id=s.sub_processor_id,
        parameters_schema=struct(s.processor.parameters_schema),
        parameters_default=struct(s.processor.parameters_default),
    )


def analysis_msg(a: Analysis, base: str) -> pb.Analysis:
    sub = get_subprocessor(a.sub_processor_id)
    return pb.Analysis(
        url=f"{base}/timeside/api/analysis/{a.uuid}/",
        uuid=a.uuid,
        title=a.title,
        description=a.description,
        render_type=a.render_type,
        preset=f"{base}/timeside/api/presets/{a.preset_uuid}/",
        sub_processor=f"{base}/timeside/api/subprocessors/{a.sub_processor_id}/",
        featured=a.featured,
        parameters_schema=struct(sub.processor.parameters_schema),
        is_public=a.is_public,
        date_added=iso(a.date_added),
        date_modified=iso(a.date_modified),
    )


def analysis_track_msg(v: AnalysisTrackView, base: str) -> pb.AnalysisTrack:
    r = v.row
    try:
        processor = get_processor(v.preset.processor_pid)
        schema, defaults = processor.parameters_schema, processor.parameters_default
    except NotFound:  # a preset of a processor no longer installed
        schema, defaults = {}, {}
    done = v.result is not None and v.result.status == 4 and v.result.file_key is not None
    return pb.AnalysisTrack(
        url=f"{base}/timeside/api/analysis_tracks/{r.uuid}/",
        uuid=r.uuid,
        title=r.title,
        description=r.description,
        analysis=f"{base}/timeside/api/analysis/{r.analysis_uuid}/",
        item=item_url(base, r.item_uuid),
        color=r.color,
        result_url=f"{base}/timeside/api/results/{v.result.uuid}/" if done and v.result else "Task running",
        parameters_schema=struct(schema),
        parameters_default=struct(defaults),
        parametrizable=bool(schema.get("properties")),
        is_public=r.is_public,
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
    )


def annotation_track_msg(v: TrackView, base: str) -> pb.AnnotationTrack:
    r = v.row
    return pb.AnnotationTrack(
        url=f"{base}/timeside/api/annotation_tracks/{r.uuid}/",
        uuid=r.uuid,
        title=r.title,
        description=r.description,
        item=item_url(base, r.item_uuid),
        start_time=r.start_time,
        overlapping=r.overlapping,
        is_public=r.is_public,
        annotations=[f"{base}/timeside/api/annotations/{k}/" for k in v.annotations],
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
        author=author_url(base, r.author),
    )


def annotation_msg(v: AnnotationView, base: str) -> pb.Annotation:
    r = v.row
    return pb.Annotation(
        url=f"{base}/timeside/api/annotations/{r.uuid}/",
        uuid=r.uuid,
        title=r.title,
        description=r.description,
        track=f"{base}/timeside/api/annotation_tracks/{r.track_uuid}/",
        results=[f"{base}/timeside/api/results/{k}/" for k in v.results],
        start_time=r.start_time,
        stop_time=r.stop_time,
        is_public=r.is_public,
        date_added=iso(r.date_added),
        date_modified=iso(r.date_modified),
    )


def user_msg(u: User, base: str) -> pb.User:
    return pb.User(
        url=f"{base}/timeside/api/users/{u.username}/",
        username=u.username,
        first_name=u.first_name,
        last_name=u.last_name,
        can_write=u.can_write,
    )
