"""Fuzz every gRPC method of the four services (native gRPC through Envoy, with a write token): hypothesis
builds request messages from the descriptors (tests/conformance/grpc_strategies.py) and every answer must
be a deliberate status: never INTERNAL or UNKNOWN (a server error), never a call left unanswered (a hang:
DEADLINE_EXCEEDED), except on the streams that are meant to stay open (subscriptions, task watches),
which must deliver or end within the deadline or stay open. Examples per method are bounded
(POLYPHONY_FUZZ_GRPC_EXAMPLES, default 8) so the run takes a minute or two."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor
from google.protobuf.message import Message
from google.protobuf.message_factory import GetMessageClass
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from polyphony.api.analysis.v1 import analysis_pb2
from polyphony.api.flow.v1 import flow_pb2
from polyphony.api.media.v1 import media_pb2
from polyphony.api.trigger.v1 import trigger_pb2
from tests.conformance.grpc_strategies import messages
from tests.harness import RunningServer, run_server

EXAMPLES = int(os.environ.get("POLYPHONY_FUZZ_GRPC_EXAMPLES", "8"))
DEADLINE = 10.0
# Streams that stay open by design: a deadline on them is the client's choice, not a hang.
OPEN_STREAMS = {"Subscribe", "WatchTask", "GetTaskEvents", "WatchAudience"}
SERVER_ERRORS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.DATA_LOSS}

SERVICES = [s for m in (media_pb2, flow_pb2, analysis_pb2, trigger_pb2) for s in m.DESCRIPTOR.services_by_name.values()]
METHODS = [method for service in SERVICES for method in service.methods]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server of its own: the fuzzer writes random resources that other tests must not see."""
    with run_server(tmp_path_factory.mktemp("fuzz-grpc")) as srv:
        yield srv


def _path(method: descriptor.MethodDescriptor) -> str:
    return f"/{method.containing_service.full_name}/{method.name}"


async def _call(
    channel: grpc.aio.Channel, method: descriptor.MethodDescriptor, requests: list[Message], auth: Any
) -> None:
    """One call; raises AssertionError on a server error or a hang."""
    response_cls = GetMessageClass(method.output_type)
    kwargs = {
        "request_serializer": lambda m: m.SerializeToString(),
        "response_deserializer": response_cls.FromString,
    }
    path = _path(method)
    timeout = 3.0 if method.name in OPEN_STREAMS else DEADLINE
    try:
        if not method.client_streaming and not method.server_streaming:
            await channel.unary_unary(path, **kwargs)(requests[0], timeout=timeout, metadata=auth)
        elif not method.client_streaming:
            call = channel.unary_stream(path, **kwargs)(requests[0], timeout=timeout, metadata=auth)
            count = 0
            async for _ in call:
                count += 1
                if count >= 3:
                    call.cancel()
                    break
        else:

            async def stream() -> AsyncIterator[Message]:
                for request in requests:
                    yield request

            if method.server_streaming:
                call = channel.stream_stream(path, **kwargs)(stream(), timeout=timeout, metadata=auth)
                async for _ in call:
                    pass
            else:
                await channel.stream_unary(path, **kwargs)(stream(), timeout=timeout, metadata=auth)
    except grpc.aio.AioRpcError as err:
        code = err.code()
        if code == grpc.StatusCode.CANCELLED:
            return
        if code == grpc.StatusCode.DEADLINE_EXCEEDED and method.name in OPEN_STREAMS:
            return
        assert code not in SERVER_ERRORS, f"{path}: {code.name}: {err.details()}\nrequest: {requests[0]!r:.600}"
        assert code != grpc.StatusCode.DEADLINE_EXCEEDED, (
            f"{path}: no answer in {timeout} s\nrequest: {requests[0]!r:.600}"
        )


@pytest.mark.parametrize("method", METHODS, ids=lambda m: f"{m.containing_service.name}.{m.name}")
def test_grpc_method_never_fails_on_the_server(fuzzed: RunningServer, method: descriptor.MethodDescriptor) -> None:
    count = (1, 3) if method.client_streaming else (1, 1)

    @given(requests=st.lists(messages(method.input_type), min_size=count[0], max_size=count[1]))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(requests: list[Message]) -> None:
        async def go() -> None:
            async with grpc.aio.insecure_channel(fuzzed.grpc_target) as channel:
                await _call(channel, method, requests, fuzzed.grpc_auth())

        asyncio.run(go())

    run()
