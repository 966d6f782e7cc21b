"""Many reminders at once: racing dispatchers, Telegram's flood limits, replies during a wave."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.bench.seeding import Cohort, seed_cohort
from db.engine import Database
from db.models import Delivery
from emulator import FakeTelegram, FakeUser, FloodLimits
from tests.harness import TOKEN, Bot, FrozenClock

NOW = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


def sends_per_chat(telegram: FakeTelegram, cohort: Cohort) -> Counter[int]:
    return Counter(
        {chat_id: len(telegram.bot_messages(chat_id)) for chat_id in cohort.telegram_ids}
    )


async def prepared(database: Database, telegram: FakeTelegram, count: int) -> Cohort:
    cohort = Cohort(count=count)
    await seed_cohort(database, cohort, NOW - timedelta(days=1), due_at=NOW)
    telegram.users_have_started(FakeUser(id=i, first_name="P") for i in cohort.telegram_ids)
    return cohort


async def test_two_dispatchers_racing_send_each_reminder_exactly_once(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    cohort = await prepared(database, telegram, 1000)
    clock = FrozenClock(NOW)
    first = Bot(telegram, database_url, clock)
    second = Bot(telegram, database_url, clock)
    await first.start()
    await second.start()
    try:
        results = await asyncio.gather(first.dispatch(), second.dispatch())
    finally:
        await first.stop()
        await second.stop()
    assert set(sends_per_chat(telegram, cohort).values()) == {1}
    assert sum(result.sent for result in results) == 1000
    async with database.transaction() as session:
        statuses = await session.execute(
            select(Delivery.status, func.count()).group_by(Delivery.status)
        )
        assert dict(statuses.all()) == {"sent": 1000}


async def test_a_429_storm_delays_reminders_but_loses_none(
    database_url: str, database: Database
) -> None:
    ticks = [0.0]
    telegram = FakeTelegram(
        bot_token=TOKEN,
        flood_limits=FloodLimits(global_per_second=40, per_chat_per_second=1),
        monotonic=lambda: ticks[0],
    )
    cohort = await prepared(database, telegram, 150)
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock, lease_seconds=30)
    await bot.start()
    try:
        rounds = 0
        while sum(sends_per_chat(telegram, cohort).values()) < cohort.count:
            await bot.dispatch()
            clock.advance(seconds=31)  # claims refused with 429 are retried after the lease
            ticks[0] += 1.0  # and Telegram's one-second window has moved on
            rounds += 1
            assert rounds < 10
    finally:
        await bot.stop()
    assert telegram.stats.too_many_requests > 0
    assert set(sends_per_chat(telegram, cohort).values()) == {1}
