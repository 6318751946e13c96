"""Composition root: settings -> storage -> domain services -> servicers (+ the live ASGI app)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import grpc

from polyphony.core import tokens
from polyphony.core.auth import Authorizer, parse_open_reads
from polyphony.core.config import Settings
from polyphony.core.db import SERVICES, Database
from polyphony.core.objects import FilesystemObjectStore
from polyphony.core.paging import PageTokens
from polyphony.edge.live import LiveApp


@dataclass
class AppContext:
    """Everything a service needs, built once per server process."""

    settings: Settings
    db: Database
    objects: FilesystemObjectStore
    pages: PageTokens
    authorizer: Authorizer
    # Per-service singletons a service creates in `register` and other parts may look up
    # (for example the trigger service's cue bus, used by its live socket.io handlers).
    extras: dict[str, Any] = field(default_factory=dict)
    # Coroutines to await on shutdown (registered by services).
    closers: list[Any] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self.closers):
            await closer()
        await self.db.dispose()


def build_context(settings: Settings) -> AppContext:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = AppContext(
        settings=settings,
        db=Database(settings.resolved_database_url),
        objects=FilesystemObjectStore(settings.data_dir / "objects"),
        pages=PageTokens(settings.resolved_secret(), settings.page_token_ttl),
        authorizer=Authorizer(
            settings.read_tokens,
            settings.write_tokens,
            parse_open_reads(settings.open_reads),
            jwt_keys=(settings.jwt_key or settings.resolved_secret(),),
        ),
    )
    ctx.authorizer.set_token_loader(tokens.loader(ctx.db))
    return ctx


def service_modules() -> list[Any]:
    """Each service's `polyphony.<svc>.servicer` module; each provides
    `async def register(server, ctx, live) -> str` (the full gRPC service name)."""
    mods = []
    for svc in SERVICES:
        try:
            mods.append(importlib.import_module(f"polyphony.{svc}.servicer"))
        except ModuleNotFoundError as exc:
            if exc.name not in (f"polyphony.{svc}", f"polyphony.{svc}.servicer"):
                raise
    return mods


async def register_all(server: grpc.aio.Server, ctx: AppContext, live: LiveApp) -> list[str]:
    """Register every service's servicer (and its live handlers); return the full service names."""
    return [await mod.register(server, ctx, live) for mod in service_modules()]
