"""A new kind of proactive message is one module: enqueued by a rule, rendered, sent, recorded."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bench.seeding import Cohort, seed_cohort
from bot.domain.screens import Choice, Markup, Scope, Screen
from bot.outbox import Admission, ClaimStats, Outbox, Outgoing, Policy, enqueue
from db.engine import Database
from db.models import Delivery, DeliveryStatus, Patient, Therapist
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, FrozenClock

NOW = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


class Note:
    """A kind a rule enqueues (as a safety alert or a pain question would be)."""

    name = "notes"
    row_kinds = frozenset({"note"})
    urgent = False

    def __init__(self, *, broken: bool = False) -> None:
        self.broken = broken
        self.recorded: list[int] = []

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []  # nothing of its own schedule: rows are enqueued

    def admit(self, row: Delivery, patient: Patient | Therapist, now: datetime) -> Admission:
        return Admission(DeliveryStatus.CLAIMED, "note")

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        return items

    def render(self, variant: Hashable, language: str) -> Screen:
        if self.broken:
            raise KeyError(variant)
        return Screen(
            body=(Markup("<b>How is your knee this morning?</b>"),),
            choices=((Choice("Fine", "fine", scope=Scope.REMINDER),),),
        )

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        self.recorded += [item.delivery_id for item in sent]


async def setup(database: Database, telegram: FakeTelegram) -> int:
    cohort = Cohort(count=1)
    await seed_cohort(database, cohort, NOW - timedelta(days=1), due_at=NOW + timedelta(hours=1))
    telegram.users_have_started([FakeUser(id=cohort.first_telegram_id, first_name="P")])
    async with database.transaction() as session:
        patient_id = await session.scalar(select(Patient.id))
        assert patient_id is not None
        for _ in range(2):  # the same idempotency key twice: one row
            await enqueue(
                session,
                kind="note",
                patient_id=patient_id,
                local_date=date(2026, 3, 3),
                key="note",
                due_at=NOW,
            )
    return cohort.first_telegram_id


async def test_an_enqueued_kind_is_sent_once_and_recorded(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    chat_id = await setup(database, telegram)
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    note = Note()
    outbox = Outbox(database, [note], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        stats = await outbox.run_once(bot.application.bot)
        assert (await outbox.run_once(bot.application.bot)).claimed == 0
    finally:
        await bot.stop()
    assert stats.sent == 1
    [message] = telegram.bot_messages(chat_id)
    assert message.plain_text == "How is your knee this morning?"
    assert message.buttons == ["Fine"]
    async with database.transaction() as session:
        row = await session.scalar(select(Delivery))
    assert row is not None
    assert (row.status, row.kind) == ("sent", "note")
    assert note.recorded == [row.id]


async def test_a_kind_that_cannot_render_is_recorded_failed_and_retried_later(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    chat_id = await setup(database, telegram)
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    outbox = Outbox(database, [Note(broken=True)], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        await outbox.run_once(bot.application.bot)
        async with database.transaction() as session:
            row = await session.scalar(select(Delivery))
        assert row is not None
        assert (row.status, row.error, row.attempts) == ("failed", "KeyError", 1)
        assert row.retry_at == NOW + timedelta(minutes=1)
        assert (await outbox.run_once(bot.application.bot)).claimed == 0
        clock.advance(minutes=1)
        assert (await outbox.run_once(bot.application.bot)).claimed == 1
    finally:
        await bot.stop()
    assert telegram.bot_messages(chat_id) == []
