"""Typed domain errors and their rendering in each spec's own error shape.

Domain code raises these; one gRPC interceptor (`polyphony.rpc.interceptors`) turns them into a gRPC
status with `google.rpc` details for gRPC clients and into the spec's HTTP status and error body
(sent as `x-http-status` / `x-error-body` metadata that the Envoy Lua filter applies) for REST clients.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import Enum
from http import HTTPStatus

MAX_DETAIL = 512  # characters of an error's detail


class DomainError(Exception):
    """Base class: an error whose meaning is part of the API contract."""

    http_status: int = 500
    grpc_code: str = "INTERNAL"  # name of a grpc.StatusCode member (domain code imports no grpc)
    reason: str = "INTERNAL"

    def __init__(self, detail: str, *, field: str | None = None, headers: dict[str, str] | None = None):
        # A detail that quotes client input stays short: it travels in gRPC metadata (the error body, the
        # status message), and a long one would push that past the header limit instead of answering.
        if len(detail) > MAX_DETAIL:
            detail = detail[: MAX_DETAIL - 1] + "\u2026"
        if field is not None and len(field) > MAX_DETAIL // 4:
            field = field[: MAX_DETAIL // 4 - 1] + "\u2026"
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.headers = dict(headers or {})

    @property
    def title(self) -> str:
        return HTTPStatus(self.http_status).phrase


class InvalidArgument(DomainError):
    http_status, grpc_code, reason = 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"


class Unauthenticated(DomainError):
    http_status, grpc_code, reason = 401, "UNAUTHENTICATED", "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    http_status, grpc_code, reason = 403, "PERMISSION_DENIED", "PERMISSION_DENIED"


class NotFound(DomainError):
    http_status, grpc_code, reason = 404, "NOT_FOUND", "NOT_FOUND"


class MethodNotAllowed(DomainError):
    http_status, grpc_code, reason = 405, "UNIMPLEMENTED", "METHOD_NOT_ALLOWED"


class NotAcceptable(DomainError):
    http_status, grpc_code, reason = 406, "FAILED_PRECONDITION", "NOT_ACCEPTABLE"


class Conflict(DomainError):
    http_status, grpc_code, reason = 409, "ALREADY_EXISTS", "CONFLICT"


class Gone(DomainError):
    http_status, grpc_code, reason = 410, "NOT_FOUND", "GONE"


class PayloadTooLarge(DomainError):
    http_status, grpc_code, reason = 413, "RESOURCE_EXHAUSTED", "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(DomainError):
    http_status, grpc_code, reason = 415, "INVALID_ARGUMENT", "UNSUPPORTED_MEDIA_TYPE"


class RangeNotSatisfiable(DomainError):
    http_status, grpc_code, reason = 416, "OUT_OF_RANGE", "RANGE_NOT_SATISFIABLE"


class FailedPrecondition(DomainError):
    http_status, grpc_code, reason = 400, "FAILED_PRECONDITION", "FAILED_PRECONDITION"


class Locked(DomainError):
    """A write to a read-only resource (TAMS `read_only` flows answer 403)."""

    http_status, grpc_code, reason = 403, "FAILED_PRECONDITION", "READ_ONLY"


class Internal(DomainError):
    http_status, grpc_code, reason = 500, "INTERNAL", "INTERNAL"


class ErrorFamily(Enum):
    """Which spec's error shape a route speaks."""

    AURA = "aura"  # JSON:API errors[] with string status
    TAMS = "tams"  # {type, summary, time}
    TIMESIDE = "timeside"  # Django REST framework style
    OPENTHEATER = "opentheater"  # {"error": ...}


def render_error(family: ErrorFamily, err: DomainError) -> dict[str, object]:
    """The error document for `err` in `family`'s shape (what the HTTP client receives)."""
    if family is ErrorFamily.AURA:
        obj: dict[str, object] = {"status": str(err.http_status), "title": err.title, "detail": err.detail}
        if err.field:
            obj["source"] = {"parameter": err.field}
        return {"errors": [obj]}
    if family is ErrorFamily.TAMS:
        return {
            "type": type(err).__name__,
            "summary": err.detail,
            "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
    if family is ErrorFamily.TIMESIDE:
        if err.field:
            return {err.field: [err.detail]}
        return {"detail": err.detail}
    return {"error": err.detail, "status": err.http_status}


def render_error_json(family: ErrorFamily, err: DomainError) -> str:
    """`render_error` as compact ASCII JSON (it travels in gRPC metadata)."""
    return json.dumps(render_error(family, err), ensure_ascii=True, separators=(",", ":"))
