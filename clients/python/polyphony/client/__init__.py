"""Typed Python client for Polyphony: the four services over native gRPC through the Envoy port.

    from polyphony.api.media.v1 import media_pb2
    from polyphony.client import PolyphonyClient, AsyncPolyphonyClient

    with PolyphonyClient("localhost:8080", token=TOKEN) as polyphony:            # blocking
        page = polyphony.media.ListTracks(media_pb2.ListTracksRequest(limit=10))

    async with AsyncPolyphonyClient("localhost:8080", token=TOKEN) as polyphony:  # asyncio
        page = await polyphony.media.ListTracks(media_pb2.ListTracksRequest(limit=10))

The stubs are the generated ones (`polyphony.api.<svc>.v1.*_pb2_grpc`); this package wires the channel
and sends the bearer token with every call. `json_of` gives the JSON object a `google.protobuf.Struct`
carries (a cue's `payload`), whole numbers as ints.
"""

from polyphony.client._aio import AsyncPolyphonyClient
from polyphony.client._config import DEFAULT_TARGET, resolve_target, resolve_token
from polyphony.client._json import json_of
from polyphony.client._sync import PolyphonyClient

__all__ = ["DEFAULT_TARGET", "AsyncPolyphonyClient", "PolyphonyClient", "json_of", "resolve_target", "resolve_token"]
