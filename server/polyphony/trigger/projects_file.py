"""The Open Theater projects file: what this server offers as `projectList.json`.

The file is YAML (path in `POLYPHONY_PROJECTS_FILE`). Keys mirror `projectList.json`, so a project
list can be turned into a projects file by renaming `triggerUri`s away and adding `files`::

    version: 1                       # optional; the only version is 1
    projects:
      - projectUuid: 09a7506a-d399-4d42-983f-47a12e028586   # UUID, stable id (MUST)
        projectPath: [MY_INDEPENDENT_EXAMPLE_PIECE]         # non-empty list of strings (MUST)
        projectLabel: [My independent example piece]        # optional, same length as projectPath
        channelList:                                        # list (MAY be empty)
          - channelUuid: 7eb2e01e-faef-439c-b431-08c25a374cba   # UUID (MUST)
            label: DE Read                                      # optional display name
            containerIds: [text_de]                             # `<type>_<name>` strings (MUST)
            channelTrigger: true      # optional: also serve a channel-only socket.io namespace and
                                      # list it as the channel's `triggerUri` (default false)
            files: media/DE_SIGN      # optional: a directory (relative to this file) this server
                                      # provisions; `provisioningUri` and `lastmodified` are derived
            provisioningUri: https://cdn.example/piece/DE_SIGN/   # optional: provisioning elsewhere
            lastmodified: 16037178386002   # optional, epoch ms; only with provisioningUri
            renderer: my-renderer     # optional custom renderer id

The project's `triggerUri` is always this server's socket.io namespace `/opentheater/<projectUuid>`
(a channel's is `/opentheater/<projectUuid>/<channelUuid>`), built from the URL the client used.
`files` and `provisioningUri` are mutually exclusive. Every UUID must be unique in the file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONTAINER_ID = re.compile(r"^[A-Za-z0-9]+_[^\s]+$")
PROJECT_KEYS = {"projectUuid", "projectPath", "projectLabel", "channelList"}
CHANNEL_KEYS = {
    "channelUuid",
    "label",
    "containerIds",
    "channelTrigger",
    "files",
    "provisioningUri",
    "lastmodified",
    "renderer",
}


class ProjectsFileError(ValueError):
    """The projects file is missing or malformed; the message says where."""


@dataclass(frozen=True)
class ChannelSpec:
    channel_uuid: str
    container_ids: tuple[str, ...]
    label: str | None = None
    channel_trigger: bool = False
    files_dir: str | None = None  # absolute directory path
    provisioning_uri: str | None = None
    lastmodified: int | None = None
    renderer: str | None = None


@dataclass(frozen=True)
class ProjectSpec:
    project_uuid: str
    project_path: tuple[str, ...]
    project_label: tuple[str, ...] | None
    channels: tuple[ChannelSpec, ...]


def _uuid(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ProjectsFileError(f"{where}: must be a UUID string")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ProjectsFileError(f"{where}: {value!r} is not a UUID") from None


def _strings(value: Any, where: str, *, non_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ProjectsFileError(f"{where}: must be a list of non-empty strings")
    if non_empty and not value:
        raise ProjectsFileError(f"{where}: must not be empty")
    return tuple(value)


def _optional_str(raw: dict[str, Any], key: str, where: str) -> str | None:
    value = raw.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ProjectsFileError(f"{where}.{key}: must be a non-empty string")
    return value


def _unknown(raw: dict[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise ProjectsFileError(f"{where}: unknown key(s) {', '.join(extra)}")


def _channel(raw: Any, where: str, base: Path) -> ChannelSpec:
    if not isinstance(raw, dict):
        raise ProjectsFileError(f"{where}: must be a mapping")
    _unknown(raw, CHANNEL_KEYS, where)
    containers = _strings(raw.get("containerIds"), f"{where}.containerIds", non_empty=False)
    for cid in containers:
        if not CONTAINER_ID.match(cid):
            raise ProjectsFileError(f"{where}.containerIds: {cid!r} is not `<type>_<name>`")
    files = _optional_str(raw, "files", where)
    provisioning = _optional_str(raw, "provisioningUri", where)
    if files and provisioning:
        raise ProjectsFileError(f"{where}: `files` and `provisioningUri` are mutually exclusive")
    lastmodified = raw.get("lastmodified")
    if lastmodified is not None:
        if isinstance(lastmodified, bool) or not isinstance(lastmodified, int) or lastmodified < 0:
            raise ProjectsFileError(f"{where}.lastmodified: must be a non-negative integer (epoch ms)")
        if not provisioning:
            raise ProjectsFileError(f"{where}.lastmodified: only allowed with provisioningUri")
    files_dir = None
    if files:
        directory = (base / files).resolve()
        if not directory.is_dir():
            raise ProjectsFileError(f"{where}.files: {directory} is not a directory")
        files_dir = str(directory)
    trigger = raw.get("channelTrigger", False)
    if not isinstance(trigger, bool):
        raise ProjectsFileError(f"{where}.channelTrigger: must be true or false")
    return ChannelSpec(
        channel_uuid=_uuid(raw.get("channelUuid"), f"{where}.channelUuid"),
        container_ids=containers,
        label=_optional_str(raw, "label", where),
        channel_trigger=trigger,
        files_dir=files_dir,
        provisioning_uri=provisioning,
        lastmodified=lastmodified,
        renderer=_optional_str(raw, "renderer", where),
    )


def _project(raw: Any, where: str, base: Path) -> ProjectSpec:
    if not isinstance(raw, dict):
        raise ProjectsFileError(f"{where}: must be a mapping")
    _unknown(raw, PROJECT_KEYS, where)
    path = _strings(raw.get("projectPath"), f"{where}.projectPath", non_empty=True)
    label = None
    if raw.get("projectLabel") is not None:
        label = _strings(raw["projectLabel"], f"{where}.projectLabel", non_empty=True)
        if len(label) != len(path):
            raise ProjectsFileError(f"{where}.projectLabel: must have as many items as projectPath")
    channels_raw = raw.get("channelList", [])
    if not isinstance(channels_raw, list):
        raise ProjectsFileError(f"{where}.channelList: must be a list")
    return ProjectSpec(
        project_uuid=_uuid(raw.get("projectUuid"), f"{where}.projectUuid"),
        project_path=path,
        project_label=label,
        channels=tuple(_channel(c, f"{where}.channelList[{i}]", base) for i, c in enumerate(channels_raw)),
    )


def parse(text: str, base: Path) -> tuple[ProjectSpec, ...]:
    """Parse a projects file's text; relative `files` directories resolve against `base`."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProjectsFileError(f"not valid YAML: {exc}") from None
    if doc is None:
        return ()
    if not isinstance(doc, dict):
        raise ProjectsFileError("top level must be a mapping with `projects`")
    _unknown(doc, {"version", "projects"}, "top level")
    if doc.get("version", 1) != 1:
        raise ProjectsFileError("version: only version 1 is known")
    projects_raw = doc.get("projects", [])
    if not isinstance(projects_raw, list):
        raise ProjectsFileError("projects: must be a list")
    projects = tuple(_project(p, f"projects[{i}]", base) for i, p in enumerate(projects_raw))
    seen: set[str] = set()
    for p in projects:
        for uid in (p.project_uuid, *(c.channel_uuid for c in p.channels)):
            if uid in seen:
                raise ProjectsFileError(f"UUID {uid} is used more than once")
            seen.add(uid)
    return projects


def load(path: str | Path) -> tuple[ProjectSpec, ...]:
    """Read and parse the projects file at `path`."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProjectsFileError(f"cannot read projects file {file}: {exc.strerror}") from None
    try:
        return parse(text, file.resolve().parent)
    except ProjectsFileError as exc:
        raise ProjectsFileError(f"{file}: {exc}") from None
