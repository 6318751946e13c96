"""TAMS on the S3 object store (boto3 against moto's S3 server on loopback): storage backends, the ingest
workflow through presigned S3 URLs (the bytes never pass through Polyphony), reads from S3, native gRPC
upload into the bucket, and reclamation deleting from the bucket."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import httpx
import pytest

from polyphony.api.flow.v1 import flow_pb2, flow_pb2_grpc
from tests.e2e import tams_clients
from tests.harness import S3_CREDENTIALS, RunningServer, moto_s3, run_server
from tests.unit.flow.spec import assert_valid, audio_flow

# TAMS reads need a token: `http` carries the read token, `anon` none (tests/e2e/tams_clients.py)
http = tams_clients.http
anon = tams_clients.anon
channel = tams_clients.channel

BUCKET = "polyphony-tams"
CREDENTIALS = S3_CREDENTIALS


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)


@pytest.fixture(scope="module")
def s3_server(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    env = {
        "POLYPHONY_OBJECT_STORE": "s3",
        "POLYPHONY_S3_ENDPOINT_URL": s3_endpoint,
        "POLYPHONY_S3_BUCKET": BUCKET,
        "POLYPHONY_S3_REGION": "us-east-1",
        "POLYPHONY_S3_ACCESS_KEY_ID": "testing",
        "POLYPHONY_S3_SECRET_ACCESS_KEY": "testing",
    }
    with run_server(tmp_path_factory.mktemp("s3srv"), extra_env=env) as srv:
        yield srv


@pytest.fixture
def api(s3_server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=s3_server.http, headers=s3_server.read_auth(), timeout=30) as client:
        yield client


def _key(object_id: str) -> str:
    return "tams/" + hashlib.sha256(object_id.encode()).hexdigest()


def _in_bucket(bucket: Any, object_id: str) -> bool:
    return any(
        o["Key"] == _key(object_id) for o in bucket.list_objects_v2(Bucket=BUCKET, Prefix="tams/").get("Contents", [])
    )


def test_storage_backend_is_the_bucket(api: httpx.Client, s3_endpoint: str) -> None:
    resp = api.get("/tams/service/storage-backends")
    assert resp.status_code == 200
    body = resp.json()
    assert_valid("storage-backends-list.json", body)
    [backend] = body
    assert backend["label"] == BUCKET and backend["store_product"] == "s3" and backend["default_storage"] is True
    assert backend["id"] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"s3://{BUCKET}@{s3_endpoint}"))
    assert backend["region"] == "us-east-1"


def test_ingest_through_presigned_s3_urls(
    api: httpx.Client, s3_server: RunningServer, s3_endpoint: str, bucket: Any
) -> None:
    flow = audio_flow()
    assert api.put(f"/tams/flows/{flow['id']}", json=flow, headers=s3_server.auth()).status_code == 201
    storage = api.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 3}, headers=s3_server.auth())
    assert storage.status_code == 201, storage.text
    assert_valid("flow-storage.json", storage.json())
    items = storage.json()["media_objects"]
    payloads = [f"segment {i} ".encode() * 1000 for i in range(2)]
    for item, data in zip(items, payloads, strict=False):
        put_url = item["put_url"]
        assert put_url["url"].startswith(f"{s3_endpoint}/{BUCKET}/tams/")  # straight to S3, not Polyphony
        assert "X-Amz-Signature=" in put_url["url"]
        put = httpx.put(put_url["url"], content=data, headers={"content-type": put_url["content-type"]})
        assert put.status_code == 200, put.text
        assert _in_bucket(bucket, item["object_id"])

    # the third object was never uploaded: registering it fails, the two others register
    segments = [{"object_id": items[i]["object_id"], "timerange": f"[{i}:0_{i + 1}:0)"} for i in range(3)]
    resp = api.post(f"/tams/flows/{flow['id']}/segments", json=segments, headers=s3_server.auth())
    assert resp.status_code == 200, resp.text
    assert [f["object_id"] for f in resp.json()["failed_segments"]] == [items[2]["object_id"]]

    listed = api.get(f"/tams/flows/{flow['id']}/segments", params={"verbose_storage": "true"})
    assert listed.status_code == 200
    for segment, data in zip(listed.json(), payloads, strict=True):
        assert_valid("flow-segment.json", segment)
        [url] = segment["get_urls"]
        assert url["url"].startswith(f"{s3_endpoint}/{BUCKET}/") and url["presigned"] is True
        assert url["label"] == BUCKET and url["store_product"] == "s3" and url["controlled"] is True
        got = httpx.get(url["url"])
        assert got.status_code == 200 and got.content == data
    obj = api.get(f"/tams/objects/{items[0]['object_id']}").json()
    assert_valid("object.json", obj)
    assert httpx.get(obj["get_urls"][0]["url"]).content == payloads[0]

    # deleting the segments reclaims the objects: they leave the bucket
    deleted = api.delete(f"/tams/flows/{flow['id']}/segments", headers=s3_server.auth())
    assert deleted.status_code == 204
    for item in items[:2]:
        assert not _in_bucket(bucket, item["object_id"])
        assert api.get(f"/tams/objects/{item['object_id']}").status_code == 404


async def test_grpc_upload_lands_in_the_bucket(s3_server: RunningServer, bucket: Any) -> None:
    flow = audio_flow()
    async with tams_clients.read_channel(s3_server) as channel:  # reads carry the read token
        stub = flow_pb2_grpc.FlowServiceStub(channel)
        with httpx.Client(base_url=s3_server.http, headers=s3_server.read_auth()) as api:
            assert api.put(f"/tams/flows/{flow['id']}", json=flow, headers=s3_server.auth()).status_code == 201

        async def messages() -> Any:
            yield flow_pb2.UploadSegmentRequest(
                header=flow_pb2.UploadSegmentHeader(flow_id=flow["id"], timerange="[0:0_2:0)")
            )
            for i in range(4):
                yield flow_pb2.UploadSegmentRequest(data=bytes([i]) * 100_000)

        segment = await stub.UploadSegment(messages(), metadata=s3_server.grpc_auth())
        assert _in_bucket(bucket, segment.object_id)
        stored = bucket.get_object(Bucket=BUCKET, Key=_key(segment.object_id))["Body"].read()
        assert stored == b"".join(bytes([i]) * 100_000 for i in range(4))
        listed = await stub.ListSegments(flow_pb2.ListSegmentsRequest(flow_id=flow["id"]))
        [url] = listed.segments[0].get_urls
        assert httpx.get(url.url).content == stored
        with httpx.Client(base_url=s3_server.http, headers=s3_server.read_auth()) as api:
            assert api.delete(f"/tams/flows/{flow['id']}", headers=s3_server.auth()).status_code == 204
        assert not _in_bucket(bucket, segment.object_id)


def test_controlled_copy_into_the_bucket(api: httpx.Client, s3_server: RunningServer, bucket: Any) -> None:
    from tests.e2e.test_flow_instances import controlled_copy_round_trip

    result = controlled_copy_round_trip(api, s3_server)
    assert result["backend"]["store_product"] == "s3"
    assert not _in_bucket(bucket, result["object_id"])  # reclaimed with its flow
