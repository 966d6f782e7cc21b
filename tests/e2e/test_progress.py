"""/progress: this week's sessions and the streak over a chart of the last four weeks, sent as
a photo; a friendly word instead of an empty chart; "start first" before consent."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.screens import Screen
from bot.flows.progress import progress_of
from bot.handlers.render import figure_of
from bot.turns import TelegramUser
from db.engine import Database
from db.models import CheckIn, Delivery, DrillSession, MorningCheck, PlanChange
from emulator import FakeTelegram, FakeUser, StoredMessage
from tests.e2e.test_reminders import TUESDAY_0730_BERLIN, onboard, stored
from tests.harness import Bot, FrozenClock, PatientChat, texts

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOTHING_YET = "Nothing to show yet."

# The history below: the patient joined on Monday 2 March 2026 (Berlin) and is asked on
# Friday 13 March at 11:00 in Berlin.
FRIDAY_13_MARCH = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)
# Each day's reminder (07:30 in Berlin) and what became of it: done, with the highest pain
# reported that day; skipped; or no answer.
HISTORY: dict[date, tuple[str | None, int | None]] = {
    date(2026, 3, 3): ("done", 2),
    date(2026, 3, 4): ("done", 4),
    date(2026, 3, 5): ("done", None),  # done, the check-in left before the pain question
    date(2026, 3, 6): ("skipped", None),
    date(2026, 3, 9): ("done", 3),
    date(2026, 3, 10): (None, None),  # no answer: a day that breaks the streak
    date(2026, 3, 11): ("done", 1),
    date(2026, 3, 12): ("done", 2),
}
MORNING_PAIN = {date(2026, 3, 5): 3, date(2026, 3, 12): 1}
PLAN_ACCEPTED = datetime(2026, 3, 9, 18, 0, tzinfo=UTC)  # Monday 9 March, 19:00 in Berlin


def photos(messages: list[StoredMessage]) -> list[StoredMessage]:
    return [message for message in messages if message.photo is not None]


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


async def seed_history(database: Database, patient: PatientChat) -> None:
    """Two weeks of reminders, answers, check-ins, morning checks and plan changes, as the
    bot would have stored them."""
    record = await stored(database, patient)
    async with database.transaction() as session:
        for day, (response, pain) in HISTORY.items():
            due = datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC)
            delivery = Delivery(
                patient_id=record.id,
                local_date=day,
                slot_key="07:30",
                kind="reminder",
                due_at=due,
                status="sent",
                sent_at=due,
                drill_ids="tandem_stance,sit_to_stand",
                response=response,
                responded_at=due + timedelta(hours=1) if response else None,
            )
            session.add(delivery)
            await session.flush()
            if response != "done":
                continue
            for drill, drill_pain in (("tandem_stance", pain), ("sit_to_stand", 1)):
                drill_session = DrillSession(
                    patient_id=record.id,
                    delivery_id=delivery.id,
                    drill_id=drill,
                    completed_at=due + timedelta(hours=1),
                )
                session.add(drill_session)
                await session.flush()
                session.add(
                    CheckIn(
                        patient_id=record.id,
                        drill_session_id=drill_session.id,
                        drill_id=drill,
                        started_at=due + timedelta(hours=1),
                        pain_during=drill_pain if pain is not None else None,
                        pain_now=drill_pain - 1 if pain is not None and drill_pain else None,
                        form={},
                    )
                )
        for day, morning in MORNING_PAIN.items():
            session.add(
                MorningCheck(
                    patient_id=record.id,
                    local_date=day,
                    compared="same",
                    pain=morning,
                    answered_at=datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
                )
            )
        for status, decided in (
            ("accepted", PLAN_ACCEPTED),
            ("declined", PLAN_ACCEPTED + timedelta(days=2)),  # no marker: nothing changed
        ):
            session.add(
                PlanChange(
                    patient_id=record.id,
                    suggested_at=decided - timedelta(minutes=5),
                    from_drill="tandem_stance",
                    to_drill="tandem_walk",
                    direction="harder",
                    reason="too_easy",
                    status=status,
                    decided_at=decided,
                )
            )


async def progress_screen_of(bot: Bot, patient: PatientChat) -> Screen:
    """What /progress describes for the patient now, before it is drawn."""
    user = TelegramUser(patient.user.id, patient.chat_id, "en")
    async with bot.services.turns.open(user, write=False) as turn:
        assert turn.patient is not None
        return await progress_of(turn, turn.patient)


async def test_a_patient_who_did_a_drill_gets_a_chart_with_this_week_and_the_streak(
    patient: PatientChat, bot: Bot, clock: FrozenClock
) -> None:
    await onboard(patient)
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    await patient.press("✅ Done")
    clock.advance(hours=3)
    patient.new_messages()

    shown = await patient.send("/progress")

    (chart,) = photos(shown)
    assert chart.photo is not None
    assert png_size(chart.photo.data) == (1000, 1100)
    assert chart.plain_text.splitlines()[0] == "📈 Your progress"
    assert "This week: 1 of 1 planned sessions done." in chart.plain_text
    assert "Days in a row with your drills done: 1 (best: 1)." in chart.plain_text
    assert NOTHING_YET not in texts(shown)


async def test_the_chart_shows_four_weeks_of_sessions_pain_and_the_plan_change(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    await seed_history(database, patient)
    clock.now = FRIDAY_13_MARCH

    shown = await patient.send("/progress")
    (chart,) = photos(shown)
    assert "This week: 3 of 4 planned sessions done." in chart.plain_text
    # Wednesday and Thursday since the unanswered Tuesday; the best run was Tue-Thu last week
    # (the skipped Friday broke it, the weekend without reminders did not).
    assert "Days in a row with your drills done: 2 (best: 3)." in chart.plain_text

    described = await progress_screen_of(bot, patient)
    assert described.chart is not None
    figure = figure_of(described.chart, bot.services.messages.for_language("en"))
    days = dict(zip(figure.day_labels, range(len(figure.day_labels)), strict=True))
    # From the day the patient joined (not four weeks back) to today.
    assert (figure.day_labels[0], figure.day_labels[-1]) == ("2 Mar", "13 Mar")
    assert figure.sessions == (0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0)
    assert figure.planned == (0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0)
    assert figure.pain[days["3 Mar"]] == 2
    assert figure.pain[days["4 Mar"]] == 4  # the day's highest: the harder drill's
    assert figure.pain[days["5 Mar"]] is None  # done, no pain reported
    assert figure.pain[days["9 Mar"]] == 3
    assert figure.morning_pain[days["5 Mar"]] == 3
    assert figure.morning_pain[days["12 Mar"]] == 1
    assert figure.plan_changes == (days["9 Mar"],)  # the accepted change; the declined one not


async def test_the_chart_speaks_the_patients_language(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    lena = PatientChat(telegram, FakeUser(id=5002, first_name="Lena", language_code="de"), bot)
    await lena.send("/start")
    await lena.press("✅ Ich stimme zu")
    await lena.send("Europe/Berlin")
    await lena.press("Jetzt nicht")
    await lena.press("✅ Nichts davon trifft auf mich zu")
    await seed_history(database, lena)
    clock.now = FRIDAY_13_MARCH

    (chart,) = photos(await lena.send("/progress"))
    assert "Diese Woche: 3 von 4 geplanten Einheiten erledigt." in chart.plain_text

    described = await progress_screen_of(bot, lena)
    assert described.chart is not None
    figure = figure_of(described.chart, bot.services.messages.for_language("de"))
    assert figure.sessions_title == "Einheiten pro Tag"
    assert (figure.day_labels[0], figure.day_labels[-1]) == ("2. März", "13. März")


async def test_a_patient_with_nothing_yet_gets_a_friendly_word_not_an_empty_chart(
    patient: PatientChat, clock: FrozenClock
) -> None:
    await onboard(patient)
    clock.advance(days=2)
    patient.new_messages()

    shown = await patient.send("/progress")

    assert photos(shown) == []
    assert NOTHING_YET in texts(shown)
    assert "/reminders" in texts(shown)


async def test_the_first_progress_asks_for_goals_and_later_ones_show_their_scores(
    patient: PatientChat, clock: FrozenClock
) -> None:
    await onboard(patient)
    patient.new_messages()

    first = await patient.send("/progress")
    assert "Which everyday activities are hard for you" in texts(first)
    assert first[-1].buttons == ["🎯 Name my goals", "Skip for now"]
    await patient.press("🎯 Name my goals")
    await patient.send("climbing stairs")
    await patient.press("3")
    await patient.press("That's all")

    clock.advance(days=14)
    later = await patient.send("/progress")
    assert "• climbing stairs: 3/10" in texts(later)
    assert "Which everyday activities are hard for you" not in texts(later)  # asked already
    assert all(message.buttons == [] for message in later)


async def test_progress_before_consent_says_start_first(patient: PatientChat) -> None:
    shown = await patient.send("/progress")
    assert photos(shown) == []
    assert texts(shown) == "Hello! Send /start to begin."
