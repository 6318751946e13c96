"""The media service (AURA 0.2 music library at `/aura/`), as the composition root sees it."""

from __future__ import annotations

from pathlib import Path

from polyphony.api.media.v1 import media_pb2
from polyphony.core.errors import ErrorFamily
from polyphony.core.registry import CAMEL_CASE, ServiceSpec
from polyphony.media import models, servicer

SERVICE = ServiceSpec(
    name="media",
    grpc_service=media_pb2.DESCRIPTOR.services_by_name["MediaService"].full_name,
    rest_prefixes=("/aura",),
    json_style=CAMEL_CASE,
    error_family=ErrorFamily.AURA,
    register=servicer.register,
    models=models,
    migrations=Path(__file__).resolve().parent / "migrations",
    content_type="application/vnd.api+json",
)
