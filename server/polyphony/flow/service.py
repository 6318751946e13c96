"""The flow service (BBC TAMS 8.2 at `/tams/`), as the composition root sees it."""

from __future__ import annotations

from pathlib import Path

from polyphony.api.flow.v1 import flow_pb2
from polyphony.core.errors import ErrorFamily
from polyphony.core.registry import SNAKE_CASE, ServiceSpec
from polyphony.flow import models, servicer

SERVICE = ServiceSpec(
    name="flow",
    grpc_service=flow_pb2.DESCRIPTOR.services_by_name["FlowService"].full_name,
    rest_prefixes=("/tams",),
    json_style=SNAKE_CASE,
    error_family=ErrorFamily.TAMS,
    register=servicer.register,
    models=models,
    migrations=Path(__file__).resolve().parent / "migrations",
    content_type="application/json",
)
