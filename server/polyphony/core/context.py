"""`AppContext`: the core objects every service is given (settings, database, object store, paging
tokens, authorizer), built once per server process. Services import it from here, never from the
composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from polyphony.core import keys, tokens
from polyphony.core.auth import Authorizer, parse_open_reads
from polyphony.core.config import Settings
from polyphony.core.db import Database
from polyphony.core.objects import ObjectStore
from polyphony.core.paging import PageTokens
from polyphony.core.public_url import trusted_networks
from polyphony.core.stores import configured_store


@dataclass
class AppContext:
    """Everything a service needs, built once per server process."""

    settings: Settings
    db: Database
    objects: ObjectStore  # the configured store (filesystem or S3), shared by every service
    pages: PageTokens
    authorizer: Authorizer
    # Coroutine functions to await on shutdown, last registered first (services add their background work).
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def close(self) -> None:
        for closer in reversed(self.closers):
            await closer()
        await self.db.dispose()


def build_context(settings: Settings) -> AppContext:
    trusted_networks(settings.trusted_proxies)  # a bad CIDR fails the start, not a request
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    ctx = AppContext(
        settings=settings,
        db=Database(settings.resolved_database_url),
        objects=configured_store(settings),
        pages=PageTokens(settings.resolved_secret(), settings.page_token_ttl),
        authorizer=Authorizer(
            settings.read_tokens,
            settings.write_tokens,
            parse_open_reads(settings.open_reads),
            jwt_keys=(settings.jwt_key.encode() or keys.derive(settings.resolved_secret(), keys.API_JWT),),
        ),
    )
    ctx.authorizer.set_token_loader(tokens.loader(ctx.db))  # `polyphony token create` tokens
    return ctx
