"""HTTP clients for TAMS tests. TAMS declares security on every operation, so its reads need a token too:
`http` carries the read token by default (a request's own `authorization` header replaces it), `anon`
carries none; `channel` (native gRPC) adds the read token to calls without their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import httpx
import pytest

from tests.harness import RunningServer


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    headers = {"authorization": f"Bearer {server.read_token}"}
    with httpx.Client(base_url=server.http, timeout=30, headers=headers) as client:
        yield client


@pytest.fixture
def anon(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.http, timeout=30) as client:
        yield client


class _ReadTokenUnlessGiven(
    grpc.aio.UnaryUnaryClientInterceptor,
    grpc.aio.UnaryStreamClientInterceptor,
    grpc.aio.StreamUnaryClientInterceptor,
    grpc.aio.StreamStreamClientInterceptor,
):
    """Adds the read token to calls that carry no authorization of their own."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details: Any) -> Any:
        md = list(details.metadata or ())
        if not any(k == "authorization" for k, _ in md):
            md.append(self._header)
        return details._replace(metadata=md)

    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)

    async def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)

    async def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)


@pytest.fixture
async def channel(server: RunningServer) -> AsyncIterator[grpc.aio.Channel]:
    """A native gRPC channel whose calls carry the read token unless they send their own."""
    async with grpc.aio.insecure_channel(
        server.grpc_target, interceptors=[_ReadTokenUnlessGiven(server.read_token)]
    ) as ch:
        yield ch
