"""The async engine, the session factory and the unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 30_000
# PostgreSQL connections kept open: enough for every update handled at once
# (bot.updates.UPDATE_CONCURRENCY) and the outbox's two, so none is opened per update.
POOL_SIZE = 20
# An execution option that marks a unit of work as read-only: on SQLite it begins DEFERRED,
# so it never waits for (or holds) the one write lock.
READ_ONLY = "reed_read_only"


def dialect_insert(session: AsyncSession, model: Any) -> Any:
    """An INSERT of the session's dialect, for ``ON CONFLICT`` clauses (SQLite or PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Build the engine with the settings each backend needs to share work safely."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, echo=echo)
        _configure_sqlite(engine)
        return engine
    return create_async_engine(
        database_url, echo=echo, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=10
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, a busy timeout, foreign keys, and IMMEDIATE transactions.

    pysqlite's own transaction handling starts transactions lazily and in DEFERRED mode, which
    lets two writers deadlock on the upgrade from read to write lock. We turn it off and begin
    every transaction as IMMEDIATE, so writers queue on the busy timeout instead. A unit of
    work marked read-only begins DEFERRED: under WAL it reads beside a writer, never waiting.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


class Database:
    """Owns the engine and hands out one transaction per unit of work."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        # SQLite has one writer at a time. This process's writers take turns here, each woken
        # the moment the one before it commits; left to SQLite's busy handler they would poll
        # for the lock, sleeping up to 100 ms between tries, while updates of other chats run
        # side by side. Writers in other processes still meet the busy timeout.
        self._writers = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @classmethod
    def from_url(cls, database_url: str) -> Database:
        return cls(create_engine(database_url))

    @asynccontextmanager
    async def transaction(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits when the block ends, rolls back and re-raises on error.

        ``read_only`` promises that nothing will be written, so SQLite need not take its write
        lock; a write attempted anyway fails instead of waiting.
        """
        async with self._turn_to_write(read_only), self.sessions() as session, session.begin():
            if read_only:
                await session.connection(execution_options={READ_ONLY: True})
            yield session

    def _turn_to_write(self, read_only: bool) -> AbstractAsyncContextManager[object]:
        if self._writers is None or read_only:
            return nullcontext()
        return self._writers

    async def ping(self) -> None:
        """Fail fast at start-up when the database is unreachable."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
