"""Many reminders at once: racing outbox runs, Telegram's flood limits, one bad row among many."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from bot.bench.seeding import Cohort, seed_cohort
from bot.domain import weekdays
from db.engine import Database
from db.models import Delivery, Patient, ReminderSlot
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


async def test_a_patient_whose_zone_cannot_be_loaded_does_not_hold_up_the_others(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    cohort = await prepared(database, telegram, 300)
    # Written straight into the database (the zone parser refuses it at input): due first,
    # so it heads the first batch.
    async with database.transaction() as session:
        mars = Patient(
            telegram_user_id=42,
            chat_id=42,
            created_at=NOW - timedelta(days=1),
            timezone="Mars/Olympus",
            reminders_opt_in=True,
            is_active=True,
        )
        session.add(mars)
        await session.flush()
        session.add(
            ReminderSlot(
                patient_id=mars.id,
                local_time=time(7, 30),
                weekdays=weekdays.to_mask(weekdays.ALL_DAYS),
                created_at=NOW - timedelta(days=1),
                next_due_at=NOW - timedelta(minutes=1),
            )
        )
    telegram.users_have_started([FakeUser(id=42, first_name="Bad")])
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    await bot.start()
    try:
        first = await bot.dispatch()
        assert first.sent == 300  # everyone else, in the same run
        assert set(sends_per_chat(telegram, cohort).values()) == {1}
        row = await mars_row(database)
        assert (row.status, row.error, row.attempts) == ("failed", "ZoneInfoNotFoundError", 1)
        assert row.retry_at == NOW + timedelta(minutes=1)

        clock.advance(seconds=59)  # before its back-off: not taken up, not in anyone's way
        assert (await bot.dispatch()).ledger == {}
        assert (await mars_row(database)).attempts == 1

        clock.advance(seconds=1)
        assert (await bot.dispatch()).ledger == {"failed": 1}
        row = await mars_row(database)
        assert (row.attempts, row.retry_at) == (2, clock.now + timedelta(minutes=2))
        assert telegram.bot_messages(42) == []
        async with database.transaction() as session:
            slot = await session.scalar(
                select(ReminderSlot).where(ReminderSlot.patient_id == mars.id)
            )
        assert slot is not None
        assert slot.next_due_at == NOW + timedelta(days=1, minutes=-1)
    finally:
        await bot.stop()


async def mars_row(database: Database) -> Delivery:
    async with database.transaction() as session:
        row = await session.scalar(
            select(Delivery).join(Patient).where(Patient.telegram_user_id == 42)
        )
    assert row is not None
    return row
