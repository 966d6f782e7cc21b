"""Outbox rows addressed to a therapist: sent to the therapist's chat in their language, once
per idempotency key; a therapist who blocked the bot is no longer written to; a kind may load
what its rows show for the whole batch, and may send several messages and files itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot as TelegramBot

from bot.bench.seeding import Cohort, seed_cohort
from bot.domain.screens import Attachment, Markup, Screen
from bot.outbox import Admission, ClaimStats, Outbox, Outgoing, Policy, enqueue
from bot.rendering import send_attachments
from content.messages import Messages
from db.engine import Database
from db.models import Delivery, DeliveryStatus, Patient, Therapist
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, FrozenClock

NOW = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
THERAPIST_USER = 7001


class Digest:
    """A therapist kind: its text names what ``prepare`` loaded for the batch."""

    name = "digests"
    row_kinds = frozenset({"digest"})
    urgent = False

    def __init__(self, *, drop: bool = False) -> None:
        self.drop = drop
        self.seen: list[Patient | Therapist] = []

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []

    def admit(self, row: Delivery, recipient: Patient | Therapist, now: datetime) -> Admission:
        self.seen.append(recipient)
        return Admission(DeliveryStatus.CLAIMED, row.subject_id)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        if self.drop:
            return []
        return [dataclasses.replace(item, variant=f"about {item.subject_id}") for item in items]

    def render(self, variant: Hashable, language: str) -> Screen:
        return Screen(body=(Markup(f"<b>{variant}</b> ({language})"),))

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        pass


class Report(Digest):
    """A kind that sends itself: a text and a document."""

    name = "reports"
    row_kinds = frozenset({"report"})
    urgent = False

    async def send(self, bot: TelegramBot, item: Outgoing, messages: Messages) -> int:
        sent = await bot.send_message(item.chat_id, "Weekly report")
        attachment = Attachment("report.csv", lambda _messages: b"a,b\n1,2\n")
        await send_attachments(bot, item.chat_id, [attachment], messages)
        return sent.message_id


async def _therapist(database: Database, telegram: FakeTelegram) -> int:
    telegram.users_have_started([FakeUser(id=THERAPIST_USER, first_name="Ana")])
    async with database.transaction() as session:
        therapist = Therapist(
            telegram_user_id=THERAPIST_USER,
            chat_id=THERAPIST_USER,
            name="Dr. Ana Ruiz",
            created_at=NOW,
            language="de",
        )
        session.add(therapist)
        await session.flush()
        for _ in range(2):  # the same key twice: one row
            await enqueue(
                session,
                kind="digest",
                therapist_id=therapist.id,
                subject_id=42,
                local_date=date(2026, 3, 3),
                key="digest",
                due_at=NOW,
            )
        return therapist.id


async def test_a_row_for_a_therapist_goes_to_their_chat_once_with_what_prepare_loaded(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    await _therapist(database, telegram)
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    digest = Digest()
    outbox = Outbox(database, [digest], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        stats = await outbox.run_once(bot.application.bot)
        assert (await outbox.run_once(bot.application.bot)).claimed == 0
    finally:
        await bot.stop()
    assert stats.sent == 1
    [message] = telegram.bot_messages(THERAPIST_USER)
    assert message.plain_text == "about 42 (de)"
    assert [type(recipient) for recipient in digest.seen] == [Therapist]


async def test_a_row_prepare_cannot_load_is_failed_and_retried(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    await _therapist(database, telegram)
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    outbox = Outbox(database, [Digest(drop=True)], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        await outbox.run_once(bot.application.bot)
    finally:
        await bot.stop()
    async with database.transaction() as session:
        row = await session.scalar(select(Delivery))
    assert row is not None
    assert (row.status, row.attempts, row.retry_at is not None) == ("failed", 1, True)
    assert telegram.bot_messages(THERAPIST_USER) == []


async def test_a_therapist_who_blocked_the_bot_is_marked_inactive(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    therapist_id = await _therapist(database, telegram)
    telegram.user_blocks_bot(FakeUser(id=THERAPIST_USER, first_name="Ana"))
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    outbox = Outbox(database, [Digest()], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        stats = await outbox.run_once(bot.application.bot)
    finally:
        await bot.stop()
    assert stats.blocked == 1
    async with database.transaction() as session:
        therapist = await session.get(Therapist, therapist_id)
        row = await session.scalar(select(Delivery))
    assert therapist is not None
    assert row is not None
    assert therapist.is_active is False
    assert (row.status, row.retry_at) == ("failed", None)


async def test_a_kind_that_sends_itself_sends_its_text_and_files(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    therapist_id = await _therapist(database, telegram)
    async with database.transaction() as session:
        await enqueue(
            session,
            kind="report",
            therapist_id=therapist_id,
            local_date=date(2026, 3, 3),
            key="report",
            due_at=NOW,
        )
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    outbox = Outbox(database, [Digest(), Report()], bot.services.messages, clock, Policy())
    await bot.start()
    try:
        stats = await outbox.run_once(bot.application.bot)
    finally:
        await bot.stop()
    assert stats.sent == 2
    messages = telegram.bot_messages(THERAPIST_USER)
    assert sorted(m.plain_text or "" for m in messages if m.kind == "text") == [
        "Weekly report",
        "about 42 (de)",
    ]
    [document] = [m.document for m in messages if m.document is not None]
    assert (document.filename, document.data) == ("report.csv", b"a,b\n1,2\n")


async def test_a_message_goes_to_a_patient_or_a_therapist_never_both(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(ValueError, match="patient or to a therapist"):
            await enqueue(session, kind="digest", local_date=date(2026, 3, 3), key="x", due_at=NOW)
        with pytest.raises(ValueError, match="patient or to a therapist"):
            await enqueue(
                session,
                kind="digest",
                patient_id=1,
                therapist_id=1,
                local_date=date(2026, 3, 3),
                key="x",
                due_at=NOW,
            )


class Alarm(Digest):
    """An urgent therapist kind, as alerts are."""

    name = "alarms"
    row_kinds = frozenset({"digest"})
    urgent = True


async def test_an_urgent_kinds_row_goes_out_in_the_first_batch_of_a_reminder_wave(
    telegram: FakeTelegram, database_url: str, database: Database
) -> None:
    await _therapist(database, telegram)
    cohort = Cohort(count=12)
    await seed_cohort(database, cohort, NOW - timedelta(days=1), due_at=NOW)
    telegram.users_have_started([FakeUser(id=user, first_name="P") for user in cohort.telegram_ids])
    clock = FrozenClock(NOW)
    bot = Bot(telegram, database_url, clock)
    kinds = [bot.services.outbox.kinds["reminders"], Alarm()]
    outbox = Outbox(database, kinds, bot.services.messages, clock, Policy(batch_size=5))
    await bot.start()
    try:
        first = await outbox.run_once(bot.application.bot, max_batches=1)
    finally:
        await bot.stop()
    # Five rows in the batch: the alarm first, then four of the twelve reminders.
    assert first.sent == 5
    [alarm] = telegram.bot_messages(THERAPIST_USER)
    assert alarm.plain_text == "about 42 (de)"
