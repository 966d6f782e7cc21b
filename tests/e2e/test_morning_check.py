"""The next-morning pain check as a patient meets it: after a day with drills, one message at
their first reminder time asks how much pain they have and how it compares with before
yesterday's drill; two taps, each stored; "worse" two mornings in a row stops the drills."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.domain.reminders import pause
from db.engine import Database
from db.models import Delivery, DrillSession, DrillStop, MorningCheck, SafetyEvent
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser, StoredMessage
from emulator.objects import BotEventKind
from tests.e2e.test_reminders import onboard, stored
from tests.harness import Bot, FrozenClock, PatientChat, texts

# The clock starts on Monday 2026-03-02; the patient's reminder is at 07:30 in Berlin (UTC+1).
TUESDAY_0730 = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
WEDNESDAY_0730 = TUESDAY_0730 + timedelta(days=1)
THURSDAY_0730 = TUESDAY_0730 + timedelta(days=2)
WEDNESDAY = date(2026, 3, 4)

QUESTION = "Good morning. How much pain do you have this morning?"
COMPARED = "Compared with before yesterday's drill, is your pain…"
SCORES = [str(score) for score in range(11)]
CHOICES = ["Better", "About the same", "Worse"]
RED_FLAG_SCREEN = "A quick safety check before your drills."


async def arrivals(
    patient: PatientChat, bot: Bot, clock: FrozenClock, at: datetime
) -> list[StoredMessage]:
    """What the outbox sends the patient at ``at``."""
    clock.now = at
    await bot.dispatch()
    return patient.new_messages()


def reminders(messages: list[StoredMessage]) -> list[StoredMessage]:
    return [message for message in messages if "Time for today's drills" in message.plain_text]


def morning_checks(messages: list[StoredMessage]) -> list[StoredMessage]:
    return [message for message in messages if QUESTION in message.plain_text]


async def press_done(patient: PatientChat, reminder: StoredMessage) -> None:
    await patient.press("✅ Done", message=reminder)
    patient.new_messages()  # whatever follows Done (the check-in) is not this test's business


async def drills_done(patient: PatientChat, bot: Bot, clock: FrozenClock, at: datetime) -> None:
    """Let the reminder due ``at`` go out, and press Done on it."""
    [reminder] = reminders(await arrivals(patient, bot, clock, at))
    await press_done(patient, reminder)


async def next_morning(patient: PatientChat, bot: Bot, clock: FrozenClock) -> StoredMessage:
    """Wednesday 07:30: the morning after Tuesday's drills; the check that arrives."""
    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    [check] = morning_checks(patient.new_messages())
    return check


async def answers(database: Database) -> list[tuple[date, int | None, str | None]]:
    async with database.transaction() as session:
        rows = await session.scalars(select(MorningCheck).order_by(MorningCheck.local_date))
        return [(row.local_date, row.pain, row.compared) for row in rows]


async def ledger(database: Database) -> list[Delivery]:
    async with database.transaction() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.kind == "morning").order_by(Delivery.id)
        )
        return list(rows)


def toasts(telegram: FakeTelegram, since: int) -> list[str | None]:
    return [
        event.text
        for event in telegram.events(since)
        if event.kind is BotEventKind.CALLBACK_ANSWERED
    ]


def last_event(telegram: FakeTelegram) -> int:
    events = telegram.events()
    return events[-1].seq if events else 0


async def test_after_a_day_with_drills_the_check_comes_at_the_first_reminder_time(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)

    clock.now = WEDNESDAY_0730 - timedelta(minutes=1)
    await bot.dispatch()
    assert morning_checks(patient.new_messages()) == []

    check = await next_morning(patient, bot, clock)
    assert check.plain_text.startswith(QUESTION)
    assert "0 = No pain · 10 = Worst pain imaginable" in check.plain_text
    assert COMPARED in check.plain_text
    assert check.buttons == [*SCORES, *CHOICES]

    scored = await patient.press("4", message=check)
    assert "Pain this morning: 4/10" in scored[0].plain_text
    assert scored[0].buttons == CHOICES
    assert await answers(database) == [(WEDNESDAY, 4, None)]

    summary = await patient.press("Better", message=check)
    assert summary[0].buttons == []
    assert "Morning check saved" in summary[0].plain_text
    assert "Compared with before yesterday's drill: Better" in summary[0].plain_text
    assert "Carry on with your drills as planned" in summary[0].plain_text
    assert await answers(database) == [(WEDNESDAY, 4, "better")]

    clock.advance(minutes=30)
    await bot.dispatch()
    assert morning_checks(patient.new_messages()) == []
    [row] = await ledger(database)
    assert (row.status, row.local_date, row.due_at) == ("sent", WEDNESDAY, WEDNESDAY_0730)


async def test_no_drills_no_check(patient: PatientChat, bot: Bot, clock: FrozenClock) -> None:
    await onboard(patient)
    clock.now = TUESDAY_0730
    await bot.dispatch()  # Tuesday's reminder, not answered
    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    assert morning_checks(patient.new_messages()) == []


async def test_drills_done_twice_in_a_day_bring_one_check(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await patient.send("/reminders")
    await patient.press("➕ Add or remove a time")
    await patient.send("19:00")
    await patient.press("Done ✔")
    patient.new_messages()
    await drills_done(patient, bot, clock, TUESDAY_0730)
    await drills_done(patient, bot, clock, datetime(2026, 3, 3, 18, 0, tzinfo=UTC))

    await next_morning(patient, bot, clock)  # exactly one, at 07:30, the first of the two
    clock.now = WEDNESDAY_0730 + timedelta(hours=12)
    await bot.dispatch()
    assert morning_checks(patient.new_messages()) == []
    assert len(await ledger(database)) == 1


async def test_a_paused_patient_is_not_asked(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
        assert found is not None
        pause(found, clock.now, None, "break")
    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    assert patient.new_messages() == []
    assert [row.status for row in await ledger(database)] == ["paused"]


async def test_a_patient_who_blocked_the_bot_is_not_asked(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    await patient.block()
    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    assert patient.new_messages() == []
    assert [row.status for row in await ledger(database)] == ["failed"]


async def test_a_check_due_in_quiet_hours_waits_for_their_end(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await patient.send("/reminders")
    await patient.press("🌙 Quiet hours")
    await patient.press("21:00–08:00")
    patient.new_messages()
    await drills_done(patient, bot, clock, TUESDAY_0730)

    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    assert "Time for today's drills" in texts(patient.new_messages())  # on time: not held back
    clock.now = datetime(2026, 3, 4, 6, 59, tzinfo=UTC)
    await bot.dispatch()
    assert patient.new_messages() == []
    clock.now = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
    await bot.dispatch()
    assert len(morning_checks(patient.new_messages())) == 1


async def test_a_patient_on_a_safety_hold_is_still_asked_about_their_pain(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    await patient.send("my foot drags")  # a red flag: drills and reminders are held
    assert (await stored(database, patient)).safety_hold is not None
    patient.new_messages()
    clock.now = WEDNESDAY_0730
    await bot.dispatch()
    [check] = patient.new_messages()
    assert QUESTION in check.plain_text


async def test_a_forged_button_from_another_patient_is_refused(
    telegram: FakeTelegram,
    patient: PatientChat,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    other = PatientChat(telegram, FakeUser(id=5002, first_name="Ben", language_code="en"), bot)
    await onboard(other)
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    check = await next_morning(patient, bot, clock)
    [row] = await ledger(database)

    other.new_messages()  # Ben's own reminders
    since = last_event(telegram)
    forged = await other.forge_button(f"r|{row.id}|compared|worse", other.last.message_id)
    assert forged == []
    assert toasts(telegram, since) == ["That button has expired."]
    assert await answers(database) == []
    assert patient.current(check).buttons == [*SCORES, *CHOICES]


async def test_the_same_answer_twice_is_stored_once(
    telegram: FakeTelegram,
    patient: PatientChat,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    check = await next_morning(patient, bot, clock)
    [row] = await ledger(database)
    await patient.press("4", message=check)
    shown = patient.current(check).plain_text

    since = last_event(telegram)
    for replayed in ("4", "7"):  # a double tap, and a stale copy of the keyboard
        assert await patient.forge_button(f"r|{row.id}|pain|{replayed}", check.message_id) == []
    assert toasts(telegram, since) == ["You already answered that."] * 2
    assert await answers(database) == [(WEDNESDAY, 4, None)]
    assert patient.current(check).plain_text == shown


async def test_a_button_after_both_answers_gets_a_plain_reply(
    telegram: FakeTelegram,
    patient: PatientChat,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    check = await next_morning(patient, bot, clock)
    [row] = await ledger(database)
    await patient.press("About the same", message=check)
    await patient.press("2", message=check)

    since = last_event(telegram)
    stale = await patient.forge_button(f"r|{row.id}|compared|worse", check.message_id)
    assert stale == []
    assert toasts(telegram, since) == ["You already answered this morning's check. Thank you!"]
    assert await answers(database) == [(WEDNESDAY, 2, "same")]


async def test_bad_button_data_changes_nothing(
    telegram: FakeTelegram,
    patient: PatientChat,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    check = await next_morning(patient, bot, clock)
    [row] = await ledger(database)
    since = last_event(telegram)
    for data in ("pain|11", "pain|-1", "pain|7.5", "compared|usual", "explain"):
        assert await patient.forge_button(f"r|{row.id}|{data}", check.message_id) == []
    assert toasts(telegram, since) == ["That button has expired."] * 5
    assert await answers(database) == []


async def test_a_check_left_until_the_next_day_is_closed(
    telegram: FakeTelegram,
    patient: PatientChat,
    bot: Bot,
    clock: FrozenClock,
    database: Database,
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)
    check = await next_morning(patient, bot, clock)
    clock.now = datetime(2026, 3, 4, 23, 0, tzinfo=UTC)  # midnight in Berlin
    since = last_event(telegram)
    await patient.press("Worse", message=check)
    assert toasts(telegram, since) == [
        "This morning's check has closed. I'll ask again after your next drills."
    ]
    assert await answers(database) == []


async def test_worse_two_mornings_in_a_row_stops_the_drills_and_tells_the_therapist(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await drills_done(patient, bot, clock, TUESDAY_0730)

    # Wednesday: worse once. The pain has not settled: easier next time, nothing stops.
    wednesday = await arrivals(patient, bot, clock, WEDNESDAY_0730)
    [check], [reminder] = morning_checks(wednesday), reminders(wednesday)
    await patient.press("3", message=check)
    summary = await patient.press("Worse", message=check)
    assert "Use the easier version next time" in summary[0].plain_text
    assert summary[1:] == []
    await press_done(patient, reminder)
    names = [button.removeprefix("📋 ") for button in reminder.buttons if "📋" in button]
    async with database.transaction() as session:
        done = set(
            await session.scalars(
                select(DrillSession.drill_id).where(DrillSession.completed_at >= WEDNESDAY_0730)
            )
        )
    assert len(done) == len(names) > 0

    # Thursday: worse again. Wednesday's drills stop; the therapist gets an event.
    clock.now = THURSDAY_0730
    await bot.dispatch()
    [thursday] = morning_checks(patient.new_messages())
    answered = await patient.press("Worse", message=thursday)
    stop, screen = answered[1:]
    assert f"Please stop {', '.join(names)} for now" in stop.plain_text
    assert "contact your therapist before you start again" in stop.plain_text
    assert RED_FLAG_SCREEN in screen.plain_text
    assert "✅ None of these apply to me" in screen.buttons
    async with database.transaction() as session:
        events = list(await session.scalars(select(SafetyEvent)))
        stops = list(await session.scalars(select(DrillStop)))
    assert [(e.severity, e.flag, e.source) for e in events] == [
        ("low", "worse_mornings", "morning")
    ]
    assert {s.drill_id for s in stops} == done
    assert {(s.reason, s.cleared_at) for s in stops} == {("worse_mornings", None)}

    # The pain score completes the check; the red-flag screen is not shown twice.
    finished = await patient.press("2", message=thursday)
    assert "Yesterday's drills are paused" in finished[0].plain_text
    assert finished[0].buttons == []
    assert finished[1:] == []
    assert [(pain, compared) for _, pain, compared in await answers(database)] == [
        (3, "worse"),
        (2, "worse"),
    ]
