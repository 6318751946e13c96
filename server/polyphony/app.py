"""Composition root: the service registry, then settings -> storage -> services -> servicers.

`SERVICES` is the one explicit list of the services this server runs. Everything that needs to know
the services (the servicers registered in each process, Envoy's routes and Lua tables, the
interceptor's error shapes, the Alembic branches) is derived from it. Services never import this
module; what they need is in `polyphony.core` (`AppContext`, `ServiceSpec`).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import grpc

from polyphony.analysis.service import SERVICE as ANALYSIS
from polyphony.core.context import AppContext
from polyphony.core.db import Database, migrate_locations
from polyphony.core.registry import ServiceSpec
from polyphony.core.tokens import MIGRATIONS as CORE_MIGRATIONS
from polyphony.edge.live import LiveApp
from polyphony.flow.service import SERVICE as FLOW
from polyphony.media.service import SERVICE as MEDIA
from polyphony.trigger.service import SERVICE as TRIGGER

SERVICES: tuple[ServiceSpec, ...] = (MEDIA, FLOW, ANALYSIS, TRIGGER)


async def register_all(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> list[str]:
    """Register every service's servicer (and its live handlers); return the full gRPC service names."""
    for spec in SERVICES:
        await spec.register(server, ctx, live)
    return [spec.grpc_service for spec in SERVICES]


def migration_branches() -> dict[str, Path]:
    """Every Alembic branch (label -> version directory): core's (API tokens), then each service's."""
    return {"core": CORE_MIGRATIONS, **{spec.name: spec.migrations for spec in SERVICES}}


async def migrate(db: Database) -> None:
    """Bring core's tables (API tokens) and every service's to the newest revision of their Alembic branches."""
    await migrate_locations(db, [path for path in migration_branches().values() if path.is_dir()])


def migrate_sync(url: str) -> None:
    """`migrate` for a database URL, from synchronous code (the CLI)."""

    async def run() -> None:
        db = Database(url)
        try:
            await migrate(db)
        finally:
            await db.dispose()

    asyncio.run(run())
