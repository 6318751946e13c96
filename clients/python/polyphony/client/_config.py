"""Where the client connects and which token it sends, when the caller does not say."""

from __future__ import annotations

import os

DEFAULT_TARGET = "localhost:8080"


def resolve_target(target: str | None) -> str:
    """`target`, else `$POLYPHONY_TARGET`, else localhost:8080 (the port `scripts/serve` uses)."""
    return target or os.environ.get("POLYPHONY_TARGET") or DEFAULT_TARGET


def resolve_token(token: str | None) -> str | None:
    """`token`, else `$POLYPHONY_TOKEN`, else none (reads are open by default; writes need a token)."""
    if token is not None:
        return token or None
    return os.environ.get("POLYPHONY_TOKEN") or None


def bearer(token: str) -> tuple[str, str]:
    return ("authorization", f"Bearer {token}")
