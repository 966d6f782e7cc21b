"""The weekly summary as a therapist meets it: it arrives by itself on Monday at 08:00 in the
therapist's zone, once, with its chart, CSV and PDF; /summary gives it on demand; a patient who
left is not in it; someone who is not a therapist is refused; day and time change by buttons."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import select

from db import care_queries
from db.engine import Database
from db.models import CheckIn, Delivery, DrillSession, Patient, Therapist
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, FrozenClock, PatientChat, texts

SATURDAY = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
# Monday 9 March 2026, 08:00 in Berlin (UTC+1).
MONDAY_0800 = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
THERAPIST_USER = 7101


async def _patient(database: Database, telegram_id: int, zone: str) -> int:
    async with database.transaction() as session:
        patient = Patient(
            telegram_user_id=telegram_id, chat_id=telegram_id, created_at=SATURDAY, timezone=zone
        )
        session.add(patient)
        await session.flush()
        return patient.id


async def _week(database: Database) -> None:
    """A therapist in Berlin with Anna (a reminder done on Tuesday, pain 4 during it) and
    Bernd, who left on Sunday."""
    async with database.transaction() as session:
        therapist = Therapist(
            telegram_user_id=THERAPIST_USER,
            chat_id=THERAPIST_USER,
            name="Dr. Ana Ruiz",
            created_at=SATURDAY,
            language="en",
            timezone="Europe/Berlin",
        )
        session.add(therapist)
        await session.flush()
        therapist_id = therapist.id
    anna = await _patient(database, 8101, "Europe/Berlin")
    bernd = await _patient(database, 8102, "Europe/Berlin")
    async with database.transaction() as session:
        await care_queries.link_patient(session, anna, therapist_id, "Anna", SATURDAY)
        await care_queries.link_patient(session, bernd, therapist_id, "Bernd", SATURDAY)
        reminder = Delivery(
            patient_id=anna,
            local_date=date(2026, 3, 3),
            slot_key="07:30",
            kind="reminder",
            due_at=datetime(2026, 3, 3, 6, 30, tzinfo=UTC),
            status="sent",
            response="done",
        )
        session.add(reminder)
        await session.flush()
        drill = DrillSession(
            patient_id=anna,
            delivery_id=reminder.id,
            drill_id="wall_slide",
            completed_at=datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
        )
        session.add(drill)
        await session.flush()
        session.add(
            CheckIn(
                patient_id=anna,
                drill_session_id=drill.id,
                drill_id="wall_slide",
                started_at=datetime(2026, 3, 3, 7, 0, tzinfo=UTC),
                pain_during=4,
                form_score="partial",
            )
        )
    async with database.transaction() as session:
        await care_queries.end_link(session, bernd, "left", datetime(2026, 3, 8, 9, tzinfo=UTC))


async def _next_summary_at(database: Database) -> datetime | None:
    async with database.transaction() as session:
        return await session.scalar(
            select(Therapist.next_summary_at).where(Therapist.telegram_user_id == THERAPIST_USER)
        )


def _therapist_chat(telegram: FakeTelegram, bot: Bot) -> PatientChat:
    user = FakeUser(id=THERAPIST_USER, first_name="Ana", language_code="en")
    telegram.users_have_started([user])
    return PatientChat(telegram, user, bot)


async def test_the_summary_comes_on_monday_at_eight_in_the_therapists_zone_once(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await _week(database)
    therapist = _therapist_chat(telegram, bot)
    clock.now = SATURDAY
    await bot.dispatch()
    # Registration left the time empty: it is set now, and nothing is sent yet.
    assert await _next_summary_at(database) == MONDAY_0800
    assert therapist.new_messages() == []

    clock.now = datetime(2026, 3, 9, 6, 59, tzinfo=UTC)
    await bot.dispatch()
    assert therapist.new_messages() == []

    clock.now = MONDAY_0800
    await bot.dispatch()
    arrived = therapist.new_messages()
    text = texts(arrived)
    assert "Weekly summary for Dr. Ana Ruiz, 02.03.–08.03.2026: 1 patient," in text
    assert "Anna: 100% · 1d · 4.0 (–) / 4 (–) · 1 · – · 1/30" in text
    assert "Bernd" not in text  # left on Sunday
    files = [message.document.filename for message in arrived if message.document]
    assert files == ["summary-2026-03-02.csv", "summary-2026-03-02.pdf"]
    assert sum(1 for message in arrived if message.photo) == 1
    csv = next(message.document for message in arrived if message.document).data
    assert b"Anna" in csv
    assert b"Bernd" not in csv
    # The weekly message, like /summary, says when it comes and offers to change it.
    [when] = [message for message in arrived if message.buttons]
    assert when.plain_text == "Your summary comes every Monday at 08:00 (Europe/Berlin)."
    assert when.buttons == ["🗓 Change day/time"]
    asked = texts(await therapist.press("🗓 Change day/time", message=when))
    assert "On which day should the weekly summary come?" in asked

    clock.advance(seconds=10)
    await bot.dispatch()
    assert therapist.new_messages() == []  # once
    assert await _next_summary_at(database) == datetime(2026, 3, 16, 7, 0, tzinfo=UTC)


async def test_summary_on_demand_and_a_new_day_and_time_by_buttons(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await _week(database)
    therapist = _therapist_chat(telegram, bot)
    clock.now = MONDAY_0800
    replies = await therapist.send("/summary")
    assert "Weekly summary for Dr. Ana Ruiz" in texts(replies)
    assert "Your summary comes every Monday at 08:00 (Europe/Berlin)." in texts(replies)

    await therapist.press("🗓 Change day/time")
    await therapist.press("Wednesday")
    saved = texts(await therapist.press("18:00"))
    assert "every Wednesday at 18:00 (Europe/Berlin), next on 2026-03-11 18:00" in saved
    assert await _next_summary_at(database) == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)

    moved = texts(await therapist.send("/summary zone Tokyo"))
    assert "Time zone saved: Asia/Tokyo" in moved
    assert await _next_summary_at(database) == datetime(2026, 3, 11, 9, 0, tzinfo=UTC)
    unknown = texts(await therapist.send("/summary zone Atlantis"))
    assert "I don't know the time zone “Atlantis”" in unknown


async def test_summary_from_someone_who_is_not_a_therapist_is_refused(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    await _week(database)
    clock.now = MONDAY_0800
    reply = texts(await patient.send("/summary"))
    assert "This is for therapists." in reply
    assert "Anna" not in reply


async def test_the_weekly_time_follows_the_summer_time_change(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await _week(database)
    async with database.transaction() as session:
        therapist = await session.scalar(select(Therapist))
        assert therapist is not None
        therapist.summary_time = time(8)
        therapist.next_summary_at = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)  # 08:00 CET
    clock.now = datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
    await bot.dispatch()
    # Clocks go forward on 29 March: 08:00 CEST is 06:00 UTC.
    assert await _next_summary_at(database) == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
