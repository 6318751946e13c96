"""AnalysisService: the TimeSide server API over gRPC (and REST through Envoy), one servicer composed of
one part per resource (`polyphony.analysis.web.*`). Thin: parse, call, map."""

from __future__ import annotations

import asyncio

import grpc

from polyphony.analysis.engine.subprocessors import all_subprocessors
from polyphony.analysis.items.provider_rows import sync_providers
from polyphony.analysis.web.archive import ArchiveRpc
from polyphony.analysis.web.corpus import CorpusRpc
from polyphony.analysis.web.experiences import ExperiencesRpc
from polyphony.analysis.web.items import ItemsRpc
from polyphony.analysis.web.processors import ProcessorsRpc
from polyphony.analysis.web.providers import ProvidersRpc
from polyphony.analysis.web.results import ResultsRpc
from polyphony.analysis.web.site import SiteRpc
from polyphony.analysis.web.tasks import TasksRpc
from polyphony.analysis.web.users import UsersRpc
from polyphony.api.analysis.v1 import analysis_pb2 as pb
from polyphony.api.analysis.v1 import analysis_pb2_grpc
from polyphony.core.context import AppContext
from polyphony.edge.live import LiveApp


class AnalysisServicer(
    ItemsRpc,
    ProcessorsRpc,
    ExperiencesRpc,
    TasksRpc,
    ResultsRpc,
    CorpusRpc,
    UsersRpc,
    ProvidersRpc,
    ArchiveRpc,
    SiteRpc,
):
    """The one AnalysisService: every RPC comes from the part of its resource."""


async def register(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> str:
    servicer = AnalysisServicer(ctx)
    analysis_pb2_grpc.add_AnalysisServiceServicer_to_server(servicer, server)
    await servicer.catalog.sync_processors()
    await sync_providers(ctx.db)
    # Discovering sub-processor ids runs every processor once (~1.5 s): do it in the background so
    # start-up does not wait for it (the first sub-processor request would, if it came first).
    warm_up = asyncio.create_task(asyncio.to_thread(all_subprocessors), name="analysis-subprocessors")

    async def stop_warm_up() -> None:
        await asyncio.gather(warm_up, return_exceptions=True)

    ctx.closers.append(stop_warm_up)
    await servicer.refresh_tokens()
    ctx.authorizer.add_verifier(servicer.users.access_scope)
    refresher = asyncio.create_task(servicer._refresh_loop(), name="analysis-user-tokens")

    async def stop_refresher() -> None:
        refresher.cancel()
        await asyncio.gather(refresher, return_exceptions=True)

    ctx.closers.append(stop_refresher)
    await servicer.runner.resume()
    ctx.closers.append(servicer.runner.close)
    return str(pb.DESCRIPTOR.services_by_name["AnalysisService"].full_name)
