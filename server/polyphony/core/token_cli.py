"""`polyphony token create | list | revoke`: API tokens with scopes, stored hashed in the database."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from polyphony.core import tokens
from polyphony.core.auth import parse_api
from polyphony.core.config import Settings
from polyphony.core.db import Database


def add_parser(sub: Any) -> None:
    p = sub.add_parser("token", help="create, list and revoke API tokens (scoped, per API)")
    p.add_argument("--data-dir", help="data directory [./polyphony-data]")
    actions = p.add_subparsers(dest="token_command", required=True)
    create = actions.add_parser("create", help="make a token; it is shown once and stored only as a hash")
    create.add_argument("--service", required=True, help="aura | tams | timeside | opentheater")
    create.add_argument("--scopes", required=True, help="comma-separated: read,write,delete,admin")
    create.add_argument("--expires", help="lifetime, e.g. 30d, 12h (default: never)")
    create.add_argument("--name", default="", help="a note to recognise the token by in `token list`")
    actions.add_parser("list", help="list tokens (never the tokens themselves)")
    revoke = actions.add_parser("revoke", help="revoke a token by its id (or the token itself)")
    revoke.add_argument("id")


def _when(t: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(t)) if t else "-"


async def _run(args: argparse.Namespace, db: Database) -> int:
    if args.token_command == "create":
        api = parse_api(args.service)
        scopes = tokens.parse_scopes(api, args.scopes)
        expires = tokens.parse_duration(args.expires) if args.expires else None
        token_id, token = await tokens.create(db, scopes, expires_in=expires, name=args.name)
        print(token)
        print(
            f"id {token_id}  scopes {' '.join(scopes)}  expires {_when(time.time() + expires) if expires else 'never'}"
        )
        print("keep the token now: only its SHA-256 is stored. Use it as `Authorization: Bearer <token>`.")
        return 0
    if args.token_command == "list":
        now = time.time()
        for t in await tokens.list_tokens(db):
            state = "revoked" if t.revoked_at else ("expired" if t.expires_at and t.expires_at <= now else "active")
            print(
                f"{t.id}  {state:<8} {' '.join(t.scopes):<40} created {_when(t.created_at)}  "
                f"expires {_when(t.expires_at)}  {t.name}"
            )
        return 0
    if await tokens.revoke(db, args.id):
        print(f"revoked {args.id}")
        return 0
    print(f"no active token {args.id}")
    return 1


def run(args: argparse.Namespace, migrate_sync: Callable[[str], None]) -> int:
    """Run a `token` command; `migrate_sync` brings the database's schema up to date first."""
    settings = Settings.from_env(data_dir=Path(args.data_dir) if args.data_dir else None)
    try:
        if args.token_command == "create":  # check the arguments before touching the database
            tokens.parse_scopes(parse_api(args.service), args.scopes)
            if args.expires:
                tokens.parse_duration(args.expires)
    except ValueError as exc:
        print(f"polyphony token: {exc}")
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate_sync(settings.resolved_database_url)

    async def main() -> int:
        db = Database(settings.resolved_database_url)
        try:
            return await _run(args, db)
        finally:
            await db.dispose()

    return asyncio.run(main())
