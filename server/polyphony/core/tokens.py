"""API tokens made with `polyphony token create`: stored as SHA-256 digests, never in the clear.

Each token grants scopes (`tams-api/read`, `aura/write`...: see `polyphony.core.auth`), may expire and
may be revoked. Running servers reload the table at most every `Authorizer.STORE_TTL` seconds, so a
revoked token stops working within that time.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Float, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from polyphony.core.auth import Api, Grant, Scope, TokenLoader, scope_name, token_digest
from polyphony.core.db import Base, Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"  # core's Alembic branch (label "core")
TOKEN_PREFIX = "pt_"  # makes a Polyphony token recognisable (e.g. to secret scanners)


class TokenRow(Base):
    __tablename__ = "core_api_tokens"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(Text)  # space-separated scope names
    created_at: Mapped[float] = mapped_column(Float)  # Unix time
    expires_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    scopes: tuple[str, ...]
    created_at: float
    expires_at: float | None
    revoked_at: float | None


def parse_duration(text: str) -> float:
    """`30d`, `12h`, `15m`, `90s` (or a bare number of seconds) -> seconds."""
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"bad duration {text!r}; use e.g. 30d, 12h, 15m") from None
    if not 0 < value * units[unit] < 100 * 365 * 86400:
        raise ValueError(f"duration {text!r} out of range")
    return value * units[unit]


def parse_scopes(api: Api, scopes: str) -> tuple[str, ...]:
    """`read,write` for an API -> its scope names (`tams-api/read`, `tams-api/write`)."""
    out = []
    for raw in scopes.split(","):
        if raw.strip():
            try:
                out.append(scope_name(api, Scope(raw.strip().lower())))
            except ValueError:
                raise ValueError(f"unknown scope {raw.strip()!r}; one of read, write, delete, admin") from None
    if not out:
        raise ValueError("name at least one scope")
    return tuple(dict.fromkeys(out))


async def create(db: Database, scopes: tuple[str, ...], *, expires_in: float | None, name: str = "") -> tuple[str, str]:
    """Store a new token; return (its id, the token itself: shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = time.time()
    row = TokenRow(
        id=str(uuid.uuid4()),
        name=name,
        token_sha256=token_digest(token),
        scopes=" ".join(scopes),
        created_at=now,
        expires_at=now + expires_in if expires_in else None,
    )
    async with db.transaction() as session:
        session.add(row)
    return row.id, token


async def list_tokens(db: Database) -> list[TokenInfo]:
    async with db.session() as session:
        rows = (await session.execute(select(TokenRow).order_by(TokenRow.created_at))).scalars().all()
    return [TokenInfo(r.id, r.name, tuple(r.scopes.split()), r.created_at, r.expires_at, r.revoked_at) for r in rows]


async def revoke(db: Database, token_id: str) -> bool:
    """Revoke a token by id (or by the token itself); False when there is no such active token."""
    async with db.transaction() as session:
        result = await session.execute(
            update(TokenRow)
            .where((TokenRow.id == token_id) | (TokenRow.token_sha256 == token_digest(token_id)))
            .where(TokenRow.revoked_at.is_(None))
            .values(revoked_at=time.time())
        )
    return bool(getattr(result, "rowcount", 0))


def loader(db: Database) -> TokenLoader:
    """The `Authorizer` token loader over this database: digest -> (grant, expiry) of active tokens."""

    async def load() -> dict[str, tuple[Grant, float | None]]:
        rows: Sequence[Any] = await db.fetch(
            select(TokenRow.token_sha256, TokenRow.scopes, TokenRow.expires_at).where(TokenRow.revoked_at.is_(None))
        )
        return {row[0]: (Grant.from_names(str(row[1]).split()), row[2]) for row in rows}

    return load
