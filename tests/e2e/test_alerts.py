"""Therapist alerts and the day's flags as a therapist meets them: a patient's red flag or pain
rule reaches their therapist's chat at the next outbox run, with the patient's name, what
happened in the catalogue's words and when in the therapist's time; critical ones at once day
or night and once more after 30 minutes unless acknowledged; low ones at night wait for the
morning; silent patients and low adherence come once, in one message a day, never at night.

The patient lives in Berlin (UTC+1 in March), the therapist in Tokyo (UTC+9, no DST): the
therapist's night (21:00-07:00) is 12:00-22:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.alerts import NOTICE
from bot.outbox import alerts as outbox_alerts
from db import care_queries
from db.engine import Database
from db.models import Delivery, SafetyEvent
from emulator import FakeTelegram, FakeUser
from emulator.objects import BotEventKind
from tests import care
from tests.e2e.test_reminders import onboard
from tests.harness import Bot, FrozenClock, PatientChat, texts

TOKYO = "Asia/Tokyo"
DR_ANA = 7001
DR_BEN = 7002
CRITICAL = "Critical: Ana K."
CHEST_PAIN = "Red flag in a message they typed: chest pain, pressure or tightness."
NOT_YET = "Not acknowledged yet"
ACK = "✅ Acknowledge"
OPEN = "📋 Open record"
NOT_IN_CARE = "That patient is not in your care"
FLAGS_TITLE = "Patients to look at"


async def register(database: Database, user_id: int, zone: str = TOKYO) -> None:
    await care.add_therapist(database, user_id, f"Dr. {user_id}", zone=zone)


async def therapist_chat(
    telegram: FakeTelegram, bot: Bot, database: Database, user_id: int = DR_ANA
) -> PatientChat:
    """A registered therapist in Tokyo who has opened their chat with the bot."""
    await register(database, user_id)
    chat = PatientChat(telegram, FakeUser(id=user_id, first_name="Dr"), bot)
    await chat.send("/help")
    chat.new_messages()
    return chat


async def link(
    database: Database, patient: PatientChat, therapist_user_id: int, name: str = "Ana K."
) -> int:
    """Put the patient in the therapist's care (as the invites feature does); their id."""
    async with database.transaction() as session:
        therapist = await care_queries.therapist_by_telegram_id(session, therapist_user_id)
    assert therapist is not None
    linked = datetime(2026, 3, 2, tzinfo=UTC)
    return await care.put_in_care(database, patient.user.id, therapist.id, name, linked)


async def events(database: Database) -> list[SafetyEvent]:
    async with database.transaction() as session:
        return list(await session.scalars(select(SafetyEvent).order_by(SafetyEvent.id)))


async def alert_rows(database: Database, *kinds: str) -> list[Delivery]:
    """The ledger rows of alerts (or of ``kinds``) sent to therapists, in order."""
    async with database.transaction() as session:
        rows = await session.scalars(
            select(Delivery)
            .where(Delivery.kind.in_(kinds or ("alert", "alert_again")))
            .order_by(Delivery.id)
        )
        return list(rows)


async def store_event(
    database: Database, patient_id: int, at: datetime, severity: str, flag: str, source: str
) -> None:
    async with database.transaction() as session:
        session.add(
            SafetyEvent(
                patient_id=patient_id, occurred_at=at, severity=severity, flag=flag, source=source
            )
        )


async def at(bot: Bot, clock: FrozenClock, when: datetime, chat: PatientChat) -> list[str]:
    """What the therapist receives from the outbox run at ``when``."""
    clock.now = when
    await bot.dispatch()
    return [message.plain_text for message in chat.new_messages()]


def toasts(telegram: FakeTelegram) -> list[str | None]:
    return [
        event.text for event in telegram.events() if event.kind is BotEventKind.CALLBACK_ANSWERED
    ]


# -- alerts ----------------------------------------------------------------------------------


async def test_a_typed_red_flag_reaches_the_therapist_at_the_next_run(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)

    await patient.send("I have crushing chest pain since this morning")  # Mon 09:00 UTC
    clock.advance(seconds=10)  # the outbox runs every 10 s
    await bot.dispatch()
    [alert] = doctor.new_messages()
    assert CRITICAL in alert.plain_text
    assert CHEST_PAIN in alert.plain_text
    assert "Mon 02.03.2026, 18:00 (JST)" in alert.plain_text  # the therapist's time
    assert "told them to stop and call emergency services" in alert.plain_text
    assert "crushing" not in alert.plain_text  # never the patient's words
    assert alert.buttons == [ACK, OPEN]
    [event] = await events(database)
    assert event.delivered_at == clock.now

    clock.advance(seconds=10)
    await bot.dispatch()
    assert doctor.new_messages() == []  # once


async def test_a_critical_alert_at_three_in_the_therapists_night_goes_at_once(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    clock.now = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 03:00 in Tokyo
    await patient.send("I have chest pain")
    received = await at(bot, clock, clock.now + timedelta(seconds=10), doctor)
    assert len(received) == 1
    assert CRITICAL in received[0]
    assert "Tue 03.03.2026, 03:00 (JST)" in received[0]


async def test_a_low_alert_at_23_waits_for_seven_in_the_therapists_morning(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    patient_id = await link(database, patient, DR_ANA)
    night = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 23:00 in Tokyo, 15:00 in Berlin
    await store_event(database, patient_id, night, "low", "worse_mornings", "morning")

    assert await at(bot, clock, night, doctor) == []
    assert await at(bot, clock, datetime(2026, 3, 2, 21, 59, tzinfo=UTC), doctor) == []
    [alert] = await at(bot, clock, datetime(2026, 3, 2, 22, 0, tzinfo=UTC), doctor)  # 07:00
    assert "For your attention: Ana K." in alert
    assert (
        "Pain rule at the next-morning check: pain worse than before the drill two mornings "
        "in a row." in alert
    )
    assert "Mon 02.03.2026, 23:00 (JST)" in alert


async def test_an_unacknowledged_critical_alert_is_repeated_once_after_30_minutes(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    await patient.send("I have chest pain")
    sent = clock.now
    [first] = await at(bot, clock, sent, doctor)
    assert NOT_YET not in first

    assert await at(bot, clock, sent + timedelta(minutes=29, seconds=59), doctor) == []
    [repeat] = await at(bot, clock, sent + timedelta(minutes=30), doctor)
    assert NOT_YET in repeat
    assert CRITICAL in repeat
    assert CHEST_PAIN in repeat
    assert await at(bot, clock, sent + timedelta(hours=3), doctor) == []
    [event] = await events(database)
    assert [(row.slot_key, row.status) for row in await alert_rows(database)] == [
        (f"a{event.id}", "sent"),
        (f"a{event.id}~r", "sent"),
    ]


async def test_an_acknowledged_critical_alert_is_not_repeated(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    await patient.send("I have chest pain")
    sent = clock.now
    await at(bot, clock, sent, doctor)

    clock.now = sent + timedelta(minutes=12)
    [edited] = await doctor.press(ACK)
    assert "✅ Acknowledged: Mon 02.03.2026, 18:12 (JST)" in edited.plain_text
    assert CHEST_PAIN in edited.plain_text  # the alert is still there to read
    assert edited.buttons == [OPEN]
    assert toasts(telegram)[-1] == "Acknowledged"
    [event] = await events(database)
    assert event.acknowledged_at == sent + timedelta(minutes=12)

    assert await at(bot, clock, sent + timedelta(minutes=30), doctor) == []
    assert [row.status for row in await alert_rows(database)] == ["sent", "obsolete"]


async def test_a_second_press_changes_nothing(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    await patient.send("I have chest pain")
    await at(bot, clock, clock.now, doctor)
    alert = doctor.last_with_buttons()
    ack_data = next(button.data for button in alert.inline_keyboard[0] if button.text == ACK)
    assert ack_data is not None
    acked_at = clock.now
    await doctor.press(ACK)

    clock.advance(minutes=5)
    await doctor.forge_button(ack_data, alert.message_id)  # pressed again, from an old copy
    assert toasts(telegram)[-1] == "Already acknowledged at 18:00. Nothing changed."
    [event] = await events(database)
    assert event.acknowledged_at == acked_at


async def test_another_therapists_crafted_acknowledge_is_refused(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    other = await therapist_chat(telegram, bot, database, DR_BEN)
    await link(database, patient, DR_ANA)
    await patient.send("I have chest pain")
    await at(bot, clock, clock.now, doctor)
    [event] = await events(database)

    await other.send("/help")
    replies = await other.forge_button(f"t|al_ack|{event.id}", other.last.message_id)
    assert NOT_IN_CARE in texts(replies)
    replies = await other.forge_button("t|al_ack|999999", other.last.message_id)
    assert NOT_IN_CARE in texts(replies)
    [event] = await events(database)
    assert event.acknowledged_at is None


async def test_events_before_the_link_are_delivered_once_linked_and_only_once(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    other = await therapist_chat(telegram, bot, database, DR_BEN)
    await patient.send("I have chest pain")
    assert await at(bot, clock, clock.now + timedelta(minutes=1), doctor) == []
    [event] = await events(database)
    assert event.delivered_at is None

    await link(database, patient, DR_ANA)
    [alert] = await at(bot, clock, clock.now + timedelta(minutes=1), doctor)
    assert CRITICAL in alert
    assert "Mon 02.03.2026, 18:00 (JST)" in alert
    assert await at(bot, clock, clock.now + timedelta(minutes=1), doctor) == []

    await link(database, patient, DR_BEN)  # a change of therapist: nothing is sent again
    assert await at(bot, clock, clock.now + timedelta(minutes=1), other) == []


async def test_an_event_a_day_old_when_linked_is_history_and_waits_for_the_morning(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await patient.send("I have chest pain")  # Mon 09:00 UTC
    await link(database, patient, DR_ANA)
    assert await at(bot, clock, datetime(2026, 3, 3, 13, 0, tzinfo=UTC), doctor) == []  # 22:00
    [alert] = await at(bot, clock, datetime(2026, 3, 3, 22, 0, tzinfo=UTC), doctor)
    assert CRITICAL in alert  # what it was, though it is not news any more
    later = await at(bot, clock, datetime(2026, 3, 4, 1, 0, tzinfo=UTC), doctor)
    assert [text for text in later if CRITICAL in text] == []  # no repeat


async def test_a_patient_who_left_has_their_waiting_alerts_dropped(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    patient_id = await link(database, patient, DR_ANA)
    night = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    await store_event(database, patient_id, night, "low", "worse_mornings", "morning")
    assert await at(bot, clock, night, doctor) == []  # waits for 07:00 in Tokyo
    async with database.transaction() as session:
        assert await care_queries.end_link(session, patient_id, "left", night)

    assert await at(bot, clock, datetime(2026, 3, 2, 22, 0, tzinfo=UTC), doctor) == []
    assert [row.status for row in await alert_rows(database)] == ["obsolete"]


async def test_a_therapist_who_blocked_the_bot_is_sent_nothing(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    await doctor.block()
    await patient.send("I have chest pain")
    await at(bot, clock, clock.now, doctor)
    await patient.send("I have sudden trouble speaking")
    await at(bot, clock, clock.now + timedelta(hours=1), doctor)
    alerts = [m for m in telegram.bot_messages(DR_ANA) if CRITICAL in m.plain_text]
    assert alerts == []
    async with database.transaction() as session:
        therapist = await care_queries.therapist_by_telegram_id(session, DR_ANA)
        assert therapist is not None
        assert not therapist.is_active
    assert [row.status for row in await alert_rows(database)] == ["failed"]  # no repeat either
    _first, second = await events(database)
    assert second.delivered_at is None  # kept until they are back


# -- flags -----------------------------------------------------------------------------------

# Reminders at 07:30 in Berlin (06:30 UTC) on Tuesday, Wednesday and Thursday, none answered.
TUESDAY_0730 = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
# 09:00 on Friday in Tokyo: Thursday 24:00 UTC, 01:00 on Friday in Berlin.
FRIDAY_0900_TOKYO = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)


async def unanswered_reminders(bot: Bot, clock: FrozenClock, *chats: PatientChat) -> None:
    for day in range(3):
        clock.now = TUESDAY_0730 + timedelta(days=day)
        await bot.dispatch()
        for chat in chats:
            assert "Time for today's drills" in texts(chat.new_messages())


async def test_silent_patients_are_flagged_once_in_one_message_never_before_nine(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    second = PatientChat(telegram, FakeUser(id=5002, first_name="Bo", language_code="en"), bot)
    await onboard(patient)
    await onboard(second)
    await unanswered_reminders(bot, clock, patient, second)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    await link(database, second, DR_ANA, name="Bo L.")

    assert await at(bot, clock, FRIDAY_0900_TOKYO - timedelta(minutes=1), doctor) == []
    [flags] = await at(bot, clock, FRIDAY_0900_TOKYO, doctor)
    assert FLAGS_TITLE in flags
    assert (
        "Ana K.: has not answered any reminder for 3 days, did less than 50% of their "
        "sessions in the last 7 days" in flags
    )
    assert "Bo L.: has not answered any reminder for 3 days" in flags
    assert doctor.last.buttons == ["📋 Ana K.", "📋 Bo L."]
    notices = [event for event in await events(database) if event.severity == NOTICE]
    assert sorted((event.flag, event.source) for event in notices) == [
        ("low_adherence", "adherence"),
        ("low_adherence", "adherence"),
        ("silent", "adherence"),
        ("silent", "adherence"),
    ]

    # The same day, and the next days of the same silence: nothing more.
    assert await at(bot, clock, FRIDAY_0900_TOKYO + timedelta(hours=3), doctor) == []
    assert await at(bot, clock, FRIDAY_0900_TOKYO + timedelta(days=1), doctor) == []
    flag_rows = await alert_rows(database, "flags")
    assert [(row.local_date.isoformat(), row.status) for row in flag_rows] == [
        ("2026-03-06", "sent"),
        ("2026-03-07", "obsolete"),
    ]


async def test_flags_are_never_sent_at_night(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    await unanswered_reminders(bot, clock, patient)
    doctor = await therapist_chat(telegram, bot, database)
    await link(database, patient, DR_ANA)
    # Friday 21:00 to Saturday 06:59 in Tokyo, the first time the outbox looks for flags.
    friday_night = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    assert await at(bot, clock, friday_night, doctor) == []
    assert await at(bot, clock, friday_night + timedelta(hours=9, minutes=59), doctor) == []
    # 07:00 ends the night, but flags wait for 09:00.
    assert await at(bot, clock, friday_night + timedelta(hours=10), doctor) == []
    [flags] = await at(bot, clock, friday_night + timedelta(hours=12), doctor)
    assert FLAGS_TITLE in flags


async def test_therapists_waiting_for_their_flags_are_judged_in_the_next_batches(
    patient: PatientChat,
    telegram: FakeTelegram,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox_alerts, "FLAGS_THERAPISTS_PER_RUN", 1)
    second = PatientChat(telegram, FakeUser(id=5002, first_name="Bo", language_code="en"), bot)
    await onboard(patient)
    await onboard(second)
    await unanswered_reminders(bot, clock, patient, second)
    ana = await therapist_chat(telegram, bot, database)
    ben = await therapist_chat(telegram, bot, database, DR_BEN)
    await link(database, patient, DR_ANA)
    await link(database, second, DR_BEN, name="Bo L.")

    clock.now = FRIDAY_0900_TOKYO
    stats = await bot.dispatch()  # one therapist per batch; the run takes batches until done
    assert stats.sent == 2
    assert "Ana K." in texts(ana.new_messages())
    assert "Bo L." in texts(ben.new_messages())
