"""Reminders reach patients at their local time, once, and their answers are recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.domain.reminders import pause, resume
from db.engine import Database
from db.models import Delivery, DrillSession, Patient
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, FrozenClock, PatientChat, texts

# The clock starts on Monday 2026-03-02 at 09:00 UTC (10:00 in Berlin).
TUESDAY_0730_BERLIN = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)

# The line a skip or pause adds when its reason may mean the patient's condition changed.
SAFETY_LINE = (
    "If it is much worse than usual, you feel feverish or unwell, or it isn't settling, "
    "contact your therapist (see /safety)."
)


async def onboard(patient: PatientChat, zone: str = "Europe/Berlin", at: str = "7:30") -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send(zone)
    await patient.press("✅ Yes, remind me")
    await patient.press("Next »")
    await patient.send(at)
    await patient.press("Done ✔")
    await patient.press("✅ None of these apply to me")  # the safety screen


async def ledger(database: Database) -> list[Delivery]:
    async with database.transaction() as session:
        return list(await session.scalars(select(Delivery).order_by(Delivery.id)))


async def stored(database: Database, patient: PatientChat) -> Patient:
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
    assert found is not None
    return found


async def reminded_on_tuesday(patient: PatientChat, bot: Bot, clock: FrozenClock) -> None:
    """Set up with a 07:30 Berlin reminder, and let Tuesday's reminder go out."""
    await onboard(patient)
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()


def reminders_in(patient: PatientChat) -> list[str]:
    return [m.plain_text for m in patient.new_messages() if "drills" in m.plain_text]


async def test_reminder_arrives_at_local_time_once(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    patient.new_messages()

    clock.now = TUESDAY_0730_BERLIN - timedelta(minutes=1)
    await bot.dispatch()
    assert reminders_in(patient) == []

    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    reminder = patient.last
    assert "Time for today's drills" in reminder.plain_text
    assert "Why:" in reminder.plain_text
    assert reminder.buttons == [
        "📋 Heel-to-toe stance",
        "📋 Sit-to-stand with knees in line",
        "✅ Done",
        "⏰ In 30 min",
        "⏰ In 1 hour",
        "Skip today",
        "❓ Why this drill?",
    ]
    await bot.dispatch()
    clock.advance(minutes=5)
    await bot.dispatch()
    assert len(patient.new_messages()) == 1
    rows = await ledger(database)
    assert [(row.status, row.slot_key, str(row.local_date)) for row in rows] == [
        ("sent", "07:30", "2026-03-03")
    ]


async def test_done_records_the_session(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded_on_tuesday(patient, bot, clock)
    answered = await patient.press("✅ Done")
    assert "Done. Nice work" in answered[0].plain_text
    assert answered[0].buttons == ["📝 Finish the check-in"]
    assert "How much pain did you feel during the drill?" in answered[-1].plain_text
    async with database.transaction() as session:
        sessions = list(await session.scalars(select(DrillSession)))
    assert len(sessions) == 2  # the starter plan shows two drills per reminder
    assert (await ledger(database))[0].response == "done"
    again = await patient.forge_button(
        f"r|{(await ledger(database))[0].id}|done", answered[0].message_id
    )
    assert again == []  # only a notice: "You already answered this reminder."


async def test_snooze_comes_back_without_moving_the_schedule(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded_on_tuesday(patient, bot, clock)
    snoozed = await patient.press("⏰ In 30 min")
    assert "remind you again at 08:00" in snoozed[0].plain_text
    patient.new_messages()

    clock.advance(minutes=29)
    await bot.dispatch()
    assert patient.new_messages() == []
    clock.advance(minutes=1)
    await bot.dispatch()
    assert "Time for today's drills" in texts(patient.new_messages())

    clock.now = TUESDAY_0730_BERLIN + timedelta(days=1)
    await bot.dispatch()
    assert "Time for today's drills" in texts(patient.new_messages())
    rows = await ledger(database)
    assert [(row.kind, row.slot_key) for row in rows] == [
        ("reminder", "07:30"),
        ("snooze", "07:30~1"),
        ("reminder", "07:30"),
    ]


async def test_skip_with_a_reason_and_explain(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded_on_tuesday(patient, bot, clock)
    reminder = patient.last
    explained = await patient.press("❓ Why this drill?", message=reminder)
    assert "Takeaway" in texts(explained[1:])
    asked = await patient.press("Skip today", message=patient.current(reminder))
    assert "say why" in asked[0].plain_text
    done = await patient.press("Too sore today", message=asked[0])
    assert "Skipped today (Too sore today)" in done[0].plain_text
    row = (await ledger(database))[0]
    assert (row.response, row.skip_reason) == ("skipped", "sore")


@pytest.mark.parametrize(
    ("button", "points_to_safety"),
    [("Too sore today", True), ("Feeling unwell", True), ("Travelling", False), ("No time", False)],
)
async def test_skipping_because_sore_or_unwell_says_when_to_contact_the_therapist(
    patient: PatientChat, bot: Bot, clock: FrozenClock, button: str, points_to_safety: bool
) -> None:
    await reminded_on_tuesday(patient, bot, clock)
    asked = await patient.press("Skip today", message=patient.last)
    done = await patient.press(button, message=asked[0])
    assert f"Skipped today ({button})" in done[0].plain_text
    assert (SAFETY_LINE in done[0].plain_text) is points_to_safety


async def test_a_patient_who_reads_german_gets_the_safety_line_in_german(
    patient: PatientChat, bot: Bot, clock: FrozenClock
) -> None:
    await onboard(patient)
    await patient.send("/language")
    await patient.press("Deutsch")
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    asked = await patient.press("Heute auslassen", message=patient.last)
    done = await patient.press("Heute zu schmerzhaft", message=asked[0])
    assert "wenden Sie sich an Ihre Therapeutin oder Ihren Therapeuten (siehe /safety)" in (
        done[0].plain_text
    )


async def test_patient_who_never_opted_in_gets_nothing(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send("Europe/Berlin")
    await patient.press("Not now")
    patient.new_messages()
    for day in range(3):
        clock.now = TUESDAY_0730_BERLIN + timedelta(days=day)
        await bot.dispatch()
    assert patient.new_messages() == []
    assert await ledger(database) == []


async def test_pause_and_resume(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
        assert found is not None
        pause(found, clock.now, clock.now + timedelta(days=2), "travel")
    patient.new_messages()
    for day in range(2):
        clock.now = TUESDAY_0730_BERLIN + timedelta(days=day)
        await bot.dispatch()
    assert patient.new_messages() == []
    clock.now = TUESDAY_0730_BERLIN + timedelta(days=2)
    await bot.dispatch()
    assert "Time for today's drills" in texts(patient.new_messages())
    assert [row.status for row in await ledger(database)] == ["paused", "paused", "sent"]

    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
        assert found is not None
        pause(found, clock.now, None, "illness")
    clock.now += timedelta(days=1)
    await bot.dispatch()
    assert patient.new_messages() == []
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
        assert found is not None
        resume(found, clock.now)
    clock.now += timedelta(days=1)
    await bot.dispatch()
    assert "Time for today's drills" in texts(patient.new_messages())


async def test_downtime_inside_the_grace_window_sends_late(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    clock.now = TUESDAY_0730_BERLIN + timedelta(minutes=90)  # the bot was down until 09:00
    await bot.dispatch()
    assert "a little late" in patient.last.plain_text
    row = (await ledger(database))[0]
    assert (row.status, row.late) == ("sent", True)


async def test_downtime_beyond_the_grace_window_is_recorded_missed_not_burst(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN + timedelta(days=3, hours=3)  # down for three days
    await bot.dispatch()
    assert patient.new_messages() == []
    rows = await ledger(database)
    assert [(row.status, str(row.local_date)) for row in rows] == [
        ("missed", "2026-03-03"),
        ("missed", "2026-03-04"),
        ("missed", "2026-03-05"),
        ("missed", "2026-03-06"),
    ]
    clock.now = TUESDAY_0730_BERLIN + timedelta(days=4)
    await bot.dispatch()
    assert len(reminders_in(patient)) == 1


async def test_changing_time_zone_never_repeats_a_day(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded_on_tuesday(patient, bot, clock)
    # Later that morning the patient flies west and sets New York, where it is still night.
    clock.now = TUESDAY_0730_BERLIN + timedelta(hours=2)
    await patient.send("/settings")
    await patient.press("🕒 Change time zone")
    await patient.send("America/New_York")
    patient.new_messages()
    clock.now = datetime(2026, 3, 3, 12, 30, tzinfo=UTC)  # 07:30 in New York, same date
    await bot.dispatch()
    assert patient.new_messages() == []  # Tuesday's reminder was already sent
    clock.now = datetime(2026, 3, 4, 12, 30, tzinfo=UTC)
    await bot.dispatch()
    assert len(reminders_in(patient)) == 1
    assert [str(row.local_date) for row in await ledger(database) if row.status == "sent"] == [
        "2026-03-03",
        "2026-03-04",
    ]


async def test_blocked_patient_is_marked_inactive_and_not_retried(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database, telegram: FakeTelegram
) -> None:
    await onboard(patient)
    # Blocking without the bot noticing (the my_chat_member update is not delivered).
    telegram.user_blocks_bot(patient.user)
    telegram.pop_pending_updates()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    assert (await ledger(database))[0].status == "failed"
    assert (await stored(database, patient)).is_active is False
    clock.now += timedelta(days=1)
    stats = await bot.dispatch()
    assert stats.claimed == 0


async def test_restart_between_claim_and_send_loses_nothing(
    telegram: FakeTelegram, database_url: str, clock: FrozenClock, database: Database
) -> None:
    first = Bot(telegram, database_url, clock, lease_seconds=60)
    await first.start()
    ana = PatientChat(telegram, FakeUser(id=7301, first_name="Ana"), first)
    await onboard(ana)
    ana.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    # The first process claims the reminder, then dies before sending it.
    async with database.transaction() as session:
        claimed = await first.services.outbox.claim(session, clock.now)
    assert len(claimed) == 1
    await first.stop()

    second = Bot(telegram, database_url, clock, lease_seconds=60)
    await second.start()
    try:
        await second.dispatch()
        assert ana.new_messages() == []  # the claim is still leased to the dead process
        clock.advance(seconds=61)
        await second.dispatch()
        assert len(reminders_in(ana)) == 1
        await second.dispatch()
        assert ana.new_messages() == []
    finally:
        await second.stop()


async def test_ignored_reminders_thin_out_then_ask_if_still_there(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient, at="7:30, 19:00")
    patient.new_messages()
    sent_per_day = []
    for day in range(6):
        for hour in (6, 18):  # 07:30 and 19:00 in Berlin (UTC+1 in March)
            clock.now = datetime(2026, 3, 3, hour, 30 if hour == 6 else 0, tzinfo=UTC) + timedelta(
                days=day
            )
            await bot.dispatch()
        sent_per_day.append(len(patient.new_messages()))
    assert sent_per_day[:2] == [2, 1]  # after three unanswered, only the morning one
    still_there = [
        m for m in patient.telegram.bot_messages(patient.chat_id) if "Still there?" in m.plain_text
    ]
    assert len(still_there) == 1
    await patient.press("👍 I'm here, keep going", message=still_there[0])
    assert (await stored(database, patient)).unanswered_reminders == 0
    thinned = [row for row in await ledger(database) if row.status == "thinned"]
    assert thinned
