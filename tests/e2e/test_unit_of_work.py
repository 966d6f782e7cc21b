"""One unit of work per update: browsing only reads, so it never waits for SQLite's writer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from db.engine import Database
from tests.e2e.test_library import onboard, progress
from tests.harness import PatientChat, texts

# Far below SQLite's 30 s busy timeout: a reply that waited for the write lock would miss it.
PROMPTLY = 5.0


@contextmanager
def writer_holding_the_lock(database_url: str) -> Iterator[None]:
    """Another process in the middle of a long write (a reminder wave, a migration)."""
    path = database_url.split(":///", 1)[1]
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


# PostgreSQL has no database-wide write lock to wait for: this is SQLite's case only.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_browsing_answers_while_another_process_writes(
    patient: PatientChat, database_url: str, database: Database
) -> None:
    await onboard(patient)
    with writer_holding_the_lock(database_url):
        menu = await asyncio.wait_for(patient.send("/drills"), PROMPTLY)
        assert "drills" in texts(menu).lower()
        methods = await asyncio.wait_for(patient.press("By method"), PROMPTLY)
        assert len(methods[0].buttons) > 3
        lessons = await asyncio.wait_for(patient.send("/learn"), PROMPTLY)
        assert "You have read 0 of" in texts(lessons)
        languages = await asyncio.wait_for(patient.send("/language"), PROMPTLY)
        assert "✅ English" in languages[-1].buttons
    # Opening a lesson is recorded: that takes the write lock, once it is free.
    await patient.press("▶️ Start: Having strength vs using it", message=lessons[-1])
    assert list(await progress(database)) == ["strength_vs_control"]
