"""Controlled Object instances: `POST /objects/{id}/instances` with our `storage_id` copies an Object
that only has uncontrolled instances into the store, which then serves it from its own presigned URL."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e import tams_clients
from tests.harness import RunningServer
from tests.unit.flow.spec import assert_valid, audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon


def _flow(http: httpx.Client, server: RunningServer) -> str:
    doc = audio_flow()
    assert http.put(f"/tams/flows/{doc['id']}", json=doc, headers=server.auth()).status_code == 201
    return str(doc["id"])


def _upload(http: httpx.Client, server: RunningServer, flow_id: str, data: bytes, tr: str) -> str:
    """A controlled Object (allocated, PUT, registered); returns its presigned GET URL."""
    item = http.post(f"/tams/flows/{flow_id}/storage", json={"limit": 1}, headers=server.auth()).json()[
        "media_objects"
    ][0]
    assert (
        httpx.put(
            item["put_url"]["url"], content=data, headers={"content-type": item["put_url"]["content-type"]}
        ).status_code
        == 200
    )
    assert (
        http.post(
            f"/tams/flows/{flow_id}/segments",
            json={"object_id": item["object_id"], "timerange": tr},
            headers=server.auth(),
        ).status_code
        == 201
    )
    url: str = http.get(f"/tams/objects/{item['object_id']}").json()["get_urls"][0]["url"]
    return url


def controlled_copy_round_trip(http: httpx.Client, server: RunningServer) -> dict[str, Any]:
    flow_id = _flow(http, server)
    data = b"a mirrored object " * 5000
    source_url = _upload(http, server, flow_id, data, "[0:0_1:0)")
    backend = http.get("/tams/service/storage-backends").json()[0]

    # an Object known only by an uncontrolled URL
    mirrored = f"mirrored-{uuid.uuid4()}"
    seg = {"object_id": mirrored, "timerange": "[1:0_2:0)", "get_urls": [{"url": source_url, "label": "mirror"}]}
    assert http.post(f"/tams/flows/{flow_id}/segments", json=seg, headers=server.auth()).status_code == 201
    before = http.get(f"/tams/objects/{mirrored}").json()
    assert [u["label"] for u in before["get_urls"]] == ["mirror"]

    resp = http.post(f"/tams/objects/{mirrored}/instances", json={"storage_id": backend["id"]}, headers=server.auth())
    assert resp.status_code == 201, resp.text
    after = http.get(f"/tams/objects/{mirrored}", params={"verbose_storage": "true"}).json()
    assert_valid("object.json", after)
    controlled = after["get_urls"][0]
    assert controlled["controlled"] is True and controlled["storage_id"] == backend["id"]
    assert controlled["label"] == backend["label"] and controlled["url"] != source_url
    assert httpx.get(controlled["url"]).content == data

    again = http.post(f"/tams/objects/{mirrored}/instances", json={"storage_id": backend["id"]}, headers=server.auth())
    assert again.status_code == 400  # it already has an instance there
    # the uncontrolled instance can go now: the controlled copy remains
    assert (
        http.delete(
            f"/tams/objects/{mirrored}/instances", params={"label": "mirror"}, headers=server.auth()
        ).status_code
        == 204
    )
    assert httpx.get(http.get(f"/tams/objects/{mirrored}").json()["get_urls"][0]["url"]).content == data
    assert http.delete(f"/tams/flows/{flow_id}", headers=server.auth()).status_code == 204
    return {"backend": backend, "object_id": mirrored}


def test_controlled_copy_from_an_uncontrolled_instance(http: httpx.Client, server: RunningServer) -> None:
    controlled_copy_round_trip(http, server)


def test_controlled_copy_fails_cleanly(http: httpx.Client, server: RunningServer) -> None:
    flow_id = _flow(http, server)
    backend = http.get("/tams/service/storage-backends").json()[0]
    dead = f"dead-{uuid.uuid4()}"
    seg = {
        "object_id": dead,
        "timerange": "[0:0_1:0)",
        "get_urls": [{"url": f"{http.base_url}/tams/_objects/nothing?expires=1&signature=x", "label": "gone"}],
    }
    assert http.post(f"/tams/flows/{flow_id}/segments", json=seg, headers=server.auth()).status_code == 201
    resp = http.post(f"/tams/objects/{dead}/instances", json={"storage_id": backend["id"]}, headers=server.auth())
    assert resp.status_code == 400 and "could not copy" in resp.json()["summary"]
    assert [u["label"] for u in http.get(f"/tams/objects/{dead}").json()["get_urls"]] == ["gone"]
    other = str(uuid.uuid4())
    assert (
        http.post(f"/tams/objects/{dead}/instances", json={"storage_id": other}, headers=server.auth()).status_code
        == 400
    )  # not one of our backends
    assert (
        http.post(
            f"/tams/objects/nope-{uuid.uuid4()}/instances", json={"storage_id": backend["id"]}, headers=server.auth()
        ).status_code
        == 404
    )
