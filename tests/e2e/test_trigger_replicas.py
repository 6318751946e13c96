"""Open Theater assets across replicas (issue 19): two servers, each with its own data directory, share
the database, the secret and an S3 bucket (moto's server on loopback). An asset uploaded through one
is listed and fetched through the other, replaced there, and deleted through the first; its bytes live
in the bucket, not in either data directory."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.harness import S3_CREDENTIALS, RunningServer, moto_s3, run_server

BUCKET = "polyphony-replicas"
CREDENTIALS = S3_CREDENTIALS


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with moto_s3(BUCKET) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def replicas(
    s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[RunningServer, RunningServer]]:
    env = {
        "POLYPHONY_OBJECT_STORE": "s3",
        "POLYPHONY_S3_ENDPOINT_URL": s3_endpoint,
        "POLYPHONY_S3_BUCKET": BUCKET,
        "POLYPHONY_S3_REGION": "us-east-1",
        "POLYPHONY_S3_ACCESS_KEY_ID": "testing",
        "POLYPHONY_S3_SECRET_ACCESS_KEY": "testing",
        "POLYPHONY_SECRET": uuid.uuid4().hex,
    }
    with (
        run_server(tmp_path_factory.mktemp("replica-a"), extra_env=env) as a,
        run_server(
            tmp_path_factory.mktemp("replica-b"), extra_env=env | {"POLYPHONY_DATABASE_URL": a.database_url}
        ) as b,
    ):
        yield a, b


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _bucket_keys(s3_endpoint: str) -> set[str]:
    client: Any = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    return {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_an_asset_uploaded_on_one_replica_is_listed_and_fetched_on_the_other(
    replicas: tuple[RunningServer, RunningServer], s3_endpoint: str
) -> None:
    a, b = replicas
    with httpx.Client(base_url=a.http, timeout=30) as on_a, httpx.Client(base_url=b.http, timeout=30) as on_b:
        objects_before = {srv.data_dir: _files_under(srv.data_dir / "objects") for srv in replicas}
        keys_before = _bucket_keys(s3_endpoint)
        project = on_a.post("/opentheater/projects", json={"projectPath": ["HOUSE", "TOUR"]}, headers=a.auth())
        assert project.status_code == 201, project.text
        uid = project.json()["projectUuid"]
        channel = on_a.post(
            f"/opentheater/projects/{uid}/channels", json={"label": "DE", "containerIds": ["text_de"]}, headers=a.auth()
        )
        assert channel.status_code == 201, channel.text
        cuid = channel.json()["channelUuid"]
        base = f"/opentheater/files/{uid}/{cuid}/"
        body = bytes(range(256)) * 1000
        put = on_a.put(base + "media/intro.bin", content=body, headers=a.auth() | {"content-type": "video/mp4"})
        assert put.status_code == 201, put.text

        listed = on_b.get(base + "fileList.json")
        assert listed.status_code == 200, listed.text
        [entry] = [f for f in listed.json()["files"] if f["filepath"] == "media/intro.bin"]
        assert entry["filesize"] == len(body)
        fetched = on_b.get(base + "media/intro.bin")
        assert fetched.status_code == 200, fetched.text
        assert fetched.content == body and fetched.headers["content-type"].startswith("video/mp4")
        part = on_b.get(base + "media/intro.bin", headers={"range": "bytes=1000-1999"})
        assert part.status_code == 206 and part.content == body[1000:2000]

        # the bytes are in the bucket, in neither replica's data directory
        assert _bucket_keys(s3_endpoint) - keys_before
        assert {srv.data_dir: _files_under(srv.data_dir / "objects") for srv in replicas} == objects_before

        # replaced through B, read through A; deleted through A, gone on B
        replaced = on_b.put(base + "media/intro.bin", content=b"second take", headers=b.auth())
        assert replaced.status_code == 200, replaced.text
        assert on_a.get(base + "media/intro.bin").content == b"second take"
        assert on_a.delete(base + "media/intro.bin", headers=a.auth()).status_code == 204
        gone = on_b.get(base + "media/intro.bin")
        assert gone.status_code == 404, gone.text
        assert _bucket_keys(s3_endpoint) == keys_before
        assert on_a.delete(f"/opentheater/projects/{uid}", headers=a.auth()).status_code == 204
