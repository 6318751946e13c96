"""TAMS Profiles end to end: POST/GET/HEAD one, GET/HEAD the filtered, paged list (REST and native gRPC)."""

from __future__ import annotations

import base64
import hashlib
import uuid
from typing import Any

import grpc
import httpx
import pytest
from google.protobuf import json_format

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from polyphony.flow.mapping import to_document
from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, example, rekey

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

PROFILE_EXAMPLES = (
    "profile-put.json",
    "profile-post-201.json",
    "profile-get-200-image.json",
    "profile-get-200-video-h264.json",
    "profile-get-200-video-h264-mxf.json",
)


def _error(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body: dict[str, Any] = resp.json()
    assert_valid("error.json", body)
    return body


def _post(
    http: httpx.Client, server: RunningServer, doc: dict[str, Any], status: int = 201, profile_id: str | None = None
) -> httpx.Response:
    resp = http.post(f"/tams/service/profiles/{profile_id or doc['id']}", json=doc, headers=server.auth())
    assert resp.status_code == status, resp.text
    return resp


@pytest.mark.parametrize("name", PROFILE_EXAMPLES)
def test_every_profile_example_is_accepted_and_read_back(http: httpx.Client, server: RunningServer, name: str) -> None:
    doc = rekey(example(name))
    created = _post(http, server, doc).json()
    assert_valid("profile.json", created)
    assert created["flow_metadata"] == doc["flow_metadata"]
    assert created["created"] != doc.get("created")  # server-managed
    for key in ("label", "description", "tags", "created_by"):
        if key in doc:
            assert created[key] == doc[key]
    got = http.get(f"/tams/service/profiles/{doc['id']}")
    assert got.status_code == 200
    assert_valid("profile.json", got.json())
    assert got.json() == created
    head = http.head(f"/tams/service/profiles/{doc['id']}")
    assert head.status_code == 200 and head.content == b""


def test_profile_created_by_defaults_to_the_principal(http: httpx.Client, server: RunningServer) -> None:
    doc = rekey(example("profile-put.json"))
    created = _post(http, server, doc).json()
    digest = hashlib.sha256(server.write_token.encode()).hexdigest()[:12]
    assert created["created_by"] == f"token-{digest}"
    basic = base64.b64encode(f"alice:{server.write_token}".encode()).decode()
    other = rekey(example("profile-put.json"))
    resp = http.post(f"/tams/service/profiles/{other['id']}", json=other, headers={"authorization": f"Basic {basic}"})
    assert resp.status_code == 201, resp.text
    assert resp.json()["created_by"] == "alice"


def test_profile_post_errors(anon: httpx.Client, http: httpx.Client, server: RunningServer) -> None:
    doc = rekey(example("profile-put.json"))
    _post(http, server, doc)
    again = {**doc, "label": "changed"}
    _error(_post(http, server, again, 400), 400)  # immutable: no update
    assert http.get(f"/tams/service/profiles/{doc['id']}").json()["label"] == doc["label"]  # nothing changed
    other = rekey(example("profile-put.json"))
    _error(_post(http, server, other, 400, profile_id=str(uuid.uuid4())), 400)  # body id != path id
    _error(_post(http, server, other, 404, profile_id="not-a-uuid"), 404)
    _error(_post(http, server, {k: v for k, v in other.items() if k != "flow_metadata"}, 400), 400)
    bad_format = {**other, "flow_metadata": {**other["flow_metadata"], "format": "urn:x-nmos:format:multi"}}
    _error(_post(http, server, bad_format, 400), 400)
    no_id = {k: v for k, v in other.items() if k != "id"}
    created = _post(http, server, no_id, profile_id=other["id"]).json()  # the id comes from the path
    assert created["id"] == other["id"]
    resp = anon.post(f"/tams/service/profiles/{uuid.uuid4()}", json=other)
    assert resp.status_code == 401
    _error(http.get(f"/tams/service/profiles/{uuid.uuid4()}"), 404)
    _error(http.get("/tams/service/profiles/nope"), 404)
    assert http.head(f"/tams/service/profiles/{uuid.uuid4()}").status_code == 404
    assert http.delete(f"/tams/service/profiles/{other['id']}", headers=server.auth()).status_code in (404, 405)


def _labelled(label: str, name: str = "profile-put.json", **metadata: Any) -> dict[str, Any]:
    doc: dict[str, Any] = rekey(example(name))
    doc["label"] = label
    doc["flow_metadata"].update(metadata)
    return doc


def test_profile_list_filters_and_pages(http: httpx.Client, server: RunningServer) -> None:
    label = f"list-{uuid.uuid4()}"
    video = [_labelled(label) for _ in range(3)]
    image = _labelled(label, "profile-get-200-image.json")
    for doc in (*video, image):
        _post(http, server, doc)
    resp = http.get("/tams/service/profiles", params={"label": label})
    assert resp.status_code == 200
    listed = resp.json()
    for item in listed:
        assert_valid("profile.json", item)
    assert [p["id"] for p in listed] == [image["id"], *reversed([v["id"] for v in video])]  # newest first
    assert resp.headers["x-paging-limit"] == "100" and resp.headers["x-paging-count"] == "4"
    assert "link" not in resp.headers and "x-paging-nextkey" not in resp.headers
    by_format = http.get("/tams/service/profiles", params={"label": label, "format": "urn:x-tam:format:image"})
    assert [p["id"] for p in by_format.json()] == [image["id"]]
    by_codec = http.get("/tams/service/profiles", params={"label": label, "codec": "video/h264"})
    assert {p["id"] for p in by_codec.json()} == {v["id"] for v in video}
    multi = http.get("/tams/service/profiles", params={"label": label, "format": "urn:x-nmos:format:multi"})
    assert multi.status_code == 200 and multi.json() == []
    # paging: Link rel=next and X-Paging-NextKey, until the last page
    seen: list[str] = []
    url: str | None = f"/tams/service/profiles?label={label}&limit=3"
    pages = 0
    while url is not None:
        page = http.get(url)
        assert page.status_code == 200 and page.headers["x-paging-limit"] == "3"
        seen += [p["id"] for p in page.json()]
        pages += 1
        link = page.headers.get("link")
        if link is None:
            assert "x-paging-nextkey" not in page.headers
            url = None
        else:
            assert link.endswith('>; rel="next"') and page.headers["x-paging-nextkey"] in link
            url = link[1 : link.index(">")]
    assert pages == 2 and seen == [p["id"] for p in listed]
    head = http.head("/tams/service/profiles", params={"label": label, "limit": 3})
    assert head.status_code == 200 and head.content == b"" and "x-paging-nextkey" in head.headers


@pytest.mark.parametrize(
    "params",
    [
        {"format": "urn:x-nmos:format:nope"},
        {"codec": "not a mime type"},
        {"limit": "0"},
        {"limit": "x"},
        {"page": "garbage"},
    ],
)
def test_profile_list_bad_queries_are_400(http: httpx.Client, params: dict[str, str]) -> None:
    _error(http.get("/tams/service/profiles", params=params), 400)


async def test_grpc_profiles(channel: grpc.aio.Channel, server: RunningServer) -> None:
    stub = flow_pb2_grpc.FlowServiceStub(channel)
    label = f"grpc-{uuid.uuid4()}"
    docs = [_labelled(label) for _ in range(3)]
    for doc in docs:
        profile = json_format.ParseDict(doc, flow_pb2.Profile())
        created = await stub.CreateProfile(
            flow_pb2.CreateProfileRequest(profile_id=doc["id"], profile=profile), metadata=server.grpc_auth()
        )
        assert created.id == doc["id"] and created.created_by.startswith("token-")
        assert_valid("profile.json", to_document(created))
    first = await stub.ListProfiles(flow_pb2.ListProfilesRequest(label=label, limit=2))
    assert [p.id for p in first.profiles] == [docs[2]["id"], docs[1]["id"]] and first.next_page
    second = await stub.ListProfiles(flow_pb2.ListProfilesRequest(label=label, limit=2, page=first.next_page))
    assert [p.id for p in second.profiles] == [docs[0]["id"]] and not second.next_page
    got = await stub.GetProfile(flow_pb2.GetProfileRequest(profile_id=docs[0]["id"]))
    assert got.label == label
    with pytest.raises(grpc.aio.AioRpcError) as err:
        existing = first.profiles[0]
        await stub.CreateProfile(
            flow_pb2.CreateProfileRequest(profile_id=existing.id, profile=existing), metadata=server.grpc_auth()
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListProfiles(flow_pb2.ListProfilesRequest(format="urn:x-nmos:format:nope"))
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
