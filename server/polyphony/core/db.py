"""SQLAlchemy 2 async storage: the declarative base, engine/session factory and migrations.

SQLite (WAL) in the data directory by default, PostgreSQL through `POLYPHONY_DATABASE_URL`
(`postgresql+asyncpg://...`). Each service keeps its Alembic revisions in its own branch
(`polyphony/<svc>/migrations/`, named by its `ServiceSpec`); `migrate_locations()` upgrades every
branch it is given to its head (`polyphony.app.migrate` gives it every registered service's).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Executable, MetaData, Row, create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import NullPool

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

T = TypeVar("T")
M = TypeVar("M")

# Execution option that marks the connection of a write transaction (`Database.transaction`).
WRITE_TRANSACTION = "polyphony_write_transaction"

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    """A write transaction takes SQLite's write lock when it begins (`BEGIN IMMEDIATE`), before its first
    read: two read-modify-write transactions then run one after the other, and neither can write back a
    document that the other changed after it was read (a lost update). The driver's own deferred BEGIN,
    issued before the first write only, would let both read first. Sessions that only read keep the
    driver's behaviour (no lock)."""
    if conn.get_execution_options().get(WRITE_TRANSACTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_reader_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _sqlite_file(url: str) -> str | None:
    """The file path of a file-backed SQLite URL (None for memory databases and other backends)."""
    if not url.startswith("sqlite"):
        return None
    path = url.partition(":///")[2].partition("?")[0]
    return path if path and path != ":memory:" else None


class Database:
    """One engine per process; one `AsyncSession` per RPC via `session()`; `fetch()` for hot reads and
    `write()` for hot short write transactions."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": 10}
        else:
            kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, execution_options={WRITE_TRANSACTION: True}
        )
        self._reader: Engine | None = None
        self._readers = threading.local()
        self._writer: Engine | None = None
        self._writer_conn: Connection | None = None  # used on the writer thread only
        self._writer_thread: ThreadPoolExecutor | None = None
        sqlite_file = _sqlite_file(url)
        if sqlite_file is not None:
            self._reader = create_engine(
                f"sqlite:///{sqlite_file}",
                isolation_level="AUTOCOMMIT",
                poolclass=NullPool,
                connect_args={"timeout": 10},
            )
            event.listen(self._reader, "connect", _sqlite_reader_pragmas)
            # AUTOCOMMIT: SQLAlchemy begins nothing itself; `_write_now` says BEGIN IMMEDIATE / COMMIT
            self._writer = create_engine(
                f"sqlite:///{sqlite_file}",
                isolation_level="AUTOCOMMIT",
                poolclass=NullPool,
                connect_args={"timeout": 10},
            )
            event.listen(self._writer, "connect", _sqlite_pragmas)
            self._writer_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")

    async def fetch(self, stmt: Executable, params: Mapping[str, Any] | None = None) -> Sequence[Row[Any]]:
        """Rows of a read-only statement.

        On SQLite the query runs inline, on a read-only autocommit connection kept per thread: an indexed
        read costs tens of microseconds there, far less than the hop to a driver thread and back that an
        async session makes (WAL lets it read beside a writer). Elsewhere it runs on the async engine.
        """
        if self._reader is not None:
            conn: Connection | None = getattr(self._readers, "conn", None)
            if conn is None or conn.closed:
                conn = self._readers.conn = self._reader.connect()
            return conn.execute(stmt, params).all()
        async with self.engine.connect() as aconn:
            return (await aconn.execute(stmt, params)).all()

    async def write(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` in one write transaction (committed when it returns, rolled back when it
        raises), and its result.

        On SQLite the whole transaction runs on one writer thread with a synchronous connection: one hop
        from the event loop and back, where an async session hops to the driver's thread and back for
        every statement, and a hop waits for a core whenever the machine is busy. Elsewhere it runs on
        the async engine (`run_sync`), statement by statement. `work` must only use the connection it
        is given (or that connection's driver connection, as `trigger.cue_tables` does).
        """
        if self._writer_thread is None:
            async with self.engine.begin() as aconn:
                return await aconn.run_sync(work)
        return await asyncio.get_running_loop().run_in_executor(self._writer_thread, self._write_now, work)

    def _write_now(self, work: Callable[[Connection], T]) -> T:
        assert self._writer is not None
        conn = self._writer_conn
        if conn is None or conn.closed:
            conn = self._writer_conn = self._writer.connect()
        sqlite = conn.connection.driver_connection  # the transaction's own statements go straight to it
        assert sqlite is not None
        sqlite.execute("BEGIN IMMEDIATE")  # take the write lock now: no deadlock on upgrading it later
        try:
            result = work(conn)
            sqlite.execute("COMMIT")
        except BaseException:
            try:
                sqlite.execute("ROLLBACK")
            except Exception:  # nothing left to roll back, or the connection broke: start afresh
                self._close_writer()
            raise
        return result

    def _close_writer(self) -> None:
        if self._writer_conn is not None:
            self._writer_conn.close()
            self._writer_conn = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session whose work is committed on success and rolled back on any error.

        A read-modify-write inside it is atomic when the row it modifies is loaded with
        `get_for_update` (PostgreSQL locks the row until the commit; on SQLite the whole transaction
        holds the write lock from its start, see `_sqlite_begin`)."""
        async with self._write_sessions() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        conn: Connection | None = getattr(self._readers, "conn", None)
        if conn is not None:
            conn.close()
        if self._reader is not None:
            self._reader.dispose()
        if self._writer_thread is not None:
            await asyncio.get_running_loop().run_in_executor(self._writer_thread, self._close_writer)
            self._writer_thread.shutdown()
            self._writer_thread = None
        if self._writer is not None:
            self._writer.dispose()
        await self.engine.dispose()


async def get_for_update(session: AsyncSession, model: type[M], key: Any) -> M | None:
    """The row `key` of `model` (None if absent), freshly read and locked until the end of the write
    transaction `session` belongs to: load every row that a transaction reads in order to change it with
    this, never with `session.get`, so that concurrent edits of one resource serialize instead of
    overwriting each other (`SELECT ... FOR UPDATE` on PostgreSQL; SQLite write transactions are already
    serialized whole)."""
    return await session.get(model, key, with_for_update=True, populate_existing=True)


def alembic_config(url: str, locations: Sequence[Path]) -> Any:
    """Alembic's configuration for `url` with the version directories `locations` (one per branch)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(PACKAGE_ROOT / "migrations"))
    cfg.set_main_option("version_locations", " ".join(str(p) for p in locations))
    cfg.set_main_option("path_separator", "space")
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _upgrade(connection: Connection, url: str, locations: Sequence[Path]) -> None:
    from alembic import command

    cfg = alembic_config(url, locations)
    cfg.attributes["connection"] = connection
    cfg.attributes["target_metadata"] = Base.metadata
    command.upgrade(cfg, "heads")


async def migrate_locations(db: Database, locations: Sequence[Path]) -> None:
    """Bring the schema to the newest revision of every branch whose version directory is in `locations`."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade, db.url, locations)
