"""Managing Open Theater projects, channels and assets: REST through Envoy and native gRPC.

A server of its own (the shared one's project list must stay as the projects file says), started
with a copy of the test projects file: file projects and API projects live side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import socketio
from google.api import httpbody_pb2

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from tests.harness import RunningServer, run_server

ROOT = Path(__file__).parents[2]
PROJECTS = str(ROOT / "tests" / "fixtures" / "opentheater" / "projects.yaml")
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
DE_SIGN = "d40dcbb7-f740-4f94-bb9e-0da4d19650fb"  # provisioned from a directory of the projects file
MANNHEIM_SUB = "f6b070fe-0f89-4c1e-8c43-993abd9e851f"  # provisioned elsewhere (provisioningUri)
SMALL_BODY_LIMIT = 32768  # uploads stream past the edge's body limit; other requests do not


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {"POLYPHONY_PROJECTS_FILE": PROJECTS, "POLYPHONY_MAX_BODY_BYTES": str(SMALL_BODY_LIMIT)}
    with run_server(tmp_path_factory.mktemp("manage"), extra_env=env) as s:
        yield s


@pytest.fixture
def api(srv: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=srv.http, timeout=30) as client:
        yield client


@pytest.fixture
async def stub(srv: RunningServer) -> AsyncIterator[trigger_pb2_grpc.TriggerServiceStub]:
    async with grpc.aio.insecure_channel(srv.grpc_target) as ch:
        yield trigger_pb2_grpc.TriggerServiceStub(ch)


def _project(api: httpx.Client, srv: RunningServer, **fields: Any) -> dict[str, Any]:
    resp = api.post("/opentheater/projects", json={"projectPath": ["HOUSE", "SHOW"], **fields}, headers=srv.auth())
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _channel(api: httpx.Client, srv: RunningServer, project: str, **fields: Any) -> dict[str, Any]:
    resp = api.post(
        f"/opentheater/projects/{project}/channels",
        json={"label": "DE", "containerIds": ["text_de", "video_de"], **fields},
        headers=srv.auth(),
    )
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def _listed(api: httpx.Client, project: str) -> dict[str, Any] | None:
    doc = api.get("/opentheater/projectList.json").json()
    return next((p for p in doc["projects"] if p["projectUuid"] == project), None)


def _files(api: httpx.Client, project: str, channel: str) -> list[dict[str, Any]]:
    resp = api.get(f"/opentheater/files/{project}/{channel}/fileList.json")
    assert resp.status_code == 200, resp.text
    return resp.json()["files"]  # type: ignore[no-any-return]


def _objects(srv: RunningServer) -> set[Path]:
    root = srv.data_dir / "objects" / "trigger" / "assets"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


# ------------------------------------------------------------------------------ projects + channels
def test_projects_and_channels_over_rest(api: httpx.Client, srv: RunningServer) -> None:
    uid = str(uuid.uuid4())
    created = _project(api, srv, projectUuid=uid, projectLabel=["House", "Show"])
    assert created == {
        "projectUuid": uid,
        "projectPath": ["HOUSE", "SHOW"],
        "projectLabel": ["House", "Show"],
        "triggerUri": f"{srv.http}/opentheater/{uid}",
        "channelList": [],
    }
    doc = api.get("/opentheater/projectList.json").json()
    assert [p["projectUuid"] for p in doc["projects"]][:2] == [PIECE, "ff277516-121b-4304-b256-d5a8b70e136a"]
    assert _listed(api, uid) == created
    assert (
        api.post(
            "/opentheater/projects", json={"projectUuid": uid, "projectPath": ["X"]}, headers=srv.auth()
        ).status_code
        == 409
    )

    channel = _channel(api, srv, uid, channelTrigger=True, renderer="strip")
    cuid = channel["channelUuid"]
    assert channel == {
        "channelUuid": cuid,
        "label": "DE",
        "containerIds": ["text_de", "video_de"],
        "triggerUri": f"{srv.http}/opentheater/{uid}/{cuid}",
        "renderer": "strip",
    }
    elsewhere = _channel(
        api,
        srv,
        uid,
        label="EN",
        containerIds=["text_en"],
        provisioningUri="https://cdn.example/en/",
        lastmodified=1700000000000,
    )
    assert elsewhere["provisioningUri"] == "https://cdn.example/en/" and elsewhere["lastmodified"] == 1700000000000

    changed = api.put(f"/opentheater/projects/{uid}", json={"projectPath": ["NEW"]}, headers=srv.auth())
    assert changed.status_code == 200 and changed.json()["projectPath"] == ["NEW"]
    assert "projectLabel" not in changed.json() and len(changed.json()["channelList"]) == 2
    put = api.put(
        f"/opentheater/projects/{uid}/channels/{cuid}", json={"containerIds": ["text_fr"]}, headers=srv.auth()
    )
    assert put.status_code == 200 and put.json() == {"channelUuid": cuid, "containerIds": ["text_fr"]}
    listed = _listed(api, uid)
    assert listed is not None and [c["channelUuid"] for c in listed["channelList"]] == [cuid, elsewhere["channelUuid"]]

    gone = api.delete(f"/opentheater/projects/{uid}/channels/{cuid}", headers=srv.auth())
    assert gone.status_code == 204 and gone.content == b""
    listed = _listed(api, uid)
    assert listed is not None and [c["channelUuid"] for c in listed["channelList"]] == [elsewhere["channelUuid"]]
    assert api.delete(f"/opentheater/projects/{uid}", headers=srv.auth()).status_code == 204
    assert _listed(api, uid) is None
    missing = api.delete(f"/opentheater/projects/{uid}", headers=srv.auth())
    assert missing.status_code == 404 and missing.json()["status"] == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/opentheater/projects", {"projectPath": []}, "projectPath"),
        ("/opentheater/projects", {"projectPath": ["A"], "projectLabel": ["a", "b"]}, "projectLabel"),
        ("/opentheater/projects", {"projectPath": ["A"], "projectUuid": "nope"}, "projectUuid"),
        ("/opentheater/projects", {"projectPath": ["A"], "projectLabel": [1]}, "projectLabel"),
    ],
)
def test_bad_projects_are_rejected(
    api: httpx.Client, srv: RunningServer, path: str, body: dict[str, Any], field: str
) -> None:
    before = api.get("/opentheater/projectList.json").json()
    resp = api.post(path, json=body, headers=srv.auth())
    assert resp.status_code == 400, resp.text
    assert resp.json()["status"] == 400 and field in resp.json()["error"]
    assert api.get("/opentheater/projectList.json").json() == before


def test_bad_channels_are_rejected_and_change_nothing(api: httpx.Client, srv: RunningServer) -> None:
    uid = _project(api, srv)["projectUuid"]
    cuid = _channel(api, srv, uid)["channelUuid"]
    before = _listed(api, uid)
    for body in (
        {"containerIds": ["nounderscore"]},
        {"containerIds": ["text_de"], "provisioningUri": "ftp://x/"},
        {"containerIds": ["text_de"], "lastmodified": 5},
    ):
        resp = api.post(f"/opentheater/projects/{uid}/channels", json=body, headers=srv.auth())
        assert resp.status_code == 400 and resp.json()["status"] == 400, resp.text
        resp = api.put(f"/opentheater/projects/{uid}/channels/{cuid}", json=body, headers=srv.auth())
        assert resp.status_code == 400 and resp.json()["status"] == 400, resp.text
    assert (
        api.post(
            f"/opentheater/projects/{uuid.uuid4()}/channels", json={"containerIds": []}, headers=srv.auth()
        ).status_code
        == 404
    )
    assert _listed(api, uid) == before
    api.delete(f"/opentheater/projects/{uid}", headers=srv.auth())


def test_managing_needs_a_write_token(api: httpx.Client, srv: RunningServer) -> None:
    uid = _project(api, srv)["projectUuid"]
    cuid = _channel(api, srv, uid)["channelUuid"]
    base = f"/opentheater/files/{uid}/{cuid}/"
    assert api.put(base + "a.txt", content=b"kept", headers=srv.auth()).status_code == 201
    before = (_listed(api, uid), _files(api, uid, cuid))
    attempts = [
        ("POST", "/opentheater/projects", {"json": {"projectPath": ["A"]}}),
        ("PUT", f"/opentheater/projects/{uid}", {"json": {"projectPath": ["B"]}}),
        ("DELETE", f"/opentheater/projects/{uid}", {}),
        ("POST", f"/opentheater/projects/{uid}/channels", {"json": {"containerIds": []}}),
        ("PUT", f"/opentheater/projects/{uid}/channels/{cuid}", {"json": {"containerIds": []}}),
        ("DELETE", f"/opentheater/projects/{uid}/channels/{cuid}", {}),
        ("PUT", base + "a.txt", {"content": b"evil"}),
        ("DELETE", base + "a.txt", {}),
    ]
    for method, url, kw in attempts:
        anonymous = api.request(method, url, **kw)
        assert anonymous.status_code == 401 and anonymous.json()["status"] == 401, (method, url, anonymous.text)
        reader = api.request(method, url, headers={"authorization": f"Bearer {srv.read_token}"}, **kw)
        assert reader.status_code == 403 and reader.json()["status"] == 403, (method, url, reader.text)
    assert (_listed(api, uid), _files(api, uid, cuid)) == before
    assert api.get(base + "a.txt").content == b"kept"
    api.delete(f"/opentheater/projects/{uid}", headers=srv.auth())


async def test_managing_over_grpc_needs_a_token(stub: trigger_pb2_grpc.TriggerServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.CreateProject(pb.CreateProjectRequest(project=pb.ProjectInput(project_path=["A"])))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UploadAsset(
            iter([pb.UploadAssetRequest(project_uuid=PIECE, channel_uuid=DE_SIGN, filepath="x.txt")])
        )
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


# ------------------------------------------------------------------------------------------ assets
def test_upload_fetch_replace_delete_over_rest(api: httpx.Client, srv: RunningServer) -> None:
    uid = _project(api, srv)["projectUuid"]
    cuid = _channel(api, srv, uid)["channelUuid"]
    base = f"/opentheater/files/{uid}/{cuid}/"
    listed = _listed(api, uid)
    assert listed is not None and "provisioningUri" not in listed["channelList"][0]  # nothing to download yet
    assert api.get(base + "fileList.json").status_code == 404

    vtt = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHallo\n"
    up = api.put(base + "1.vtt", content=vtt, headers=srv.auth() | {"content-type": "text/vtt"})
    assert up.status_code == 201, up.text
    first = up.json()
    assert first["created"] is True and first["contentType"] == "text/vtt"
    assert first["file"] == {"filepath": "1.vtt", "filesize": len(vtt), "lastmodified": first["file"]["lastmodified"]}
    png = bytes(range(256)) * 1000  # larger than the body limit: the upload route streams
    assert len(png) > SMALL_BODY_LIMIT
    assert api.put(base + "img/logo.png", content=png, headers=srv.auth()).status_code == 201  # type guessed
    assert api.put(base + "10.vtt", content=b"WEBVTT\n", headers=srv.auth()).status_code == 201
    files = _files(api, uid, cuid)
    assert [f["filepath"] for f in files] == ["1.vtt", "10.vtt", "img/logo.png"]
    assert files[0] == first["file"]
    channel = _listed(api, uid)["channelList"][0]  # type: ignore[index]
    assert channel["provisioningUri"] == f"{srv.http}{base}"
    assert channel["lastmodified"] >= max(f["lastmodified"] for f in files)

    got = api.get(base + "1.vtt")
    assert got.status_code == 200 and got.content == vtt and got.headers["content-type"] == "text/vtt"
    image = api.get(base + "img/logo.png")
    assert image.content == png and image.headers["content-type"] == "image/png"
    part = api.get(base + "img/logo.png", headers={"range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == png[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(png)}"
    tail = api.get(base + "img/logo.png", headers={"range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == png[-10:]
    assert api.get(base + "img/logo.png", headers={"range": f"bytes={len(png)}-"}).status_code == 416
    head = api.head(base + "1.vtt")
    assert head.status_code == 200 and head.content == b""

    replaced = api.put(base + "1.vtt", content=vtt + b"\nmore\n", headers=srv.auth() | {"content-type": "text/vtt"})
    assert replaced.status_code == 200 and replaced.json()["created"] is False
    assert replaced.json()["file"]["lastmodified"] > first["file"]["lastmodified"]
    assert replaced.json()["channelLastmodified"] > channel["lastmodified"]
    assert api.get(base + "1.vtt").content == vtt + b"\nmore\n"
    after = _listed(api, uid)["channelList"][0]  # type: ignore[index]
    assert after["lastmodified"] == replaced.json()["channelLastmodified"]
    assert next(f for f in _files(api, uid, cuid) if f["filepath"] == "1.vtt")["filesize"] == len(vtt) + 6

    objects = _objects(srv)
    deleted = api.delete(base + "img/logo.png", headers=srv.auth())
    assert deleted.status_code == 204 and deleted.content == b""
    assert [f["filepath"] for f in _files(api, uid, cuid)] == ["1.vtt", "10.vtt"]
    assert api.get(base + "img/logo.png").status_code == 404
    assert len(_objects(srv)) == len(objects) - 1
    assert _listed(api, uid)["channelList"][0]["lastmodified"] > after["lastmodified"]  # type: ignore[index]
    assert api.delete(base + "img/logo.png", headers=srv.auth()).status_code == 404

    assert api.delete(f"/opentheater/projects/{uid}", headers=srv.auth()).status_code == 204
    assert len(_objects(srv)) == len(objects) - 3  # the project's assets went with it


@pytest.mark.parametrize(
    "raw_path",
    [
        "%2e%2e/escape.txt",
        "a/%2e%2e/%2e%2e/escape.txt",
        "a%5Cb.txt",
        "a%00b.txt",
        ".hidden",
        "dir/.hidden/x.txt",
        "notes.json",
        "a//b.txt",
    ],
)
def test_asset_paths_stay_in_their_channel(api: httpx.Client, srv: RunningServer, raw_path: str) -> None:
    uid = _project(api, srv)["projectUuid"]
    cuid = _channel(api, srv, uid)["channelUuid"]
    base = f"{srv.http}/opentheater/files/{uid}/{cuid}/"
    assert api.put(base + "kept.txt", content=b"kept", headers=srv.auth()).status_code == 201
    before = (_files(api, uid, cuid), _objects(srv))
    url = httpx.URL(base).copy_with(raw_path=f"/opentheater/files/{uid}/{cuid}/{raw_path}".encode())
    resp = api.put(url, content=b"evil", headers=srv.auth())
    assert resp.status_code == 400, (raw_path, resp.status_code, resp.text)
    assert resp.json()["status"] == 400 and "path" in resp.json()["error"], resp.text
    assert (_files(api, uid, cuid), _objects(srv)) == before
    assert api.get(base + "kept.txt").content == b"kept"
    api.delete(f"/opentheater/projects/{uid}", headers=srv.auth())


def test_other_bodies_keep_the_limit(api: httpx.Client, srv: RunningServer) -> None:
    resp = api.post(
        f"/opentheater/projects/{PIECE}/cues", headers=srv.auth(), json={"content": {"text_de": "x" * 40000}}
    )  # a valid cue size (< 64 KiB)
    assert resp.status_code == 413 and resp.json()["status"] == 413


def test_uploads_only_where_this_server_provisions(api: httpx.Client, srv: RunningServer) -> None:
    for channel in (DE_SIGN, MANNHEIM_SUB):
        project = PIECE if channel == DE_SIGN else "ff277516-121b-4304-b256-d5a8b70e136a"
        resp = api.put(f"/opentheater/files/{project}/{channel}/x.txt", content=b"x", headers=srv.auth())
        assert resp.status_code == 400 and "this channel's files" in resp.json()["error"], resp.text
    unknown = api.put(f"/opentheater/files/{PIECE}/{uuid.uuid4()}/x.txt", content=b"x", headers=srv.auth())
    assert unknown.status_code == 404 and unknown.json()["status"] == 404
    assert [f["filepath"] for f in _files(api, PIECE, DE_SIGN)] == ["1.vtt", "2.vtt", "10.vtt"]


async def test_assets_over_grpc(
    api: httpx.Client, srv: RunningServer, stub: trigger_pb2_grpc.TriggerServiceStub
) -> None:
    auth = srv.grpc_auth()
    project = await stub.CreateProject(
        pb.CreateProjectRequest(project=pb.ProjectInput(project_path=["G"])), metadata=auth
    )
    channel = await stub.CreateChannel(
        pb.CreateChannelRequest(
            project_uuid=project.project_uuid, channel=pb.ChannelInput(container_ids=["audio_de"], label="AD")
        ),
        metadata=auth,
    )
    data = bytes(i % 251 for i in range(300_000))

    def messages() -> Iterator[pb.UploadAssetRequest]:
        yield pb.UploadAssetRequest(
            project_uuid=project.project_uuid,
            channel_uuid=channel.channel_uuid,
            filepath="audio/intro.mp3",
            body=httpbody_pb2.HttpBody(content_type="audio/mpeg", data=data[:100_000]),
        )
        for i in range(100_000, len(data), 100_000):
            yield pb.UploadAssetRequest(body=httpbody_pb2.HttpBody(data=data[i : i + 100_000]))

    first = await stub.UploadAsset(messages(), metadata=auth)
    assert first.created and first.file.filesize == len(data) and first.content_type == "audio/mpeg"
    again = await stub.UploadAsset(messages(), metadata=auth)
    assert not again.created and again.file.lastmodified > first.file.lastmodified
    assert again.channel_lastmodified > first.channel_lastmodified

    listing = await stub.GetFileList(
        pb.GetFileListRequest(project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid)
    )
    assert [(f.filepath, f.filesize) for f in listing.files] == [("audio/intro.mp3", len(data))]
    chunks = [
        c
        async for c in stub.GetAsset(
            pb.GetAssetRequest(
                project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid, filepath="audio/intro.mp3"
            )
        )
    ]
    assert b"".join(c.data for c in chunks) == data and chunks[0].content_type == "audio/mpeg"
    ranged = stub.GetAsset(
        pb.GetAssetRequest(
            project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid, filepath="audio/intro.mp3"
        ),
        metadata=(("range", "bytes=5-9"),),
    )
    assert b"".join([c.data async for c in ranged]) == data[5:10]

    for bad in ("../x.mp3", "/etc/passwd", "a\\b.mp3", "a\x00b.mp3", "", "x/../../y.mp3", "./x.mp3", "C:/x.mp3"):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.UploadAsset(
                iter(
                    [
                        pb.UploadAssetRequest(
                            project_uuid=project.project_uuid,
                            channel_uuid=channel.channel_uuid,
                            filepath=bad,
                            body=httpbody_pb2.HttpBody(data=b"evil"),
                        )
                    ]
                ),
                metadata=auth,
            )
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, bad
    assert (
        len(
            (
                await stub.GetFileList(
                    pb.GetFileListRequest(project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid)
                )
            ).files
        )
        == 1
    )

    await stub.DeleteAsset(
        pb.DeleteAssetRequest(
            project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid, filepath="audio/intro.mp3"
        ),
        metadata=auth,
    )
    assert (
        len(
            (
                await stub.GetFileList(
                    pb.GetFileListRequest(project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid)
                )
            ).files
        )
        == 0
    )
    updated = await stub.UpdateChannel(
        pb.UpdateChannelRequest(
            project_uuid=project.project_uuid,
            channel_uuid=channel.channel_uuid,
            channel=pb.ChannelInput(container_ids=["audio_de", "text_de"]),
        ),
        metadata=auth,
    )
    assert list(updated.container_ids) == ["audio_de", "text_de"] and updated.HasField("lastmodified")
    await stub.DeleteChannel(
        pb.DeleteChannelRequest(project_uuid=project.project_uuid, channel_uuid=channel.channel_uuid), metadata=auth
    )
    renamed = await stub.UpdateProject(
        pb.UpdateProjectRequest(project_uuid=project.project_uuid, project=pb.ProjectInput(project_path=["H"])),
        metadata=auth,
    )
    assert list(renamed.project_path) == ["H"] and len(renamed.channel_list) == 0
    await stub.DeleteProject(pb.DeleteProjectRequest(project_uuid=project.project_uuid), metadata=auth)
    reply = await stub.GetProjectList(pb.GetProjectListRequest())
    assert project.project_uuid not in [p.project_uuid for p in reply.projects]


# ------------------------------------------------------------------------------------- live cues
class Listener:
    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.got: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.gone = asyncio.Event()

    async def connect(self, srv: RunningServer, namespace: str) -> None:
        self.client.on("displayContent", self.got.put, namespace=namespace)
        self.client.on("disconnect", lambda *_: self.gone.set(), namespace=namespace)
        await self.client.connect(
            srv.http, namespaces=[namespace], socketio_path="/socket.io", transports=["websocket"], wait_timeout=10
        )

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.client.disconnect(), 2)


async def test_new_projects_and_channels_get_live_endpoints(api: httpx.Client, srv: RunningServer) -> None:
    uid = _project(api, srv)["projectUuid"]
    cuid = _channel(api, srv, uid, containerIds=["text_fr"], channelTrigger=True)["channelUuid"]
    whole, only_fr = Listener(), Listener()
    try:
        await whole.connect(srv, f"/opentheater/{uid}")
        await only_fr.connect(srv, f"/opentheater/{uid}/{cuid}")
        resp = api.post(
            f"/opentheater/projects/{uid}/cues",
            headers=srv.auth(),
            json={"content": {"text_fr": "Bonjour", "text_de": "Hallo"}},
        )
        assert resp.status_code == 201, resp.text
        got = await asyncio.wait_for(whole.got.get(), 10)
        assert got["content"] == {"text_fr": "Bonjour", "text_de": "Hallo"}
        assert (await asyncio.wait_for(only_fr.got.get(), 10))["content"] == {"text_fr": "Bonjour"}
        assert api.delete(f"/opentheater/projects/{uid}", headers=srv.auth()).status_code == 204
        await asyncio.wait_for(whole.gone.wait(), 10)
        await asyncio.wait_for(only_fr.gone.wait(), 10)
    finally:
        await whole.close()
        await only_fr.close()
    refused = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await refused.connect(
            srv.http,
            namespaces=[f"/opentheater/{uid}"],
            socketio_path="/socket.io",
            transports=["websocket"],
            wait_timeout=5,
        )
    await refused.disconnect()


def test_api_projects_survive_a_start_beside_the_file(tmp_path: Path) -> None:
    """A second server starting on the same database synchronises the projects file again: the file's
    projects are reset to the file, the API's projects and channels stay."""
    env = {"POLYPHONY_PROJECTS_FILE": PROJECTS}
    with run_server(tmp_path / "a", extra_env=env) as a, httpx.Client(base_url=a.http, timeout=30) as api:
        uid = _project(api, a)["projectUuid"]
        cuid = _channel(api, a, uid)["channelUuid"]
        added = _channel(api, a, PIECE, containerIds=["text_it"])["channelUuid"]  # API channel, file project
        renamed = api.put(f"/opentheater/projects/{PIECE}", json={"projectPath": ["RENAMED"]}, headers=a.auth())
        assert renamed.status_code == 200
        with (
            run_server(tmp_path / "b", extra_env=env | {"POLYPHONY_DATABASE_URL": a.database_url}) as b,
            httpx.Client(base_url=b.http, timeout=30) as api_b,
        ):
            doc = api_b.get("/opentheater/projectList.json").json()
            assert [p["projectUuid"] for p in doc["projects"]] == [PIECE, "ff277516-121b-4304-b256-d5a8b70e136a", uid]
            assert doc["projects"][0]["projectPath"] == ["MY_INDEPENDENT_EXAMPLE_PIECE"]  # the file wins
            assert [c["channelUuid"] for c in doc["projects"][2]["channelList"]] == [cuid]
            assert [c["channelUuid"] for c in doc["projects"][0]["channelList"]][-1] == added
