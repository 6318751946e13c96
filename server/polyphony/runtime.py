"""One server process: grpc.aio (four services + health + reflection) and the live ASGI app."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import warnings
from collections.abc import Callable, Iterator

import grpc
import uvicorn
from grpc_health.v1 import _async as health_async
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from polyphony.app import SERVICES, register_all
from polyphony.core import edge_key
from polyphony.core.config import Settings
from polyphony.core.context import AppContext, build_context
from polyphony.core.registry import error_families
from polyphony.edge import authz
from polyphony.edge.assets import descriptor_set
from polyphony.edge.console import ConsoleApp
from polyphony.edge.envoy_config import MAX_HEADERS_KB
from polyphony.edge.listen import Listen
from polyphony.edge.live import LiveApp
from polyphony.rpc.access import HttpRoutes
from polyphony.rpc.interceptors import PolyphonyInterceptor

log = logging.getLogger("polyphony")

MAX_MESSAGE = 64 * 1024 * 1024
MAX_METADATA = (MAX_HEADERS_KB + 32) * 1024

# The live app runs on uvicorn's `websockets` implementation on purpose: the cue fan-out writes frames straight
# to its connections (see trigger/live.py and its adapter), which `websockets-sansio` offers no way to do yet.
# uvicorn announces at every start that this implementation will stop being the default; that is advice for
# whoever picks the implementation, which is done here, not news for the operator.
warnings.filterwarnings("ignore", message=r"The `websockets` implementation is deprecated")


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn inside our event loop: signals belong to `polyphony serve`, not to uvicorn."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Worker:
    """A running server process: call `start()`, then `stop()`."""

    def __init__(self, settings: Settings, grpc_listen: Listen, live_listen: Listen | None) -> None:
        self.settings = settings
        self.grpc_listen = grpc_listen
        self.live_listen = live_listen
        self.ctx: AppContext | None = None
        self._server: grpc.aio.Server | None = None
        self._uvicorn: uvicorn.Server | None = None
        self._uvicorn_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        edge_key.configure(edge_key.derive(self.settings.resolved_secret()))
        self.ctx = ctx = build_context(self.settings)
        server = grpc.aio.server(
            interceptors=[PolyphonyInterceptor(ctx.authorizer, error_families(SERVICES))],
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE),
                ("grpc.max_send_message_length", MAX_MESSAGE),
                # above Envoy's request header limit (MAX_HEADERS_KB) plus what the edge adds, soft and hard
                # alike: between gRPC's default 8 KiB soft and 16 KiB hard limits it refused calls at random
                ("grpc.max_metadata_size", MAX_METADATA),
                ("grpc.absolute_max_metadata_size", MAX_METADATA),
                ("grpc.so_reuseport", 0),
            ],
        )
        live = LiveApp()
        routes = HttpRoutes.from_descriptor_set(descriptor_set().read_bytes(), error_families(SERVICES))
        live.route(authz.PREFIX, authz.EdgeAuthz(ctx.authorizer, routes))
        names = await register_all(server, ctx, live)
        ConsoleApp().install(live)
        health = health_async.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(health, server)
        reflection.enable_server_reflection(
            [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
        )
        self.grpc_listen.unlink_stale()
        if not server.add_insecure_port(self.grpc_listen.grpc_address()):
            raise OSError(f"cannot listen on {self.grpc_listen.grpc_address()} (in use?)")
        await server.start()
        self._server = server
        if self.live_listen is not None:
            self.live_listen.unlink_stale()
            config = uvicorn.Config(
                live,
                host=self.live_listen.host,
                port=self.live_listen.port,
                uds=self.live_listen.path or None,
                log_level="warning",
                lifespan="on",
                ws="websockets",
                ws_per_message_deflate=False,  # a cue fanned out to N sockets is not compressed N times
                # No per-connection pings: every connection here is an audience's. Socket.io clients have
                # engine.io's ping/pong; plain WebSockets get the trigger service's heartbeat, one sweep for
                # all of them (ten thousand ping timers and pongs cost ~10% of a fan-out's latency).
                ws_ping_interval=None,
            )
            self._uvicorn = _EmbeddedUvicorn(config)
            self._uvicorn_task = asyncio.create_task(self._uvicorn.serve())
            while not self._uvicorn.started:
                if self._uvicorn_task.done():
                    self._uvicorn_task.result()
                    raise RuntimeError("live app failed to start")
                await asyncio.sleep(0.01)
        # everything loaded so far (modules, descriptors, statements) lives as long as the process: keep it out
        # of the collector's generations so full collections under load walk only per-request garbage
        gc.collect()
        gc.freeze()
        for name in ["", *names]:
            await health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float = 2.0) -> None:
        if self._uvicorn is not None and self._uvicorn_task is not None:
            self._uvicorn.should_exit = True
            await asyncio.wait([self._uvicorn_task], timeout=grace + 1)
        if self._server is not None:
            await self._server.stop(grace)
        if self.ctx is not None:
            await self.ctx.close()


async def run_worker(
    settings: Settings,
    grpc_listen: Listen,
    live_listen: Listen | None,
    stop: asyncio.Event,
    on_ready: Callable[[], None] | None = None,
) -> None:
    worker = Worker(settings, grpc_listen, live_listen)
    await worker.start()
    if on_ready:
        on_ready()
    try:
        await stop.wait()
    finally:
        await worker.stop()
