"""End to end with reads closed (POLYPHONY_OPEN_READS=false): as API.md says, anonymous callers may still
read processors and providers (and get a CSRF token or a JWT pair), nothing else — REST and native gRPC."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from tests.harness import RunningServer, run_server

API = "/timeside/api"


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data: Path = tmp_path_factory.mktemp("closed-reads")
    with run_server(data, extra_env={"POLYPHONY_OPEN_READS": "false"}) as server:
        yield server


def test_anonymous_callers_read_only_processors_and_providers(closed: RunningServer) -> None:
    with httpx.Client(base_url=closed.http, timeout=30) as http:
        for path in (
            "processors/",
            "processors/mfcc/",
            "processors/mfcc/parameters_schema/",
            "processors/mfcc/parameters_default/",
            "providers/",
            "providers/http/",
            "token-csrf/",
        ):
            assert http.get(f"{API}/{path}").status_code == 200, path
        for path in ("items/", "presets/", "tasks/", "results/", "experiences/", "users/", ""):
            assert http.get(f"{API}/{path}").status_code == 401, path
        read = {"authorization": f"Bearer {closed.read_token}"}
        assert http.get(f"{API}/items/", headers=read).status_code == 200
        assert http.post(f"{API}/experiences/", json={"title": "x"}, headers=read).status_code == 403
        # A user's JWT reads and writes with the user's scope.
        name = f"cl{uuid.uuid4().hex[:8]}"
        assert (
            http.post(f"{API}/users/", json={"username": name, "password": "pw"}, headers=closed.auth()).status_code
            == 201
        )
        access = http.post(f"{API}/token/", json={"username": name, "password": "pw"}).json()["access"]
        mine = {"authorization": f"Bearer {access}"}
        assert http.get(f"{API}/items/", headers=mine).status_code == 200
        assert http.post(f"{API}/experiences/", json={"title": "x"}, headers=mine).status_code == 201


async def test_grpc_anonymous_callers(closed: RunningServer) -> None:
    async with grpc.aio.insecure_channel(closed.grpc_target) as channel:
        stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
        assert "mfcc" in {p.pid async for p in stub.ListProcessors(pb.ListProcessorsRequest())}
        assert (await stub.GetProcessor(pb.GetProcessorRequest(pid="tempo"))).pid == "tempo"
        with pytest.raises(grpc.aio.AioRpcError) as err:
            [i async for i in stub.ListItems(pb.ListItemsRequest())]
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
