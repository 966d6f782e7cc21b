"""The check-in after Done: a few taps, each answer stored as it is given, pain judged by the
pain rules, progression suggested and taken up, and bad input refused without harm."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import Database
from db.models import (
    CheckIn,
    Conversation,
    Delivery,
    DrillStop,
    PatientPlan,
    PlanChange,
    SafetyEvent,
)
from emulator import FakeUser, StoredMessage
from tests.e2e.test_reminders import TUESDAY_0730_BERLIN, onboard, stored
from tests.harness import Bot, FrozenClock, PatientChat

PAIN_DURING = "How much pain did you feel during the drill?"
PAIN_NOW = "How much pain do you feel right now?"
HANDS_OFF = "Could you hold the position with your hands just off the counter?"
EFFORT = "How did the drill feel?"


async def one_drill_plan(database: Database, patient: PatientChat, *drills: str) -> None:
    """The patient's own plan: one drill per reminder, in this order."""
    record = await stored(database, patient)
    async with database.transaction() as session:
        session.add(
            PatientPlan(
                patient_id=record.id,
                drill_ids=",".join(drills or ("tandem_stance",)),
                drills_per_reminder=1,
                locked=False,
                updated_at=TUESDAY_0730_BERLIN,
            )
        )


async def reminded(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database, *drills: str
) -> StoredMessage:
    """Set up in Berlin with a 07:30 reminder of one drill, and let Tuesday's go out."""
    await onboard(patient)
    await one_drill_plan(database, patient, *drills)
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    reminder = patient.last_with_buttons()
    assert "Heel-to-toe stance" in reminder.plain_text
    patient.new_messages()
    return reminder


async def checkins(database: Database) -> list[CheckIn]:
    async with database.transaction() as session:
        return list(await session.scalars(select(CheckIn).order_by(CheckIn.id)))


async def revision(database: Database, patient: PatientChat) -> int:
    """The conversation's revision: what a button of the current question carries."""
    async with database.transaction() as session:
        found = await session.scalar(
            select(Conversation.revision).where(Conversation.telegram_user_id == patient.user.id)
        )
    assert found is not None
    return found


async def stops(database: Database) -> list[tuple[str, object]]:
    async with database.transaction() as session:
        rows = await session.scalars(select(DrillStop).order_by(DrillStop.id))
        return [(row.drill_id, row.cleared_at) for row in rows]


async def events(database: Database) -> list[tuple[str, str, str]]:
    async with database.transaction() as session:
        rows = await session.scalars(select(SafetyEvent).order_by(SafetyEvent.id))
        return [(row.severity, row.flag, row.source) for row in rows]


def latest_reminder(patient: PatientChat) -> StoredMessage:
    """The latest reminder that can still be answered (a morning check may have come since)."""
    return with_button(patient, "✅ Done")


def with_button(patient: PatientChat, label: str) -> StoredMessage:
    """The latest message with this button."""
    messages = patient.telegram.bot_messages(patient.chat_id)
    return next(m for m in reversed(messages) if label in m.buttons)


async def check_in(patient: PatientChat, during: str, form: str, effort: str, now: str) -> str:
    """Answer a one-drill check-in by buttons; the text the patient ends up with."""
    await patient.press("✅ Done", latest_reminder(patient))
    await patient.press(during)
    await patient.press(form)
    await patient.press(effort)
    shown = await patient.press(now)
    return "\n".join(message.plain_text for message in shown)


async def test_a_one_drill_check_in_takes_four_taps_after_done_and_stores_each_answer(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    done = await patient.press("✅ Done")
    assert "Done. Nice work" in done[0].plain_text
    assert PAIN_DURING in done[1].plain_text
    assert "0 = No pain · 10 = Worst pain imaginable" in done[1].plain_text
    assert done[1].buttons == [str(n) for n in range(11)]

    asked = await patient.press("2")
    assert HANDS_OFF in asked[0].plain_text  # the same message, now the next question
    (started,) = await checkins(database)
    assert (started.pain_during, started.completed_at) == (2, None)

    await patient.press("For the whole hold")
    asked = await patient.press("About right")
    assert PAIN_NOW in asked[0].plain_text
    finished = await patient.press("1")
    assert "Check-in saved" in finished[0].plain_text
    assert finished[0].buttons == ["📝 Add a note for my therapist"]  # optional: no tap to skip
    # Goals were offered after set-up and left unanswered: offered again, skippable.
    assert finished[-1].buttons == ["🎯 Name my goals", "Skip for now"]

    (checkin,) = await checkins(database)
    assert (checkin.pain_during, checkin.pain_now, checkin.effort) == (2, 1, "about_right")
    assert checkin.form == {"hands_off": "whole_time"}
    assert (checkin.form_score, checkin.pain_advice) == ("good", "fine")
    assert checkin.completed_at is not None
    assert await events(database) == []


async def test_a_typed_number_at_a_pain_step_is_the_score_and_words_are_refused(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done")
    for typed in ("ten", "11", "-1", "7.5", "how do I do this?"):
        reply = await patient.send(typed)
        assert "Please tap a number from 0 to 10" in reply[0].plain_text
        assert PAIN_DURING in reply[0].plain_text
    assert [c.pain_during for c in await checkins(database)] == [None]

    reply = await patient.send("4")
    assert HANDS_OFF in reply[0].plain_text
    assert [c.pain_during for c in await checkins(database)] == [4]


async def test_the_same_button_twice_or_an_old_question_changes_nothing(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    done = await patient.press("✅ Done")
    question = done[1]
    await patient.press("3", question)
    # The message now asks about form; a replay of the pain button's data is stale.
    replay = await patient.forge_button(f"c|{0}|pd|1|9", question.message_id)
    assert all("9" not in m.plain_text.split() for m in replay)
    assert [c.pain_during for c in await checkins(database)] == [3]
    # Done pressed again: already answered, no second check-in.
    async with database.transaction() as session:
        (reminder,) = await session.scalars(select(Delivery).where(Delivery.kind == "reminder"))
    await patient.forge_button(f"r|{reminder.id}|done", done[0].message_id)
    assert len(await checkins(database)) == 1


async def test_a_form_answer_for_another_drill_or_question_is_refused(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    done = await patient.press("✅ Done")
    await patient.press("2", done[1])
    (checkin,) = await checkins(database)
    for forged in (
        "{}|f|{}|knee_line|yes",  # another drill's question
        "{}|f|{}|hands_off|sometimes",  # not one of its options
    ):
        await patient.forge_button(
            "c|" + forged.format(await revision(database, patient), checkin.id), done[1].message_id
        )
    await patient.forge_button(
        f"c|{await revision(database, patient)}|f|{checkin.id + 99}|hands_off|some",
        done[1].message_id,
    )  # not this check-in
    assert (await checkins(database))[0].form == {}
    await patient.forge_button(
        f"c|{await revision(database, patient)}|f|{checkin.id}|hands_off|some", done[1].message_id
    )
    assert (await checkins(database))[0].form == {"hands_off": "some"}


async def test_a_check_in_left_half_way_is_finished_from_the_reminder_or_by_typing_done(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    done = await patient.press("✅ Done")
    await patient.press("2", done[1])
    await patient.send("/learn")  # wanders off
    resumed = await patient.press("📝 Finish the check-in", patient.current(done[0]))
    assert HANDS_OFF in resumed[-1].plain_text
    await patient.send("/cancel")
    again = await patient.send("I did it!")
    assert "Let's finish your check-in" in again[0].plain_text
    assert HANDS_OFF in again[0].plain_text
    assert [c.pain_during for c in await checkins(database)] == [2]


async def test_typing_done_checks_in_on_todays_reminder(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    reply = await patient.send("done")
    assert PAIN_DURING in reply[0].plain_text
    async with database.transaction() as session:
        (delivery,) = await session.scalars(select(Delivery).where(Delivery.kind == "reminder"))
    assert delivery.response == "done"
    nothing = await patient.send("/checkin")  # the check-in is open: it is picked up again
    assert PAIN_DURING in nothing[0].plain_text


async def test_checkin_without_anything_to_check_in_says_how(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    reply = await patient.send("/checkin")
    assert "There is no check-in waiting" in reply[0].plain_text


async def test_pain_5_means_easier_next_time(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    shown = await check_in(patient, "5", "For the whole hold", "About right", "3")
    assert "pain of 4 or 5 out of 10 means the easier version next time: Mirror" in shown
    assert await events(database) == []
    assert await stops(database) == []


async def test_pain_6_during_stops_the_drill_at_once_even_if_the_check_in_is_left(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done", latest_reminder(patient))
    shown = await patient.press("6")
    text = "\n".join(message.plain_text for message in shown)
    assert "Please stop Heel-to-toe stance for now" in shown[0].plain_text
    assert "one more safety question" in text  # the red-flag screen follows high pain
    assert PAIN_NOW in shown[-1].plain_text  # its own questions are skipped; pain now last
    assert HANDS_OFF not in text
    # The patient leaves here: the drill is stopped and the therapist's event stored already.
    assert await events(database) == [("high", "pain_high", "checkin")]
    assert await stops(database) == [("tandem_stance", None)]

    finished = await patient.press("2")
    assert "Check-in saved" in finished[0].plain_text
    assert await events(database) == [("high", "pain_high", "checkin")]  # not twice


async def test_pain_now_of_7_after_6_during_is_reported_as_critical_too(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done", latest_reminder(patient))
    await patient.press("6")
    await patient.press("7")
    assert [event[0] for event in await events(database)] == ["high", "critical"]


async def test_pain_7_during_is_a_critical_event(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done", latest_reminder(patient))
    await patient.press("7")
    await patient.press("2")
    assert [event[0] for event in await events(database)] == ["critical"]


async def test_a_stopped_drill_leaves_the_reminders(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database, "tandem_stance", "belly_breathing")
    await patient.press("✅ Done", latest_reminder(patient))
    await patient.press("8")
    await patient.press("3")
    for _ in range(2):  # the plan would bring it back every other day
        clock.advance(days=1)
        await bot.dispatch()
        assert "Heel-to-toe stance" not in latest_reminder(patient).plain_text


async def test_three_easy_sessions_suggest_the_harder_drill_which_the_next_reminder_shows(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    for day in range(3):
        if day:
            clock.advance(days=1)
            await bot.dispatch()
        shown = await check_in(patient, "1", "For the whole hold", "Too easy", "0")
    assert "felt too easy three times in a row" in shown
    assert "Single-leg stance" in shown
    result = with_button(patient, "✅ Yes, switch")
    accepted = await patient.press("✅ Yes, switch", result)
    assert "From your next reminder you do Single-leg stance" in accepted[-1].plain_text
    async with database.transaction() as session:
        (change,) = await session.scalars(select(PlanChange))
    assert (change.status, change.to_drill) == ("accepted", "single_leg_stance")

    again = await patient.press("✅ Yes, switch", result)
    assert len(again) == 1  # only a notice: already answered
    clock.advance(days=1)
    await bot.dispatch()
    assert "Single-leg stance" in latest_reminder(patient).plain_text


async def test_a_note_is_stored_unless_it_reports_a_red_flag(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await check_in(patient, "2", "For the whole hold", "About right", "1")
    asked = await patient.press(
        "📝 Add a note for my therapist", with_button(patient, "📝 Add a note for my therapist")
    )
    assert "Type your note" in asked[-1].plain_text
    alarm = await patient.send("I have chest pain")
    assert "emergency" in alarm[0].plain_text.lower()
    assert (await checkins(database))[0].note is None
    saved = await patient.send("Wobbly on the left foot")
    assert "Note saved" in saved[0].plain_text
    assert (await checkins(database))[0].note == "Wobbly on the left foot"


async def test_another_patients_reminder_cannot_be_checked_in_on(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    async with database.transaction() as session:
        (delivery,) = await session.scalars(select(Delivery))
    other = PatientChat(patient.telegram, FakeUser(id=666, first_name="Mallory"), bot)
    await onboard(other)
    await other.forge_button(f"r|{delivery.id}|done", 1)
    assert await checkins(database) == []
    async with database.transaction() as session:
        (delivery,) = await session.scalars(select(Delivery))
    assert delivery.response is None


async def test_a_stopped_drill_comes_back_once_the_patient_confirms_their_therapist_cleared_it(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done", latest_reminder(patient))
    shown = await patient.press("6")
    notice = shown[0]
    asked = await patient.press("✅ My therapist cleared me for this drill", notice)
    assert "can do Heel-to-toe stance again?" in asked[0].plain_text
    kept = await patient.press("Not yet", notice)
    assert "Please stop Heel-to-toe stance" in kept[0].plain_text
    assert await stops(database) == [("tandem_stance", None)]

    await patient.press("✅ My therapist cleared me for this drill", notice)
    cleared = await patient.press("✅ Yes, I have been cleared", notice)
    assert "Heel-to-toe stance is back in your reminders" in cleared[0].plain_text
    ((drill, cleared_at),) = await stops(database)
    assert drill == "tandem_stance"
    assert cleared_at is not None
    # An old confirmation pressed again, or someone else's drill id forged, changes nothing.
    again = await patient.forge_button("s|drill_yes|tandem_stance", notice.message_id)
    assert again == []
    await patient.forge_button("s|drill_yes|no_such_drill", notice.message_id)
    assert len(await stops(database)) == 1


async def test_when_every_drill_is_stopped_the_reminders_are_held_not_sent(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await patient.press("✅ Done", latest_reminder(patient))
    await patient.press("9")
    await patient.press("9")
    patient.new_messages()
    clock.advance(days=1)
    await bot.dispatch()
    assert all("Time for today's drills" not in m.plain_text for m in patient.new_messages())
    async with database.transaction() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.kind == "reminder").order_by(Delivery.id)
        )
        assert [row.status for row in rows] == ["sent", "held"]


async def test_done_forged_on_a_morning_check_is_refused(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database)
    await check_in(patient, "2", "For the whole hold", "About right", "1")
    clock.advance(days=1)
    await bot.dispatch()
    async with database.transaction() as session:
        morning = await session.scalar(select(Delivery).where(Delivery.kind == "morning"))
    assert morning is not None
    await patient.forge_button(f"r|{morning.id}|done", 1)
    async with database.transaction() as session:
        morning = await session.scalar(select(Delivery).where(Delivery.kind == "morning"))
    assert morning is not None
    assert morning.response is None
    assert len(await checkins(database)) == 1


async def test_pain_of_4_two_points_over_the_patients_usual_stops_the_drill(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await reminded(patient, bot, clock, database, "tandem_stance", "belly_breathing")
    # Three days of 1/10 during the drills: the patient's usual pain (the baseline) is 1.
    for day in range(3):
        if day:
            clock.advance(days=1)
            await bot.dispatch()
        await patient.press("✅ Done", latest_reminder(patient))
        await patient.press("1")
        await patient.press(patient.last_with_buttons().buttons[0])  # the best form answer
        await patient.press("About right")
        await patient.press("1")
    clock.advance(days=1)
    await bot.dispatch()
    await patient.press("✅ Done", latest_reminder(patient))
    shown = await patient.press("4")
    assert "clearly higher than your usual" in shown[0].plain_text
    assert (await events(database))[-1] == ("high", "pain_above_baseline", "checkin")
