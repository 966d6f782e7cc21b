"""A patient sets up ReEd Coach end to end: real Application, real database, fake Telegram."""

from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from bot.domain import weekdays
from content.loader import load_content
from db.engine import Database
from db.models import ConsentRecord, Conversation, Patient, ReminderSlot
from db.queries import patient_by_telegram_id
from emulator import FakeChat
from tests.harness import PatientChat, texts


async def stored_patient(database: Database, telegram_user_id: int) -> Patient | None:
    async with database.transaction() as session:
        return await patient_by_telegram_id(session, telegram_user_id)


async def count(database: Database, model: type[object]) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def agree_and_pick_berlin(patient: PatientChat) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.press("Europe")
    await patient.press("Berlin")


async def test_patient_completes_onboarding_with_buttons_and_typed_time(
    patient: PatientChat, database: Database
) -> None:
    welcome = await patient.send("/start")
    assert "Welcome to ReEd Coach" in welcome[0].plain_text
    assert "not a clinician" in welcome[0].plain_text
    assert f"Consent version {load_content().consent_version}" in welcome[0].plain_text
    assert welcome[0].buttons == ["✅ I agree", "No, thanks"]
    # Before consent nothing is stored but the Telegram id and the step.
    assert await stored_patient(database, patient.user.id) is None

    after_consent = await patient.press("✅ I agree")
    consent_message = patient.current(welcome[0])
    assert "You agreed" in consent_message.plain_text
    assert consent_message.buttons == []
    assert "Which time zone" in after_consent[-1].plain_text

    await patient.press("Europe")
    assert "Berlin" in patient.last.buttons
    shown = await patient.press("Berlin")
    assert "Time zone set to Europe/Berlin" in shown[0].plain_text
    assert "daily drill reminder" in patient.last.plain_text

    await patient.press("✅ Yes, remind me")
    assert "On which days" in patient.last.plain_text
    await patient.press("✅ Sat")
    assert "Sat" in patient.last.buttons  # switched off: no tick any more
    await patient.press("Next »")
    assert "At what time" in patient.last.plain_text

    await patient.press("07:00")
    assert "✅ 07:00" in patient.last.buttons
    typed = await patient.send("19:05")
    assert "Chosen: 07:00, 19:05" in typed[-1].plain_text

    finished = await patient.press("Done ✔")
    summary = next(m.plain_text for m in finished if "You're all set" in m.plain_text)
    # Then, before any drill can reach them, the safety screen.
    assert "A quick safety check before your drills" in finished[-1].plain_text
    assert "Europe/Berlin" in summary
    assert "07:00, 19:05" in summary
    assert "Mon, Tue, Wed, Thu, Fri, Sun" in summary

    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.timezone == "Europe/Berlin"
    assert stored.reminders_opt_in is True
    assert stored.onboarded_at is not None
    assert [slot.local_time for slot in stored.reminder_slots] == [time(7, 0), time(19, 5)]
    assert weekdays.from_mask(stored.reminder_slots[0].weekdays) == {0, 1, 2, 3, 4, 6}
    async with database.transaction() as session:
        consent = (await session.scalars(select(ConsentRecord))).one()
    assert consent.version == load_content().consent_version
    assert consent.decision == "accepted"


async def test_declining_consent_stores_nothing(patient: PatientChat, database: Database) -> None:
    await patient.send("/start")
    reply = await patient.press("No, thanks")
    assert "nothing has been stored" in (texts(reply) + patient.last.plain_text)
    assert await count(database, Patient) == 0
    assert await count(database, Conversation) == 0


async def test_time_zone_by_offset_by_name_and_unknown(
    patient: PatientChat, database: Database
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")

    unknown = await patient.send("Mars/Olympus")
    assert "I don't know the time zone “Mars/Olympus”" in texts(unknown)
    assert (await stored_patient(database, patient.user.id)).timezone is None  # type: ignore[union-attr]

    offset = await patient.send("UTC+2")
    assert "Etc/GMT-2" in texts(offset)
    assert "does not change for daylight saving" in texts(offset)
    assert (await stored_patient(database, patient.user.id)).timezone == "Etc/GMT-2"  # type: ignore[union-attr]


async def test_time_zone_from_shared_location(patient: PatientChat, database: Database) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    asked = await patient.press("📍 Share my location")
    assert asked[-1].reply_keyboard[0][0]["request_location"] is True

    answered = await patient.share_location(52.52, 13.40)
    assert "Time zone set to Europe/Berlin" in texts(answered)
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.timezone == "Europe/Berlin"


async def test_unreadable_times_are_explained_and_nothing_is_lost(
    patient: PatientChat, database: Database
) -> None:
    await agree_and_pick_berlin(patient)
    await patient.press("✅ Yes, remind me")
    await patient.press("Next »")
    await patient.press("08:00")

    for bad in ("words", "25:99", "13pm"):
        reply = await patient.send(bad)
        assert f"couldn't read “{bad}” as a time" in texts(reply)
        assert "Chosen: 08:00" in reply[-1].plain_text

    sticker = await patient.send_sticker()
    assert "I can only read text" in texts(sticker)
    await patient.press("Done ✔")
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert [slot.local_time for slot in stored.reminder_slots] == [time(8, 0)]


async def test_not_now_leaves_reminders_off(patient: PatientChat, database: Database) -> None:
    await agree_and_pick_berlin(patient)
    finished = await patient.press("Not now")
    assert "Reminders: off" in texts(finished)
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.reminders_opt_in is False
    assert stored.onboarded_at is not None
    assert await count(database, ReminderSlot) == 0


async def test_cancel_then_resume_where_the_patient_stopped(patient: PatientChat) -> None:
    await agree_and_pick_berlin(patient)
    await patient.press("✅ Yes, remind me")
    await patient.press("Mon–Fri")
    days_message = patient.last

    cancelled = await patient.send("/cancel")
    assert "send /start to continue" in texts(cancelled)
    paused = await patient.send("8:00")
    assert "Setup is paused" in texts(paused)

    resumed = await patient.send("/start")
    assert "continue where you left off" in texts(resumed)
    assert "Now chosen: weekdays (Mon–Fri)" in resumed[-1].plain_text

    # The days message from before the pause is stale now: pressing it changes nothing.
    stale = await patient.press("✅ Mon", message=patient.current(days_message))
    assert "from an earlier message" in texts(stale)
    assert "Now chosen: weekdays (Mon–Fri)" in stale[-1].plain_text


async def test_forged_and_unknown_buttons_get_a_friendly_answer(
    patient: PatientChat, database: Database
) -> None:
    await patient.send("/start")
    consent = patient.last
    for data in ("zzz", "c|999|agree", "c|1|drop_tables", "c|1", "x" * 64):
        reply = await patient.forge_button(data, consent.message_id)
        assert "from an earlier message" in texts(reply)
    assert await count(database, Patient) == 0


async def test_group_chat_edits_and_huge_messages_change_nothing(
    patient: PatientChat, database: Database
) -> None:
    in_group = await patient.in_group(FakeChat(-100777, "group", "Rehab friends"), "/start")
    assert "only work in a private chat" in texts(in_group)
    assert await count(database, Conversation) == 0

    await agree_and_pick_berlin(patient)
    # Telegram delivers a 5,000-character paste as two messages: 4,096 and 904 characters.
    for part in ("x" * 4096, "x" * 904):
        huge = await patient.send(part)
        assert "too long" in texts(huge)
    edited = await patient.edit(patient.last_user_message_id(), "/start")
    assert "edited messages" in texts(edited)
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.timezone == "Europe/Berlin"


async def test_pressing_a_choice_that_changes_nothing_is_not_an_error(patient: PatientChat) -> None:
    await agree_and_pick_berlin(patient)
    await patient.press("✅ Yes, remind me")
    unchanged = await patient.press("Every day")  # every day is already chosen
    assert "went wrong" not in texts(unchanged)
    assert "Now chosen: every day" in patient.last.plain_text


async def test_unknown_user_is_asked_to_start(patient: PatientChat) -> None:
    reply = await patient.send("hello")
    assert "Send /start to begin" in texts(reply)


async def test_settings_change_time_zone_and_reminders(
    patient: PatientChat, database: Database
) -> None:
    await agree_and_pick_berlin(patient)
    await patient.press("Not now")

    menu = await patient.send("/settings")
    assert "Your settings" in menu[-1].plain_text
    await patient.press("🕒 Change time zone")
    saved = await patient.send("America/New_York")
    assert "Saved" in texts(saved)
    assert "America/New_York" in texts(saved)

    await patient.send("/settings")
    await patient.press("⏰ Change reminder days and times")
    await patient.press("Next »")
    await patient.send("7pm")
    await patient.press("Done ✔")
    assert "Reminders: every day at 19:00" in patient.last.plain_text

    await patient.send("/settings")
    await patient.press("🔕 Turn reminders off")
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.timezone == "America/New_York"
    assert stored.reminders_opt_in is False
    assert [slot.local_time for slot in stored.reminder_slots] == [time(19, 0)]


async def test_blocking_and_unblocking_marks_the_patient(
    patient: PatientChat, database: Database
) -> None:
    await agree_and_pick_berlin(patient)
    await patient.block()
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.is_active is False
    await patient.unblock()
    stored = await stored_patient(database, patient.user.id)
    assert stored is not None
    assert stored.is_active is True


async def test_help_and_unknown_commands(patient: PatientChat) -> None:
    assert "/settings" in texts(await patient.send("/help"))
    assert "don't know that command" in texts(await patient.send("/frobnicate"))
