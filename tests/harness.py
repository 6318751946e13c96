"""Start a real `polyphony serve` (server process + Envoy) on free loopback ports for tests.

The database backend comes from POLYPHONY_TEST_DB: `sqlite` (default) or `postgres`, in which case a
fresh database is created on 127.0.0.1:5432 for each server and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WRITE_TOKEN = "test-write-token"
READ_TOKEN = "test-read-token"
PG_ADMIN_DSN = os.environ.get("POLYPHONY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


@contextmanager
def moto_s3(bucket: str) -> Iterator[str]:
    """A moto S3 server on a free loopback port, with `bucket` made; yields its endpoint URL."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint, **S3_CREDENTIALS).create_bucket(Bucket=bucket)
    try:
        yield endpoint
    finally:
        moto.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def backend() -> str:
    return os.environ.get("POLYPHONY_TEST_DB", "sqlite")


async def _pg(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def database_url(data_dir: Path) -> Iterator[str]:
    """A database URL for one test server: SQLite in its data dir, or a fresh PostgreSQL database."""
    if backend() != "postgres":
        yield f"sqlite+aiosqlite:///{data_dir / 'polyphony.db'}"
        return
    name = f"polyphony_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg(f'CREATE DATABASE "{name}"'))
    try:
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        asyncio.run(_pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@dataclass
class RunningServer:
    http: str  # base URL for REST, e.g. http://127.0.0.1:PORT
    grpc_target: str  # host:port for native gRPC (the same Envoy listener)
    data_dir: Path
    database_url: str
    proc: subprocess.Popen[bytes]
    output: Path
    write_token: str = WRITE_TOKEN
    read_token: str = READ_TOKEN

    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.write_token}"}

    def read_auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.read_token}"}

    def grpc_auth(self) -> tuple[tuple[str, str], ...]:
        return (("authorization", f"Bearer {self.write_token}"),)

    def log(self) -> str:
        return self.output.read_text(errors="replace")


@contextmanager
def run_server(
    data_dir: Path,
    *,
    extra_env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
    timeout: float = 60.0,
    env_tokens: bool = True,
) -> Iterator[RunningServer]:
    """`env_tokens=False` starts it as `scripts/serve` does: no tokens from the environment, so the server
    generates its write token into `<data_dir>/write.token` (then `write_token` is that token)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with database_url(data_dir) as url:
        port = free_port()
        env = dict(os.environ)
        env.update(
            {
                "POLYPHONY_DATABASE_URL": url,
                "POLYPHONY_WRITE_TOKENS": WRITE_TOKEN,
                "POLYPHONY_READ_TOKENS": READ_TOKEN,
                "PYTHONUNBUFFERED": "1",
                "POLYPHONY_TAMS_ALLOW_PRIVATE_WEBHOOKS": "true",  # test receivers listen on loopback
                "POLYPHONY_ANALYSIS_FETCH_PRIVATE_NETWORKS": "127.0.0.0/8",  # TimeSide URL imports from loopback
            }
        )
        env.update(extra_env or {})
        if not env_tokens:
            for name in ("POLYPHONY_WRITE_TOKENS", "POLYPHONY_READ_TOKENS"):
                env.pop(name, None)
        output = data_dir / "serve.log"
        with open(output, "wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "polyphony.cli",
                    "serve",
                    "--http-port",
                    str(port),
                    "--data-dir",
                    str(data_dir),
                    *args,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
            )
        server = RunningServer(f"http://127.0.0.1:{port}", f"127.0.0.1:{port}", data_dir, url, proc, output)
        try:
            deadline = time.monotonic() + timeout
            while "polyphony ready" not in server.log():
                if proc.poll() is not None:
                    raise RuntimeError(f"polyphony serve exited early:\n{server.log()[-4000:]}")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"polyphony serve not ready in {timeout}s:\n{server.log()[-4000:]}")
                time.sleep(0.05)
            if not env_tokens:
                server.write_token = (data_dir / "write.token").read_text().strip()
                server.read_token = server.write_token
            yield server
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
