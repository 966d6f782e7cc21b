"""/reminders: pause with a reason, resume, add a time, quiet hours, stop and start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Delivery
from tests.e2e.test_reminders import (
    SAFETY_LINE,
    TUESDAY_0730_BERLIN,
    onboard,
    reminders_in,
    stored,
)
from tests.harness import Bot, FrozenClock, PatientChat, texts


async def test_pause_for_travel_then_resume_early(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    menu = await patient.send("/reminders")
    assert "Your reminders" in menu[-1].plain_text
    await patient.press("⏸ Pause")
    await patient.press("Travel")
    paused = await patient.press("3 days")
    assert "Reminders paused" in paused[0].plain_text
    assert "Paused until 2026-03-05 10:00 (Travel)" in paused[0].plain_text
    assert SAFETY_LINE not in paused[0].plain_text
    stored_patient = await stored(database, patient)
    assert stored_patient.pause_reason == "travel"

    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    assert reminders_in(patient) == []

    await patient.send("/reminders")
    resumed = await patient.press("▶️ Resume")
    assert "Reminders resumed" in resumed[0].plain_text
    clock.now += timedelta(days=1)
    await bot.dispatch()
    assert len(reminders_in(patient)) == 1


@pytest.mark.parametrize(("button", "reason"), [("Illness", "illness"), ("Flare-up", "flare_up")])
async def test_pausing_for_illness_or_a_flare_up_says_when_to_contact_the_therapist(
    patient: PatientChat, database: Database, button: str, reason: str
) -> None:
    await onboard(patient)
    await patient.send("/reminders")
    await patient.press("⏸ Pause")
    await patient.press(button)
    paused = await patient.press("1 week")
    assert "Reminders paused" in paused[0].plain_text
    assert SAFETY_LINE in paused[0].plain_text
    assert f"({button})" in paused[0].plain_text
    assert (await stored(database, patient)).pause_reason == reason


async def test_add_a_second_daily_time(patient: PatientChat, bot: Bot, clock: FrozenClock) -> None:
    await onboard(patient)
    await patient.send("/reminders")
    await patient.press("➕ Add or remove a time")
    await patient.send("19:00")
    saved = await patient.press("Done ✔")
    assert "every day at 07:30, 19:00" in saved[0].plain_text
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    clock.now = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)  # 19:00 in Berlin
    await bot.dispatch()
    assert len(reminders_in(patient)) == 2


async def test_a_snooze_into_quiet_hours_waits_for_the_morning(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient, at="21:45")
    await patient.send("/reminders")
    await patient.press("🌙 Quiet hours")
    saved = await patient.press("22:00–07:00")
    assert "Quiet hours: 22:00–07:00" in saved[0].plain_text
    clock.now = datetime(2026, 3, 2, 20, 45, tzinfo=UTC)  # 21:45 in Berlin
    await bot.dispatch()
    snoozed = await patient.press("⏰ In 30 min")
    assert "remind you again at 07:00" in snoozed[0].plain_text
    async with database.transaction() as session:
        snooze = (await session.scalars(select(Delivery).where(Delivery.kind == "snooze"))).one()
    assert snooze.due_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


async def test_stop_and_start_reminders(patient: PatientChat, bot: Bot, clock: FrozenClock) -> None:
    await onboard(patient)
    await patient.send("/reminders")
    stopped = await patient.press("🔕 Stop reminders")
    assert "Reminders: off" in texts(stopped)
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    assert reminders_in(patient) == []
    await patient.send("/reminders")
    started = await patient.press("🔔 Start reminders")
    assert "Reminders: every day at 07:30" in texts(started)
    clock.now += timedelta(days=1)
    await bot.dispatch()
    assert len(reminders_in(patient)) == 1
