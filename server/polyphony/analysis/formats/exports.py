"""One event or segment sub-result exported for annotation tools: ELAN (`.eaf`) and Sonic Visualiser (`.svl`).

Both carry the result's labels in time: an event result (onsets, beats) gives time instants, a segment
result (silence) gives labelled intervals. Label texts come from the result's `label_metadata`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from polyphony.core.errors import InvalidArgument, NotFound

TOOLS = {"elan": ("application/xml", "eaf"), "sonic": ("application/xml", "svl")}


def pick(entries: list[dict[str, Any]], res_id: str) -> dict[str, Any]:
    for entry in entries:
        if entry["id_metadata"]["id"] == res_id:
            if entry["time_mode"] not in ("event", "segment"):
                raise InvalidArgument(
                    f"{res_id} is a {entry['time_mode']} result: only event and segment results "
                    "export to annotation tools.",
                    field="res_id",
                )
            return entry
    raise NotFound(f"No result {res_id!r} in this container.")


def spans(entry: dict[str, Any]) -> list[tuple[float, float, str]]:
    """(start s, duration s, label text) of every event (duration 0) or segment of `entry`."""
    data = entry["data_object"]
    times = np.asarray(data.get("time", np.zeros(0)), dtype=np.float64).ravel()
    durations = (
        np.asarray(data["duration"], dtype=np.float64).ravel()
        if entry["time_mode"] == "segment" and "duration" in data
        else np.zeros(times.size)
    )
    names = (data.get("label_metadata") or {}).get("label") or {}
    if "label" in data:
        labels = [names.get(str(int(v)), str(int(v))) for v in np.asarray(data["label"]).ravel()]
    else:
        labels = [repr(float(v)) for v in np.asarray(data.get("value", np.zeros(times.size))).ravel()]
    return [
        (float(t), float(d), labels[i] if i < len(labels) else "")
        for i, (t, d) in enumerate(zip(times, durations, strict=False))
    ]


def elan(entry: dict[str, Any], media_url: str, mime_type: str) -> bytes:
    """An ELAN annotation document (EAF 3.0) with one time-aligned tier named after the result."""
    tier = str(entry["id_metadata"]["id"])
    slots: list[str] = []
    annotations: list[str] = []
    for index, (start, duration, label) in enumerate(spans(entry)):
        begin, end = round(start * 1000), round((start + duration) * 1000)
        slots.append(f'<TIME_SLOT TIME_SLOT_ID="ts{2 * index + 1}" TIME_VALUE="{begin}"/>')
        slots.append(f'<TIME_SLOT TIME_SLOT_ID="ts{2 * index + 2}" TIME_VALUE="{end}"/>')
        annotations.append(
            f'<ANNOTATION><ALIGNABLE_ANNOTATION ANNOTATION_ID="a{index + 1}" '
            f'TIME_SLOT_REF1="ts{2 * index + 1}" TIME_SLOT_REF2="ts{2 * index + 2}">'
            f"<ANNOTATION_VALUE>{escape(label)}</ANNOTATION_VALUE></ALIGNABLE_ANNOTATION></ANNOTATION>"
        )
    date = datetime.now(UTC).isoformat(timespec="seconds")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ANNOTATION_DOCUMENT AUTHOR="Polyphony" DATE="{date}" FORMAT="3.0" VERSION="3.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:noNamespaceSchemaLocation="http://www.mpi.nl/tools/elan/EAFv3.0.xsd">'
        f'<HEADER MEDIA_FILE="" TIME_UNITS="milliseconds"><MEDIA_DESCRIPTOR MEDIA_URL={quoteattr(media_url)} '
        f"MIME_TYPE={quoteattr(mime_type)}/></HEADER>"
        f"<TIME_ORDER>{''.join(slots)}</TIME_ORDER>"
        f'<TIER LINGUISTIC_TYPE_REF="default-lt" TIER_ID={quoteattr(tier)}>{"".join(annotations)}</TIER>'
        '<LINGUISTIC_TYPE GRAPHIC_REFERENCES="false" LINGUISTIC_TYPE_ID="default-lt" TIME_ALIGNABLE="true"/>'
        "</ANNOTATION_DOCUMENT>\n"
    )
    return text.encode()


def sonic(entry: dict[str, Any], samplerate: int) -> bytes:
    """A Sonic Visualiser layer file: time instants for events, labelled regions for segments."""
    name = quoteattr(str(entry["id_metadata"]["id"]))
    items = spans(entry)
    segments = entry["time_mode"] == "segment"
    data = entry["data_object"]
    values = [int(v) for v in np.asarray(data.get("label", np.zeros(len(items)))).ravel()] if segments else []
    points = []
    end = 0
    for index, (start, duration, label) in enumerate(items):
        frame, length = round(start * samplerate), round(duration * samplerate)
        end = max(end, frame + length)
        if segments:
            value = values[index] if index < len(values) else 0
            points.append(f'<point frame="{frame}" value="{value}" duration="{length}" label={quoteattr(label)}/>')
        else:
            points.append(f'<point frame="{frame}" label={quoteattr(label)}/>')
    if segments:
        low, high = (min(values), max(values)) if values else (0, 0)
        model = (
            f'<model id="1" name={name} sampleRate="{samplerate}" start="0" end="{end}" type="sparse" '
            f'dimensions="3" resolution="1" notifyOnAdd="true" dataset="0" subtype="region" '
            f'valueQuantization="0" minimum="{low}" maximum="{high}" units=""/>'
        )
        layer = f'<layer id="2" type="regions" name={name} model="1"/>'
    else:
        model = (
            f'<model id="1" name={name} sampleRate="{samplerate}" start="0" end="{end}" type="sparse" '
            'dimensions="1" resolution="1" notifyOnAdd="true" dataset="0"/>'
        )
        layer = f'<layer id="2" type="timeinstants" name={name} model="1"/>'
    dims = 3 if segments else 1
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sonic-visualiser>\n'
        f'<sv><data>{model}<dataset id="0" dimensions="{dims}">{"".join(points)}</dataset></data>'
        f"<display>{layer}</display></sv>\n"
    )
    return text.encode()
