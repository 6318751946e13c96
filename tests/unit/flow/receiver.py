"""A small webhook receiver for the TAMS webhook tests: an aiohttp server on a loopback port, run in a
thread of its own so tests (sync or async) can wait for events without sharing an event loop."""

from __future__ import annotations

import asyncio
import queue
import threading
from dataclasses import dataclass
from typing import Any

from aiohttp import web


@dataclass
class Received:
    headers: dict[str, str]
    body: dict[str, Any]


class Receiver:
    """POSTs to any path are recorded; the first `fail_first` requests are answered with HTTP 500."""

    def __init__(self, port: int, *, fail_first: int = 0) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/hook"
        self.fail_first = fail_first
        self.requests = 0
        self.event_ids: list[str] = []  # the X-Polyphony-Event-Id of every request, failed ones too
        self.events: queue.Queue[Received] = queue.Queue()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("receiver did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests += 1
        self.event_ids.append(request.headers.get("X-Polyphony-Event-Id", ""))
        body = await request.json()
        if self.requests <= self.fail_first:
            return web.Response(status=500, text="not now")
        self.events.put(Received({k.lower(): v for k, v in request.headers.items()}, body))
        return web.Response(status=200, text="ok")

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def main() -> None:
            self._stop = asyncio.Event()
            app = web.Application()
            app.router.add_post("/{tail:.*}", self._handle)
            runner = web.AppRunner(app)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            self._ready.set()
            await self._stop.wait()
            await runner.cleanup()

        self._loop.run_until_complete(main())
        self._loop.close()

    def next(self, timeout: float = 15.0) -> Received:
        return self.events.get(timeout=timeout)

    def collect(self, count: int, timeout: float = 15.0) -> list[Received]:
        return [self.next(timeout) for _ in range(count)]

    def quiet(self, seconds: float = 1.5) -> bool:
        """True when nothing arrives for `seconds`."""
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False
