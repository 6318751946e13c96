"""Typed Python client: the four Polyphony services over native gRPC through the Envoy port.

    async with PolyphonyClient("localhost:8080", token=TOKEN) as polyphony:
        page = await polyphony.media.ListTracks(media_pb2.ListTracksRequest(limit=10))

The stubs are the generated ones (`polyphony.api.<svc>.v1.*_pb2_grpc`); this module only wires the
channel and attaches the bearer token to every call. `json_of` turns a `google.protobuf.Struct`
(a cue's `payload`, a cue list entry's) into the JSON object it carries:

    reply = await polyphony.trigger.Publish(trigger_pb2.PublishRequest(project_uuid=..., payload=...))
    json_of(reply.cue.payload)["content"], int(reply.cue.sequence)
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

import grpc
from google.protobuf import json_format, struct_pb2

from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.api.media.v1 import media_pb2_grpc
from polyphony.api.trigger.v1 import trigger_pb2_grpc


def _whole(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_whole(v) for v in value]
    return value


def json_of(struct: struct_pb2.Struct) -> dict[str, Any]:
    """The JSON object a Struct carries, with whole numbers as ints (Struct numbers are doubles:
    `{"timestamp": 1733400000000}` comes back as that int, not as `1733400000000.0`)."""
    return _whole(json_format.MessageToDict(struct))  # type: ignore[no-any-return]


class _Token:
    def __init__(self, token: str) -> None:
        self._header = ("authorization", f"Bearer {token}")

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


class PolyphonyClient:
    """Stubs for MediaService, FlowService, AnalysisService and TriggerService on one channel."""

    def __init__(
        self, target: str = "localhost:8080", *, token: str | None = None, options: list[tuple[str, Any]] | None = None
    ) -> None:
        kinds = (_UnaryUnaryToken, _UnaryStreamToken, _StreamUnaryToken, _StreamStreamToken)
        interceptors = [kind(token) for kind in kinds] if token else []
        self.channel = grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
        self.media = media_pb2_grpc.MediaServiceStub(self.channel)
        self.flow = flow_pb2_grpc.FlowServiceStub(self.channel)
        self.analysis = analysis_pb2_grpc.AnalysisServiceStub(self.channel)
        self.trigger = trigger_pb2_grpc.TriggerServiceStub(self.channel)

    async def close(self) -> None:
        await self.channel.close()

    async def __aenter__(self) -> PolyphonyClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()
