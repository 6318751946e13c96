"""TimeSide analyzer-result containers and their serializations: JSON, YAML, XML and HDF5.

A container is a list of result entries (TimeSide's JSON layout), each a dict with `id_metadata`,
`audio_metadata`, `data_object` (value/label, time, duration, y_value, label_metadata),
`parameters`, `data_mode`, `time_mode` and, for framewise results, `frame_metadata`. Arrays are numpy
arrays in memory and nested lists in JSON/YAML. Every format round-trips through `load`.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

import h5py
import numpy as np
import yaml

from polyphony.analysis.analyzers import AnalyzerResult
from polyphony.core.errors import NotFound

Entry = dict[str, Any]
ARRAYS = ("value", "label", "time", "duration", "y_value")
MIME = {"json": "application/json", "yaml": "application/x-yaml", "xml": "application/xml",
        "hdf5": "application/x-hdf5"}
BLOCKS = ("id_metadata", "audio_metadata", "frame_metadata", "parameters")


def build(results: list[AnalyzerResult], id_metadata: Mapping[str, Any], audio_metadata: Mapping[str, Any],
          parameters: Mapping[str, Any]) -> list[Entry]:
    out: list[Entry] = []
    for r in results:
        data: dict[str, Any] = {}
        for name in ARRAYS:
            value = getattr(r, name)
            if value is not None:
                data[name] = np.asarray(value)
        if r.label_metadata is not None:
            data["label_metadata"] = r.label_metadata
        entry: Entry = {
            "id_metadata": {**id_metadata, "id": r.id, "name": r.name, "unit": r.unit},
            "audio_metadata": dict(audio_metadata),
            "data_object": data,
            "parameters": dict(parameters),
            "data_mode": r.data_mode,
            "time_mode": r.time_mode,
        }
        if r.frame_metadata is not None:
            entry["frame_metadata"] = dict(r.frame_metadata)
        out.append(entry)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _arrays(entries: list[Entry]) -> list[Entry]:
    for entry in entries:
        data = entry.get("data_object", {})
        for name in ARRAYS:
            if name in data:
                data[name] = np.asarray(data[name])
    return entries


def to_json(entries: list[Entry]) -> bytes:
    return json.dumps(_plain(entries), allow_nan=False).encode()


def to_yaml(entries: list[Entry]) -> bytes:
    return yaml.safe_dump(_plain(entries), sort_keys=False).encode()


def to_xml(entries: list[Entry]) -> bytes:
    """<results><result id=.. data_mode=.. time_mode=..><id_metadata>JSON</id_metadata>...<value shape=..>."""
    root = ET.Element("results")
    for entry in entries:
        node = ET.SubElement(root, "result", id=str(entry["id_metadata"]["id"]), data_mode=entry["data_mode"],
                             time_mode=entry["time_mode"])
        for block in BLOCKS:
            if block in entry:
                ET.SubElement(node, block).text = json.dumps(_plain(entry[block]))
        data = ET.SubElement(node, "data_object")
        for name, value in entry["data_object"].items():
            if name in ARRAYS:
                arr = np.asarray(value)
                ET.SubElement(data, name, shape=" ".join(map(str, arr.shape)), dtype=arr.dtype.kind).text = \
                    " ".join(repr(float(v)) if arr.dtype.kind == "f" else str(int(v)) for v in arr.ravel())
            else:
                ET.SubElement(data, name).text = json.dumps(_plain(value))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def to_hdf5(entries: list[Entry]) -> bytes:
    """One group per result id; attributes data_mode/time_mode; metadata blocks as JSON attributes."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for index, entry in enumerate(entries):
            group = f.create_group(str(entry["id_metadata"]["id"]))
            group.attrs["data_mode"] = entry["data_mode"]
            group.attrs["time_mode"] = entry["time_mode"]
            group.attrs["order"] = index
            for block in BLOCKS:
                if block in entry:
                    group.attrs[block] = json.dumps(_plain(entry[block]))
            data = group.create_group("data_object")
            for name, value in entry["data_object"].items():
                if name in ARRAYS:
                    data.create_dataset(name, data=np.asarray(value))
                else:
                    data.attrs[name] = json.dumps(_plain(value))
    return buf.getvalue()


def from_json(raw: bytes) -> list[Entry]:
    return _arrays(json.loads(raw))


def from_yaml(raw: bytes) -> list[Entry]:
    return _arrays(yaml.safe_load(raw))


def from_xml(raw: bytes) -> list[Entry]:
    root = ET.fromstring(raw)
    out: list[Entry] = []
    for node in root.findall("result"):
        entry: Entry = {"data_mode": node.get("data_mode"), "time_mode": node.get("time_mode")}
        for block in BLOCKS:
            child = node.find(block)
            if child is not None:
                entry[block] = json.loads(child.text or "null")
        data: dict[str, Any] = {}
        for child in node.find("data_object") or []:
            if child.tag in ARRAYS:
                shape = tuple(int(s) for s in (child.get("shape") or "").split())
                kind = float if child.get("dtype") == "f" else int
                values = [kind(v) for v in (child.text or "").split()]
                data[child.tag] = np.array(values, dtype=np.float64 if kind is float else np.int64).reshape(shape)
            else:
                data[child.tag] = json.loads(child.text or "null")
        entry["data_object"] = data
        out.append(entry)
    return out


def from_hdf5(raw: bytes) -> list[Entry]:
    out: list[tuple[int, Entry]] = []
    with h5py.File(io.BytesIO(raw), "r") as f:
        for name in f:
            group = f[name]
            entry: Entry = {"data_mode": str(group.attrs["data_mode"]), "time_mode": str(group.attrs["time_mode"])}
            for block in BLOCKS:
                if block in group.attrs:
                    entry[block] = json.loads(group.attrs[block])
            data: dict[str, Any] = {k: np.asarray(v[()]) for k, v in group["data_object"].items()}
            for key, value in group["data_object"].attrs.items():
                data[key] = json.loads(value)
            entry["data_object"] = data
            out.append((int(group.attrs["order"]), entry))
    return [e for _, e in sorted(out, key=lambda pair: pair[0])]


WRITERS = {"json": to_json, "yaml": to_yaml, "xml": to_xml, "hdf5": to_hdf5}
READERS = {"json": from_json, "yaml": from_yaml, "xml": from_xml, "hdf5": from_hdf5}


def dump(entries: list[Entry], fmt: str) -> bytes:
    writer = WRITERS.get(fmt)
    if writer is None:
        raise NotFound(f"Unknown container format {fmt!r}: use one of {', '.join(WRITERS)}.")
    return writer(entries)


def load(raw: bytes, fmt: str) -> list[Entry]:
    return READERS[fmt](raw)
