"""Safety as a patient meets it: typed red flags, the screen before the first drill, the hold a
red flag starts, /safety, and reminders that show how to do a drill and when to stop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from db.engine import Database
from db.models import Delivery, DeliveryStatus, Patient, SafetyEvent
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, FrozenClock, PatientChat, texts

# The clock starts on Monday 2026-03-02 at 09:00 UTC; Tuesday 07:30 in Berlin is 06:30 UTC.
TUESDAY_0730_BERLIN = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)

EMERGENCY = "Stop the exercise now and call emergency services"
SAME_DAY = "Stop the exercise now and get medical care today"
THERAPIST = "Stop the exercise. Contact your therapist before you exercise again."
NOTFALL = "Brechen Sie die Übung sofort ab und rufen Sie den Notruf"
HEUTE = "lassen Sie sich noch heute ärztlich untersuchen"
THERAPEUT = "Wenden Sie sich an Ihre Therapeutin oder Ihren Therapeuten, bevor Sie wieder üben."
NONE_APPLY = "✅ None of these apply to me"
CLEARED = "My therapist has cleared me"
# What a search answer starts with: never the reply to a red flag.
SEARCH_ANSWERS = ("closest answer in my lessons", "couldn't find", "Browse the lessons")

# The examples of the clinical review (S1), each with the tier it must get.
REVIEW_EXAMPLES = [
    ("I have chest pain", EMERGENCY),
    ("I am short of breath", EMERGENCY),
    ("pain shoots down my leg", THERAPIST),
    ("my calf hurts", SAME_DAY),
    ("I can't control my bladder", SAME_DAY),
    ("numbness in my groin", SAME_DAY),
    ("both legs are numb", SAME_DAY),
    ("I fell and can't put weight on my leg", SAME_DAY),
    ("my calf is swollen and red", SAME_DAY),
    ("I have a fever and my knee is hot", SAME_DAY),
    ("my foot drags", THERAPIST),
]
GERMAN_EXAMPLES = [
    ("Ich habe Schmerzen in der Brust", NOTFALL),
    ("Ich bekomme schlecht Luft", NOTFALL),
    ("Taubheit in beiden Beinen", HEUTE),
    ("Ich bin gestürzt und kann nicht auftreten", HEUTE),
    ("meine Wade ist geschwollen und rot", HEUTE),
    ("Ich kann meine Blase nicht kontrollieren", HEUTE),
    ("Mein Fuß bleibt beim Gehen hängen", THERAPEUT),
]


async def set_up(patient: PatientChat, *, screen: bool = True, at: str = "7:30") -> None:
    """Consent, Berlin, a daily reminder; then answer the safety screen unless told not to."""
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send("Europe/Berlin")
    await patient.press("✅ Yes, remind me")
    await patient.press("Next »")
    await patient.send(at)
    await patient.press("Done ✔")
    if screen:
        await patient.press(NONE_APPLY)


async def stored(database: Database, patient: PatientChat) -> Patient:
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
    assert found is not None
    return found


async def events(database: Database) -> list[SafetyEvent]:
    async with database.transaction() as session:
        return list(await session.scalars(select(SafetyEvent).order_by(SafetyEvent.id)))


def assert_alarm(reply: str, tier: str) -> None:
    assert tier in reply, reply
    assert "This bot cannot assess you" in reply or "Dieser Bot kann Sie nicht" in reply
    for answer in SEARCH_ANSWERS:
        assert answer not in reply, reply


async def test_each_review_example_gets_its_tier_and_never_a_lesson(
    telegram: FakeTelegram, bot: Bot
) -> None:
    stranger = PatientChat(telegram, FakeUser(id=7101, first_name="Sam", language_code="en"), bot)
    for typed, tier in REVIEW_EXAMPLES:
        reply = await stranger.send(typed)
        assert len(reply) == 1, typed
        assert_alarm(reply[0].plain_text, tier)
        assert "Lesson" not in reply[0].plain_text
        assert reply[0].buttons == [], "before consent there is no hold to clear"


async def test_each_german_example_gets_its_tier_in_german(
    telegram: FakeTelegram, bot: Bot
) -> None:
    lena = PatientChat(telegram, FakeUser(id=7102, first_name="Lena", language_code="de"), bot)
    for typed, tier in GERMAN_EXAMPLES:
        reply = await lena.send(typed)
        assert_alarm(texts(reply), tier)


async def test_ordinary_drill_talk_and_negations_are_answered_as_questions(
    patient: PatientChat,
) -> None:
    await set_up(patient)
    for typed in ("no chest pain today, why does my knee cave in?", "my glutes finally fired"):
        reply = texts(await patient.send(typed))
        assert EMERGENCY not in reply
        assert "cannot assess you" not in reply
        assert any(answer in reply for answer in SEARCH_ANSWERS), reply


async def test_a_typed_red_flag_is_stored_as_an_event_without_the_words(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    await set_up(patient)
    reply = await patient.send("I have crushing chest pain since this morning")
    assert_alarm(texts(reply), EMERGENCY)
    assert "(112)" in texts(reply), "the emergency number of the patient's time zone"
    assert reply[-1].buttons == [CLEARED]

    [event] = await events(database)
    assert (event.flag, event.severity, event.source) == (
        "chest_pain",
        "emergency_services",
        "typed",
    )
    assert event.occurred_at == clock.now
    assert event.delivered_at is None
    assert (await stored(database, patient)).safety_hold == "emergency_services"
    async with database.transaction() as session:
        for table in Patient.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                assert "crushing" not in repr(row), f"the words were stored in {table.name}"


async def test_a_red_flag_typed_at_a_step_is_answered_and_the_step_still_waits(
    patient: PatientChat,
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    reply = await patient.send("wait, my calf is red and swollen")
    assert_alarm(texts(reply), SAME_DAY)
    # Nothing was taken as a time zone: the step asks for one as before.
    answer = await patient.send("Europe/Berlin")
    assert "Berlin" in texts(answer)


async def test_the_screen_comes_after_set_up_and_none_apply_lets_drills_through(
    patient: PatientChat, database: Database
) -> None:
    await set_up(patient, screen=False)
    screen = patient.last_with_buttons()
    assert "A quick safety check before your drills" in screen.plain_text
    assert "1. chest pain, pressure or tightness" in screen.plain_text
    assert "Stop and call emergency services now (112)" in screen.plain_text
    assert "new numbness around your genitals, back passage, buttocks or inner thighs" in (
        screen.plain_text
    )
    assert screen.buttons[-1] == NONE_APPLY
    assert (await stored(database, patient)).safety_screened_at is None

    answered = await patient.press(NONE_APPLY)
    assert "Thank you" in answered[0].plain_text
    assert (await stored(database, patient)).safety_screened_at is not None
    await patient.send("/drills")
    await patient.press("By method")
    listed = await patient.press("Balance and proprioception")
    assert "Stop if" in texts(await patient.press(listed[0].buttons[0]))


async def test_a_flag_on_the_screen_holds_drills_until_the_patient_confirms_clearance(
    patient: PatientChat, database: Database
) -> None:
    await set_up(patient, screen=False)
    alarm = await patient.press("13")  # a calf newly painful, swollen, red or warm
    assert_alarm(texts(alarm), SAME_DAY)
    assert "a calf that is newly painful, swollen, red or warm" in texts(alarm)
    [event] = await events(database)
    assert (event.flag, event.severity, event.source) == ("calf", "same_day_care", "screen")

    # "None of these apply" on the same screen cannot undo the hold.
    screen = next(
        m for m in patient.telegram.bot_messages(patient.chat_id) if NONE_APPLY in m.buttons
    )
    held = await patient.press(NONE_APPLY, screen)
    assert "on hold" in texts(held)
    assert (await stored(database, patient)).safety_hold == "same_day_care"

    confirm = await patient.press(CLEARED)
    assert "Only confirm this if your therapist or a doctor" in texts(confirm)
    await patient.press("Not yet")
    assert (await stored(database, patient)).safety_hold == "same_day_care"
    await patient.press(CLEARED)
    cleared = await patient.press("✅ Yes, I have been cleared")
    assert "Your drills and reminders start again" in texts(cleared)
    after = await stored(database, patient)
    assert after.safety_hold is None
    assert after.safety_screened_at is not None


async def test_a_held_patient_gets_no_reminder_and_no_drill_card(
    patient: PatientChat, database: Database, bot: Bot, clock: FrozenClock
) -> None:
    await set_up(patient)
    await patient.send("I passed out in the kitchen")
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    assert patient.new_messages() == []
    async with database.transaction() as session:
        [row] = await session.scalars(select(Delivery))
    assert row.status == DeliveryStatus.HELD

    await patient.send("/drills")
    await patient.press("By method")
    listed = await patient.press("Balance and proprioception")
    opened = await patient.press(listed[0].buttons[0])
    assert "on hold" in texts(opened)
    assert "How to do it" not in texts(opened)


async def test_an_unscreened_patients_reminder_asks_the_screen_first(
    patient: PatientChat, database: Database, bot: Bot, clock: FrozenClock
) -> None:
    await set_up(patient, screen=False)
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    [reminder] = patient.new_messages()
    assert "A quick safety check before your drills" in reminder.plain_text
    assert "✅ Done" not in reminder.buttons

    assert (await stored(database, patient)).unanswered_reminders == 1

    shown = await patient.press(NONE_APPLY, reminder)
    assert "Stop if you have sharp pain" in shown[0].plain_text
    assert "✅ Done" in shown[0].buttons
    after = await stored(database, patient)
    assert after.safety_screened_at is not None
    assert after.unanswered_reminders == 0, "answering the screen answers the reminder"


async def test_a_reminder_shows_the_stop_rule_and_opens_each_drill_card(
    patient: PatientChat, bot: Bot, clock: FrozenClock
) -> None:
    await set_up(patient)
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    [reminder] = patient.new_messages()
    assert "Stop if you have sharp pain, pain above 5 out of 10" in reminder.plain_text
    cards = [label for label in reminder.buttons if label.startswith("📋 ")]
    assert len(cards) == 2, "one button per drill in the reminder"
    pressed = await patient.press(cards[0], reminder)
    assert pressed[0].plain_text == reminder.plain_text, "the reminder stays as it was"
    card = texts(pressed[1:])
    assert card.index("Dose") < card.index("Stop if") < card.index("How to do it")


async def test_an_unscreened_patient_opening_a_drill_card_answers_the_screen_first(
    patient: PatientChat,
) -> None:
    await set_up(patient, screen=False)
    await patient.send("/drills")
    await patient.press("By method")
    listed = await patient.press("Balance and proprioception")
    first = await patient.press(listed[0].buttons[0])
    assert "A quick safety check" in texts(first)
    card = await patient.press(NONE_APPLY)
    assert "How to do it" in texts(card)


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "America/New_York", ["Safety first", "(911)", "During any drill, stop if"]),
        ("de", "Europe/Berlin", ["Sicherheit geht vor", "(112)", "Brechen Sie jede Übung ab"]),
    ],
)
async def test_safety_shows_every_flag_with_the_patients_own_number(
    telegram: FakeTelegram, bot: Bot, language: str, zone: str, expected: list[str]
) -> None:
    person = PatientChat(telegram, FakeUser(id=7103, first_name="Kim", language_code=language), bot)
    await person.send("/start")
    await person.press(person.last_with_buttons().buttons[0])  # agree
    await person.send(zone)
    await person.press(person.last_with_buttons().buttons[-1])  # no reminders
    notice = texts(await person.send("/safety"))
    for words in expected:
        assert words in notice


async def test_safety_before_set_up_uses_the_general_number(patient: PatientChat) -> None:
    notice = texts(await patient.send("/safety"))
    assert "your local emergency number, for example 112, 911 or 999" in notice


async def test_safety_is_in_help(patient: PatientChat) -> None:
    # The command menu is registered at start-up: tests/e2e/test_reed_run.py checks it.
    help_text = texts(await patient.send("/help"))
    assert "/safety – when to stop a drill and get help" in help_text
    assert "Before your first drill I ask a short safety check" in help_text


async def test_words_no_feature_reads_are_still_read_for_red_flags(
    patient: PatientChat, database: Database
) -> None:
    await set_up(patient)
    # An edit, a long message and a photo's caption are refused as input...
    await patient.send("my knee is a bit sore")
    edited = await patient.edit(patient.last_user_message_id(), "my knee is fine")
    assert "I don't act on edited messages" in texts(edited)
    # ...unless they report a red flag: then the safety wording comes instead.
    edited = await patient.edit(patient.last_user_message_id(), "now both legs are numb")
    assert_alarm(texts(edited), SAME_DAY)
    long = await patient.send("It started on the stairs. " * 30 + "Now I feel faint and sick.")
    assert_alarm(texts(long), THERAPIST)
    captioned = await patient._after(
        patient.telegram.user_sends_photo(patient.user, caption="my calf looks like this, swollen")
    )
    assert_alarm(texts(captioned), SAME_DAY)
    assert [(event.flag, event.source) for event in await events(database)] == [
        ("both_legs", "typed"),
        ("near_fainting", "typed"),
        ("calf", "typed"),
    ]


async def test_a_week_after_the_screen_a_reminder_asks_it_again(
    patient: PatientChat, database: Database, bot: Bot, clock: FrozenClock
) -> None:
    await set_up(patient)  # answered on Monday 2026-03-02 at 09:00 UTC
    screened = (await stored(database, patient)).safety_screened_at
    assert screened is not None
    patient.new_messages()
    # Next Monday 07:30 in Berlin: six days and 22.5 hours later, the drills come as usual.
    clock.now = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
    await bot.dispatch()
    [monday] = patient.new_messages()
    assert "✅ Done" in monday.buttons
    # Tuesday 07:30: more than a week since the answer, so the screen comes first again.
    clock.now = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
    await bot.dispatch()
    [tuesday] = patient.new_messages()
    assert "A quick safety check before your drills" in tuesday.plain_text
    shown = await patient.press(NONE_APPLY, tuesday)
    assert "✅ Done" in shown[0].buttons
    assert (await stored(database, patient)).safety_screened_at == clock.now
