"""What every part of FlowService shares: the context, a writing transaction, links and paging."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import grpc
from sqlalchemy.ext.asyncio import AsyncSession

from polyphony.api.flow.v1 import flow_pb2 as pb
from polyphony.core.context import AppContext
from polyphony.core.objects import ObjectStore
from polyphony.flow import deletion, objects, principal
from polyphony.flow.deletion import DeletionWorker
from polyphony.flow.mapping import to_message
from polyphony.flow.urls import ObjectLinks, UrlSigner
from polyphony.rpc.http import send_http
from polyphony.rpc.listing import Call, send_paging

Ctx: TypeAlias = grpc.aio.ServicerContext

M = TypeVar("M", pb.DeleteFlowResponse, pb.DeleteSegmentsResponse)


@dataclass(frozen=True)
class ListedPage:
    """One page of a list as the domain's documents (REST prints them as they are) and the next page's token."""

    items: list[dict[str, Any]]
    token: str


class FlowApi:
    """The state and helpers of FlowService; each resource's RPCs are a subclass of this."""

    def __init__(
        self,
        ctx: AppContext,
        worker: DeletionWorker | None = None,
        *,
        store: ObjectStore | None = None,
        links: ObjectLinks | None = None,
    ) -> None:
        self.ctx = ctx
        # `verifier` checks the HMAC of our own `/tams/_objects` URLs; `signer` issues the get_urls and
        # put_urls (the same signer for the filesystem store, presigned S3 URLs for S3).
        self.verifier = UrlSigner(ctx.settings.resolved_secret())
        self.signer: ObjectLinks = links or self.verifier
        self.store: ObjectStore = store or ctx.objects
        self.worker = worker

    @asynccontextmanager
    async def _write(self, call: Call) -> AsyncIterator[AsyncSession]:
        """A transaction that knows the caller (the default `created_by` / `updated_by`)."""
        async with self.ctx.db.transaction() as session:
            session.info[principal.SESSION_KEY] = principal.principal(
                call.metadata.get("authorization"), call.rest.get("access_token") if call.rest is not None else None
            )
            yield session

    def _base(self, call: Call) -> str:
        return call.base_url(self.ctx.settings)

    async def _paging(
        self,
        context: Ctx,
        call: Call,
        limit: int,
        count: int | None,
        token: str,
        extra: Iterable[tuple[str, str]] = (),
    ) -> None:
        await send_paging(context, call, self._base(call), limit=limit, count=count, token=token, extra=extra)

    async def _deleted(self, context: Ctx, call: Call, outcome: deletion.Outcome, message: M) -> M:
        await objects.delete_bytes(self.store, outcome.keys)
        if outcome.request is None:
            await send_http(context, status=204)
            return message
        if self.worker is not None:
            self.worker.poke()
        location = f"{self._base(call)}/tams/flow-delete-requests/{outcome.request['id']}"
        await send_http(context, status=202, headers=[("location", location)])
        return to_message(outcome.request, message)


def reverse_header(reverse: bool) -> tuple[str, str]:
    return ("x-paging-reverse-order", "true" if reverse else "false")
