"""HTTP clients for TAMS tests. TAMS declares security on every operation, so its reads need a token too:
`http` carries the read token by default (a request's own `authorization` header replaces it), `anon`
carries none; `channel` (native gRPC) adds the read token to read calls without their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import httpx
import pytest

from polyphony.core.auth import Scope
from polyphony.rpc.access import method_scope
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


class _ReadTokenForReads:
    """Adds the read token to calls of read methods that carry no authorization of their own (calls of
    write methods without a token stay without one, so tests of refusals still see UNAUTHENTICATED)."""

    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

    def _details(self, details: Any) -> Any:
        method = details.method.decode() if isinstance(details.method, bytes) else details.method
        md = list(details.metadata or ())
        if method_scope(method) is Scope.READ and not any(k == "authorization" for k, _ in md):
            md.append(self._header)
        return details._replace(metadata=md)


class _UnaryUnary(_ReadTokenForReads, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _UnaryStream(_ReadTokenForReads, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._details(details), request)


class _StreamUnary(_ReadTokenForReads, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)


class _StreamStream(_ReadTokenForReads, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._details(details), request_iterator)


def read_channel(server: RunningServer) -> grpc.aio.Channel:
    """A native gRPC channel to `server` whose read calls carry the read token unless they send their own."""
    kinds = (_UnaryUnary, _UnaryStream, _StreamUnary, _StreamStream)  # grpc.aio takes one kind per object
    return grpc.aio.insecure_channel(server.grpc_target, interceptors=[k(server.read_token) for k in kinds])


@pytest.fixture
async def channel(server: RunningServer) -> AsyncIterator[grpc.aio.Channel]:
    """A native gRPC channel whose read calls carry the read token unless they send their own."""
    async with read_channel(server) as ch:
        yield ch
