"""Shared fixtures: one real server (process + Envoy) per test session, HTTP and gRPC clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from tests.harness import RunningServer, run_server

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """The shared end-to-end server. Tests must not depend on state other tests created."""
    data = tmp_path_factory.mktemp("server")
    (data / "library").mkdir()
    env = {
        "POLYPHONY_PROJECTS_FILE": str(FIXTURES / "opentheater" / "projects.yaml"),
        "POLYPHONY_LIBRARY_DIRS": str(data / "library"),
    }
    with run_server(data, extra_env=env) as srv:
        yield srv


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server like `scripts/serve`'s (`serve --demo`: the synthesized demo library) with the test
    Open Theater projects; for the client examples and tours, which expect something to list."""
    data = tmp_path_factory.mktemp("demo")
    env = {"POLYPHONY_PROJECTS_FILE": str(FIXTURES / "opentheater" / "projects.yaml")}
    with run_server(data, extra_env=env, args=("--demo",)) as srv:
        yield srv


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.http, timeout=30) as client:
        yield client


@pytest.fixture
async def channel(server: RunningServer) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(server.grpc_target) as ch:
        yield ch
