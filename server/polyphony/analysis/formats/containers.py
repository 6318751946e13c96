"""TimeSide analyzer-result containers and their serializations: JSON, YAML, XML and HDF5.

A container is a list of result entries (TimeSide's JSON layout), each a dict with `id_metadata`,
`audio_metadata`, `data_object` (value/label, time, duration, y_value, label_metadata),
`parameters`, `data_mode`, `time_mode` and, for framewise results, `frame_metadata`. Arrays are numpy
arrays in memory and nested lists in JSON/YAML. Every format round-trips through `load`.

Tasks write the HDF5 container on disk as they go (`series.HDF5Output` appends the frame-wise values,
`write_results` adds the rest), and `stream` turns a stored HDF5 container into any format piece by
piece, reading its datasets in slices: neither side ever holds a whole long result in memory.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import h5py
import numpy as np
import yaml

from polyphony.analysis.engine.analyzers import AnalyzerResult
from polyphony.core.errors import NotFound

Entry = dict[str, Any]
ARRAYS = ("value", "label", "time", "duration", "y_value")
MIME = {
    "json": "application/json",
    "yaml": "application/x-yaml",
    "xml": "application/xml",
    "hdf5": "application/x-hdf5",
}
BLOCKS = ("id_metadata", "audio_metadata", "frame_metadata", "parameters")
SLICE_VALUES = 1 << 16  # numbers read from a dataset at a time when streaming a text format


def build(
    results: list[AnalyzerResult],
    id_metadata: Mapping[str, Any],
    audio_metadata: Mapping[str, Any],
    parameters: Mapping[str, Any],
) -> list[Entry]:
    out: list[Entry] = []
    for r in results:
        data: dict[str, Any] = {}
        for name in ARRAYS:
            value = getattr(r, name)
            if value is not None:
                data[name] = value if isinstance(value, h5py.Dataset) else np.asarray(value)
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
        node = ET.SubElement(
            root,
            "result",
            id=str(entry["id_metadata"]["id"]),
            data_mode=entry["data_mode"],
            time_mode=entry["time_mode"],
        )
        for block in BLOCKS:
            if block in entry:
                ET.SubElement(node, block).text = json.dumps(_plain(entry[block]))
        data = ET.SubElement(node, "data_object")
        for name, value in entry["data_object"].items():
            if name in ARRAYS:
                arr = np.asarray(value)
                ET.SubElement(data, name, shape=" ".join(map(str, arr.shape)), dtype=arr.dtype.kind).text = " ".join(
                    repr(float(v)) if arr.dtype.kind == "f" else str(int(v)) for v in arr.ravel()
                )
            else:
                ET.SubElement(data, name).text = json.dumps(_plain(value))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _write_entry(f: h5py.File, index: int, entry: Entry) -> None:
    """Entry `index` into `f`; arrays that are already datasets at their place in `f` stay where they are."""
    group = f.require_group(str(entry["id_metadata"]["id"]))
    group.attrs["data_mode"] = entry["data_mode"]
    group.attrs["time_mode"] = entry["time_mode"]
    group.attrs["order"] = index
    for block in BLOCKS:
        if block in entry:
            group.attrs[block] = json.dumps(_plain(entry[block]))
    data = group.require_group("data_object")
    for name, value in entry["data_object"].items():
        if name in ARRAYS:
            if isinstance(value, h5py.Dataset) and value.file == f and value.name == f"{data.name}/{name}":
                continue
            data.create_dataset(name, data=np.asarray(value))
        else:
            data.attrs[name] = json.dumps(_plain(value))


def to_hdf5(entries: list[Entry]) -> bytes:
    """One group per result id; attributes data_mode/time_mode; metadata blocks as JSON attributes."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for index, entry in enumerate(entries):
            _write_entry(f, index, entry)
    return buf.getvalue()


def write_results(
    f: h5py.File,
    results: list[AnalyzerResult],
    id_metadata: Mapping[str, Any],
    audio_metadata: Mapping[str, Any],
    parameters: Mapping[str, Any],
) -> None:
    """Complete the container `f` (open for writing, frame-wise datasets already appended by the analyzers)."""
    for index, entry in enumerate(build(results, id_metadata, audio_metadata, parameters)):
        _write_entry(f, index, entry)


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


def _entries(f: h5py.File, lazy: bool) -> list[Entry]:
    out: list[tuple[int, Entry]] = []
    for name in f:
        group = f[name]
        entry: Entry = {"data_mode": str(group.attrs["data_mode"]), "time_mode": str(group.attrs["time_mode"])}
        for block in BLOCKS:
            if block in group.attrs:
                entry[block] = json.loads(group.attrs[block])
        data: dict[str, Any] = {k: (v if lazy else np.asarray(v[()])) for k, v in group["data_object"].items()}
        for key, value in group["data_object"].attrs.items():
            data[key] = json.loads(value)
        entry["data_object"] = data
        out.append((int(group.attrs["order"]), entry))
    return [e for _, e in sorted(out, key=lambda pair: pair[0])]


def from_hdf5(raw: bytes) -> list[Entry]:
    with h5py.File(io.BytesIO(raw), "r") as f:
        return _entries(f, lazy=False)


@contextmanager
def open_hdf5(path: Path) -> Iterator[list[Entry]]:
    """The entries of the container file at `path`, their arrays left as HDF5 datasets (read on demand)."""
    with h5py.File(path, "r") as f:
        yield _entries(f, lazy=True)


# Streaming a stored HDF5 container as JSON, YAML or XML -----------------------------------------------
def _slices(value: Any) -> Iterator[Any]:
    """Consecutive row slices of a dataset (or array) of about SLICE_VALUES numbers each, as numpy arrays."""
    shape = value.shape
    if not shape:
        yield np.asarray(value[()])
        return
    row = max(1, int(np.prod(shape[1:], dtype=np.int64)))
    step = max(1, SLICE_VALUES // row)
    for start in range(0, shape[0], step):
        yield np.asarray(value[start : start + step])


def _json_array(value: Any) -> Iterator[str]:
    if not value.shape:
        yield json.dumps(_plain(np.asarray(value[()])), allow_nan=False)
        return
    yield "["
    first = True
    for part in _slices(value):
        if part.shape[0]:
            yield ("" if first else ", ") + json.dumps(part.tolist(), allow_nan=False)[1:-1]
            first = False
    yield "]"


def _json_entry(entry: Entry) -> Iterator[str]:
    yield "{"
    first = True
    for key, value in _ordered(entry):
        yield ("" if first else ", ") + json.dumps(key) + ": "
        first = False
        if key == "data_object":
            yield "{"
            for i, (name, item) in enumerate(value.items()):
                yield ("" if i == 0 else ", ") + json.dumps(name) + ": "
                if name in ARRAYS:
                    yield from _json_array(item)
                else:
                    yield json.dumps(_plain(item), allow_nan=False)
            yield "}"
        else:
            yield json.dumps(_plain(value), allow_nan=False)
    yield "}"


def _ordered(entry: Entry) -> list[tuple[str, Any]]:
    keys = ("id_metadata", "audio_metadata", "data_object", "parameters", "data_mode", "time_mode", "frame_metadata")
    return [(k, entry[k]) for k in keys if k in entry]


def _stream_json(entries: list[Entry]) -> Iterator[str]:
    yield "["
    for index, entry in enumerate(entries):
        if index:
            yield ", "
        yield from _json_entry(entry)
    yield "]"


_EXP_WITHOUT_POINT = re.compile(r"(?<![\d.])(\d+)(e[-+])")
_NON_FINITE = re.compile(r"-Infinity|Infinity|NaN")
_YAML_NON_FINITE = {"-Infinity": "-.inf", "Infinity": ".inf", "NaN": ".nan"}


def _yaml_numbers(part: Any) -> str:
    """Rows of numbers as a YAML flow sequence body: JSON's spelling, with YAML 1.1's float forms."""
    text = json.dumps(part.tolist())[1:-1]
    if part.dtype.kind == "f":
        text = _EXP_WITHOUT_POINT.sub(r"\1.0\2", text)
        text = _NON_FINITE.sub(lambda m: _YAML_NON_FINITE[m.group(0)], text)
    return text


def _yaml_flow(value: Any) -> str:
    return (
        str(yaml.safe_dump(_plain(value), default_flow_style=True, width=float("inf")))
        .strip()
        .removesuffix("\n...")
        .strip()
    )


def _stream_yaml(entries: list[Entry]) -> Iterator[str]:
    if not entries:
        yield "[]\n"
        return
    for entry in entries:
        lead = "- "
        for key, value in _ordered(entry):
            if key != "data_object":
                yield f"{lead}{key}: {_yaml_flow(value)}\n"
            else:
                yield f"{lead}data_object:" + ("\n" if value else " {}\n")
                for name, item in value.items():
                    if name not in ARRAYS:
                        yield f"    {_yaml_flow(name)}: {_yaml_flow(item)}\n"
                    elif not item.shape:
                        yield f"    {name}: {_yaml_flow(np.asarray(item[()]))}\n"
                    else:
                        yield f"    {name}: ["
                        first = True
                        for part in _slices(item):
                            if part.shape[0]:
                                yield ("" if first else ",\n      ") + _yaml_numbers(part)
                                first = False
                        yield "]\n"
            lead = "  "


def _stream_xml(entries: list[Entry]) -> Iterator[str]:
    yield "<?xml version='1.0' encoding='utf-8'?>\n<results>"
    for entry in entries:
        yield (
            f"<result id={quoteattr(str(entry['id_metadata']['id']))} data_mode={quoteattr(entry['data_mode'])}"
            f" time_mode={quoteattr(entry['time_mode'])}>"
        )
        for block in BLOCKS:
            if block in entry:
                yield f"<{block}>{escape(json.dumps(_plain(entry[block])))}</{block}>"
        yield "<data_object>"
        for name, value in entry["data_object"].items():
            if name not in ARRAYS:
                yield f"<{name}>{escape(json.dumps(_plain(value)))}</{name}>"
                continue
            kind = value.dtype.kind
            yield f"<{name} shape={quoteattr(' '.join(map(str, value.shape)))} dtype={quoteattr(kind)}>"
            first = True
            for part in _slices(value):
                flat = part.ravel()
                if flat.size:
                    numbers = (
                        map(repr, flat.astype(float).tolist())
                        if kind == "f"
                        else map(str, flat.astype(np.int64).tolist())
                    )
                    yield ("" if first else " ") + " ".join(numbers)
                    first = False
            yield f"</{name}>"
        yield "</data_object></result>"
    yield "</results>"


TEXT_STREAMS = {"json": _stream_json, "yaml": _stream_yaml, "xml": _stream_xml}
STREAM_BYTES = 256 * 1024


def stream(path: Path, fmt: str) -> Iterator[bytes]:
    """The stored HDF5 container at `path` in `fmt`, as pieces of about STREAM_BYTES (datasets read in slices)."""
    if fmt == "hdf5":
        with open(path, "rb") as fh:
            while piece := fh.read(STREAM_BYTES):
                yield piece
        return
    writer = TEXT_STREAMS.get(fmt)
    if writer is None:
        raise NotFound(f"Unknown container format {fmt!r}: use one of {', '.join(WRITERS)}.")
    with open_hdf5(path) as entries:
        pending: list[bytes] = []
        size = 0
        for text in writer(entries):
            piece = text.encode()
            pending.append(piece)
            size += len(piece)
            if size >= STREAM_BYTES:
                yield b"".join(pending)
                pending, size = [], 0
        if pending:
            yield b"".join(pending)


WRITERS = {"json": to_json, "yaml": to_yaml, "xml": to_xml, "hdf5": to_hdf5}
READERS = {"json": from_json, "yaml": from_yaml, "xml": from_xml, "hdf5": from_hdf5}


def dump(entries: list[Entry], fmt: str) -> bytes:
    writer = WRITERS.get(fmt)
    if writer is None:
        raise NotFound(f"Unknown container format {fmt!r}: use one of {', '.join(WRITERS)}.")
    return writer(entries)


def load(raw: bytes, fmt: str) -> list[Entry]:
    return READERS[fmt](raw)
