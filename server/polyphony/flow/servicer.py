"""FlowService: TAMS over gRPC (and REST through Envoy). Thin: parse, call the domain, map.

The RPCs live by resource in `polyphony.flow.api` (flows, sources, segments, objects, webhooks, service);
`FlowServicer` combines them into the one `FlowService` servicer.
"""

from __future__ import annotations

from typing import Any

import grpc

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.api.flow.v1 import flow_pb2_grpc
from polyphony.core.context import AppContext
from polyphony.core.objects import ObjectStore
from polyphony.edge.live import LiveApp
from polyphony.flow import dispatcher, segments, storage_backends
from polyphony.flow.api.flows import FlowsApi
from polyphony.flow.api.objects import ObjectsApi
from polyphony.flow.api.segments import SegmentsApi
from polyphony.flow.api.service import ServiceApi
from polyphony.flow.api.sources import SourcesApi
from polyphony.flow.api.webhooks import WebhooksApi
from polyphony.flow.deletion import DeletionWorker
from polyphony.flow.urls import ObjectLinks, UrlSigner


class FlowServicer(
    FlowsApi, SourcesApi, SegmentsApi, ObjectsApi, WebhooksApi, ServiceApi, flow_pb2_grpc.FlowServiceServicer
):
    """The one gRPC servicer of FlowService, made of its resources' parts."""


def object_store(ctx: AppContext) -> tuple[ObjectStore, ObjectLinks]:
    """The store TAMS Objects live in and what issues their presigned URLs, from the settings."""
    settings = ctx.settings
    if settings.object_store in ("", "filesystem"):
        storage_backends.configure(storage_backends.FILESYSTEM)
        return ctx.objects, UrlSigner(settings.resolved_secret())
    from polyphony.flow import s3store

    store = ctx.objects
    if not isinstance(store, s3store.S3ObjectStore):
        raise ValueError(f"POLYPHONY_OBJECT_STORE must be filesystem or s3, not {settings.object_store!r}")
    storage_backends.configure(
        storage_backends.s3_backend(settings.s3_bucket, settings.s3_endpoint_url, settings.s3_region)
    )
    return store, s3store.S3Links(store.client, store.bucket)


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    store, signer = object_store(ctx)
    worker = DeletionWorker(ctx.db, store)
    worker.start()
    ctx.closers.append(worker.stop)
    base = ctx.settings.default_base_url  # webhook events are rendered outside any request

    async def render_segments(session: Any, docs: list[dict[str, Any]], options: dict[str, Any]) -> list[Any]:
        return await segments.render_stored(session, docs, options, signer=signer, base=base)

    events = dispatcher.Dispatcher(
        ctx.db,
        render_segments,
        policy=dispatcher.RetryPolicy.from_settings(ctx.settings),
        allow_private=ctx.settings.tams_allow_private_webhooks,
    )
    events.start()
    ctx.closers.append(events.stop)
    flow_pb2_grpc.add_FlowServiceServicer_to_server(FlowServicer(ctx, worker, store=store, links=signer), server)
    return str(pb.DESCRIPTOR.services_by_name["FlowService"].full_name)
