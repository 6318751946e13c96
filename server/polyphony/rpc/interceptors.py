"""One interceptor for every Polyphony RPC: authorization and error mapping.

- Authorization: the scope an RPC needs is the `polyphony.api.common.v1.access` option on its method
  (`polyphony.rpc.access`), on the API (the service) the method belongs to.
- Errors: a `DomainError` becomes a gRPC status with `google.rpc.ErrorInfo`/`BadRequest` details, plus
  trailing metadata `x-http-status` and `x-error-body` (the error in the spec's own shape) that Envoy's
  Lua filter turns into the HTTP answer. Anything unexpected is logged and answered as an internal error
  in the same shape: no traceback ever reaches the wire.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

from polyphony.core.auth import Api, Authorizer, Scope, credentials_from
from polyphony.core.errors import DomainError, ErrorFamily, Internal, render_error_json
from polyphony.core.query import original_request
from polyphony.rpc.access import method_scope
from polyphony.rpc.sanitize import prepared, safe_deserializer

log = logging.getLogger("polyphony.rpc")

ERROR_DOMAIN = "polyphony.api"


def status_details(err: DomainError) -> status_pb2.Status:
    code = grpc.StatusCode[err.grpc_code]
    status = status_pb2.Status(code=code.value[0], message=err.detail)
    info = error_details_pb2.ErrorInfo(reason=err.reason, domain=ERROR_DOMAIN)
    if err.field:
        info.metadata["field"] = err.field
    packed = any_pb2.Any()
    packed.Pack(info)
    status.details.append(packed)
    if err.field and err.http_status == 400:
        bad = error_details_pb2.BadRequest(
            field_violations=[error_details_pb2.BadRequest.FieldViolation(field=err.field, description=err.detail)]
        )
        packed = any_pb2.Any()
        packed.Pack(bad)
        status.details.append(packed)
    return status


async def abort_with(context: grpc.aio.ServicerContext, family: ErrorFamily, err: DomainError) -> None:
    trailing: list[tuple[str, str | bytes]] = [
        ("x-http-status", str(err.http_status)),
        ("x-error-body", render_error_json(family, err)),
        ("grpc-status-details-bin", status_details(err).SerializeToString()),
    ]
    trailing.extend((k.lower(), v) for k, v in err.headers.items())
    await context.abort(grpc.StatusCode[err.grpc_code], err.detail, trailing_metadata=tuple(trailing))


class PolyphonyInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]
    def __init__(self, authorizer: Authorizer, families: Mapping[str, ErrorFamily]) -> None:
        """`families`: full gRPC service name -> the error shape its REST routes speak (from the registry);
        methods of other services (health, reflection) pass untouched."""
        self._auth = authorizer
        self._families = dict(families)
        # the wrapped handler of each method, built on its first call (handlers are static per method)
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    async def _authorize(self, api: Api, scope: Scope | None, context: grpc.aio.ServicerContext) -> None:
        if scope is None:
            return
        md = context.invocation_metadata() or ()
        authorization = None
        for key, value in md:
            if key == "authorization":
                authorization = value if isinstance(value, str) else value.decode()
        original = original_request(md)
        access_token = original.get("access_token") if original else None
        await self._auth.check_async(api, scope, credentials_from(authorization, access_token))

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(details)
        family = self._families.get(details.method.lstrip("/").rpartition("/")[0])
        if handler is None or family is None:
            return handler
        entry = self._wrapped.get(details.method)
        if entry is None or entry[0] is not handler:
            entry = self._wrapped[details.method] = (handler, self._wrap(details.method, handler, family))
        return entry[1]

    def _wrap(self, method: str, handler: grpc.RpcMethodHandler, family: ErrorFamily) -> grpc.RpcMethodHandler:
        scope = method_scope(method)
        api = Api(family.value)  # each API speaks its own error family
        authorize = self._authorize

        async def fail(context: grpc.aio.ServicerContext, exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                await abort_with(context, family, exc)
            log.exception("unhandled error in %s", method, exc_info=exc)
            await abort_with(context, family, Internal("internal server error"))

        def unary(behavior: Any) -> Any:
            async def run(request: Any, context: grpc.aio.ServicerContext) -> Any:
                try:
                    await authorize(api, scope, context)
                    return await behavior(await _checked(request, context), context)
                except Exception as exc:
                    if _is_abort(exc):
                        raise
                    await fail(context, exc)

            return run

        def streaming(behavior: Any) -> Any:
            async def run(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                try:
                    await authorize(api, scope, context)
                    async for item in behavior(await _checked(request, context), context):
                        yield item
                except Exception as exc:
                    if _is_abort(exc):
                        raise
                    await fail(context, exc)

            return run

        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                unary(handler.unary_unary), safe_deserializer(handler.request_deserializer), handler.response_serializer
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                streaming(handler.unary_stream),
                safe_deserializer(handler.request_deserializer),
                handler.response_serializer,
            )
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(
                unary(handler.stream_unary),
                safe_deserializer(handler.request_deserializer),
                handler.response_serializer,
            )
        return grpc.stream_stream_rpc_method_handler(
            streaming(handler.stream_stream),
            safe_deserializer(handler.request_deserializer),
            handler.response_serializer,
        )


def _original_path(context: grpc.aio.ServicerContext) -> str | None:
    for key, value in context.invocation_metadata() or ():
        if key == "x-envoy-original-path":
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
    return None


async def _checked(request: Any, context: grpc.aio.ServicerContext) -> Any:
    """The request after `sanitize`'s checks (a client stream: each message as it is read)."""
    if hasattr(request, "__aiter__"):
        return _checked_stream(request)
    return await prepared(request, _original_path(context))


async def _checked_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for request in requests:
        yield await prepared(request, None)


def _is_abort(exc: BaseException) -> bool:
    # grpc.aio raises AbortError out of context.abort(); it must propagate untouched.
    return type(exc).__name__ == "AbortError" or isinstance(exc, grpc.RpcError)
