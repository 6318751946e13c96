"""The analysis service (IRCAM TimeSide server API at `/timeside/`), as the composition root sees it."""

from __future__ import annotations

from pathlib import Path

from polyphony.analysis import models, servicer
from polyphony.api.analysis.v1 import analysis_pb2
from polyphony.core.errors import ErrorFamily
from polyphony.core.registry import SNAKE_CASE, ServiceSpec

SERVICE = ServiceSpec(
    name="analysis",
    grpc_service=analysis_pb2.DESCRIPTOR.services_by_name["AnalysisService"].full_name,
    rest_prefixes=("/timeside",),
    json_style=SNAKE_CASE,
    error_family=ErrorFamily.TIMESIDE,
    register=servicer.register,
    models=models,
    migrations=Path(__file__).resolve().parent / "migrations",
    content_type="application/json",
)
