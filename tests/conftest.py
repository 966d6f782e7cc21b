from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from db.engine import Database
from emulator import FakeTelegram, FakeUser
from tests.databases import empty_tables, prepare_postgres, prepare_sqlite
from tests.harness import TOKEN, Bot, FrozenClock, PatientChat

_prepared: dict[str, str] = {}


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A migrated, empty database of each kind; every test using it runs on both."""
    kind: str = request.param
    if kind not in _prepared:
        if kind == "sqlite":
            _prepared[kind] = await prepare_sqlite(tmp_path_factory.mktemp("sqlite"))
        else:
            _prepared[kind] = await prepare_postgres()
    database = Database.from_url(_prepared[kind])
    try:
        await empty_tables(database)
    finally:
        await database.dispose()
    return _prepared[kind]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def telegram(clock: FrozenClock) -> FakeTelegram:
    return FakeTelegram(bot_token=TOKEN, clock=clock)


async def _fixed_zone(latitude: float, longitude: float) -> str | None:
    """Stands in for the offline zone lookup where a test does not care about geography."""
    return "Europe/Berlin" if latitude > 0 else None


@pytest.fixture
async def bot(telegram: FakeTelegram, database_url: str, clock: FrozenClock) -> AsyncIterator[Bot]:
    instance = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    await instance.start()
    yield instance
    await instance.stop()


@pytest.fixture
def patient(telegram: FakeTelegram, bot: Bot) -> PatientChat:
    return PatientChat(telegram, FakeUser(id=5001, first_name="Ana", language_code="en"), bot)
