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

    @property
    def type_name(self) -> str:
        """The error's name where a spec prints one (TAMS `type`): the class name."""
        return type(self).__name__


class InvalidArgument(DomainError):
    http_status, grpc_code, reason = 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT"


class Unauthenticated(DomainError):
    http_status, grpc_code, reason = 401, "UNAUTHENTICATED", "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    http_status, grpc_code, reason = 403, "PERMISSION_DENIED", "PERMISSION_DENIED"


class NotFound(DomainError):
    http_status, grpc_code, reason = 404, "NOT_FOUND", "NOT_FOUND"


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


class HttpError(DomainError):
    """An HTTP status that no domain error stands for, answered by the edge itself (429 from a limit,
    502/503/504 from an unreachable server...). Its name is the status phrase (`ServiceUnavailable`)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.http_status = status

    @property
    def type_name(self) -> str:
        return self.title.replace(" ", "").replace("-", "")


# The error each status stands for when nothing more specific is known: what the edge renders for the
# transcoder's own answers (a bad JSON body is an InvalidArgument, an unknown route a NotFound...).
STATUS_ERRORS: dict[int, type[DomainError]] = {
    cls.http_status: cls
    for cls in (
        InvalidArgument,
        Unauthenticated,
        PermissionDenied,
        NotFound,
        NotAcceptable,
        Conflict,
        Gone,
        PayloadTooLarge,
        UnsupportedMediaType,
        RangeNotSatisfiable,
        Internal,
    )
}


def error_for_status(status: int, detail: str) -> DomainError:
    """The canonical error for an HTTP status (see `STATUS_ERRORS`)."""
    cls = STATUS_ERRORS.get(status)
    return cls(detail) if cls is not None else HttpError(status, detail)


class ErrorFamily(Enum):
    """Which spec's error shape a route speaks."""

    AURA = "aura"  # JSON:API errors[] with string status
    TAMS = "tams"  # {type, summary, time}
    TIMESIDE = "timeside"  # Django REST framework style
    OPENTHEATER = "opentheater"  # {"error": ..., "status": ...}
    GENERIC = "generic"  # paths outside every service's REST prefixes: {"error": ..., "status": ...}


def error_time() -> str:
    """The `time` of a TAMS error: now, UTC, milliseconds."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def render_error(family: ErrorFamily, err: DomainError, *, time: str | None = None) -> dict[str, object]:
    """The error document for `err` in `family`'s shape (what the HTTP client receives).

    This is the only place error bodies are shaped: the Envoy Lua filter's bodies for the transcoder's own
    errors are rendered from it too (`error_templates`).
    """
    if family is ErrorFamily.AURA:
        obj: dict[str, object] = {"status": str(err.http_status), "title": err.title, "detail": err.detail}
        if err.field:
            obj["source"] = {"parameter": err.field}
        return {"errors": [obj]}
    if family is ErrorFamily.TAMS:
        return {"type": err.type_name, "summary": err.detail, "time": time if time is not None else error_time()}
    if family is ErrorFamily.TIMESIDE:
        if err.field:
            return {err.field: [err.detail]}
        return {"detail": err.detail}
    return {"error": err.detail, "status": err.http_status}


def render_error_json(family: ErrorFamily, err: DomainError, *, time: str | None = None) -> str:
    """`render_error` as compact ASCII JSON (it travels in gRPC metadata)."""
    return json.dumps(render_error(family, err, time=time), ensure_ascii=True, separators=(",", ":"))


# Marks in an error template: where the detail and the time go (each as a JSON string, quotes included).
DETAIL_MARK = "\x01"
TIME_MARK = "\x02"
_DETAIL_PLACEHOLDER = "@@polyphony-detail@@"
_TIME_PLACEHOLDER = "@@polyphony-time@@"


def error_statuses() -> list[int]:
    """Every 4xx/5xx status an error template is rendered for."""
    return sorted(s.value for s in HTTPStatus if 400 <= s.value < 600)


def error_template(family: ErrorFamily, status: int) -> str:
    """`render_error_json` of the canonical error for `status` with DETAIL_MARK / TIME_MARK standing for
    the JSON strings of the detail and the time: the Lua filter fills them in for errors it renders."""
    text = render_error_json(family, error_for_status(status, _DETAIL_PLACEHOLDER), time=_TIME_PLACEHOLDER)
    return text.replace(json.dumps(_DETAIL_PLACEHOLDER), DETAIL_MARK).replace(json.dumps(_TIME_PLACEHOLDER), TIME_MARK)
