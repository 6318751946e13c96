"""The asyncio face: `AsyncPolyphonyClient` on a `grpc.aio.Channel`."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any

import grpc

from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.api.media.v1 import media_pb2_grpc
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client._config import bearer, resolve_target, resolve_token


class _Token:
    def __init__(self, token: str) -> None:
        self._header = bearer(token)

    def _with_token(self, details: Any) -> Any:
        return details._replace(metadata=[*(details.metadata or ()), self._header])


# grpc.aio files each interceptor under the first call kind it implements, so one class per kind.
class _UnaryUnaryToken(_Token, grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._with_token(details), request)


class _UnaryStreamToken(_Token, grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return await continuation(self._with_token(details), request)


class _StreamUnaryToken(_Token, grpc.aio.StreamUnaryClientInterceptor):  # type: ignore[misc]
    async def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._with_token(details), request_iterator)


class _StreamStreamToken(_Token, grpc.aio.StreamStreamClientInterceptor):  # type: ignore[misc]
    async def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return await continuation(self._with_token(details), request_iterator)


class AsyncPolyphonyClient:
    """asyncio stubs for MediaService, FlowService, AnalysisService and TriggerService on one channel.

    `target` defaults to `$POLYPHONY_TARGET` or localhost:8080, `token` to `$POLYPHONY_TOKEN`. Pass
    `credentials` (e.g. `grpc.ssl_channel_credentials()`) for a TLS front; plaintext h2c otherwise.
    Create it inside the event loop that uses it.
    """

    def __init__(
        self,
        target: str | None = None,
        *,
        token: str | None = None,
        credentials: grpc.ChannelCredentials | None = None,
        options: list[tuple[str, Any]] | None = None,
    ) -> None:
        self.target = resolve_target(target)
        self.token = resolve_token(token)
        kinds = (_UnaryUnaryToken, _UnaryStreamToken, _StreamUnaryToken, _StreamStreamToken)
        interceptors = [kind(self.token) for kind in kinds] if self.token else None
        if credentials is None:
            self.channel = grpc.aio.insecure_channel(self.target, options=options, interceptors=interceptors)
        else:
            self.channel = grpc.aio.secure_channel(self.target, credentials, options=options, interceptors=interceptors)
        self.media = media_pb2_grpc.MediaServiceStub(self.channel)
        self.flow = flow_pb2_grpc.FlowServiceStub(self.channel)
        self.analysis = analysis_pb2_grpc.AnalysisServiceStub(self.channel)
        self.trigger = trigger_pb2_grpc.TriggerServiceStub(self.channel)

    async def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the channel is connected (asyncio.TimeoutError after `timeout` seconds)."""
        await asyncio.wait_for(self.channel.channel_ready(), timeout)

    async def close(self) -> None:
        await self.channel.close()

    async def __aenter__(self) -> AsyncPolyphonyClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
