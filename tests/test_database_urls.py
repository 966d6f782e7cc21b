"""Database URLs in the forms the README gives are read the same everywhere."""

from __future__ import annotations

import pytest

from bot.settings import async_database_url
from tests.databases import postgres_url


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db:5432/reed", "postgresql+asyncpg://u:p@db:5432/reed"),
        ("postgres://u@db/reed", "postgresql+asyncpg://u@db/reed"),
        ("postgresql+asyncpg://u@db/reed", "postgresql+asyncpg://u@db/reed"),
        ("sqlite:///reed.db", "sqlite+aiosqlite:///reed.db"),
        ("sqlite+aiosqlite:///reed.db", "sqlite+aiosqlite:///reed.db"),
    ],
)
def test_plain_urls_get_the_async_driver(given: str, used: str) -> None:
    assert async_database_url(given) == used


@pytest.mark.parametrize(
    "url", ["mysql://u@db/reed", "postgresql+psycopg2://u@db/reed", "sqlite+pysqlite:///x.db"]
)
def test_other_drivers_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="postgresql:// or sqlite://"):
        async_database_url(url)


def test_the_test_database_url_takes_the_readme_form(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REED_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/other")
    assert postgres_url() == "postgresql+asyncpg://postgres@127.0.0.1:5432/other"
    monkeypatch.delenv("REED_TEST_POSTGRES_URL")
    assert postgres_url() == "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
