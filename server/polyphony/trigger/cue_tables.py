"""The four statements that store a published cue, on one connection inside its transaction.

`CoreCueTables` speaks SQLAlchemy Core and works on every backend (PostgreSQL, and the async session
that fires a cue list). `SqliteCueTables` says the same statements straight to the `sqlite3`
connection under a SQLite writer: SQLAlchemy's execution machinery costs about 0.3 ms per statement
when the CPU's caches are cold, which is every time in a show (cues come seconds apart), while
sqlite3 itself needs a few tens of microseconds. Both give the same rows; the unit tests compare them.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from polyphony.trigger.models import Cue, Project, ProjectState
from polyphony.trigger.payload import Payload


class CueTables(Protocol):
    def project_exists(self, project_uuid: str) -> bool: ...

    def add_cue(self, project_uuid: str, published_ms: int, payload: str) -> int:
        """Insert a cue; its id (the cue's sequence number)."""
        ...

    def state_for_update(self, project_uuid: str) -> Payload | None:
        """The project's merged state, locked until the transaction ends (None: no cue yet)."""
        ...

    def put_state(self, project_uuid: str, sequence: int, state: Payload, *, new: bool) -> None: ...


class CoreCueTables:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def project_exists(self, project_uuid: str) -> bool:
        return self.conn.scalar(select(Project.uuid).where(Project.uuid == project_uuid)) is not None

    def add_cue(self, project_uuid: str, published_ms: int, payload: str) -> int:
        inserted = self.conn.execute(
            insert(Cue).values(project_uuid=project_uuid, published_ms=published_ms, payload=payload)
        )
        key = inserted.inserted_primary_key
        assert key is not None
        return int(key[0])

    def state_for_update(self, project_uuid: str) -> Payload | None:
        state: Payload | None = self.conn.scalar(
            select(ProjectState.state).where(ProjectState.project_uuid == project_uuid).with_for_update()
        )
        return state

    def put_state(self, project_uuid: str, sequence: int, state: Payload, *, new: bool) -> None:
        if new:
            self.conn.execute(insert(ProjectState).values(project_uuid=project_uuid, sequence=sequence, state=state))
        else:
            self.conn.execute(
                update(ProjectState)
                .where(ProjectState.project_uuid == project_uuid)
                .values(sequence=sequence, state=state)
            )


P, C, S = Project.__tablename__, Cue.__tablename__, ProjectState.__tablename__


class SqliteCueTables:
    """The same statements on a `sqlite3` connection (SQLite has no row locks: the writer holds the
    database's write lock for the whole transaction, which serialises publishes as FOR UPDATE does)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def project_exists(self, project_uuid: str) -> bool:
        return self.conn.execute(f"SELECT 1 FROM {P} WHERE uuid = ?", (project_uuid,)).fetchone() is not None

    def add_cue(self, project_uuid: str, published_ms: int, payload: str) -> int:
        cursor = self.conn.execute(
            f"INSERT INTO {C} (project_uuid, published_ms, payload) VALUES (?, ?, ?)",
            (project_uuid, published_ms, payload),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def state_for_update(self, project_uuid: str) -> Payload | None:
        row = self.conn.execute(f"SELECT state FROM {S} WHERE project_uuid = ?", (project_uuid,)).fetchone()
        if row is None or row[0] is None:
            return None
        state: Payload = json.loads(row[0])
        return state

    def put_state(self, project_uuid: str, sequence: int, state: Payload, *, new: bool) -> None:
        text = json.dumps(state)
        if new:
            self.conn.execute(
                f"INSERT INTO {S} (project_uuid, sequence, state) VALUES (?, ?, ?)", (project_uuid, sequence, text)
            )
        else:
            self.conn.execute(
                f"UPDATE {S} SET sequence = ?, state = ? WHERE project_uuid = ?", (sequence, text, project_uuid)
            )


def cue_tables(conn: Connection) -> CueTables:
    """The fastest statements for this connection's driver."""
    driver = conn.connection.driver_connection
    return SqliteCueTables(driver) if isinstance(driver, sqlite3.Connection) else CoreCueTables(conn)
