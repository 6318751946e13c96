"""End to end: export every analysis resource of one running server and import it into a second, fresh
one (CLI and REST), keeping UUIDs and links; idempotent re-import; broken archives import nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.e2e.test_analysis import stored, upload, wav
from tests.e2e.test_analysis_corpus import remote  # noqa: F401 (the fixture)
from tests.harness import RunningServer, run_server

API = "/timeside/api"
COLLECTIONS = [
    "items",
    "presets",
    "experiences",
    "selections",
    "tasks",
    "results",
    "analysis",
    "analysis_tracks",
    "annotation_tracks",
    "annotations",
]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningServer, RunningServer]]:
    with (
        run_server(tmp_path_factory.mktemp("source")) as a,
        run_server(tmp_path_factory.mktemp("target"), extra_env={"POLYPHONY_ANALYSIS_MAX_DOWNLOAD": "10000"}) as b,
    ):
        yield a, b


def wait_done(http: httpx.Client, task_url: str) -> None:
    deadline = time.monotonic() + 60
    while http.get(task_url).json()["status"] != 4:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def populate(a: RunningServer) -> None:
    with httpx.Client(base_url=a.http, timeout=30) as http:
        auth = a.auth()
        items = [upload(http, a, wav(1.0 + i), title=f"item {i}").json() for i in range(2)]
        bare = http.post(f"{API}/items/", json={"title": "no audio"}, headers=auth).json()
        presets = [
            http.post(f"{API}/presets/", json={"processor": p}, headers=auth).json() for p in ("level", "onsets")
        ]
        exp = http.post(
            f"{API}/experiences/", json={"title": "E", "presets": [p["uuid"] for p in presets]}, headers=auth
        ).json()
        inner = http.post(
            f"{API}/selections/", json={"title": "inner", "items": [items[1]["uuid"]]}, headers=auth
        ).json()
        outer = http.post(
            f"{API}/selections/",
            json={"title": "outer", "items": [items[0]["uuid"], bare["uuid"]], "selections": [inner["uuid"]]},
            headers=auth,
        ).json()
        task = http.post(
            f"{API}/tasks/", json={"experience": exp["uuid"], "item": items[0]["uuid"]}, headers=auth
        ).json()
        wait_done(http, task["url"])
        http.post(
            f"{API}/tasks/", json={"experience": exp["uuid"], "selection": outer["uuid"], "status": 1}, headers=auth
        )
        analysis = http.post(
            f"{API}/analysis/", json={"preset": presets[0]["uuid"], "sub_processor": "level.rms"}, headers=auth
        ).json()
        http.post(
            f"{API}/analysis_tracks/",
            json={"analysis": analysis["uuid"], "item": items[0]["uuid"], "color": "00ff00"},
            headers=auth,
        )
        track = http.post(
            f"{API}/annotation_tracks/", json={"item": items[0]["uuid"], "title": "T"}, headers=auth
        ).json()
        result = http.get(
            f"{API}/results/", params={"item_uuid": items[0]["uuid"], "preset_uuid": presets[0]["uuid"]}
        ).json()[0]
        for i in range(3):
            r = http.post(
                f"{API}/annotations/",
                json={
                    "track": track["uuid"],
                    "title": f"a{i}",
                    "start_time": i * 0.3,
                    "stop_time": i * 0.3 + 0.2,
                    "results": [result["uuid"]],
                },
                headers=auth,
            )
            assert r.status_code == 201, r.text


def snapshot(server: RunningServer) -> dict[str, Any]:
    """Every collection (with the server's own base URL taken out), each item's audio and result data."""
    with httpx.Client(base_url=server.http, timeout=30) as http:
        out: dict[str, Any] = {}
        for name in COLLECTIONS:
            rows = http.get(f"{API}/{name}/").json()
            details = [http.get(r["url"]).json() for r in rows]
            out[name] = json.loads(json.dumps(details).replace(server.http, "BASE"))
        out["audio"] = {i["uuid"]: http.get(i["source_file"]).content for i in out["items"] if "source_file" in i}
        out["data"] = {r["uuid"]: http.get(f"/timeside/results/{r['uuid']}/json/").json() for r in out["results"]}
    return out


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "polyphony.cli", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=120,
    )


def test_export_then_import_into_a_fresh_server(pair: tuple[RunningServer, RunningServer], tmp_path: Path) -> None:
    a, b = pair
    populate(a)
    archive = tmp_path / "corpus.zip"
    done = cli("export", str(archive), "--url", a.http, "--token", a.write_token)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert len(manifest["tables"]["items"]) == 3 and len(manifest["files"]) >= 2 + 2

    # Exporting needs a write token.
    assert httpx.get(f"{a.http}{API}/export/").status_code == 401
    rest = httpx.get(f"{a.http}{API}/export/", headers=a.auth(), timeout=60)
    assert rest.status_code == 200 and rest.headers["content-type"] == "application/zip"
    assert json.loads(zipfile.ZipFile(io.BytesIO(rest.content)).read("manifest.json"))["tables"] == manifest["tables"]

    done = cli("import", str(archive), "--url", b.http, "--token", b.write_token)
    assert done.returncode == 0, done.stderr
    assert "items: 3 created, 0 already present" in done.stdout
    source, target = snapshot(a), snapshot(b)
    for name in [*COLLECTIONS, "audio", "data"]:
        assert target[name] == source[name], name
    assert len(source["annotations"]) == 3 and len(source["results"]) == 2

    # Idempotent: a second import creates nothing and changes nothing.
    files = stored(b)
    r = httpx.post(
        f"{b.http}{API}/import/",
        content=archive.read_bytes(),
        headers={**b.auth(), "content-type": "application/zip"},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    assert set(r.json()["created"].values()) == {0} and r.json()["existing"]["items"] == 3
    assert stored(b) == files and snapshot(b) == target


def _rewrite(archive: bytes, change: Any) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(archive))
    manifest = json.loads(src.read("manifest.json"))
    change(manifest, src)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "manifest.json":
                dst.writestr(info, src.read(info))
        dst.writestr("manifest.json", json.dumps(manifest))
    return out.getvalue()


async def test_broken_archives_import_nothing(pair: tuple[RunningServer, RunningServer]) -> None:
    a, b = pair
    with httpx.Client(base_url=a.http, timeout=30) as http:
        upload(http, a, wav(1.5), title="fresh one")
        good = http.get(f"{API}/export/", headers=a.auth()).content
    before_files, before = stored(b), snapshot(b)

    def dangling(manifest: dict[str, Any], _: zipfile.ZipFile) -> None:
        manifest["tables"]["selection_items"].append(
            {
                "selection_uuid": manifest["tables"]["selections"][0]["uuid"],
                "item_uuid": "00000000-0000-4000-8000-000000000000",
                "position": 9,
            }
        )

    def bad_hash(manifest: dict[str, Any], _: zipfile.ZipFile) -> None:
        for meta in manifest["files"].values():
            meta["sha256"] = "0" * 64

    def bad_date(manifest: dict[str, Any], _: zipfile.ZipFile) -> None:
        manifest["tables"]["presets"][0]["date_added"] = "yesterday"

    bodies = [
        good[: len(good) // 2],
        b"not a zip",
        _rewrite(good, dangling),
        _rewrite(good, bad_hash),
        _rewrite(good, bad_date),
    ]
    with httpx.Client(base_url=b.http, timeout=60) as http:
        for body in bodies:
            r = http.post(f"{API}/import/", content=body, headers={**b.auth(), "content-type": "application/zip"})
            assert r.status_code == 400 and list(r.json()) == ["archive"], r.text
    assert stored(b) == before_files and snapshot(b) == before

    # The same over native gRPC.
    async with grpc.aio.insecure_channel(b.grpc_target) as channel:
        stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
        from google.api import httpbody_pb2

        async def chunks():  # type: ignore[no-untyped-def]
            yield httpbody_pb2.HttpBody(content_type="application/zip", data=_rewrite(good, dangling))

        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ImportArchive(chunks(), metadata=b.grpc_auth())
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        exported = b"".join(
            [m.data async for m in stub.ExportArchive(pb.ExportArchiveRequest(), metadata=b.grpc_auth())]
        )
        assert zipfile.ZipFile(io.BytesIO(exported)).read("manifest.json")
    assert stored(b) == before_files


def test_download_size_is_bounded(pair: tuple[RunningServer, RunningServer], remote: str) -> None:  # noqa: F811
    _, b = pair  # runs with POLYPHONY_ANALYSIS_MAX_DOWNLOAD=10000
    before = stored(b)
    r = httpx.post(f"{b.http}{API}/items/", json={"source_url": f"{remote}/audio/tone.wav"}, headers=b.auth())
    assert r.status_code == 400 and list(r.json()) == ["source_url"] and "larger" in r.json()["source_url"][0]
    assert stored(b) == before
