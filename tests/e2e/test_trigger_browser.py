"""The Open Theater web pages in a real browser (headless Chromium driven over the Chrome DevTools
Protocol), loaded through Envoy: the audience page renders live cues published over gRPC (checked in
the DOM and on a screenshot), and the stage manager's GO button fires the cue list. Chromium is
required (`apt-get install -y chromium`): without it these tests fail."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import shutil
import struct
import subprocess
import tempfile
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
import websockets

from polyphony.api.trigger.v1 import trigger_pb2 as pb
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from tests.harness import RunningServer

PIECE = "09a7506a-d399-4d42-983f-47a12e028586"
EN_SIGN = "02784de5-6a13-4a82-8c17-914e82ba0023"
MANNHEIM = "ff277516-121b-4304-b256-d5a8b70e136a"
MAGENTA = (255, 0, 255)


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("chromium is not installed (apt-get install -y chromium); the browser tests need it")


class Page:
    """One browser tab over the DevTools Protocol."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        await self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            reply = json.loads(await asyncio.wait_for(self.ws.recv(), 30))
            if reply.get("id") == msg_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})  # type: ignore[no-any-return]

    async def eval(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def until(self, expression: str, timeout: float = 15) -> Any:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            value = await self.eval(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"still false after {timeout}s: {expression}")
            await asyncio.sleep(0.1)

    async def goto(self, url: str) -> None:
        await self.call("Page.navigate", url=url)
        await self.until("document.readyState === 'complete'")


class Browser:
    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc = proc
        self.port = port

    async def new_page(self, stack: contextlib.AsyncExitStack) -> Page:
        async with httpx.AsyncClient() as client:
            target = (await client.put(f"http://127.0.0.1:{self.port}/json/new?about:blank")).json()
        ws = await stack.enter_async_context(websockets.connect(target["webSocketDebuggerUrl"], max_size=None))
        page = Page(ws)
        await page.call("Page.enable")
        await page.call("Runtime.enable")
        return page


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    binary = chromium_binary()
    # chromium's helper processes may still write the profile while it shuts down
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",
                "--window-size=1000,700",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            marker = Path(profile) / "DevToolsActivePort"
            for _ in range(300):
                if marker.exists() and marker.read_text().strip():
                    break
                if proc.poll() is not None:
                    pytest.fail(f"chromium exited with {proc.returncode}")
                await asyncio.sleep(0.05)
            yield Browser(proc, int(marker.read_text().split()[0]))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of pixel bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


def count_color(png: bytes, rgb: tuple[int, int, int]) -> int:
    width, channels, rows = png_pixels(png)
    return sum(1 for row in rows for x in range(width) if tuple(row[x * channels : x * channels + 3]) == rgb)


async def test_audience_page_renders_live_cues(
    server: RunningServer, channel: grpc.aio.Channel, tmp_path: Path
) -> None:
    stub = trigger_pb2_grpc.TriggerServiceStub(channel)
    async with chromium() as browser, contextlib.AsyncExitStack() as stack:
        page = await browser.new_page(stack)
        await page.goto(f"{server.http}/opentheater/app/audience.html?project={PIECE}")
        assert await page.eval("typeof io") == "function"  # /socket.io/socket.io.js through Envoy
        await page.until("document.body.dataset.connected === '1'")
        before = json.loads(await page.eval("JSON.stringify(document.body.dataset.cues || '0')"))
        assert await page.eval("[...document.querySelectorAll('.ot_container')].map(e => e.id).join()") == (
            "text_de,video_de,text_en,video_en,audio_en"
        )
        cue = {
            "content": {"text_de": "Willkommen\nim Theater", "video_en": "1.vtt", "html_x": "ignored"},
            "styles": {
                "#text_de": {"inline": {"backgroundColor": "rgb(255, 0, 255)", "color": "black"}, "classes": ["big"]}
            },
        }
        await stub.Publish(pb.PublishRequest(project_uuid=PIECE, payload=json.dumps(cue)), metadata=server.grpc_auth())
        await page.until(f"Number(document.body.dataset.cues) > {int(before)}")
        assert await page.until("document.querySelector('#text_de .ot_default').innerText") == "Willkommen\nim Theater"
        assert await page.eval("getComputedStyle(document.getElementById('text_de')).backgroundColor") == (
            "rgb(255, 0, 255)"
        )
        assert await page.eval("document.getElementById('text_de').classList.contains('big')")
        src = await page.eval("document.querySelector('#video_en video').src")
        assert src == f"{server.http}/opentheater/files/{PIECE}/{EN_SIGN}/1.vtt"
        shot = (await page.call("Page.captureScreenshot", format="png"))["data"]
        import base64

        png = base64.b64decode(shot)
        (tmp_path / "audience.png").write_bytes(png)
        assert count_color(png, MAGENTA) > 2000  # the styled text container is on screen
        # a transition: the old text fades out while the new one fades in, then only the new one stays
        fade = {
            "content": {"text_de": "Akt 2"},
            "transitions": {
                "#text_de": {
                    "fadeInClass": "animate__fadeIn",
                    "fadeInTime": 200,
                    "fadeOutClass": "animate__fadeOut",
                    "fadeOutTime": 200,
                }
            },
        }
        await stub.Publish(pb.PublishRequest(project_uuid=PIECE, payload=json.dumps(fade)), metadata=server.grpc_auth())
        await page.until("document.querySelector('#text_de .animate__fadeIn') !== null")
        await page.until("document.querySelectorAll('#text_de .ot_default').length === 1")
        assert await page.eval("document.querySelector('#text_de .ot_default').innerText") == "Akt 2"
        # a late joiner's page shows the current state right away
        late = await browser.new_page(stack)
        await late.goto(f"{server.http}/opentheater/app/audience.html?project={PIECE}&channel={EN_SIGN}")
        await late.until("document.body.dataset.connected === '1'")
        assert await late.eval("[...document.querySelectorAll('.ot_container')].map(e => e.id).join()") == (
            "text_en,video_en,audio_en"
        )
        assert (await late.until("document.querySelector('#video_en video').getAttribute('src')")).endswith("/1.vtt")


async def test_stage_manager_go_button_fires_the_cue_list(server: RunningServer, http: httpx.Client) -> None:
    url = f"/opentheater/projects/{MANNHEIM}/cuelist"
    cues = [{"label": f"Q{i}", "payload": {"content": {"text_DE": f"Szene {i}"}}} for i in range(1, 4)]
    assert http.put(url, json={"cues": cues}, headers=server.auth()).status_code == 200
    async with chromium() as browser, contextlib.AsyncExitStack() as stack:
        audience = await browser.new_page(stack)
        await audience.goto(f"{server.http}/opentheater/app/audience.html?project={MANNHEIM}")
        await audience.until("document.body.dataset.connected === '1'")
        stage = await browser.new_page(stack)
        await stage.goto(f"{server.http}/opentheater/app/stage.html?project={MANNHEIM}")
        await stage.until("document.body.dataset.ready === '1'")
        assert await stage.eval("document.querySelectorAll('#cues tr').length") == 3
        # without a token GO is refused and nothing is fired
        await stage.eval("document.getElementById('go').click()")
        await stage.until("document.getElementById('message').textContent.length > 0")
        assert "current" not in http.get(url).json()["cueList"]
        await stage.eval(f"""(() => {{ const t = document.getElementById('token');
            t.value = {json.dumps(server.write_token)}; t.dispatchEvent(new Event('change')); }})()""")
        for expected in (0, 1):
            await stage.eval("document.getElementById('go').click()")
            await stage.until(f"window.stageManager.list && window.stageManager.list.current === {expected}")
        assert http.get(url).json()["cueList"]["current"] == 1
        assert await audience.until("document.querySelector('#text_DE .ot_default').innerText === 'Szene 2'")
        await stage.eval("document.querySelector('#cues tr[data-position=\"2\"]').click()")  # jump
        assert await audience.until("document.querySelector('#text_DE .ot_default').innerText === 'Szene 3'")
        await stage.eval("document.getElementById('back').click()")
        assert await audience.until("document.querySelector('#text_DE .ot_default').innerText === 'Szene 2'")
        assert await stage.eval("document.querySelector('#cues tr.current').dataset.position") == "1"


def test_pages_and_socket_io_client_are_served(http: httpx.Client) -> None:
    for path, kind in [
        ("/opentheater/app/", "text/html"),
        ("/opentheater/app/audience.html", "text/html"),
        ("/opentheater/app/stage.html", "text/html"),
        ("/opentheater/app/app.css", "text/css"),
        ("/socket.io/socket.io.js", "text/javascript"),
    ]:
        resp = http.get(path)
        assert resp.status_code == 200 and resp.headers["content-type"].startswith(kind), path
        again = http.get(path, headers={"if-none-match": resp.headers["etag"]})
        assert again.status_code == 304
    assert b"Socket.IO v4" in http.get("/socket.io/socket.io.js").content
    missing = http.get("/opentheater/app/../../etc/passwd")
    assert missing.status_code == 404
    assert http.get("/opentheater/app/secret.py").status_code == 404
