"""The trigger service (Open Theater provisioning at `/opentheater/`, live cues over socket.io and WebSocket),
as the composition root sees it."""

from __future__ import annotations

from pathlib import Path

from polyphony.api.trigger.v1 import trigger_pb2
from polyphony.core.errors import ErrorFamily
from polyphony.core.registry import CAMEL_CASE, ServiceSpec
from polyphony.trigger import models, servicer

SERVICE = ServiceSpec(
    name="trigger",
    grpc_service=trigger_pb2.DESCRIPTOR.services_by_name["TriggerService"].full_name,
    rest_prefixes=("/opentheater",),
    json_style=CAMEL_CASE,
    error_family=ErrorFamily.OPENTHEATER,
    register=servicer.register,
    models=models,
    migrations=Path(__file__).resolve().parent / "migrations",
    content_type="application/json",
    live_prefixes=("/socket.io/", "/ws/", "/opentheater/app/"),
)
