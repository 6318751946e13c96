"""End to end: item import from http(s) URLs (providers), sub-processors, analyses, analysis tracks,
annotation tracks and annotations, users and tokens: REST through Envoy and native gRPC."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest
from google.protobuf import struct_pb2

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis import ITEMS, stored, upload, wav
from tests.harness import RunningServer, free_port

API = "/timeside/api"
TONE = wav(2.0)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        routes = {
            "/audio/tone.wav": (200, "audio/wav", TONE),
            "/notes.txt": (200, "text/plain", b"not audio\n" * 50),
            "/redirect": (302, "text/plain", b""),
            "/to-private": (302, "text/plain", b""),
        }
        status, ctype, body = routes.get(self.path, (404, "text/plain", b"missing"))
        self.send_response(status)
        if status == 302:
            self.send_header(
                "location", "http://169.254.169.254/tone.wav" if self.path == "/to-private" else "/audio/tone.wav"
            )
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    """A local HTTP server on a free loopback port, serving a WAV, a text file, a redirect and 404s."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def post(http: httpx.Client, server: RunningServer, path: str, body: dict[str, object]) -> httpx.Response:
    return http.post(f"{API}/{path}/", json=body, headers=server.auth())


# providers and URL import -----------------------------------------------------------------------
def test_providers_are_listed(http: httpx.Client) -> None:
    providers = http.get(f"{API}/providers/").json()
    generic = next(p for p in providers if p["pid"] == "http")
    assert generic["source_access"] is True and uuid.UUID(generic["uuid"]).version == 4
    assert http.get(f"{API}/providers/{generic['uuid']}/").json() == generic
    assert http.get(f"{API}/providers/{uuid.uuid4()}/").status_code == 404


def test_item_from_url_is_downloaded(http: httpx.Client, server: RunningServer, remote: str) -> None:
    for path in ("/audio/tone.wav", "/redirect"):
        r = http.post(ITEMS, json={"title": "remote", "source_url": remote + path}, headers=server.auth())
        assert r.status_code == 201, r.text
        item = r.json()
        assert item["sha256"] == hashlib.sha256(TONE).hexdigest() and item["audio_duration"] == pytest.approx(2.0)
        assert item["source_url"] == remote + path and item["source_file"].endswith("/tone.wav")
        assert http.get(item["source_file"]).content == TONE
        provider = http.get(item["provider"]).json()
        assert provider["pid"] == "http"
    listed = http.get(ITEMS, params={"provider_pid": "http"}).json()
    assert item["uuid"] in {i["uuid"] for i in listed}
    assert http.get(ITEMS, params={"provider_pid": "youtube"}).json() == []


def test_item_from_url_via_multipart_and_explicit_provider(
    http: httpx.Client, server: RunningServer, remote: str
) -> None:
    r = http.post(
        ITEMS,
        data={"source_url": f"{remote}/audio/tone.wav", "provider": "http"},
        files={"unrelated": ("x.txt", b"x", "text/plain")},
        headers=server.auth(),
    )
    assert r.status_code == 201, r.text
    assert r.json()["sha256"] == hashlib.sha256(TONE).hexdigest()
    r = http.post(ITEMS, json={"source_url": f"{remote}/audio/tone.wav", "provider": "nope"}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["provider"]


def test_unfetchable_urls_are_400_and_store_nothing(http: httpx.Client, server: RunningServer, remote: str) -> None:
    before_files, before_items = stored(server), len(http.get(ITEMS).json())
    closed = f"http://127.0.0.1:{free_port()}/a.wav"
    for url in (closed, f"{remote}/missing.wav", f"{remote}/notes.txt"):
        r = http.post(ITEMS, json={"title": "bad", "source_url": url}, headers=server.auth())
        assert r.status_code == 400, r.text
        assert list(r.json()) == ["source_url"] and isinstance(r.json()["source_url"], list)
    r = http.post(ITEMS, json={"source_url": "ftp://127.0.0.1/a.wav"}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["source_url"]
    assert stored(server) == before_files
    assert len(http.get(ITEMS).json()) == before_items


async def test_grpc_item_from_url(channel: grpc.aio.Channel, server: RunningServer, remote: str) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)

    async def one(url: str) -> pb.Item:
        async def messages():  # type: ignore[no-untyped-def]
            yield pb.UploadItemRequest(fields=pb.ItemFields(title="grpc remote", source_url=url))

        return await stub.UploadItem(messages(), metadata=server.grpc_auth())

    item = await one(f"{remote}/audio/tone.wav")
    assert item.sha256 == hashlib.sha256(TONE).hexdigest() and item.provider.endswith("/")
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await one(f"{remote}/missing.wav")
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_private_addresses_are_refused(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel, remote: str
) -> None:
    """The test server allows loopback IPv4 only (POLYPHONY_ANALYSIS_FETCH_PRIVATE_NETWORKS=127.0.0.0/8)."""
    port = remote.rsplit(":", 1)[1]
    before_files, before_items = stored(server), len(http.get(ITEMS).json())
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/a.wav",
        "http://[fe80::1]/a.wav",
        f"http://[::1]:{port}/audio/tone.wav",
        f"{remote}/to-private",
    ):
        r = http.post(ITEMS, json={"title": "ssrf", "source_url": url}, headers=server.auth())
        assert r.status_code == 400, (url, r.text)
        assert list(r.json()) == ["source_url"] and "private, loopback or link-local" in r.json()["source_url"][0]
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)

    async def messages():  # type: ignore[no-untyped-def]
        yield pb.UploadItemRequest(fields=pb.ItemFields(title="ssrf", source_url="http://169.254.169.254/x.wav"))

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UploadItem(messages(), metadata=server.grpc_auth())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "private" in (err.value.details() or "")
    assert stored(server) == before_files
    assert len(http.get(ITEMS).json()) == before_items


# sub-processors, analyses, analysis tracks ----------------------------------------------------------
def test_subprocessors(http: httpx.Client) -> None:
    subs = http.get(f"{API}/subprocessors/").json()
    ids = {s["sub_processor_id"] for s in subs}
    assert {"level.max", "level.rms", "onsets", "pitch_yin.pitch"} <= ids
    one = http.get(f"{API}/subprocessors/level.max/").json()
    assert one["processor"].endswith("/processors/level/") and one["name"] == "Max level"
    assert http.get(f"{API}/subprocessors/nope/").status_code == 404


def test_analysis_and_analysis_track(http: httpx.Client, server: RunningServer) -> None:
    preset = http.post(f"{API}/presets/", json={"processor": "level"}, headers=server.auth()).json()
    other = http.post(f"{API}/presets/", json={"processor": "onsets"}, headers=server.auth()).json()
    bad = post(http, server, "analysis", {"preset": other["uuid"], "sub_processor": "level.max"})
    assert bad.status_code == 400 and list(bad.json()) == ["sub_processor"]
    for body, field in [
        ({"sub_processor": "level.max"}, "preset"),
        ({"preset": preset["url"]}, "sub_processor"),
        ({"preset": preset["url"], "sub_processor": "level.max", "render_type": 7}, "render_type"),
    ]:
        r = post(http, server, "analysis", body)
        assert r.status_code == 400 and list(r.json()) == [field], r.text
    r = post(
        http,
        server,
        "analysis",
        {"title": "Peak", "preset": preset["url"], "sub_processor": f"{server.http}{API}/subprocessors/level.max/"},
    )
    assert r.status_code == 201, r.text
    analysis = r.json()
    assert analysis["sub_processor"].endswith("/subprocessors/level.max/") and analysis["render_type"] == 0
    item = upload(http, server, wav()).json()
    r = post(http, server, "analysis_tracks", {"analysis": analysis["url"], "item": item["url"], "color": "zz0000"})
    assert r.status_code == 400 and list(r.json()) == ["color"]
    r = post(http, server, "analysis_tracks", {"analysis": analysis["uuid"], "item": item["uuid"], "color": "FF8800"})
    assert r.status_code == 201, r.text
    track = r.json()
    assert track["color"] == "ff8800" and track["parametrizable"] is False
    # Reading the track started the (item, preset) result; it becomes a result URL once done.
    deadline = time.monotonic() + 30
    while (got := http.get(track["url"]).json())["result_url"] == "Task running":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    result = http.get(got["result_url"]).json()
    assert result["item"] == item["url"] and result["preset"] == preset["url"]
    assert [t["uuid"] for t in http.get(f"{API}/analysis_tracks/", params={"item": item["uuid"]}).json()] == [
        track["uuid"]
    ]
    assert [t["uuid"] for t in http.get(f"{API}/analysis_tracks/", params={"analysis": analysis["uuid"]}).json()] == [
        track["uuid"]
    ]
    assert http.get(item["url"]).json()["analysis_tracks"] == [track["url"]]
    assert http.patch(track["url"], json={"title": "renamed"}, headers=server.auth()).json()["title"] == "renamed"
    assert http.delete(analysis["url"], headers=server.auth()).status_code == 204
    assert http.get(track["url"]).status_code == 404  # went with its analysis


# annotation tracks and annotations ---------------------------------------------------------------
def test_annotation_tracks_and_annotations(http: httpx.Client, server: RunningServer) -> None:
    item = upload(http, server, wav(2.0)).json()
    r = post(http, server, "annotation_tracks", {"item": item["url"], "start_time": 3.5})
    assert r.status_code == 400 and list(r.json()) == ["start_time"]
    r = post(http, server, "annotation_tracks", {"item": str(uuid.uuid4())})
    assert r.status_code == 400 and list(r.json()) == ["item"]
    r = post(http, server, "annotation_tracks", {"item": item["url"], "title": "Speakers"})
    assert r.status_code == 201, r.text
    track = r.json()
    assert track["overlapping"] is False and "annotations" not in track

    def annotate(**body: object) -> httpx.Response:
        return post(http, server, "annotations", {"track": track["url"], **body})

    later = annotate(title="B", start_time=1.0, stop_time=1.5)
    earlier = annotate(title="A", start_time=0.25, stop_time=0.75)
    assert later.status_code == 201 and earlier.status_code == 201
    for body, field in [
        ({"start_time": 0.5, "stop_time": 0.4}, "stop_time"),
        ({"start_time": -1, "stop_time": 0.4}, "start_time"),
        ({"start_time": 1.8, "stop_time": 2.5}, "stop_time"),
        ({"start_time": 0.5, "stop_time": 1.2}, "start_time"),  # overlaps both
        ({"start_time": "x", "stop_time": 1}, "start_time"),
        ({"stop_time": 1}, "start_time"),
        ({"start_time": 1.6, "stop_time": 1.7, "results": [str(uuid.uuid4())]}, "results"),
    ]:
        r = annotate(**body)
        assert r.status_code == 400 and list(r.json()) == [field], (body, r.text)
    listed = http.get(f"{API}/annotations/", params={"track_uuid": track["uuid"]}).json()
    assert [a["title"] for a in listed] == ["A", "B"]  # by start time
    track = http.get(track["url"]).json()
    assert track["annotations"] == [earlier.json()["url"], later.json()["url"]]
    # Moving an annotation onto another one is refused; the stored one is unchanged.
    r = http.patch(earlier.json()["url"], json={"stop_time": 1.2}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["start_time"]
    assert http.get(earlier.json()["url"]).json()["stop_time"] == 0.75
    # An overlapping track accepts it; switching back is refused while annotations overlap.
    assert http.patch(track["url"], json={"overlapping": True}, headers=server.auth()).status_code == 200
    assert http.patch(earlier.json()["url"], json={"stop_time": 1.2}, headers=server.auth()).status_code == 200
    r = http.patch(track["url"], json={"overlapping": False}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["overlapping"]
    # Annotations may cite results of the track's item only.
    preset = http.post(f"{API}/presets/", json={"processor": "level"}, headers=server.auth()).json()
    task = http.post(
        f"{API}/tasks/", json={"item": item["uuid"], "preset": preset["uuid"]}, headers=server.auth()
    ).json()
    deadline = time.monotonic() + 30
    while http.get(task["url"]).json()["status"] != 4:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (result,) = http.get(f"{API}/results/", params={"item_uuid": item["uuid"], "preset_uuid": preset["uuid"]}).json()
    r = http.patch(later.json()["url"], json={"results": [result["url"]]}, headers=server.auth())
    assert r.status_code == 200 and r.json()["results"] == [result["url"]]
    foreign = upload(http, server, wav()).json()
    other_track = post(http, server, "annotation_tracks", {"item": foreign["uuid"]}).json()
    r = post(
        http,
        server,
        "annotations",
        {"track": other_track["url"], "start_time": 0, "stop_time": 0.5, "results": [result["uuid"]]},
    )
    assert r.status_code == 400 and list(r.json()) == ["results"]
    assert [t["uuid"] for t in http.get(f"{API}/annotation_tracks/", params={"item_uuid": item["uuid"]}).json()] == [
        track["uuid"]
    ]
    assert http.get(item["url"]).json()["annotation_tracks"] == [track["url"]]
    assert http.delete(track["url"], headers=server.auth()).status_code == 204
    assert http.get(later.json()["url"]).status_code == 404
    assert http.post(f"{API}/annotation_tracks/", json={"item": item["uuid"]}).status_code == 401


async def test_grpc_annotations(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)

    async def messages():  # type: ignore[no-untyped-def]
        yield pb.UploadItemRequest(fields=pb.ItemFields(title="grpc corpus", source_filename="t.wav"))
        yield pb.UploadItemRequest(chunk=wav(1.0))

    item = await stub.UploadItem(messages(), metadata=server.grpc_auth())
    body = struct_pb2.Struct()
    body.update({"item": item.uuid, "overlapping": True})
    track = await stub.CreateAnnotationTrack(pb.CreateAnnotationTrackRequest(body=body), metadata=server.grpc_auth())
    body = struct_pb2.Struct()
    body.update({"track": track.uuid, "start_time": 0.1, "stop_time": 0.9, "title": "tag"})
    ann = await stub.CreateAnnotation(pb.CreateAnnotationRequest(body=body), metadata=server.grpc_auth())
    assert ann.stop_time == pytest.approx(0.9) and ann.track.endswith(f"/{track.uuid}/")
    listed = [a async for a in stub.ListAnnotations(pb.ListAnnotationsRequest(track_uuid=track.uuid))]
    assert [a.uuid for a in listed] == [ann.uuid]
    body = struct_pb2.Struct()
    body.update({"stop_time": 5.0})
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.UpdateAnnotation(pb.UpdateAnnotationRequest(uuid=ann.uuid, body=body), metadata=server.grpc_auth())
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    await stub.DeleteAnnotation(pb.DeleteAnnotationRequest(uuid=ann.uuid), metadata=server.grpc_auth())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.GetAnnotation(pb.GetAnnotationRequest(uuid=ann.uuid))
    assert err.value.code() == grpc.StatusCode.NOT_FOUND


# users and tokens -----------------------------------------------------------------------------------
def test_users_and_token_auth(http: httpx.Client, server: RunningServer) -> None:
    name = f"ann{uuid.uuid4().hex[:8]}"
    r = post(http, server, "users", {"username": name, "password": "s3cret!", "first_name": "Ann"})
    assert r.status_code == 201, r.text
    assert r.json() == {
        "url": f"{server.http}{API}/users/{name}/",
        "username": name,
        "first_name": "Ann",
        "last_name": "",
        "can_write": True,
    }
    assert post(http, server, "users", {"username": name, "password": "x"}).status_code == 409
    r = post(http, server, "users", {"username": "bad name!", "password": "x"})
    assert r.status_code == 400 and list(r.json()) == ["username"]
    assert http.post(f"{API}/users/", json={"username": "x", "password": "y"}).status_code == 401
    reader = f"rdr{uuid.uuid4().hex[:8]}"
    post(http, server, "users", {"username": reader, "password": "pw", "can_write": False})

    r = http.post("/timeside/api-token-auth/", json={"username": name, "password": "wrong"})
    assert r.status_code == 400 and list(r.json()) == ["non_field_errors"]
    r = http.post("/timeside/api-token-auth/", json={"username": name, "password": "s3cret!"})
    assert r.status_code == 200, r.text
    token = r.json()["token"]
    assert http.post("/timeside/api-token-auth/", json={"username": name, "password": "s3cret!"}).json() == {
        "token": token
    }  # the same token each time, as DRF
    assert http.get(f"{API}/users/me/", headers={"authorization": f"Token {token}"}).json()["username"] == name
    assert http.get(f"{API}/users/me/", headers=server.auth()).status_code == 404
    assert name in {u["username"] for u in http.get(f"{API}/users/").json()}
    # The user's token writes, with DRF's `Token` scheme or as a bearer token.
    for scheme in ("Token", "Bearer"):
        r = http.post(
            f"{API}/experiences/", json={"title": "by a user"}, headers={"authorization": f"{scheme} {token}"}
        )
        assert r.status_code == 201, r.text
    read_token = http.post("/timeside/api-token-auth/", json={"username": reader, "password": "pw"}).json()["token"]
    r = http.post(f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Token {read_token}"})
    assert r.status_code == 403
    assert (
        http.post(
            f"{API}/experiences/", json={"title": "x"}, headers={"authorization": "Token not-a-token"}
        ).status_code
        == 401
    )
    # Deleting the user revokes the token at once.
    assert http.delete(f"{API}/users/{name}/", headers=server.auth()).status_code == 204
    r = http.post(f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Token {token}"})
    assert r.status_code == 401


def test_jwt_pair_refresh_verify_and_csrf(http: httpx.Client, server: RunningServer) -> None:
    name, reader = f"jwt{uuid.uuid4().hex[:8]}", f"jwr{uuid.uuid4().hex[:8]}"
    assert post(http, server, "users", {"username": name, "password": "pw1"}).status_code == 201
    assert post(http, server, "users", {"username": reader, "password": "pw2", "can_write": False}).status_code == 201
    r = http.post(f"{API}/token/", json={"username": name, "password": "nope"})
    assert r.status_code == 401 and "detail" in r.json()
    r = http.post(f"{API}/token/", json={"username": name})
    assert r.status_code == 400 and list(r.json()) == ["password"]
    r = http.post(f"{API}/token/", json={"username": name, "password": "pw1"})
    assert r.status_code == 200, r.text
    pair = r.json()
    assert set(pair) == {"refresh", "access"} and pair["refresh"].count(".") == 2
    access = pair["access"]
    # The access token writes (as a bearer token) and says who the caller is.
    r = http.post(f"{API}/experiences/", json={"title": "by jwt"}, headers={"authorization": f"Bearer {access}"})
    assert r.status_code == 201, r.text
    assert http.get(f"{API}/users/me/", headers={"authorization": f"Bearer {access}"}).json()["username"] == name
    # A refresh token is not an access token; a tampered token is refused.
    r = http.post(f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Bearer {pair['refresh']}"})
    assert r.status_code == 401
    head, body, sig = access.split(".")
    forged = f"{head}.{body}.{sig[::-1]}"
    assert (
        http.post(f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Bearer {forged}"}).status_code
        == 401
    )
    # refresh -> a new access token; verify -> {} or 401.
    r = http.post(f"{API}/token/refresh/", json={"refresh": pair["refresh"]})
    assert r.status_code == 200 and set(r.json()) == {"access"}
    assert (
        http.post(
            f"{API}/experiences/", json={"title": "again"}, headers={"authorization": f"Bearer {r.json()['access']}"}
        ).status_code
        == 201
    )
    assert http.post(f"{API}/token/refresh/", json={"refresh": access}).status_code == 401
    assert http.post(f"{API}/token/verify/", json={"token": access}).json() == {}
    assert http.post(f"{API}/token/verify/", json={"token": forged}).status_code == 401
    # A read-only user's access token reads but may not write.
    reader_access = http.post(f"{API}/token/", json={"username": reader, "password": "pw2"}).json()["access"]
    assert (
        http.post(
            f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Bearer {reader_access}"}
        ).status_code
        == 403
    )
    # Deleting the user revokes their JWTs too.
    assert http.delete(f"{API}/users/{name}/", headers=server.auth()).status_code == 204
    time.sleep(0.1)
    assert (
        http.post(f"{API}/experiences/", json={"title": "x"}, headers={"authorization": f"Bearer {access}"}).status_code
        == 401
    )
    assert http.post(f"{API}/token/refresh/", json={"refresh": pair["refresh"]}).status_code == 401
    csrf = http.get(f"{API}/token-csrf/")
    assert csrf.status_code == 200 and len(csrf.json()["csrftoken"]) >= 32


async def test_grpc_jwt(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    name = f"jwg{uuid.uuid4().hex[:8]}"
    assert post(http, server, "users", {"username": name, "password": "pw"}).status_code == 201
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    body = struct_pb2.Struct()
    body.update({"username": name, "password": "pw"})
    pair = await stub.ObtainJwtPair(pb.ObtainJwtPairRequest(body=body))
    me = await stub.GetUser(pb.GetUserRequest(username="me"), metadata=(("authorization", f"Bearer {pair.access}"),))
    assert me.username == name
    body = struct_pb2.Struct()
    body.update({"refresh": pair.refresh})
    fresh = await stub.RefreshJwt(pb.RefreshJwtRequest(body=body))
    assert fresh.access and not fresh.HasField("refresh")
    body = struct_pb2.Struct()
    body.update({"token": fresh.access})
    await stub.VerifyJwt(pb.VerifyJwtRequest(body=body))
    body = struct_pb2.Struct()
    body.update({"token": "a.b.c"})
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.VerifyJwt(pb.VerifyJwtRequest(body=body))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert (await stub.GetCsrfToken(pb.GetCsrfTokenRequest())).csrftoken


async def test_author_is_the_calling_user(http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel) -> None:
    name = f"own{uuid.uuid4().hex[:8]}"
    assert post(http, server, "users", {"username": name, "password": "pw"}).status_code == 201
    token = http.post("/timeside/api-token-auth/", json={"username": name, "password": "pw"}).json()["token"]
    mine = {"authorization": f"Token {token}"}
    me = f"{server.http}{API}/users/{name}/"
    item = http.post(ITEMS, json={"title": "owned"}, headers=mine)
    assert item.status_code == 201 and item.json()["author"] == me
    assert next(i for i in http.get(ITEMS).json() if i["uuid"] == item.json()["uuid"])["author"] == me
    level = http.post(f"{API}/presets/", json={"processor": "level"}, headers=server.auth()).json()
    made = {
        "experiences": http.post(f"{API}/experiences/", json={"title": "e", "presets": [level["uuid"]]}, headers=mine),
        "selections": http.post(
            f"{API}/selections/", json={"title": "s", "items": [item.json()["uuid"]]}, headers=mine
        ),
        "tasks": http.post(
            f"{API}/tasks/", json={"preset": level["uuid"], "item": item.json()["uuid"], "status": 1}, headers=mine
        ),
        "annotation_tracks": http.post(f"{API}/annotation_tracks/", json={"item": item.json()["uuid"]}, headers=mine),
    }
    for kind, r in made.items():
        assert r.status_code == 201, (kind, r.text)
        assert r.json()["author"] == me and http.get(r.json()["url"]).json()["author"] == me, kind
    # A server token belongs to no user: no author.
    assert "author" not in post(http, server, "experiences", {"title": "by the server"}).json()
    # Over gRPC with a JWT access token.
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    access = http.post(f"{API}/token/", json={"username": name, "password": "pw"}).json()["access"]
    body = struct_pb2.Struct()
    body.update({"title": "grpc"})
    exp = await stub.CreateExperience(
        pb.CreateExperienceRequest(body=body), metadata=(("authorization", f"Bearer {access}"),)
    )
    assert exp.author.endswith(f"/timeside/api/users/{name}/")
    # Annotation tracks are listed as TimeSide does: public ones and the caller's own (server tokens see all).
    private = http.post(
        f"{API}/annotation_tracks/", json={"item": item.json()["uuid"], "is_public": False}, headers=mine
    ).json()
    public = made["annotation_tracks"].json()["uuid"]
    other = f"oth{uuid.uuid4().hex[:8]}"
    post(http, server, "users", {"username": other, "password": "pw"})
    theirs = {
        "authorization": "Token "
        + http.post("/timeside/api-token-auth/", json={"username": other, "password": "pw"}).json()["token"]
    }

    def listed(headers: dict[str, str]) -> set[str]:
        return {
            t["uuid"]
            for t in http.get(
                f"{API}/annotation_tracks/", params={"item_uuid": item.json()["uuid"]}, headers=headers
            ).json()
        }

    assert listed({}) == listed(theirs) == {public}
    assert listed(mine) == listed(server.auth()) == {public, private["uuid"]}
    as_user = (("authorization", f"Bearer {access}"),)
    grpc_listed = [
        t.uuid
        async for t in stub.ListAnnotationTracks(
            pb.ListAnnotationTracksRequest(item_uuid=item.json()["uuid"]), metadata=as_user
        )
    ]
    assert set(grpc_listed) == {public, private["uuid"]}
    assert [
        t.uuid async for t in stub.ListAnnotationTracks(pb.ListAnnotationTracksRequest(item_uuid=item.json()["uuid"]))
    ] == [public]
    # Deleting the user leaves their objects without an author.
    assert http.delete(f"{API}/users/{name}/", headers=server.auth()).status_code == 204
    assert "author" not in http.get(made["experiences"].json()["url"]).json()
    assert "author" not in http.get(item.json()["url"]).json()


# tasks over items without audio ---------------------------------------------------------------------
async def test_task_over_items_without_audio_is_refused_up_front(
    http: httpx.Client, server: RunningServer, channel: grpc.aio.Channel
) -> None:
    with_audio = upload(http, server, wav()).json()
    bare = http.post(ITEMS, json={"title": "no audio"}, headers=server.auth()).json()
    preset = http.post(f"{API}/presets/", json={"processor": "level"}, headers=server.auth()).json()
    inner = post(http, server, "selections", {"items": [bare["uuid"]]}).json()
    outer = post(http, server, "selections", {"items": [with_audio["uuid"]], "selections": [inner["uuid"]]}).json()
    before = len(http.get(f"{API}/tasks/").json())
    r = post(http, server, "tasks", {"preset": preset["uuid"], "selection": outer["uuid"]})
    assert r.status_code == 400 and list(r.json()) == ["selection"] and bare["uuid"] in r.json()["selection"][0]
    r = post(http, server, "tasks", {"preset": preset["uuid"], "item": bare["uuid"]})
    assert r.status_code == 400 and list(r.json()) == ["item"]
    assert len(http.get(f"{API}/tasks/").json()) == before
    # A draft may be kept, but setting it pending is refused the same way.
    draft = post(http, server, "tasks", {"preset": preset["uuid"], "selection": outer["uuid"], "status": 1}).json()
    r = http.patch(draft["url"], json={"status": 2}, headers=server.auth())
    assert r.status_code == 400 and list(r.json()) == ["selection"]
    assert http.get(draft["url"]).json()["status"] == 1
    stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.CreateTask(
            pb.CreateTaskRequest(task=pb.Task(preset=preset["uuid"], item=bare["uuid"])), metadata=server.grpc_auth()
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
