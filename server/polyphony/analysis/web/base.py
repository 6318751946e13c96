"""The shared state of the AnalysisService parts: the domain services and the helpers every part uses."""

from __future__ import annotations

import asyncio
import logging

import grpc

from polyphony.analysis.auth.users import UserService
from polyphony.analysis.catalog.corpus import Corpus
from polyphony.analysis.catalog.service import Catalog
from polyphony.analysis.formats.archive import Archives
from polyphony.analysis.items.downloads import Downloads
from polyphony.analysis.items.providers import FetchPolicy
from polyphony.analysis.items.service import ItemService
from polyphony.analysis.tasks.runner import make_runner
from polyphony.analysis.tasks.runs import RunService
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.core.auth import credentials_from
from polyphony.core.context import AppContext
from polyphony.core.local_copies import LocalCopies
from polyphony.rpc.http import base_url, is_rest, metadata, send_http

log = logging.getLogger("polyphony.analysis")


class AnalysisRpcBase(analysis_pb2_grpc.AnalysisServiceServicer):
    """What every resource part of the servicer shares; `polyphony.analysis.servicer` composes the parts."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.catalog = Catalog(ctx.db)
        # Files that must be local (HDF5 containers, audio to decode) come from the object store through
        # this bounded cache of local copies when the store is remote.
        self.copies = LocalCopies.for_settings(ctx.objects, ctx.settings)
        self.items = ItemService(ctx.db, ctx.objects, FetchPolicy.from_settings(ctx.settings), self.copies)
        self.runner = make_runner(ctx.db, self.copies, ctx.settings)
        self.runs = RunService(ctx.db, self.copies, self.catalog, self.runner)
        self.downloads = Downloads(ctx.db, self.copies)
        self.corpus = Corpus(ctx.db)
        self.users = UserService(ctx.db, ctx.settings.resolved_secret())
        self.archives = Archives(ctx.db, ctx.objects)

    async def refresh_tokens(self) -> None:
        """Give the server's Authorizer the current user tokens (after a change, and every second so other
        worker processes see users created elsewhere)."""
        self.ctx.authorizer.set_issued(await self.users.issued_tokens())

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                await self.refresh_tokens()
            except Exception:  # a transient database error: keep the last known tokens
                log.warning("could not refresh user tokens", exc_info=True)

    async def _author(self, context: grpc.aio.ServicerContext) -> str | None:
        """The username of the user whose token (API token or JWT) made this request, if any."""
        return await self.users.author_of(credentials_from(metadata(context).get("authorization")).token)

    def _base(self, context: grpc.aio.ServicerContext) -> str:
        return base_url(context, self.ctx.settings)

    async def _created(self, context: grpc.aio.ServicerContext, message: pb.Item) -> pb.Item:
        await send_http(context, 201, [("location", message.url)])
        return message

    async def _no_content(self, context: grpc.aio.ServicerContext) -> None:
        if is_rest(context):
            await send_http(context, 204)
