"""The multi-machine deployment of the README ("Scaling out → Several machines"), end to end: two replicas
(`polyphony serve`, each with its own data directory), a Celery worker (`polyphony worker`) and the front
edge (`polyphony edge`), sharing PostgreSQL, an S3 bucket (moto on loopback), Redis (cues and the broker),
one secret and the tokens. All four APIs are walked across replicas; then one replica is SIGKILLed while
TAMS segments are registered through the front edge: the other keeps serving, every acknowledged
segment is kept, and the restarted replica serves them all.

PostgreSQL only (SQLite cannot be shared between machines): it runs in the PostgreSQL pass of
`scripts/test`, which CI requires (POLYPHONY_REQUIRE_POSTGRES=1 makes scripts/test fail when PostgreSQL is
unreachable, and the database set-up below fails loudly)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import numpy as np
import pytest
import socketio
import soundfile as sf
import websockets
from mutagen.flac import FLAC

from tests.harness import READ_TOKEN, S3_CREDENTIALS, WRITE_TOKEN, backend, database_url, free_port, moto_s3
from tests.unit.flow.spec import audio_flow

pytestmark = pytest.mark.skipif(
    backend() != "postgres", reason="replicas share PostgreSQL: runs in the PostgreSQL pass (POLYPHONY_TEST_DB)"
)

BUCKET = "polyphony-replicas-e2e"
CREDENTIALS = S3_CREDENTIALS
AUTH = {"authorization": f"Bearer {WRITE_TOKEN}"}
READ = {"authorization": f"Bearer {READ_TOKEN}"}


@dataclass
class Proc:
    """A `polyphony` command run in the background, its output in `log`."""

    argv: list[str]
    env: dict[str, str]
    log: Path
    ready: str
    proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90.0) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "polyphony.cli", *self.argv], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        start = self.log.stat().st_size if self.log.exists() else 0
        deadline = time.monotonic() + timeout
        while self.ready not in self.log.read_text(errors="replace")[start:]:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.argv[0]} exited early:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.argv[0]} not ready in {timeout}s:\n{self.tail()}")
            time.sleep(0.1)

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@dataclass
class Deployment:
    a: Proc
    b: Proc
    front: str
    a_url: str
    b_url: str
    library: Path
    env: dict[str, str]
    tmp: Path
    admin_port: int


def _library(root: Path) -> None:
    root.mkdir(parents=True)
    for i, title in enumerate(("North", "South")):
        path = root / f"{title.lower()}.flac"
        sf.write(str(path), 0.3 * np.sin(2 * np.pi * (220 + 40 * i) * np.arange(22050) / 22050), 22050, format="FLAC")
        tags = FLAC(path)
        tags["title"], tags["artist"] = title, ["Replica Band"]
        tags.save()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("replicas")
    library = tmp / "music"
    _library(library)
    with ExitStack() as stack:
        endpoint = stack.enter_context(moto_s3(BUCKET))
        url = stack.enter_context(database_url(tmp / "shared"))
        env = dict(os.environ) | {
            "PYTHONUNBUFFERED": "1",
            "POLYPHONY_DATABASE_URL": url,
            "POLYPHONY_SECRET": uuid.uuid4().hex,
            "POLYPHONY_WRITE_TOKENS": WRITE_TOKEN,
            "POLYPHONY_READ_TOKENS": READ_TOKEN,
            "POLYPHONY_OBJECT_STORE": "s3",
            "POLYPHONY_S3_ENDPOINT_URL": endpoint,
            "POLYPHONY_S3_BUCKET": BUCKET,
            "POLYPHONY_S3_ACCESS_KEY_ID": "testing",
            "POLYPHONY_S3_SECRET_ACCESS_KEY": "testing",
            "POLYPHONY_CUE_BUS": "redis",
            "POLYPHONY_JOBS": "celery",
            "POLYPHONY_BROKER_URL": "redis://127.0.0.1:6379/12",
            "POLYPHONY_CELERY_QUEUE": f"polyphony-replicas-{uuid.uuid4().hex}",
            "POLYPHONY_LIBRARY_DIRS": str(library),
        }
        ports = {"a": free_port(), "b": free_port(), "front": free_port(), "admin": free_port()}
        replicas = {}
        for name in ("a", "b"):
            data = tmp / name
            data.mkdir()
            replicas[name] = Proc(
                ["serve", "--http-port", str(ports[name]), "--data-dir", str(data)],
                env | {"POLYPHONY_HOST": "127.0.0.1"},
                data / "serve.log",
                "polyphony ready",
            )
        worker_dir = tmp / "worker"
        worker_dir.mkdir()
        worker = Proc(["worker", "--data-dir", str(worker_dir)], env, tmp / "worker.log", "ready")
        front = Proc(
            [
                "edge",
                "--http-port",
                str(ports["front"]),
                "--data-dir",
                str(tmp / "front"),
                "--health-interval",
                "0.5",
                "--admin-port",
                str(ports["admin"]),
                "--replica",
                f"127.0.0.1:{ports['a']},127.0.0.1:{ports['b']}",
            ],
            env,
            tmp / "front.log",
            "polyphony edge ready",
        )
        for proc in (*replicas.values(), worker, front):
            stack.callback(proc.stop)
            proc.start()
        scan = subprocess.run(
            [sys.executable, "-m", "polyphony.cli", "scan", str(library), "--data-dir", str(worker_dir)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert scan.returncode == 0, scan.stderr
        yield Deployment(
            replicas["a"],
            replicas["b"],
            f"http://127.0.0.1:{ports['front']}",
            f"http://127.0.0.1:{ports['a']}",
            f"http://127.0.0.1:{ports['b']}",
            library,
            env,
            tmp,
            ports["admin"],
        )


def _clients(d: Deployment) -> tuple[httpx.Client, httpx.Client]:
    return httpx.Client(base_url=d.a_url, timeout=60), httpx.Client(base_url=d.b_url, timeout=60)


def test_tams_object_uploaded_on_one_replica_is_downloaded_on_the_other(deployment: Deployment) -> None:
    on_a, on_b = _clients(deployment)
    with on_a, on_b:
        flow = audio_flow()
        assert on_a.put(f"/tams/flows/{flow['id']}", json=flow, headers=AUTH).status_code == 201
        storage = on_a.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 1}, headers=AUTH)
        assert storage.status_code == 201, storage.text
        [item] = storage.json()["media_objects"]
        data = b"replicated segment " * 2000
        put = httpx.put(item["put_url"]["url"], content=data, headers={"content-type": item["put_url"]["content-type"]})
        assert put.status_code == 200, put.text
        segment = {"object_id": item["object_id"], "timerange": "[0:0_1:0)"}
        assert on_a.post(f"/tams/flows/{flow['id']}/segments", json=segment, headers=AUTH).status_code == 201
        listed = on_b.get(f"/tams/flows/{flow['id']}/segments", headers=READ)
        assert listed.status_code == 200, listed.text
        [got] = listed.json()
        assert httpx.get(got["get_urls"][0]["url"]).content == data


def test_an_aura_scan_is_visible_on_both_replicas(deployment: Deployment) -> None:
    on_a, on_b = _clients(deployment)
    with on_a, on_b:
        for client in (on_a, on_b, httpx.Client(base_url=deployment.front)):
            tracks = client.get("/aura/tracks")
            assert tracks.status_code == 200, tracks.text
            assert sorted(t["attributes"]["title"] for t in tracks.json()["data"]) == ["North", "South"]
        track = on_a.get("/aura/tracks").json()["data"][0]
        audio = on_b.get(f"/aura/tracks/{track['id']}/audio")
        assert audio.status_code == 200
        assert audio.content == (deployment.library / f"{track['attributes']['title'].lower()}.flac").read_bytes()


def test_timeside_upload_on_one_replica_runs_on_the_worker_and_is_served_by_both(deployment: Deployment) -> None:
    api = "/timeside/api"
    wav = io.BytesIO()
    sf.write(wav, 0.5 * np.sin(2 * np.pi * 440 * np.arange(2 * 22050) / 22050), 22050, format="WAV")
    on_a, on_b = _clients(deployment)
    with on_a, on_b:
        item = on_a.post(
            f"{api}/items/", data={"title": "far"}, files={"source_file": ("far.wav", wav.getvalue())}, headers=AUTH
        )
        assert item.status_code == 201, item.text
        item_uuid = item.json()["uuid"]
        level = on_a.post(f"{api}/presets/", json={"processor": "level"}, headers=AUTH).json()
        exp = on_a.post(f"{api}/experiences/", json={"presets": [level["url"]]}, headers=AUTH).json()
        task = on_a.post(f"{api}/tasks/", json={"experience": exp["url"], "item": item.json()["url"]}, headers=AUTH)
        assert task.status_code == 201, task.text
        deadline = time.monotonic() + 90
        state = on_b.get(f"{api}/tasks/{task.json()['uuid']}/").json()
        while state["status"] not in (0, 4) and time.monotonic() < deadline:
            time.sleep(0.2)
            state = on_b.get(f"{api}/tasks/{task.json()['uuid']}/").json()
        log = (deployment.tmp / "worker.log").read_text(errors="replace")
        assert state["status"] == 4, (state, log[-3000:])
        assert "polyphony.analysis.run_task" in log  # the Celery worker ran it
        for client in (on_a, on_b):
            results = client.get(f"{api}/results/", params={"item_uuid": item_uuid}).json()
            [result] = [r for r in results if r["preset"].rstrip("/").endswith(level["uuid"])]
            files = result["files"]["json"]
            values = {e["id_metadata"]["id"]: e["data_object"]["value"][0] for e in client.get(files).json()}
            assert abs(values["level.max"] - (-6.02)) < 0.05
            download = client.get(f"{api}/items/{item_uuid}/download/wav")
            assert download.status_code == 200, download.text
            assert len(sf.read(io.BytesIO(download.content))[0]) == 2 * 22050


def test_an_open_theater_asset_uploaded_on_one_replica_is_fetched_on_the_other(deployment: Deployment) -> None:
    on_a, on_b = _clients(deployment)
    with on_a, on_b:
        uid, cuid = _project(on_a)
        base = f"/opentheater/files/{uid}/{cuid}/"
        body = bytes(range(256)) * 400
        put = on_a.put(base + "media/intro.bin", content=body, headers=AUTH | {"content-type": "video/mp4"})
        assert put.status_code == 201, put.text
        fetched = on_b.get(base + "media/intro.bin")
        assert fetched.status_code == 200 and fetched.content == body


def _project(client: httpx.Client) -> tuple[str, str]:
    project = client.post(
        "/opentheater/projects", json={"projectPath": ["REPLICAS", uuid.uuid4().hex[:8]]}, headers=AUTH
    )
    assert project.status_code == 201, project.text
    uid = project.json()["projectUuid"]
    channel = client.post(
        f"/opentheater/projects/{uid}/channels", json={"label": "DE", "containerIds": ["text_de"]}, headers=AUTH
    )
    assert channel.status_code == 201, channel.text
    return uid, channel.json()["channelUuid"]


class _SocketAudience:
    """A socket.io audience on the polling transport, with a cookie jar (the front edge's affinity)."""

    def __init__(self) -> None:
        self.got: list[str] = []
        self.session: aiohttp.ClientSession | None = None
        self.client: socketio.AsyncClient | None = None

    async def connect(self, base: str, namespace: str) -> None:
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.client = socketio.AsyncClient(reconnection=False, http_session=self.session)

        async def on_cue(payload: Any) -> None:
            self.got.append(json.dumps(payload))

        self.client.on("displayContent", on_cue, namespace=namespace)
        await self.client.connect(base, namespaces=[namespace], transports=["polling"], wait_timeout=15)

    async def close(self) -> None:
        if self.client is not None:
            with _suppress():
                await asyncio.wait_for(self.client.disconnect(), 2)
        if self.session is not None:
            await self.session.close()


def _suppress() -> contextlib.suppress:
    return contextlib.suppress(Exception)  # closing a long-poll or a socket may time out or fail


async def test_every_audience_on_every_replica_gets_every_cue_once(deployment: Deployment) -> None:
    d = deployment
    with httpx.Client(base_url=d.a_url, timeout=30) as on_a:
        uid, _ = _project(on_a)
    namespace = f"/opentheater/{uid}"
    sockets = [_SocketAudience() for _ in range(3)]
    ws_texts: list[list[str]] = [[], []]
    for audience, base in zip(sockets, (d.a_url, d.b_url, d.front), strict=True):
        await audience.connect(base, namespace)
    wss = [
        await websockets.connect(base.replace("http://", "ws://") + f"/ws{namespace}") for base in (d.front, d.b_url)
    ]

    async def read(ws: Any, into: list[str]) -> None:
        with _suppress():
            async for text in ws:
                into.append(str(text))

    readers = [asyncio.create_task(read(ws, into)) for ws, into in zip(wss, ws_texts, strict=True)]
    try:
        await asyncio.sleep(1.0)
        for audience in sockets:
            audience.got.clear()
        for into in ws_texts:
            into.clear()
        markers = [f"cue-{uuid.uuid4().hex[:8]}" for _ in range(6)]
        async with httpx.AsyncClient(timeout=30) as http:
            for i, marker in enumerate(markers):
                base = (d.a_url, d.b_url, d.front)[i % 3]
                body = json.dumps({"content": {"text_de": marker}})
                fired = await http.post(
                    f"{base}/opentheater/projects/{uid}/cues",
                    content=body,
                    headers=AUTH | {"content-type": "application/json"},
                )
                assert fired.status_code == 201, fired.text
        feeds = [a.got for a in sockets] + ws_texts
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(all(any(m in t for t in f) for m in markers) for f in feeds):
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # anything sent twice arrives by now
        for n, feed in enumerate(feeds):
            assert [sum(m in t for t in feed) for m in markers] == [1] * len(markers), (n, feed)
    finally:
        for task in readers:
            task.cancel()
        for ws in wss:
            await ws.close()
        for audience in sockets:
            await audience.close()


def test_a_replica_killed_under_load_loses_nothing_acknowledged_and_catches_up(deployment: Deployment) -> None:
    d = deployment
    with httpx.Client(base_url=d.front, timeout=30) as front, httpx.Client(base_url=d.b_url, timeout=30) as on_b:
        flow = audio_flow()
        assert front.put(f"/tams/flows/{flow['id']}", json=flow, headers=AUTH).status_code == 201
        storage = front.post(f"/tams/flows/{flow['id']}/storage", json={"limit": 200}, headers=AUTH)
        assert storage.status_code == 201, storage.text
        objects = storage.json()["media_objects"]
        with httpx.Client(timeout=30) as s3:
            for item in objects:
                url, kind = item["put_url"]["url"], item["put_url"]["content-type"]
                assert s3.put(url, content=b"x" * 100, headers={"content-type": kind}).status_code == 200
        acknowledged: list[str] = []
        after_kill = 0
        killed_at = 0.0
        started = time.monotonic()
        i = 0
        statuses: list[int] = []
        while time.monotonic() - started < 8 and i < len(objects):
            if not killed_at and time.monotonic() - started > 2:
                d.a.kill()
                killed_at = time.monotonic()
            timerange = f"[{i}:0_{i}:500000000)"
            i += 1
            try:
                resp = front.post(
                    f"/tams/flows/{flow['id']}/segments",
                    json={"object_id": objects[i - 1]["object_id"], "timerange": timerange},
                    headers=AUTH,
                )
            except httpx.HTTPError:
                continue  # not acknowledged
            statuses.append(resp.status_code)
            if resp.status_code == 201:
                acknowledged.append(timerange)
                after_kill += bool(killed_at)
            # reads keep being answered through the front edge and by the survivor
            assert on_b.get("/aura/tracks").status_code == 200
        assert killed_at and after_kill >= 5, (after_kill, len(acknowledged), statuses)

        def stored(client: httpx.Client) -> set[str]:
            listed = client.get(f"/tams/flows/{flow['id']}/segments", params={"limit": 1000}, headers=READ)
            assert listed.status_code == 200, listed.text
            return {s["timerange"] for s in listed.json()}

        expected = _starts(set(acknowledged))
        assert expected <= _starts(stored(on_b))
        d.a.start()  # the same data directory and port
        before_a = _front_successes(d, "a")
        with httpx.Client(base_url=d.a_url, timeout=30) as on_a:
            assert expected <= _starts(stored(on_a))
            assert sorted(t["attributes"]["title"] for t in on_a.get("/aura/tracks").json()["data"]) == [
                "North",
                "South",
            ]
        # the front edge sends to the restarted replica again once its health check passes
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _front_successes(d, "a") == before_a:
            assert front.get("/tams/service", headers=READ).status_code == 200
        assert _front_successes(d, "a") > before_a


def _front_successes(d: Deployment, name: str) -> int:
    port = (d.a_url if name == "a" else d.b_url).rsplit(":", 1)[1]
    stats = httpx.get(f"http://127.0.0.1:{d.admin_port}/clusters").text
    return sum(int(line.rsplit("::", 1)[1]) for line in stats.splitlines() if f":{port}::rq_success::" in line)


def _starts(timeranges: set[str]) -> set[int]:
    return {int(t[1:].split(":", 1)[0]) for t in timeranges}
