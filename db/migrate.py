"""Run Alembic migrations from code, so `reed db upgrade`, `reed run` and the tests share them."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would read a % in a password as a reference.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration. Alembic is synchronous, so it runs in a worker thread."""
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")
