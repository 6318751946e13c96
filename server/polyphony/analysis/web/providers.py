"""AnalysisService, providers: the installed remote audio sources."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from polyphony.analysis.items.provider_rows import get_provider, list_providers
from polyphony.analysis.web import mapping
from polyphony.analysis.web.base import AnalysisRpcBase
from polyphony.api.analysis.v1 import analysis_pb2 as pb


class ProvidersRpc(AnalysisRpcBase):
    async def ListProviders(
        self, request: pb.ListProvidersRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.Provider]:
        base = self._base(context)
        for row in await list_providers(self.ctx.db):
            yield mapping.provider_msg(row, base)

    async def GetProvider(self, request: pb.GetProviderRequest, context: grpc.aio.ServicerContext) -> pb.Provider:
        return mapping.provider_msg(await get_provider(self.ctx.db, request.uuid), self._base(context))
