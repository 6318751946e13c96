"""`polyphony` command line: serve, scan, and the internal worker entry point."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from polyphony.core.config import Settings, child_environment, describe
from polyphony.edge.ports import PortBusy, ensure_port_free

LOG_LEVELS = ("debug", "info", "warning", "error")


def _settings(args: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's flags over them."""
    return Settings.from_env(
        data_dir=Path(args.data_dir) if getattr(args, "data_dir", None) else None,
        http_port=getattr(args, "http_port", None),
        grpc_port=getattr(args, "grpc_port", None),
        workers=getattr(args, "workers", None),
        host=getattr(args, "host", None),
    )


def write_token(settings: Settings) -> tuple[Settings, str | None]:
    """Ensure a write token exists: the configured ones, or one generated and kept in the data dir."""
    if settings.write_tokens:
        return settings, None
    path = settings.data_dir / "write.token"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(24) + "\n")
        os.chmod(path, 0o600)
    token = path.read_text().strip()
    return settings.with_(write_tokens=(token,)), str(path)


def _child_env(settings: Settings) -> dict[str, str]:
    """A worker process's environment: exactly this process's settings (the secret resolved, so every
    worker signs alike; `workers`, so the cue bus picks its relay by it)."""
    return child_environment(settings.with_(secret=settings.resolved_secret()))


def configure_logging(level: str) -> None:
    """Log at `level` (POLYPHONY_LOG_LEVEL); libraries' start-up chatter (Alembic's per-revision lines)
    only when debugging."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level.lower() != "debug":
        logging.getLogger("alembic").setLevel(logging.WARNING)


async def _wait_healthy(
    target: str, timeout: float = 30.0, times: int = 1, check: Callable[[], None] = lambda: None
) -> None:
    """Wait until `target` answers the gRPC health check SERVING `times` times in a row (through Envoy's
    round robin, 2 x workers checks reach every worker); `check` runs between attempts (it raises when a
    child has given up)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    deadline = time.monotonic() + timeout
    in_a_row = 0
    async with grpc.aio.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while True:
            try:
                reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1.0)
                in_a_row = in_a_row + 1 if reply.status == health_pb2.HealthCheckResponse.SERVING else 0
            except grpc.aio.AioRpcError:
                in_a_row = 0
            if in_a_row >= times:
                return
            check()
            if time.monotonic() > deadline:
                raise TimeoutError(f"{target} did not become healthy within {timeout:.0f}s")
            if not in_a_row:
                await asyncio.sleep(0.05)


async def _demo_content(settings: Settings) -> None:
    """The demo's Open Theater, TimeSide and TAMS content, made through the server's own REST APIs."""
    import httpx

    from polyphony.demo import ensure_demo_content

    if not settings.write_tokens:
        print("polyphony serve: no write token, so the demo has only its music library", file=sys.stderr)
        return
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
    host = f"[{host}]" if ":" in host else host
    try:
        await ensure_demo_content(
            f"http://{host}:{settings.http_port}", settings.write_tokens[0], settings.data_dir / "demo-library"
        )
    except (RuntimeError, OSError, ValueError, KeyError, httpx.HTTPError) as exc:  # the server still serves what it has
        logging.getLogger("polyphony.demo").error("the demo content is incomplete: %s", exc)


async def serve(settings: Settings, *, demo: bool = False) -> int:
    try:
        ensure_port_free(settings.host, settings.http_port)
    except PortBusy as exc:
        print(f"polyphony serve: {exc}", file=sys.stderr, flush=True)
        return 2
    return await _serve(settings, demo=demo)


async def _serve(settings: Settings, *, demo: bool) -> int:
    from polyphony.app import SERVICES, migrate_sync
    from polyphony.core.edge_key import derive as derive_edge_key
    from polyphony.core.sweep import sweep_at_start
    from polyphony.edge.envoy_config import EdgePlan, render
    from polyphony.edge.listen import internal_listeners
    from polyphony.edge.process import EnvoyProcess, spawn_child
    from polyphony.edge.supervisor import Supervised
    from polyphony.runtime import run_worker

    started = time.monotonic()
    settings, token_file = write_token(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(migrate_sync, settings.resolved_database_url)
    await asyncio.to_thread(sweep_at_start, settings)
    if demo:
        from polyphony.media.demo import ensure_demo_library

        await ensure_demo_library(settings)

    n = max(1, settings.workers)
    run_dir = settings.data_dir / "run"
    grpc_listeners, live = internal_listeners(
        run_dir, n, settings.grpc_port, settings.live_port, settings.internal_host
    )
    plan = EdgePlan(
        settings.host,
        settings.http_port,
        tuple(grpc_listeners),
        (live,),
        settings.max_body_bytes,
        SERVICES,
        edge_key=derive_edge_key(settings.resolved_secret()),
        max_heap_bytes=settings.edge_max_heap_mb * 1024 * 1024,
        idle_timeout=settings.edge_idle_timeout,
    )
    config = render(plan, run_dir)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    def worker_process(i: int) -> Supervised:
        log_path = run_dir / f"worker-{i + 1}.log"
        argv = [sys.executable, "-m", "polyphony.cli", "_worker", "--listen", str(grpc_listeners[i])]
        return Supervised(f"worker {i + 1}", lambda: spawn_child(argv, log_path, env=_child_env(settings)), log_path)

    # Worker 1 (with the live app) runs in this process; the others and Envoy are supervised children:
    # restarted with back-off when they exit (polyphony.edge.supervisor).
    children = [worker_process(i) for i in range(1, n)]
    envoy = EnvoyProcess(config, run_dir / "envoy.log", settings.envoy_binary)
    edge = Supervised("envoy", envoy.start, envoy.log_path)
    supervised = [*children, edge]
    for child in supervised:
        child.start()

    def check_children() -> None:
        for child in supervised:
            child.poll()

    ready = asyncio.Event()
    worker_task = asyncio.create_task(run_worker(settings, grpc_listeners[0], live, stop, ready.set))
    try:
        started_up = asyncio.ensure_future(ready.wait())
        await asyncio.wait([started_up, worker_task], return_when=asyncio.FIRST_COMPLETED)
        if worker_task.done():
            started_up.cancel()
            worker_task.result()  # a service failed to start: raise its error (and stop everything)
            raise RuntimeError("the server process stopped during start-up")
        # ready means every worker answers, directly and through Envoy
        for listen in grpc_listeners[1:]:
            await _wait_healthy(listen.grpc_address(), timeout=60.0, check=check_children)
        try:
            await envoy.wait_port(settings.host, settings.http_port)
        except RuntimeError as exc:
            if "Address already in use" in str(exc) or "address already in use" in str(exc):
                raise PortBusy(f"port {settings.http_port} on {settings.host} is already in use") from None
            raise
        target = f"{settings.host}:{settings.http_port}"
        await _wait_healthy(target, times=2 * n, check=check_children)
        if demo:
            await _demo_content(settings)
        elapsed = time.monotonic() - started
        base = settings.default_base_url
        print(f"polyphony ready in {elapsed:.2f}s", flush=True)
        print(f"  REST + gRPC   {base}   (workers: {n})")
        print(f"  Console       {base}/   (open it in a browser)")
        print(f"  AURA          {base}/aura/server")
        print(f"  TAMS          {base}/tams/service")
        print(f"  TimeSide      {base}/timeside/api/items/")
        print(f"  Open Theater  {base}/opentheater/projectList.json")
        if token_file:
            print(f"  write token   {settings.write_tokens[0]}   (kept in {token_file})")
        print("  Ctrl-C stops everything", flush=True)
        while not stop.is_set():
            check_children()
            if worker_task.done():
                worker_task.result()
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=0.25)
    except PortBusy as exc:
        print(f"polyphony serve: {exc}", file=sys.stderr, flush=True)
        return 2
    finally:
        stop.set()
        for child in supervised:
            child.stop()
        await asyncio.gather(worker_task, return_exceptions=True)
    return 0


async def _worker_main(settings: Settings, listen: str) -> None:
    from polyphony.edge.listen import Listen
    from polyphony.runtime import run_worker

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run_worker(settings, Listen.parse(listen), None, stop)


def _cmd_scan(args: argparse.Namespace) -> int:
    from polyphony.app import migrate_sync
    from polyphony.media.scanner import scan_command

    settings = _settings(args)
    migrate_sync(settings.resolved_database_url)
    return asyncio.run(scan_command(settings, [Path(p) for p in args.dirs]))


def _internal_worker(argv: list[str]) -> int:
    """`polyphony _worker --listen unix:PATH|PORT`: one more server process, started (and restarted) by
    `serve` (not a user command, so not in `--help`)."""
    parser = argparse.ArgumentParser(prog="polyphony _worker")
    parser.add_argument("--listen", required=True, help="unix:<socket path>, a TCP port on 127.0.0.1, or HOST:PORT")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    configure_logging(settings.log_level)
    asyncio.run(_worker_main(settings, args.listen))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return _internal_worker(argv[1:])
    parser = argparse.ArgumentParser(prog="polyphony", description="Polyphony media server")
    sub = parser.add_subparsers(dest="command", required=True)

    p_serve = sub.add_parser(
        "serve",
        help="run the server and its Envoy edge",
        epilog=describe(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p_serve.add_argument("--http-port", type=int, help="Envoy port for REST and gRPC [8080]")
    p_serve.add_argument("--grpc-port", type=int, help="first internal gRPC port [free port]")
    p_serve.add_argument("--data-dir", help="data directory [./polyphony-data]")
    p_serve.add_argument("--host", help="address Envoy binds [127.0.0.1]")
    p_serve.add_argument("--workers", type=int, help="server processes behind Envoy [1]")
    p_serve.add_argument("--demo", action="store_true", help="generate and scan a small synthesized demo library")

    p_scan = sub.add_parser("scan", help="import audio files into the media library")
    p_scan.add_argument("dirs", nargs="+")
    p_scan.add_argument("--data-dir")

    p_celery = sub.add_parser("worker", help="run a Celery worker for analysis tasks (POLYPHONY_BROKER_URL)")
    p_celery.add_argument("--data-dir", help="data directory [./polyphony-data]")
    p_celery.add_argument("celery_args", nargs=argparse.REMAINDER, help="extra `celery worker` options")

    from polyphony.trigger import cue_cli

    cue_cli.add_parser(sub)

    from polyphony.analysis.formats import archive_cli

    archive_cli.add_parsers(sub)

    from polyphony.edge import openapi

    openapi.add_parser(sub)

    from polyphony.core import token_cli

    token_cli.add_parser(sub)

    from polyphony.edge import front

    front.add_parser(sub)

    args = parser.parse_args(argv)
    try:
        settings = _settings(args)
    except ValueError as exc:
        parser.error(str(exc))
    if settings.log_level.lower() not in LOG_LEVELS:
        parser.error(f"POLYPHONY_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {settings.log_level!r}")
    configure_logging(settings.log_level)
    if args.command == "serve":
        return asyncio.run(serve(settings, demo=args.demo))
    if args.command == "scan":
        return _cmd_scan(args)
    if args.command == "worker":
        from polyphony.analysis.tasks.worker import main as celery_worker

        return celery_worker(settings, args.celery_args)
    if args.command == "cue":
        return cue_cli.run(args)
    if args.command in ("export", "import"):
        return archive_cli.run(args)
    if args.command == "openapi":
        return openapi.run(args)
    if args.command == "edge":
        from polyphony.app import SERVICES

        return front.run(args, settings.host, settings.http_port, settings.data_dir, settings.envoy_binary, SERVICES)
    if args.command == "token":
        from polyphony.app import migrate_sync

        return token_cli.run(args, migrate_sync)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
