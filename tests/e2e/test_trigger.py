"""Open Theater through Envoy (REST, socket.io, WebSocket) and TriggerService over native gRPC."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import socketio
import websockets

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client import json_of
from polyphony.trigger.payload import MAX_DEPTH
from tests.harness import RunningServer, run_server

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "specs" / "opentheater" / "examples"
MEDIA = ROOT / "tests" / "fixtures" / "opentheater" / "media" / "my_independent_example_piece"
PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
MANNHEIM = "ff277516-121b-4304-b256-d5a8b70e136a"
DE_READ = "7eb2e01e-faef-439c-b431-08c25a374cba"
DE_SIGN = "d40dcbb7-f740-4f94-bb9e-0da4d19650fb"
EN_SIGN = "02784de5-6a13-4a82-8c17-914e82ba0023"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
SPEC_PAYLOAD = json.loads((EXAMPLES / "trigger-payload.spec-example.json").read_text())


def _mtime_ms(path: Path) -> int:
    return path.stat().st_mtime_ns // 1_000_000


# ---------------------------------------------------------------------------------- provisioning
def _shape(value: Any) -> Any:
    if isinstance(value, list):
        return "list[" + ",".join(sorted({_shape(v) for v in value})) + "]"
    return type(value).__name__


def test_project_list_has_the_example_shape(http: httpx.Client, server: RunningServer) -> None:
    example = json.loads((EXAMPLES / "example-repo" / "projectList_inet.json").read_text())
    resp = http.get("/opentheater/projectList.json")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    doc = resp.json()
    assert set(doc) == set(example) == {"projects"}
    ex_project, ex_channel = example["projects"][1], example["projects"][1]["channelList"][2]
    ex_channel_full = example["projects"][1]["channelList"][2] | {"triggerUri": "x"}
    for project in doc["projects"]:
        assert set(ex_project) <= set(project) <= set(ex_project) | {"projectLabel"}
        for key in ex_project:
            assert _shape(project[key]).startswith(_shape(ex_project[key])[:4]), key
        assert project["triggerUri"] == f"{server.http}/opentheater/{project['projectUuid']}"
        for channel in project["channelList"]:
            assert {"channelUuid", "containerIds"} <= set(channel)
            assert set(channel) <= set(ex_channel_full) | {"renderer"}
            for key in set(channel) & set(ex_channel_full):
                assert _shape(channel[key]) == _shape(ex_channel_full[key]), key
            if "lastmodified" in channel:
                assert "provisioningUri" in channel
    assert set(ex_channel) >= {"lastmodified", "provisioningUri"}
    piece, mannheim = doc["projects"]
    assert piece["projectUuid"] == PIECE and "projectLabel" not in piece
    assert piece["projectPath"] == ["MY_INDEPENDENT_EXAMPLE_PIECE"]
    de_read, de_sign, en_sign = piece["channelList"]
    assert de_read == {
        "channelUuid": DE_READ,
        "label": "DE Read",
        "containerIds": ["text_de"],
        "triggerUri": f"{server.http}/opentheater/{PIECE}/{DE_READ}",
    }
    assert de_sign["provisioningUri"] == f"{server.http}/opentheater/files/{PIECE}/{DE_SIGN}/"
    assert de_sign["lastmodified"] == max(_mtime_ms(p) for p in (MEDIA / "DE_SIGN").glob("*.vtt"))
    assert "triggerUri" not in de_sign and en_sign["containerIds"] == ["text_en", "video_en", "audio_en"]
    assert mannheim["projectLabel"] == ["Staatstheater Mannheim", "Kammerspiele", "Shakespeares anderes Stück"]
    sub, en = mannheim["channelList"]
    assert sub["lastmodified"] == 16037178386002 and isinstance(sub["lastmodified"], int)
    assert sub["provisioningUri"].startswith("https://open-theater.de/")
    assert en == {
        "channelUuid": "5e23407e-1d35-4953-bf17-5e07e11105d4",
        "label": "EN Subtitles",
        "containerIds": ["text_EN"],
        "renderer": "subtitle-strip",
    }


def test_project_list_head(http: httpx.Client) -> None:
    resp = http.head("/opentheater/projectList.json")
    assert resp.status_code == 200 and resp.content == b""
    assert resp.headers["content-type"].startswith("application/json")
    assert not any(k.startswith("grpc-") for k in resp.headers)


async def test_project_list_over_grpc(channel: grpc.aio.Channel) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    reply = await stub.GetProjectList(pb.GetProjectListRequest())
    assert [p.project_uuid for p in reply.projects] == [PIECE, MANNHEIM]
    assert reply.projects[0].trigger_uri.endswith(f"/opentheater/{PIECE}")
    assert not reply.projects[0].HasField("project_label")
    assert list(reply.projects[1].project_label.values)[2].string_value == "Shakespeares anderes Stück"
    assert reply.projects[1].channel_list[0].lastmodified == 16037178386002


def test_file_list_and_assets(http: httpx.Client) -> None:
    base = f"/opentheater/files/{PIECE}/{DE_SIGN}/"
    listing = http.get(base + "fileList.json")
    assert listing.status_code == 200
    files = listing.json()["files"]
    assert [f["filepath"] for f in files] == ["1.vtt", "2.vtt", "10.vtt"]  # natural order, no .json/hidden
    for f in files:
        path = MEDIA / "DE_SIGN" / f["filepath"]
        assert f == {"filepath": f["filepath"], "filesize": path.stat().st_size, "lastmodified": _mtime_ms(path)}
    body = (MEDIA / "DE_SIGN" / "10.vtt").read_bytes()
    whole = http.get(base + "10.vtt")
    assert whole.status_code == 200 and whole.content == body
    assert whole.headers["content-type"] == "text/vtt" and whole.headers["accept-ranges"] == "bytes"
    part = http.get(base + "10.vtt", headers={"range": "bytes=2-5"})
    assert part.status_code == 206 and part.content == body[2:6]
    assert part.headers["content-range"] == f"bytes 2-5/{len(body)}"
    bad = http.get(base + "10.vtt", headers={"range": f"bytes={len(body) + 5}-"})
    assert bad.status_code == 416 and bad.json()["status"] == 416
    assert bad.headers["content-range"] == f"bytes */{len(body)}"
    head = http.head(base + "10.vtt")
    assert head.status_code == 200 and head.content == b""


@pytest.mark.parametrize(
    "path",
    [
        f"/opentheater/files/{PIECE}/{DE_SIGN}/..%2Foutside.txt",
        f"/opentheater/files/{PIECE}/{DE_SIGN}/notes.json",
        f"/opentheater/files/{PIECE}/{DE_SIGN}/.hidden",
        f"/opentheater/files/{PIECE}/{DE_SIGN}/missing.vtt",
        f"/opentheater/files/{PIECE}/{DE_READ}/fileList.json",
        f"/opentheater/files/{UNKNOWN}/{DE_SIGN}/fileList.json",
        f"/opentheater/files/{PIECE}/{UNKNOWN}/1.vtt",
    ],
)
def test_provisioning_is_confined(http: httpx.Client, path: str) -> None:
    resp = http.get(path)
    assert resp.status_code == 404, resp.text
    body = resp.json()
    assert set(body) == {"error", "status"} and body["status"] == 404


# ---------------------------------------------------------------------------------- cues
@pytest.fixture
async def trigger(channel: grpc.aio.Channel) -> trigger_pb2_grpc.TriggerServiceStub:
    return trigger_pb2_grpc.TriggerServiceStub(channel)


class Audience:
    """A socket.io client of one namespace, collecting `displayContent` payloads."""

    def __init__(self) -> None:
        self.client = socketio.AsyncClient(reconnection=False)
        self.received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def connect(
        self, server: RunningServer, namespace: str, transports: list[str], auth: dict[str, str] | None = None
    ) -> None:
        self.client.on("displayContent", self.received.put, namespace=namespace)
        await self.client.connect(
            server.http,
            namespaces=[namespace],
            socketio_path="/socket.io",
            transports=transports,
            auth=auth,
            wait_timeout=10,
        )

    async def next(self, timeout: float = 10) -> dict[str, Any]:
        return await asyncio.wait_for(self.received.get(), timeout)


@pytest.fixture
async def audience() -> AsyncIterator[Audience]:
    a = Audience()
    yield a
    # python-engineio's polling client waits for its pending long-poll GET (up to 30 s) on
    # disconnect; give it a moment, then cancel that wait (which cancels the GET).
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(a.client.disconnect(), 2)


async def _settle(aud: Audience) -> None:
    """Drain the late-joiner state a fresh connection may receive first."""
    await asyncio.sleep(0.3)
    while not aud.received.empty():
        aud.received.get_nowait()


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
async def test_published_cue_reaches_socketio_and_grpc_subscribers(
    server: RunningServer, trigger: trigger_pb2_grpc.TriggerServiceStub, audience: Audience, transports: list[str]
) -> None:
    await audience.connect(server, f"/opentheater/{PIECE}", transports)
    await _settle(audience)
    stream = trigger.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
    await stream.initial_metadata()
    reply = await trigger.Publish(
        pb.PublishRequest(project_uuid=PIECE, payload=json.dumps(SPEC_PAYLOAD)), metadata=server.grpc_auth()
    )
    got = await audience.next()
    item = await asyncio.wait_for(stream.read(), 10)
    stream.cancel()
    assert json_of(item.cue.payload) == got == json_of(reply.cue.payload)
    assert item.cue.sequence == reply.cue.sequence and not item.state
    assert got["content"] == SPEC_PAYLOAD["content"] and got["timestamp"] == SPEC_PAYLOAD["timestamp"]
    style = got["styles"]["#text_de"]
    assert style["classList"] == style["classes"] == [] and style["inline"]["backgroundColor"] == "yellow"
    assert got["transitions"]["#text_de"] == SPEC_PAYLOAD["styles"]["#text_de"]["transitions"]


async def test_channel_namespace_gets_only_its_keys(
    server: RunningServer, trigger: trigger_pb2_grpc.TriggerServiceStub, audience: Audience
) -> None:
    await audience.connect(server, f"/opentheater/{PIECE}/{DE_READ}", ["websocket"])
    await _settle(audience)
    await trigger.Publish(
        pb.PublishRequest(project_uuid=PIECE, payload='{"content": {"text_en": "only en"}}'),
        metadata=server.grpc_auth(),
    )
    both = '{"content": {"text_de": "de", "text_en": "en"}}'
    await trigger.Publish(pb.PublishRequest(project_uuid=PIECE, payload=both), metadata=server.grpc_auth())
    got = await audience.next()
    assert got["content"] == {"text_de": "de"}


async def test_late_joiner_gets_the_current_state_first(
    server: RunningServer, trigger: trigger_pb2_grpc.TriggerServiceStub, audience: Audience
) -> None:
    await trigger.Publish(
        pb.PublishRequest(project_uuid=MANNHEIM, payload='{"content": {"text_DE": "Akt 1"}}'),
        metadata=server.grpc_auth(),
    )
    await trigger.Publish(
        pb.PublishRequest(project_uuid=MANNHEIM, payload='{"styles": {"#text_DE": {"inline": {"color": "red"}}}}'),
        metadata=server.grpc_auth(),
    )
    await audience.connect(server, f"/opentheater/{MANNHEIM}", ["websocket"])
    state = await audience.next()
    assert state["content"]["text_DE"] == "Akt 1"
    assert state["styles"]["#text_DE"] == {"classes": [], "classList": [], "inline": {"color": "red"}}
    stream = trigger.Subscribe(pb.SubscribeRequest(project_uuid=MANNHEIM, include_state=True))
    first = await asyncio.wait_for(stream.read(), 10)
    stream.cancel()
    assert first.state and json_of(first.cue.payload)["content"]["text_DE"] == "Akt 1"


async def test_broadcast_message_from_an_authorized_sender(server: RunningServer, audience: Audience) -> None:
    ns = f"/opentheater/{PIECE}"
    await audience.connect(server, ns, ["websocket"])
    await _settle(audience)
    sender = socketio.AsyncClient(reconnection=False)
    anonymous = socketio.AsyncClient(reconnection=False)
    try:
        await sender.connect(
            server.http,
            namespaces=[ns],
            socketio_path="/socket.io",
            transports=["websocket"],
            auth={"token": server.write_token},
            wait_timeout=10,
        )
        await anonymous.connect(
            server.http, namespaces=[ns], socketio_path="/socket.io", transports=["websocket"], wait_timeout=10
        )
        refused = await anonymous.call("broadcast-message", {"content": {"text_de": "spoof"}}, namespace=ns, timeout=10)
        assert refused == {"error": refused["error"], "status": 401}
        bad = await sender.call("broadcast-message", "not json", namespace=ns, timeout=10)
        assert bad["status"] == 400 and "JSON" in bad["error"]
        ack = await sender.call("broadcast-message", {"content": {"text_de": "vom Pult"}}, namespace=ns, timeout=10)
        assert ack["sequence"] > 0
        got = await audience.next()
        assert got["content"] == {"text_de": "vom Pult"}
        assert audience.received.empty()  # neither the refused nor the malformed cue reached the audience
    finally:
        await sender.disconnect()
        await anonymous.disconnect()


async def test_unknown_namespace_is_refused(server: RunningServer) -> None:
    client = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect(
            server.http,
            namespaces=[f"/opentheater/{UNKNOWN}"],
            socketio_path="/socket.io",
            transports=["websocket"],
            wait_timeout=5,
        )
    await client.disconnect()


async def test_plain_websocket_gets_the_same_json(
    server: RunningServer, trigger: trigger_pb2_grpc.TriggerServiceStub
) -> None:
    url = server.http.replace("http://", "ws://") + f"/ws/opentheater/{PIECE}"
    async with websockets.connect(url) as ws:
        await asyncio.sleep(0.3)
        reply = await trigger.Publish(
            pb.PublishRequest(project_uuid=PIECE, payload='{"content": {"text_de": "ws"}}'), metadata=server.grpc_auth()
        )
        while True:
            text = await asyncio.wait_for(ws.recv(), 10)
            if json.loads(text).get("timestamp") == json_of(reply.cue.payload)["timestamp"]:
                break
        assert json.loads(text) == json_of(reply.cue.payload)
        await ws.send('{"content": {"text_de": "x"}}')
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))["status"] == 401
    async with websockets.connect(url + f"?token={server.write_token}") as ws:
        await ws.send('{"content": {"text_de": "from ws"}}')
        while (msg := json.loads(await asyncio.wait_for(ws.recv(), 10))).get("type") != "ack":
            pass
        assert msg["sequence"] > reply.cue.sequence


async def test_publish_errors_over_grpc(server: RunningServer, trigger: trigger_pb2_grpc.TriggerServiceStub) -> None:
    cases = [
        (pb.PublishRequest(project_uuid=UNKNOWN, payload='{"content": {}}'), grpc.StatusCode.NOT_FOUND),
        (pb.PublishRequest(project_uuid=PIECE, payload="{not json"), grpc.StatusCode.INVALID_ARGUMENT),
        (pb.PublishRequest(project_uuid=PIECE, payload='{"timestamp": 1}'), grpc.StatusCode.INVALID_ARGUMENT),
        (
            pb.PublishRequest(project_uuid=PIECE, payload=json.dumps({"content": {"text_de": "x" * 70000}})),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
        ),
    ]
    for request, code in cases:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await trigger.Publish(request, metadata=server.grpc_auth())
        assert info.value.code() == code
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await trigger.Publish(pb.PublishRequest(project_uuid=PIECE, payload='{"content": {}}'))
    assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
    stream = trigger.Subscribe(pb.SubscribeRequest(project_uuid=UNKNOWN))
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stream.read()
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_publish_and_history_over_rest(http: httpx.Client, server: RunningServer) -> None:
    url = f"/opentheater/projects/{MANNHEIM}/cues"
    created = http.post(
        url, content=b'{"content": {"text_EN": "Act 2"}}', headers=server.auth() | {"content-type": "application/json"}
    )
    assert created.status_code == 201, created.text
    cue = created.json()["cue"]
    assert cue["projectUuid"] == MANNHEIM and cue["payload"]["content"] == {"text_EN": "Act 2"}
    # a JSON object and a JSON number, as a JavaScript client expects (issue 15)
    assert isinstance(cue["payload"]["timestamp"], int) and type(cue["sequence"]) is int and cue["sequence"] > 0
    for body, status in [(b"{nope", 400), (b'{"content": {"text_EN": "x"}}', 401)]:
        headers = {"content-type": "application/json"} | (server.auth() if status != 401 else {})
        resp = http.post(url, content=body, headers=headers)
        assert resp.status_code == status and resp.json()["status"] == status
    missing = http.post(
        f"/opentheater/projects/{UNKNOWN}/cues",
        content=b'{"content": {}}',
        headers=server.auth() | {"content-type": "application/json"},
    )
    assert missing.status_code == 404 and missing.json() == {"error": missing.json()["error"], "status": 404}
    history = http.get(url, params={"after": cue["sequence"] - 1}).json()
    assert [c["sequence"] for c in history["cues"]] == [cue["sequence"]]
    assert history["cues"][0]["payload"] == cue["payload"]
    again = http.post(url, json={"content": {"text_EN": "Act 3"}}, headers=server.auth())
    assert again.status_code == 201, again.text
    paged = http.get(url, params={"after": cue["sequence"] - 1, "limit": 1}).json()
    assert type(paged["nextAfter"]) is int and paged["nextAfter"] == paged["cues"][0]["sequence"]
    assert http.get(f"/opentheater/projects/{UNKNOWN}/cues").status_code == 404


def test_cue_payloads_keep_their_json_exactly_over_rest(http: httpx.Client, server: RunningServer) -> None:
    """Deep, big-numbered and fractional payloads come back as the same JSON through Envoy's
    transcoder (a Struct), up to the nesting limit; deeper or inexact ones get a 400."""
    url = f"/opentheater/projects/{MANNHEIM}/cues"
    headers = server.auth() | {"content-type": "application/json"}
    deep: dict[str, object] = {"leaf": [1, 2.5, None, True, "x"]}
    for _ in range(MAX_DEPTH - 4):  # with the payload, `extra` and the list: MAX_DEPTH levels
        deep = {"d": deep}
    sent = {
        "content": {"text_EN": "exact"},
        "timestamp": 2**53,
        "extra": {"deep": deep, "big": -(2**53), "half": 0.5, "tiny": 1e-300, "unicode": "Bühne ✓"},
    }
    created = http.post(url, json=sent, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["cue"]["payload"] == sent
    history = http.get(url, params={"after": created.json()["cue"]["sequence"] - 1}).json()
    assert history["cues"][0]["payload"] == sent
    for bad in ({"content": {}, "extra": {"deep": {"d": deep}}}, {"content": {}, "big": 2**53 + 1}):
        refused = http.post(url, json=bad, headers=headers)
        assert refused.status_code == 400 and refused.json()["status"] == 400, refused.text


async def _until_every_worker_answers(stub: trigger_pb2_grpc.TriggerServiceStub) -> None:
    """`ready` means the first worker is up; the others may still be starting."""
    ok, deadline = 0, asyncio.get_running_loop().time() + 30
    while ok < 6:
        try:
            await stub.GetProjectList(pb.GetProjectListRequest())
            ok += 1
        except grpc.aio.AioRpcError as exc:
            assert exc.code() == grpc.StatusCode.UNAVAILABLE and asyncio.get_running_loop().time() < deadline
            ok = 0
            await asyncio.sleep(0.2)


def test_cues_reach_the_audience_whichever_worker_accepts_them(tmp_path: Path) -> None:
    """With `--workers 2` Envoy spreads Publish calls over both processes; the socket.io audience
    (served by the first) and a gRPC subscriber still get every cue. (A sync test: the harness
    creates PostgreSQL databases with its own event loop.)"""
    env = {"POLYPHONY_PROJECTS_FILE": str(ROOT / "tests" / "fixtures" / "opentheater" / "projects.yaml")}
    with run_server(tmp_path / "two", extra_env=env, args=("--workers", "2")) as srv:
        asyncio.run(_publish_through_two_workers(srv))


async def _publish_through_two_workers(srv: RunningServer) -> None:
    aud = Audience()
    await aud.connect(srv, f"/opentheater/{PIECE}", ["websocket"])
    try:
        async with grpc.aio.insecure_channel(srv.grpc_target) as ch:
            stub = trigger_pb2_grpc.TriggerServiceStub(ch)
            await _until_every_worker_answers(stub)
            stream = stub.Subscribe(pb.SubscribeRequest(project_uuid=PIECE))
            await stream.initial_metadata()
            sent = []
            for i in range(8):  # fresh calls on one channel: Envoy round-robins them
                reply = await stub.Publish(
                    pb.PublishRequest(project_uuid=PIECE, payload=json.dumps({"content": {"text_de": str(i)}})),
                    metadata=srv.grpc_auth(),
                )
                sent.append(reply.cue.sequence)
            streamed = sorted([(await asyncio.wait_for(stream.read(), 10)).cue.sequence for _ in sent])
            stream.cancel()
        texts = sorted([(await aud.next())["content"]["text_de"] for _ in sent])
        assert texts == [str(i) for i in range(8)] and streamed == sorted(sent)
    finally:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(aud.client.disconnect(), 2)
