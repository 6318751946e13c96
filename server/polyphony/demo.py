"""Demo content for every API, made through the public REST APIs of a started server (`serve --demo`).

The music library is synthesized and scanned before the server starts (`polyphony.media.demo`); once it
answers, this adds, from the same synthesized audio and nothing downloaded:

- Open Theater: a project with two channels, an audio asset and a cue list;
- TimeSide: an item, a preset, an experience and a task that analyses the item;
- TAMS: a source and an audio flow of two WAV segments.

Every piece has a fixed identifier (or, where the API assigns one, a fixed title) and is looked up
before it is made, so a restart adds nothing twice. Only HTTP is used: no service module is imported.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import httpx
import soundfile

logging.getLogger("httpx").setLevel(logging.WARNING)  # a quiet start: no line per demo request

PROJECT = "6f1d3c2e-5b7a-4c9d-8e0f-1a2b3c4d5e6f"
CHANNELS: tuple[tuple[str, str, list[str]], ...] = (
    ("7a2e4d3f-6c8b-4dae-9f10-2b3c4d5e6f70", "Surtitles DE", ["text_de", "audio_de"]),
    ("8b3f5e4a-7d9c-4ebf-a021-3c4d5e6f7081", "Surtitles EN", ["text_en"]),
)
ASSET = "audio/a440.flac"
CUES = [
    {"label": "Q1 - House lights down", "payload": {"content": {"text_de": "Willkommen", "text_en": "Welcome"}}},
    {"label": "Q2 - Tuning fork", "payload": {"content": {"audio_de": ASSET}}},
    {"label": "Q3 - Curtain", "payload": {"content": {"text_de": "Ende", "text_en": "The end"}}},
]
ITEM_TITLE = "Fundamental (demo)"
EXPERIENCE_TITLE = "Demo: zero crossings"
PROCESSOR = "zero_crossing_rate"
SOURCE = "5c0a8f3e-2d4b-4e6a-9c1d-0e2f3a4b5c6d"
FLOW = "4b9e7d2c-1a3f-4d5e-8b6c-9f0e1d2c3b4a"
SEGMENT_SECONDS = 2

FUNDAMENTAL = Path("The Oscillators") / "Harmonic Series" / "01 Fundamental.flac"
A440 = Path("Ada & The Sines") / "Tuning Forks" / "01 A440.flac"


def _ok(resp: httpx.Response) -> httpx.Response:
    if resp.status_code >= 400:
        raise RuntimeError(f"{resp.request.method} {resp.request.url.path}: {resp.status_code} {resp.text[:300]}")
    return resp


async def _theater(http: httpx.AsyncClient, library: Path) -> None:
    projects = _ok(await http.get("/opentheater/projectList.json")).json()["projects"]
    project = next((p for p in projects if p["projectUuid"] == PROJECT), None)
    if project is None:
        new = {"projectUuid": PROJECT, "projectPath": ["DEMO", "TUNING"], "projectLabel": ["Demo", "Tuning"]}
        project = _ok(await http.post("/opentheater/projects", json=new)).json()
    have = {c["channelUuid"] for c in project.get("channelList", [])}
    for uid, label, containers in CHANNELS:
        if uid not in have:
            body = {"channelUuid": uid, "label": label, "containerIds": containers, "channelTrigger": True}
            _ok(await http.post(f"/opentheater/projects/{PROJECT}/channels", json=body))
    channel = CHANNELS[0][0]
    listed = await http.get(f"/opentheater/files/{PROJECT}/{channel}/fileList.json")  # 404 until a first file
    files = _ok(listed).json().get("files", []) if listed.status_code != 404 else []
    if not any(ASSET in str(f) for f in files):
        data = (library / A440).read_bytes()
        headers = {"content-type": "audio/flac"}
        _ok(await http.put(f"/opentheater/files/{PROJECT}/{channel}/{ASSET}", content=data, headers=headers))
    cuelist = _ok(await http.get(f"/opentheater/projects/{PROJECT}/cuelist")).json()
    if not cuelist.get("cueList", {}).get("cues"):
        _ok(await http.put(f"/opentheater/projects/{PROJECT}/cuelist", json={"cues": CUES}))


def _find(rows: Any, key: str, value: str) -> dict[str, Any] | None:
    items = rows.get("results", rows) if isinstance(rows, dict) else rows
    return next((r for r in items if r.get(key) == value), None)


async def _timeside(http: httpx.AsyncClient, library: Path) -> None:
    api = "/timeside/api"
    item = _find(_ok(await http.get(f"{api}/items/")).json(), "title", ITEM_TITLE)
    if item is None:
        path = library / FUNDAMENTAL
        files = {"source_file": (path.name, path.read_bytes(), "audio/flac")}
        item = _ok(await http.post(f"{api}/items/", data={"title": ITEM_TITLE}, files=files)).json()
    experience = _find(_ok(await http.get(f"{api}/experiences/")).json(), "title", EXPERIENCE_TITLE)
    if experience is None:
        preset = _ok(await http.post(f"{api}/presets/", json={"processor": PROCESSOR, "parameters": {}})).json()
        body = {"title": EXPERIENCE_TITLE, "presets": [preset["url"]], "is_public": True}
        experience = _ok(await http.post(f"{api}/experiences/", json=body)).json()
    tasks = _ok(await http.get(f"{api}/tasks/")).json()
    tasks = tasks.get("results", tasks) if isinstance(tasks, dict) else tasks
    for task in tasks:
        if item["uuid"] in str(task.get("item")) and experience["uuid"] in str(task.get("experience")):
            return
    body = {"experience": experience["url"], "item": item["url"], "status": 2}
    _ok(await http.post(f"{api}/tasks/", json=body))


def _wav_pieces(path: Path, seconds: int) -> tuple[int, int, list[bytes]]:
    audio, rate = soundfile.read(str(path), dtype="int16", always_2d=True)
    step = seconds * rate
    pieces = []
    for start in range(0, len(audio) - step + 1, step):
        out = io.BytesIO()
        soundfile.write(out, audio[start : start + step], rate, subtype="PCM_16", format="WAV")
        pieces.append(out.getvalue())
    return rate, audio.shape[1], pieces


async def _tams(http: httpx.AsyncClient, library: Path) -> None:
    rate, channels, pieces = _wav_pieces(library / FUNDAMENTAL, SEGMENT_SECONDS)
    flow = {
        "id": FLOW,
        "source_id": SOURCE,
        "label": "Fundamental (demo)",
        "description": "The demo library's first track, as 2 s WAV segments",
        "format": "urn:x-nmos:format:audio",
        "codec": "audio/wav",
        "container": "audio/wav",
        "essence_parameters": {"sample_rate": rate, "channels": channels, "bit_depth": 16},
    }
    existing = await http.get(f"/tams/flows/{FLOW}")
    if existing.status_code == 404:
        _ok(await http.put(f"/tams/flows/{FLOW}", json=flow))
    else:
        _ok(existing)
    if _ok(await http.get(f"/tams/flows/{FLOW}/segments")).json():
        return
    storage = _ok(await http.post(f"/tams/flows/{FLOW}/storage", json={"limit": len(pieces)})).json()
    for i, (obj, data) in enumerate(zip(storage["media_objects"], pieces, strict=False)):
        put = obj["put_url"]
        _ok(await http.put(put["url"], content=data, headers={"content-type": put.get("content-type", "audio/wav")}))
        timerange = f"[{i * SEGMENT_SECONDS}:0_{(i + 1) * SEGMENT_SECONDS}:0)"
        _ok(
            await http.post(
                f"/tams/flows/{FLOW}/segments", json={"object_id": obj["object_id"], "timerange": timerange}
            )
        )


async def ensure_demo_content(base_url: str, token: str, library: Path) -> None:
    """Add the demo's Open Theater, TimeSide and TAMS content to the server at `base_url` (idempotent)."""
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as http:
        for part in (_theater, _timeside, _tams):
            await part(http, library)
