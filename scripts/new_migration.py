"""Autogenerate an Alembic revision for one service's branch.

    .venv/bin/python scripts/new_migration.py media "add images"

Runs the existing migrations on a scratch SQLite database, compares with the ORM models, and writes
the new revision into server/polyphony/<svc>/migrations/.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from polyphony.app import migrate, migration_branches
from polyphony.core.db import Base, Database, alembic_config


def main() -> None:
    svc, message = sys.argv[1], sys.argv[2]
    branches = migration_branches()
    version_dir = branches[svc]
    version_dir.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'scratch.db'}"

        async def run() -> None:
            db = Database(url)
            await migrate(db)
            cfg = alembic_config(url, [p for p in branches.values() if p.is_dir()])
            script = ScriptDirectory.from_config(cfg)
            heads = [r for r in script.get_revisions("heads") if svc in (r.branch_labels or set())]

            def generate(conn: Connection) -> None:
                cfg.attributes["connection"] = conn
                cfg.attributes["table_prefix"] = f"{svc}_"
                cfg.attributes["target_metadata"] = Base.metadata
                command.revision(
                    cfg,
                    message=message,
                    autogenerate=True,
                    head=f"{svc}@head" if heads else "base",
                    branch_label=None if heads else svc,
                    version_path=str(version_dir),
                    depends_on=None,
                )

            async with db.engine.begin() as conn:
                await conn.run_sync(generate)
            await db.dispose()

        asyncio.run(run())


if __name__ == "__main__":
    main()
