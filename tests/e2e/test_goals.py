"""The patient's own goals (Patient-Specific Functional Scale) as a patient meets them: offered
after set-up, named and rated 0-10, skipped, rated again weeks later with the change shown,
renamed, removed; bad answers change nothing, and a red flag typed as a goal is answered as one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import select

from bot.callback_data import FlowButton
from bot.domain.goals import ENTRY_RATE, Offer, offer_screen
from bot.domain.screens import Text
from bot.flows import goals
from bot.flows.engine import Ctx
from bot.turns import TelegramUser
from db.engine import Database
from db.models import Conversation, Goal, GoalRating, Patient
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser, StoredMessage
from tests.harness import Bot, FrozenClock, PatientChat, texts

NAME_MY_GOALS = "🎯 Name my goals"
SKIP = "Skip for now"
THATS_ALL = "That's all"
NONE_APPLY = "✅ None of these apply to me"
EMERGENCY = "Stop the exercise now and call emergency services"
NOT_A_SCORE = "Please tap a number from 0 to 10, or type a whole number such as 7"

T = TypeVar("T")


async def set_up(patient: PatientChat) -> StoredMessage:
    """Consent, Berlin, no reminders, the safety screen answered; the goals offer it was shown."""
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send("Europe/Berlin")
    finished = await patient.press("Not now")
    offer = next(m for m in finished if NAME_MY_GOALS in m.buttons)
    await patient.press(NONE_APPLY)
    return offer


async def goals_of(database: Database) -> list[tuple[str, bool, list[int]]]:
    """Every goal stored: its activity, whether it is removed, its scores in order."""
    async with database.transaction() as session:
        goals = list(await session.scalars(select(Goal).order_by(Goal.id)))
        ratings = list(
            await session.scalars(select(GoalRating).order_by(GoalRating.rated_at, GoalRating.id))
        )
    return [
        (
            goal.activity,
            goal.removed_at is not None,
            [rating.score for rating in ratings if rating.goal_id == goal.id],
        )
        for goal in goals
    ]


async def stored(database: Database, patient: PatientChat) -> Patient:
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
    assert found is not None
    return found


async def name_goals(patient: PatientChat, *goals: tuple[str, str]) -> list[StoredMessage]:
    """From the naming question: type each activity and tap its score."""
    shown: list[StoredMessage] = []
    for activity, score in goals:
        asked = await patient.send(activity)
        assert "how well can you do this activity today?" in asked[-1].plain_text
        shown = await patient.press(score)
    return shown


async def test_after_set_up_the_patient_names_and_rates_their_goals(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send("Europe/Berlin")
    finished = await patient.press("Not now")
    # Set-up is complete first; the goals offer follows as a message of its own, and the safety
    # screen comes last, before any drill can reach the patient.
    assert "You're all set" in texts(finished)
    offer = next(m for m in finished if NAME_MY_GOALS in m.buttons)
    assert "climbing stairs" in offer.plain_text
    assert SKIP in offer.buttons
    assert "A quick safety check before your drills" in finished[-1].plain_text
    assert (await stored(database, patient)).onboarded_at is not None
    await patient.press(NONE_APPLY)

    # The offer still works after the safety screen was answered.
    named = await patient.press(NAME_MY_GOALS, message=offer)
    assert "Name an everyday activity" in named[0].plain_text
    asked = await patient.send("climbing stairs")
    assert "climbing stairs" in asked[-1].plain_text
    assert "0 = unable to do it · 10 = able to do it as well as before" in asked[-1].plain_text
    assert asked[-1].buttons == [str(score) for score in range(11)]
    rated = await patient.press("3")
    assert "Saved: climbing stairs, 3/10" in rated[0].plain_text
    assert "Another everyday activity" in rated[0].plain_text

    await patient.send("carrying my child")
    typed = await patient.send("7")  # a typed whole number is a score at a rating step
    assert "Saved: carrying my child, 7/10" in texts(typed)
    done = await patient.press(THATS_ALL)
    summary = done[0].plain_text
    assert "Your goals" in summary
    assert "• climbing stairs: 3/10" in summary
    assert "• carrying my child: 7/10" in summary
    assert "again in four weeks" in summary

    assert await goals_of(database) == [
        ("climbing stairs", False, [3]),
        ("carrying my child", False, [7]),
    ]
    assert (await stored(database, patient)).goals_asked_at == clock.now

    # Idle again: a typed question is a question, not a goal.
    answer = await patient.send("why does my knee cave in?")
    assert "closest answer in my lessons" in texts(answer)
    assert len(await goals_of(database)) == 2


async def test_goals_can_be_skipped_and_are_asked_again_four_weeks_later(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    offer = await set_up(patient)
    skipped = await patient.press(SKIP, message=offer)
    assert "I'll ask again in four weeks" in skipped[0].plain_text
    assert not skipped[0].buttons
    assert (await stored(database, patient)).goals_asked_at == clock.now
    assert await goals_of(database) == []

    # /goals any time: with none named yet, it asks for the first, skippable again.
    clock.advance(days=3)
    asked = await patient.send("/goals")
    assert "Name an everyday activity" in asked[-1].plain_text
    await patient.press(SKIP)
    assert (await stored(database, patient)).goals_asked_at == clock.now


async def test_three_goals_at_most(patient: PatientChat, database: Database) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    shown = await name_goals(
        patient, ("climbing stairs", "3"), ("carrying my child", "5"), ("kneeling down", "2")
    )
    # The third goal ends the naming: no fourth is asked for.
    assert "Another everyday activity" not in texts(shown)
    assert "• kneeling down: 2/10" in shown[0].plain_text
    assert "again in four weeks" in shown[0].plain_text

    menu = await patient.send("/goals")
    assert "➕ Add a goal" not in menu[-1].buttons
    assert "✏️ climbing stairs" in menu[-1].buttons
    assert len(await goals_of(database)) == 3


async def test_bad_scores_get_a_plain_reply_and_change_nothing(
    patient: PatientChat, database: Database
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await patient.send("climbing stairs")
    for bad in ("ten", "11", "-1", "7.5"):
        reply = await patient.send(bad)
        assert NOT_A_SCORE in texts(reply), bad
        assert reply[-1].buttons == [str(score) for score in range(11)]
        assert await goals_of(database) == [], bad
    # A forged score button changes nothing either.
    await patient.forge_button("c|9999|score|11", patient.last.message_id)
    assert await goals_of(database) == []

    await patient.press("4")
    assert await goals_of(database) == [("climbing stairs", False, [4])]


async def test_a_score_pressed_twice_is_stored_once(
    patient: PatientChat, database: Database
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    asked = await patient.send("climbing stairs")
    question = asked[-1]
    data = question.api["reply_markup"]["inline_keyboard"][1][0]["callback_data"]  # "6"
    await patient.forge_button(data, question.message_id)
    again = await patient.forge_button(data, question.message_id)
    assert "from an earlier message" in texts(again)
    assert await goals_of(database) == [("climbing stairs", False, [6])]


async def test_bad_activity_names_are_refused(patient: PatientChat, database: Database) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    refusals = {
        "x": "in a few words",
        "8": "in a few words",
        "<b>stairs</b>": "without < or >",
        "stairs " * 20: "longer than 100 characters",
    }
    for typed, said in refusals.items():
        reply = await patient.send(typed)
        assert said in texts(reply), typed
        assert "Name an everyday activity" in reply[-1].plain_text
    assert await goals_of(database) == []

    await name_goals(patient, ("climbing stairs", "3"))
    duplicate = await patient.send("Climbing Stairs")
    assert "already one of your goals" in texts(duplicate)
    assert len(await goals_of(database)) == 1


async def test_a_red_flag_typed_as_a_goal_gets_the_safety_wording_and_is_not_stored(
    patient: PatientChat, database: Database
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    alarm = await patient.send("I have chest pain")
    assert EMERGENCY in texts(alarm)
    assert "how well can you do" not in texts(alarm)
    assert await goals_of(database) == []
    # The question goes on waiting: the next activity typed is the goal.
    asked = await patient.send("climbing stairs")
    assert "how well can you do this activity today?" in asked[-1].plain_text


async def test_goals_are_rated_again_weeks_later_and_the_change_is_shown(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await name_goals(patient, ("climbing stairs", "3"), ("carrying my child", "6"))
    await patient.press(THATS_ALL)

    clock.advance(days=28)
    menu = await patient.send("/goals")
    assert "four weeks or more since you last rated them" in menu[-1].plain_text
    assert "• climbing stairs: 3/10" in menu[-1].plain_text
    first = await patient.press("🔁 Rate them all again")
    assert "Goal 1 of 2: climbing stairs" in first[0].plain_text
    assert "Last time you said 3/10" in first[0].plain_text
    second = await patient.press("6")
    assert "Goal 2 of 2: carrying my child" in second[0].plain_text
    done = await patient.press("6")
    summary = done[0].plain_text
    assert "• climbing stairs: 3/10 at first, 6/10 now (+3)" in summary
    assert "• carrying my child: 6/10 at first, 6/10 now (no change)" in summary
    assert (await stored(database, patient)).goals_asked_at == clock.now

    # Rated now: not due, so no hint.
    menu = await patient.send("/goals")
    assert "four weeks or more" not in menu[-1].plain_text


async def test_a_goal_is_renamed_rated_alone_and_removed(
    patient: PatientChat, database: Database, clock: FrozenClock
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await name_goals(patient, ("climbing stairs", "3"), ("carrying my child", "6"))
    await patient.press(THATS_ALL)

    await patient.send("/goals")
    await patient.press("✏️ climbing stairs")
    asked = await patient.press("✏️ Rename")
    assert "Type the new name for climbing stairs" in asked[0].plain_text
    refused = await patient.send("<i>stairs</i>")
    assert "without < or >" in texts(refused)
    renamed = await patient.send("climbing the stairs at home")
    assert "Renamed to climbing the stairs at home" in texts(renamed)

    clock.advance(days=7)
    await patient.press("✏️ climbing the stairs at home")
    await patient.press("🔁 Rate it again")
    rated = await patient.press("5")
    assert "• climbing the stairs at home: 3/10 at first, 5/10 now (+2)" in rated[0].plain_text

    await patient.press("✏️ carrying my child")
    await patient.press("🗑 Remove")
    kept = await patient.press("Keep it")
    assert "🗑 Remove" in kept[0].buttons
    await patient.press("🗑 Remove")
    removed = await patient.press("🗑 Yes, remove it")
    assert "Removed carrying my child" in removed[0].plain_text
    assert "carrying my child:" not in removed[0].plain_text
    assert "➕ Add a goal" in removed[0].buttons

    # The removed goal and its ratings stay in the record; the renamed one keeps its ratings.
    assert await goals_of(database) == [
        ("climbing the stairs at home", False, [3, 5]),
        ("carrying my child", True, [6]),
    ]

    added = await patient.press("➕ Add a goal")
    assert "(1 of at most 3 so far.)" in added[0].plain_text
    await name_goals(patient, ("walking the dog", "4"))
    closed = await patient.press(THATS_ALL)
    assert "• walking the dog: 4/10" in closed[0].plain_text


async def test_another_patients_goal_cannot_be_opened_by_forged_data(
    patient: PatientChat, telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await name_goals(patient, ("climbing stairs", "3"))
    await patient.press(THATS_ALL)

    other = PatientChat(telegram, FakeUser(id=5002, first_name="Ben", language_code="en"), bot)
    offer = await set_up(other)
    await other.press(NAME_MY_GOALS, message=offer)
    await name_goals(other, ("kneeling down", "2"))
    await other.press(THATS_ALL)
    async with database.transaction() as session:
        anas = (await session.scalars(select(Goal).where(Goal.activity == "climbing stairs"))).one()

    menu = await other.send("/goals")
    revision = menu[-1].api["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[1]
    forged = await other.forge_button(f"c|{revision}|goal|{anas.id}", menu[-1].message_id)
    assert "from an earlier message" in texts(forged)
    assert "climbing stairs" not in texts(forged)


async def test_goals_need_set_up_first(patient: PatientChat, database: Database) -> None:
    before = await patient.send("/goals")
    assert "Send /start to begin" in texts(before)

    await patient.send("/start")
    await patient.press("✅ I agree")
    during = await patient.send("/goals")
    assert "Let's finish setting you up first" in texts(during)
    assert "Which time zone" in during[-1].plain_text


async def test_cancel_leaves_goals_and_keeps_what_was_saved(
    patient: PatientChat, database: Database
) -> None:
    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await name_goals(patient, ("climbing stairs", "3"))
    await patient.send("carrying my child")
    cancelled = await patient.send("/cancel")
    assert "What you saved is kept" in texts(cancelled)
    assert await goals_of(database) == [("climbing stairs", False, [3])]
    # A rating button from before /cancel is stale now.
    stale = await patient.press("5")
    assert "expired" in texts(stale) or "earlier message" in texts(stale)
    assert await goals_of(database) == [("climbing stairs", False, [3])]


async def test_a_german_patient_is_offered_goals_in_german(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    lena = PatientChat(telegram, FakeUser(id=9101, first_name="Lena", language_code="de"), bot)
    await lena.send("/start")
    await lena.press("✅ Ich stimme zu")
    await lena.send("Europe/Berlin")
    finished = await lena.press("Jetzt nicht")
    offer = next(m for m in finished if "🎯 Meine Ziele nennen" in m.buttons)
    assert "Treppensteigen" in offer.plain_text
    await lena.press("🎯 Meine Ziele nennen", message=offer)
    asked = await lena.send("Treppensteigen")
    assert "0 = kann ich nicht" in asked[-1].plain_text
    await lena.press("8")
    done = await lena.press("Das war's")
    assert "• Treppensteigen: 8/10" in done[0].plain_text


async def test_when_due_a_check_in_or_progress_can_offer_rating_again(
    patient: PatientChat, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    """What /progress and the end of a check-in call (bot.flows.goals): the offer is there
    only when due, and its "Rate my goals again" button opens the rating from idle."""

    async def ask(rule: Callable[[Ctx], Awaitable[T]]) -> T:
        user = TelegramUser(patient.user.id, patient.chat_id)
        async with bot.services.turns.open(user, conversation=True) as turn:
            return await rule(bot.services.conversations.context(turn))

    offer = await set_up(patient)
    await patient.press(NAME_MY_GOALS, message=offer)
    await name_goals(patient, ("climbing stairs", "3"))
    await patient.press(THATS_ALL)

    clock.advance(days=27, hours=23)
    assert await ask(goals.due_offer) is None
    clock.advance(hours=1)
    shown = await ask(goals.due_offer)
    assert shown == offer_screen(Offer.RATE)
    assert await ask(goals.current_lines) == (
        Text("goals.title"),
        Text("goals.line_once", {"activity": "climbing stairs", "score": 3}),
    )

    # The offer's button, as a check-in's last message would carry it (idle conversation).
    async with database.transaction() as session:
        revision = (await session.scalars(select(Conversation.revision))).one()
    pressed = FlowButton(revision, ENTRY_RATE).encode()
    summary = patient.last
    await patient.forge_button(pressed, summary.message_id)
    assert "Goal 1 of 1: climbing stairs" in patient.current(summary).plain_text
    done = await patient.press("5")
    assert "• climbing stairs: 3/10 at first, 5/10 now (+2)" in done[0].plain_text
    assert await ask(goals.due_offer) is None
