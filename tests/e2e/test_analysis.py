"""End to end: the TimeSide items API through Envoy (REST) and over native gRPC, on a real server."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import numpy as np
import pytest
import soundfile as sf
from google.api import httpbody_pb2
from google.rpc import error_details_pb2, status_pb2

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.harness import RunningServer, database_url, run_server

ITEMS = "/timeside/api/items/"
LIST_FIELDS = {"uuid", "url", "title", "description", "source_file", "source_url", "mime_type", "artist", "album"}


def wav(seconds: float = 1.0, rate: int = 16000, channels: int = 1, fmt: str = "WAV") -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    mono = 0.25 * np.sin(2 * np.pi * 440 * t)
    buf = io.BytesIO()
    sf.write(buf, np.stack([mono] * channels, axis=1) if channels > 1 else mono, rate, format=fmt)
    return buf.getvalue()


def stored(server: RunningServer) -> set[Path]:
    root = server.data_dir / "objects" / "timeside"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def upload(
    http: httpx.Client, server: RunningServer, data: bytes, name: str = "tone.wav", **fields: str
) -> httpx.Response:
    return http.post(ITEMS, data=fields, files={"source_file": (name, data, "audio/wav")}, headers=server.auth())


def test_create_item_by_multipart_upload(http: httpx.Client, server: RunningServer) -> None:
    audio = wav(2.0, channels=2)
    r = upload(http, server, audio, title="A tone", description="two seconds", artist="Osc", album="Lab")
    assert r.status_code == 201, r.text
    item = r.json()
    assert uuid.UUID(item["uuid"]).version == 4
    assert item["url"] == f"{server.http}{ITEMS}{item['uuid']}/"
    assert r.headers["location"] == item["url"]
    assert [item[k] for k in ("title", "description", "artist", "album")] == ["A tone", "two seconds", "Osc", "Lab"]
    assert item["mime_type"] == "audio/x-wav"
    assert item["samplerate"] == 16000 and item["channels"] == 2
    assert item["audio_duration"] == pytest.approx(2.0)
    assert item["sha256"] == hashlib.sha256(audio).hexdigest()
    assert item["sha1"] == hashlib.sha1(audio).hexdigest()
    assert item["is_public"] is True and item["date_added"].endswith("Z")
    assert item["source_file"].endswith("/tone.wav")
    # The stored audio comes back byte for byte from the source_file URL.
    got = http.get(item["source_file"])
    assert got.status_code == 200 and got.content == audio
    assert got.headers["content-type"] == "audio/x-wav"


def test_get_and_list_items(http: httpx.Client, server: RunningServer) -> None:
    item = upload(http, server, wav(), title="listed").json()
    detail = http.get(f"{ITEMS}{item['uuid']}/")
    assert detail.status_code == 200 and detail.json() == item
    assert http.get(f"{ITEMS}{item['uuid']}").json() == item  # no trailing slash reaches the same route
    listing = http.get(ITEMS)
    assert listing.status_code == 200 and isinstance(listing.json(), list)
    short = next(i for i in listing.json() if i["uuid"] == item["uuid"])
    assert set(short) == LIST_FIELDS
    assert {k: item[k] for k in LIST_FIELDS} == short


def test_head_on_list_and_detail(http: httpx.Client, server: RunningServer) -> None:
    item = upload(http, server, wav()).json()
    for path in (ITEMS, f"{ITEMS}{item['uuid']}/"):
        r = http.head(path)
        assert r.status_code == 200 and r.content == b""
    assert http.head(f"{ITEMS}{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("path", [f"{ITEMS}{uuid.UUID(int=1)}/", f"{ITEMS}not-a-uuid/"])
def test_unknown_or_malformed_item_is_404(http: httpx.Client, path: str) -> None:
    r = http.get(path)
    assert r.status_code == 404
    assert set(r.json()) == {"detail"}


def test_corrupt_audio_is_rejected_and_nothing_is_stored(http: httpx.Client, server: RunningServer) -> None:
    before_files, before_items = stored(server), len(http.get(ITEMS).json())
    for data in (b"RIFF\0\0\0\0WAVEfmt " + b"\x00" * 4000, b"plain text, not audio\n" * 200, b""):
        r = upload(http, server, data, name="broken.wav", title="broken")
        assert r.status_code == 400, r.text
        assert list(r.json()) == ["source_file"] and isinstance(r.json()["source_file"], list)
    assert stored(server) == before_files
    assert len(http.get(ITEMS).json()) == before_items


def test_invalid_field_is_rejected_without_storing(http: httpx.Client, server: RunningServer) -> None:
    before = stored(server)
    r = upload(http, server, wav(), title="t" * 600)
    assert r.status_code == 400 and list(r.json()) == ["title"]
    assert stored(server) == before


def test_writes_need_a_token(http: httpx.Client) -> None:
    r = http.post(ITEMS, files={"source_file": ("a.wav", wav(), "audio/wav")})
    assert r.status_code == 401 and "detail" in r.json()


def test_json_create_and_unsupported_media_type(http: httpx.Client, server: RunningServer) -> None:
    # An external page URL on a host no provider owns is recorded, not fetched (a `source_url` is fetched:
    # see test_analysis_corpus.py).
    r = http.post(ITEMS, json={"title": "no audio", "external_uri": "https://example.org/a"}, headers=server.auth())
    assert r.status_code == 201
    body = r.json()
    assert body["external_uri"] == "https://example.org/a" and "source_file" not in body
    r = http.post(ITEMS, content=b"hi", headers={**server.auth(), "content-type": "text/plain"})
    assert r.status_code == 415 and "detail" in r.json()


def test_large_upload_streams_past_the_body_cap(http: httpx.Client, server: RunningServer) -> None:
    audio = wav(seconds=560, rate=16000)  # ~17.9 MB, above the 16 MiB cap on non-upload routes
    assert len(audio) > 16 * 1024 * 1024
    r = upload(http, server, audio, name="long.wav")
    assert r.status_code == 201, r.text
    assert r.json()["audio_duration"] == pytest.approx(560) and r.json()["sha256"] == hashlib.sha256(audio).hexdigest()


def test_update_and_delete(http: httpx.Client, server: RunningServer) -> None:
    before = stored(server)
    item = upload(http, server, wav(), title="before").json()
    (file_path,) = stored(server) - before
    url = f"{ITEMS}{item['uuid']}/"
    r = http.patch(url, json={"title": "after", "samplerate": 1}, headers=server.auth())
    assert r.status_code == 200 and r.json()["title"] == "after" and r.json()["samplerate"] == 16000
    r = http.put(url, data={"album": "B"}, headers=server.auth())
    assert r.status_code == 200 and (r.json()["title"], r.json()["album"]) == ("after", "B")
    r = http.patch(url, json={"is_public": "perhaps"}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["is_public"]
    assert file_path.read_bytes() == http.get(item["source_file"]).content
    r = http.delete(url, headers=server.auth())
    assert r.status_code == 204 and r.content == b""
    assert http.get(url).status_code == 404
    assert not file_path.exists()
    assert http.delete(url, headers=server.auth()).status_code == 404


def _multipart(title: str, filename: str, data: bytes) -> tuple[str, bytes]:
    request = httpx.Request("POST", "http://x/", data={"title": title}, files={"source_file": (filename, data)})
    return request.headers["content-type"], request.read()


async def test_grpc_create_by_streaming_the_same_bytes(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    audio = wav(1.5, fmt="FLAC")
    ctype, body = _multipart("over grpc", "g.flac", audio)

    async def messages() -> AsyncIterator[httpbody_pb2.HttpBody]:
        yield httpbody_pb2.HttpBody(content_type=ctype, data=body[:100])
        for i in range(100, len(body), 4096):
            yield httpbody_pb2.HttpBody(data=body[i : i + 4096])

    item = await stub.CreateItem(messages(), metadata=server.grpc_auth())
    assert item.title == "over grpc" and item.mime_type == "audio/flac"
    assert item.audio_duration == pytest.approx(1.5)
    fetched = await stub.GetItem(pb.GetItemRequest(uuid=item.uuid))
    assert fetched == item
    listed = [i.uuid async for i in stub.ListItems(pb.ListItemsRequest())]
    assert item.uuid in listed


async def test_grpc_typed_upload(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    audio = wav(0.5)

    async def messages() -> AsyncIterator[pb.UploadItemRequest]:
        yield pb.UploadItemRequest(fields=pb.ItemFields(title="typed", source_filename="t.wav", external_id="ext-9"))
        for i in range(0, len(audio), 1000):
            yield pb.UploadItemRequest(chunk=audio[i : i + 1000])

    item = await stub.UploadItem(messages(), metadata=server.grpc_auth())
    assert (item.title, item.samplerate, item.sha256) == ("typed", 16000, hashlib.sha256(audio).hexdigest())
    only = [i.uuid async for i in stub.ListItems(pb.ListItemsRequest(external_id="ext-9"))]
    assert only == [item.uuid]


async def test_grpc_errors(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetItem(pb.GetItemRequest(uuid=str(uuid.uuid4())))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND

    async def bad() -> AsyncIterator[pb.UploadItemRequest]:
        yield pb.UploadItemRequest(fields=pb.ItemFields(source_filename="x.wav"))
        yield pb.UploadItemRequest(chunk=b"not audio" * 100)

    before = stored(server)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UploadItem(bad(), metadata=server.grpc_auth())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    details = dict(err.value.trailing_metadata() or ()).get("grpc-status-details-bin")
    status = status_pb2.Status.FromString(details)
    violations = [
        error_details_pb2.BadRequest.FromString(d.value) for d in status.details if d.type_url.endswith("BadRequest")
    ]
    assert violations[0].field_violations[0].field == "source_file"
    assert stored(server) == before
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UploadItem(bad())
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_items_survive_a_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "restart"
    audio = wav(1.0)
    with database_url(data_dir) as url:
        env = {"POLYPHONY_DATABASE_URL": url}
        with run_server(data_dir, extra_env=env) as first, httpx.Client(base_url=first.http) as http:
            created = upload(http, first, audio, title="kept").json()
        with run_server(data_dir, extra_env=env) as second, httpx.Client(base_url=second.http) as http:
            item = http.get(f"{ITEMS}{created['uuid']}/").json()
            assert {k: item[k] for k in ("uuid", "title", "sha256", "audio_duration")} == {
                k: created[k] for k in ("uuid", "title", "sha256", "audio_duration")
            }
            assert http.get(item["source_file"]).content == audio


def wait_task(http: httpx.Client, url: str) -> dict[str, object]:
    import time

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        task: dict[str, object] = http.get(url).json()
        if task["status"] in (0, 4):
            return task
        time.sleep(0.05)
    raise AssertionError(f"task {url} did not finish")


def test_processors_registry(http: httpx.Client, server: RunningServer) -> None:
    listing = http.get("/timeside/api/processors/").json()
    pids = [p["pid"] for p in listing]
    assert {"level", "mean_dc_shift", "zero_crossing_rate"} <= set(pids)
    zcr = http.get("/timeside/api/processors/zero_crossing_rate/").json()
    assert zcr["version"] == "1.0" and zcr["synchronous"] is False
    assert zcr["parameters_default"] == {"blocksize": 1024, "stepsize": 512}
    assert zcr["parameters_schema"]["properties"]["blocksize"]["type"] == "integer"
    assert zcr["url"] == f"{server.http}/timeside/api/processors/zero_crossing_rate/"
    r = http.get("/timeside/api/processors/nope/")
    assert r.status_code == 404 and "detail" in r.json()


def test_preset_task_result_flow(http: httpx.Client, server: RunningServer) -> None:
    item = upload(http, server, wav(1.0), title="analysed").json()
    processor_url = f"{server.http}/timeside/api/processors/level/"
    # `level` takes no parameters, so other tests may have created the one equal preset already: presets are
    # normalized and deduplicated, so creating it answers 201 only if it did not exist, else 200 with that one.
    existing = [
        p
        for p in http.get("/timeside/api/presets/").json()
        if p["processor"] == processor_url and p["parameters"] == {}
    ]
    assert len(existing) <= 1
    r = http.post("/timeside/api/presets/", json={"processor": processor_url, "parameters": {}}, headers=server.auth())
    assert r.status_code == (200 if existing else 201), r.text
    preset = r.json()
    assert preset["processor"] == processor_url and preset["parameters"] == {}
    assert [p["uuid"] for p in existing] in ([], [preset["uuid"]])
    again = http.post("/timeside/api/presets/", json={"processor": "level"}, headers=server.auth())
    assert again.status_code == 200 and again.json()["uuid"] == preset["uuid"]
    assert http.get(f"/timeside/api/presets/{preset['uuid']}/").json() == preset
    bad = http.post(
        "/timeside/api/presets/",
        json={"processor": "zero_crossing_rate", "parameters": {"blocksize": 1}},
        headers=server.auth(),
    )
    assert bad.status_code == 400 and list(bad.json()) == ["parameters"]

    r = http.post("/timeside/api/tasks/", json={"item": item["url"], "preset": preset["url"]}, headers=server.auth())
    assert r.status_code == 201, r.text
    task = wait_task(http, r.json()["url"])
    assert task["status"] == 4, task
    results = http.get("/timeside/api/results/", params={"item_uuid": item["uuid"]}).json()
    assert len(results) == 1 and results[0]["status"] == 4 and results[0]["preset"] == preset["url"]
    container = http.get(results[0]["file"]).json()
    values = {entry["id_metadata"]["id"]: entry["data_object"]["value"][0] for entry in container}
    assert values["level.max"] == pytest.approx(-12.04, abs=0.05)  # 0.25 amplitude sine
    assert values["level.rms"] == pytest.approx(-15.05, abs=0.05)

    # Re-running overwrites the same (item, preset) result.
    again = http.post(
        "/timeside/api/tasks/", json={"item": item["uuid"], "preset": preset["uuid"]}, headers=server.auth()
    ).json()
    assert wait_task(http, again["url"])["status"] == 4
    assert [r["uuid"] for r in http.get("/timeside/api/results/", params={"item_uuid": item["uuid"]}).json()] == [
        results[0]["uuid"]
    ]

    r = http.post(
        "/timeside/api/tasks/", json={"item": str(uuid.uuid4()), "preset": preset["uuid"]}, headers=server.auth()
    )
    assert r.status_code == 400 and list(r.json()) == ["item"]

    before = stored(server)
    assert http.delete(item["url"], headers=server.auth()).status_code == 204
    assert http.get(results[0]["url"]).status_code == 404
    assert len(before - stored(server)) == 2  # the audio and the result container


def test_task_on_item_without_audio_is_refused(http: httpx.Client, server: RunningServer) -> None:
    item = http.post(ITEMS, json={"title": "empty"}, headers=server.auth()).json()
    preset = http.post("/timeside/api/presets/", json={"processor": "mean_dc_shift"}, headers=server.auth()).json()
    r = http.post("/timeside/api/tasks/", json={"item": item["url"], "preset": preset["url"]}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["item"] and "no audio" in r.json()["item"][0]
