"""The databases the suite runs on: a SQLite file and, for real, PostgreSQL.

Migrations run once per database per session (so they are tested too); each test then starts
from empty tables.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.settings import async_database_url
from db.engine import Database
from db.migrate import upgrade_to_head
from db.models import Base

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> str:
    """``REED_TEST_POSTGRES_URL`` in any form DATABASE_URL takes (``postgresql://...`` too)."""
    return async_database_url(os.environ.get("REED_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


def postgres_required() -> bool:
    """In CI an unreachable PostgreSQL fails the run; on a laptop without one it skips."""
    return bool(os.environ.get("CI")) or bool(os.environ.get("REED_REQUIRE_POSTGRES"))


async def prepare_postgres() -> str:
    url = postgres_url()
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    except (OSError, ConnectionError) as error:
        message = f"PostgreSQL at {url} is unreachable: {error}"
        if postgres_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    finally:
        await engine.dispose()
    await upgrade_to_head(url)
    return url


async def prepare_sqlite(folder: Path) -> str:
    url = f"sqlite+aiosqlite:///{folder / 'reed-test.db'}"
    await upgrade_to_head(url)
    return url


async def empty_tables(database: Database) -> None:
    async with database.transaction() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(table.delete())
