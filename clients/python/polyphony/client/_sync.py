"""The blocking face: `PolyphonyClient` on a `grpc.Channel`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, NamedTuple

import grpc

from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.api.media.v1 import media_pb2_grpc
from polyphony.api.trigger.v1 import trigger_pb2_grpc
from polyphony.client._config import bearer, resolve_target, resolve_token


class _CallDetails(NamedTuple):
    method: str
    timeout: float | None
    metadata: Any
    credentials: grpc.CallCredentials | None
    wait_for_ready: bool | None
    compression: grpc.Compression | None


class _TokenInterceptor(
    grpc.UnaryUnaryClientInterceptor,  # type: ignore[misc]
    grpc.UnaryStreamClientInterceptor,  # type: ignore[misc]
    grpc.StreamUnaryClientInterceptor,  # type: ignore[misc]
    grpc.StreamStreamClientInterceptor,  # type: ignore[misc]
):
    """Adds `authorization: Bearer <token>` to every call's metadata."""

    def __init__(self, token: str) -> None:
        self._header = bearer(token)

    def _details(self, details: Any) -> _CallDetails:
        return _CallDetails(
            details.method,
            details.timeout,
            [*(details.metadata or ()), self._header],
            details.credentials,
            getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None),
        )

    def intercept_unary_unary(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Callable[..., Any], details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Callable[..., Any], details: Any, requests: Iterator[Any]) -> Any:
        return continuation(self._details(details), requests)

    def intercept_stream_stream(self, continuation: Callable[..., Any], details: Any, requests: Iterator[Any]) -> Any:
        return continuation(self._details(details), requests)


class PolyphonyClient:
    """Blocking stubs for MediaService, FlowService, AnalysisService and TriggerService on one channel.

    `target` defaults to `$POLYPHONY_TARGET` or localhost:8080, `token` to `$POLYPHONY_TOKEN`. Pass
    `credentials` (e.g. `grpc.ssl_channel_credentials()`) for a TLS front; plaintext h2c otherwise.
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
        if credentials is None:
            channel = grpc.insecure_channel(self.target, options=options)
        else:
            channel = grpc.secure_channel(self.target, credentials, options=options)
        if self.token:
            channel = grpc.intercept_channel(channel, _TokenInterceptor(self.token))
        self.channel: grpc.Channel = channel
        self.media = media_pb2_grpc.MediaServiceStub(self.channel)
        self.flow = flow_pb2_grpc.FlowServiceStub(self.channel)
        self.analysis = analysis_pb2_grpc.AnalysisServiceStub(self.channel)
        self.trigger = trigger_pb2_grpc.TriggerServiceStub(self.channel)

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Block until the channel is connected (grpc.FutureTimeoutError after `timeout` seconds)."""
        grpc.channel_ready_future(self.channel).result(timeout=timeout)

    def close(self) -> None:
        self.channel.close()

    def __enter__(self) -> PolyphonyClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> PolyphonyClient:
        raise TypeError("PolyphonyClient is the blocking client; use `async with AsyncPolyphonyClient(...)` in asyncio")

    async def __aexit__(self, *exc: object) -> None:
        return None
