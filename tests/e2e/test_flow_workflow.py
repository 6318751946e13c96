"""The TAMS example workflow end to end: ingest audio segments through storage allocation, presigned PUT
and segment registration; build an edit Flow that reuses the ingested Objects; read a timerange back and
reassemble the audio sample-exactly."""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import httpx
import numpy as np
import soundfile as sf

from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

RATE = 48_000
SEGMENT_SAMPLES = 48_000 // 2  # 0.5 s objects
SEGMENTS = 8


def _ts(samples: int) -> str:
    """A TAMS timestamp for a sample position (sample-exact: 48 kHz divides a second evenly)."""
    t = Fraction(samples, RATE)
    seconds, rest = divmod(t, 1)
    return f"{int(seconds)}:{int(rest * 1_000_000_000)}"


def _wav(samples: np.ndarray) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, samples, RATE, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def _read(http: httpx.Client, segment: dict[str, Any]) -> np.ndarray:
    data = http.get(segment["get_urls"][0]["url"])
    assert data.status_code == 200
    samples, rate = sf.read(io.BytesIO(data.content), dtype="int16")
    assert rate == RATE
    return np.asarray(samples)


def test_ingest_edit_and_reassemble_audio(http: httpx.Client, server: RunningServer) -> None:
    rng = np.random.default_rng(7)
    audio = rng.integers(-20000, 20000, size=(SEGMENTS * SEGMENT_SAMPLES, 2), dtype=np.int16)
    essence = {"sample_rate": RATE, "channels": 2, "bit_depth": 16}
    ingest = audio_flow(codec="audio/pcm", container="audio/wav", essence_parameters=essence)
    assert http.put(f"/tams/flows/{ingest['id']}", json=ingest, headers=server.auth()).status_code == 201

    # 1. ingest: allocate storage, PUT each WAV object to its presigned URL, register segments
    storage = http.post(f"/tams/flows/{ingest['id']}/storage", json={"limit": SEGMENTS}, headers=server.auth())
    assert storage.status_code == 201, storage.text
    registered = []
    for i, item in enumerate(storage.json()["media_objects"]):
        chunk = audio[i * SEGMENT_SAMPLES : (i + 1) * SEGMENT_SAMPLES]
        put = httpx.put(
            item["put_url"]["url"], content=_wav(chunk), headers={"content-type": item["put_url"]["content-type"]}
        )
        assert put.status_code == 200, put.text
        registered.append(
            {
                "object_id": item["object_id"],
                "timerange": f"[{_ts(i * SEGMENT_SAMPLES)}_{_ts((i + 1) * SEGMENT_SAMPLES)})",
            }
        )
    resp = http.post(f"/tams/flows/{ingest['id']}/segments", json=registered, headers=server.auth())
    assert resp.status_code == 201, resp.text

    # 2. an edit flow: the second half first, then the first quarter, by reference (no bytes copied)
    edit = audio_flow(
        codec="audio/pcm", container="audio/wav", essence_parameters=essence, source_id=ingest["source_id"]
    )
    assert http.put(f"/tams/flows/{edit['id']}", json=edit, headers=server.auth()).status_code == 201
    order = list(range(SEGMENTS // 2, SEGMENTS)) + list(range(SEGMENTS // 4))
    edit_segments = []
    for pos, src in enumerate(order):
        offset = (pos - src) * SEGMENT_SAMPLES  # segment_ts = media_object_ts + ts_offset
        sign = "-" if offset < 0 else ""
        edit_segments.append(
            {
                "object_id": registered[src]["object_id"],
                "timerange": f"[{_ts(pos * SEGMENT_SAMPLES)}_{_ts((pos + 1) * SEGMENT_SAMPLES)})",
                "ts_offset": sign + _ts(abs(offset)),
            }
        )
    resp = http.post(f"/tams/flows/{edit['id']}/segments", json=edit_segments, headers=server.auth())
    assert resp.status_code == 201, resp.text
    shared = http.get(f"/tams/objects/{registered[SEGMENTS // 2]['object_id']}").json()
    assert sorted(shared["referenced_by_flows"]) == sorted([ingest["id"], edit["id"]])
    assert shared["first_referenced_by_flow"] == ingest["id"]

    # 3. read a timerange of the edit flow back and reassemble it sample-exactly
    start, end = SEGMENT_SAMPLES, 4 * SEGMENT_SAMPLES
    segs = http.get(
        f"/tams/flows/{edit['id']}/segments",
        params={"timerange": f"[{_ts(start)}_{_ts(end)})", "include_object_timerange": "true"},
    ).json()
    assert len(segs) == 3
    pieces = [_read(http, s) for s in segs]
    rebuilt = np.concatenate(pieces)
    expected = np.concatenate([audio[src * SEGMENT_SAMPLES : (src + 1) * SEGMENT_SAMPLES] for src in order[1:4]])
    assert rebuilt.shape == expected.shape and np.array_equal(rebuilt, expected)
    whole = http.get(f"/tams/flows/{edit['id']}", params={"include_timerange": "true"}).json()
    assert whole["timerange"] == f"[0:0_{_ts(len(order) * SEGMENT_SAMPLES)})"
