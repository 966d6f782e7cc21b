"""The goals rules (Patient-Specific Functional Scale): what may be stored, when the goals are
asked again, and the change shown, each at and around its boundary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.goals import (
    ACTIVITY_MAX,
    ENTRY_NAME,
    ENTRY_RATE,
    ENTRY_SKIP,
    MAX_GOALS,
    SCORES,
    ActivityProblem,
    GoalScores,
    Offer,
    can_add,
    change_label,
    due,
    goal_lines,
    goal_screen,
    menu_screen,
    name_screen,
    offer_due,
    offer_screen,
    rate_screen,
    read_activity,
    read_score,
    remove_screen,
    rename_screen,
    scores_of,
    short_label,
)
from bot.domain.screens import Screen, Text
from bot.rendering import body_of, labelled_choices
from content.loader import load_content
from content.messages import Messages
from content.telegram_html import visible_text

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def english() -> Messages:
    return load_content().messages.for_language("en")


def shown(screen: Screen, messages: Messages) -> str:
    """The screen's text as the patient reads it (tags dropped)."""
    return visible_text(body_of(screen, messages))


def buttons(screen: Screen, messages: Messages) -> list[list[tuple[str, str, tuple[str, ...]]]]:
    """Each button as the patient sees it, with what pressing it sends."""
    return [
        [(label, choice.action, choice.args) for label, choice in row]
        for row in labelled_choices(screen, messages)
    ]


# -- the activity ------------------------------------------------------------------------------


def test_an_activity_is_trimmed_and_its_spaces_tidied() -> None:
    assert read_activity("  climbing   stairs \n") == "climbing stairs"
    assert read_activity("carrying\nmy child") == "carrying my child"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", ActivityProblem.TOO_SHORT),
        ("   ", ActivityProblem.TOO_SHORT),
        ("a", ActivityProblem.TOO_SHORT),
        ("  a  ", ActivityProblem.TOO_SHORT),
        ("7", ActivityProblem.TOO_SHORT),  # a score at the wrong step
        ("10", ActivityProblem.TOO_SHORT),
        ("7.5", ActivityProblem.TOO_SHORT),
        ("!?", ActivityProblem.TOO_SHORT),
        ("<b>stairs</b>", ActivityProblem.MARKUP),
        ("stairs > 3", ActivityProblem.MARKUP),
        ("a<", ActivityProblem.MARKUP),
    ],
)
def test_what_cannot_be_an_activity(typed: str, problem: ActivityProblem) -> None:
    assert read_activity(typed) == problem


def test_an_activity_is_two_to_a_hundred_characters_after_trimming() -> None:
    assert read_activity("ab") == "ab"
    assert read_activity(" " + "a" * ACTIVITY_MAX + " ") == "a" * ACTIVITY_MAX
    assert read_activity("a" * (ACTIVITY_MAX + 1)) == ActivityProblem.TOO_LONG
    assert read_activity("Tom & Jerry's stairs") == "Tom & Jerry's stairs"  # escaped when shown


# -- the score ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "score"), [("0", 0), ("7", 7), (" 10 ", 10), ("10", 10)])
def test_a_whole_number_from_0_to_10_is_a_score(typed: str, score: int) -> None:
    assert read_score(typed) == score


@pytest.mark.parametrize(
    "typed", ["ten", "11", "-1", "7.5", "07", "", " ", "1 0", "7/10", "٧", "²", "100"]
)
def test_anything_else_is_not_a_score(typed: str) -> None:
    assert read_score(typed) is None


def test_the_scale_is_the_psfs_eleven_points() -> None:
    assert list(SCORES) == list(range(11))


# -- how many ----------------------------------------------------------------------------------


def test_at_most_three_goals() -> None:
    assert MAX_GOALS == 3
    assert can_add(0)
    assert can_add(MAX_GOALS - 1)
    assert not can_add(MAX_GOALS)
    assert not can_add(MAX_GOALS + 1)


# -- when they are asked again -----------------------------------------------------------------


def test_goals_never_asked_are_due() -> None:
    assert due(None, NOON)


def test_goals_are_due_again_28_days_after_the_last_rating_or_skip() -> None:
    asked = NOON - timedelta(days=28)
    assert due(asked, NOON)
    assert not due(asked + timedelta(seconds=1), NOON)
    assert not due(NOON, NOON)
    assert due(asked - timedelta(days=100), NOON)


def test_what_a_due_offer_asks() -> None:
    long_ago = NOON - timedelta(days=28)
    assert offer_due(None, False, NOON) == Offer.NAME
    assert offer_due(long_ago, False, NOON) == Offer.NAME  # skipped four weeks ago
    assert offer_due(long_ago, True, NOON) == Offer.RATE
    assert offer_due(NOON - timedelta(days=27), True, NOON) is None
    assert offer_due(NOON - timedelta(days=27), False, NOON) is None


# -- the change --------------------------------------------------------------------------------


def test_first_and_latest_come_from_when_they_were_rated_not_the_order_given() -> None:
    ratings = [(NOON, 6), (NOON - timedelta(days=56), 2), (NOON - timedelta(days=28), 4)]
    scores = scores_of(1, "climbing stairs", ratings)
    assert (scores.first, scores.latest, scores.ratings) == (2, 6, 3)
    assert scores.change == 4


def test_the_scores_belong_to_their_goal() -> None:
    scores = scores_of(7, "kneeling", [(NOON, 4)])
    assert (scores.id, scores.activity) == (7, "kneeling")


def test_two_ratings_at_the_same_moment_keep_the_order_they_were_stored_in() -> None:
    scores = scores_of(1, "stairs", [(NOON, 7), (NOON, 3)])
    assert (scores.first, scores.latest, scores.change) == (7, 3, -4)


def test_no_change_before_a_second_rating() -> None:
    once = scores_of(1, "stairs", [(NOON, 5)])
    assert (once.first, once.latest, once.change) == (5, 5, None)
    never = scores_of(1, "stairs", [])
    assert (never.first, never.latest, never.change) == (None, None, None)


def test_change_can_be_worse_or_none() -> None:
    worse = scores_of(1, "stairs", [(NOON - timedelta(days=28), 6), (NOON, 3)])
    assert worse.change == -3
    same = scores_of(1, "stairs", [(NOON - timedelta(days=28), 6), (NOON, 6)])
    assert same.change == 0


def test_a_change_reads_with_its_sign() -> None:
    assert change_label(3) == "+3"
    assert change_label(1) == "+1"
    assert change_label(-1) == "−1"
    assert change_label(-2) == "−2"
    assert change_label(0) == Text("goals.no_change")


def test_goal_scores_survive_the_conversation_draft() -> None:
    scores = GoalScores(7, "carrying my child", 2, 5, 2)
    assert GoalScores.from_data(scores.as_data()) == scores


def test_a_goal_in_a_draft_without_its_ratings_reads_as_not_rated_yet() -> None:
    unrated = GoalScores.from_data({"id": 7, "activity": "kneeling"})
    assert unrated == GoalScores(7, "kneeling", None, None, 0)


# -- what is shown -----------------------------------------------------------------------------


def test_goal_lines_show_first_latest_and_change() -> None:
    goals = [
        GoalScores(1, "climbing stairs", 3, 6, 2),
        GoalScores(2, "carrying my child", 4, 4, 1),
        GoalScores(3, "kneeling", None, None, 0),
    ]
    title, *lines = goal_lines(goals)
    assert title == Text("goals.title")
    assert lines == [
        Text(
            "goals.line_change",
            {"activity": "climbing stairs", "first": 3, "latest": 6, "change": "+3"},
        ),
        Text("goals.line_once", {"activity": "carrying my child", "score": 4}),
        Text("goals.line_unrated", {"activity": "kneeling"}),
    ]
    assert goal_lines([]) == ()


def test_the_rating_question_names_the_activity_and_each_button_saves_its_score(
    english: Messages,
) -> None:
    question = rate_screen("climbing stairs")
    assert shown(question, english) == (
        "climbing stairs: how well can you do this activity today?\n\n"
        "0 = unable to do it · 10 = able to do it as well as before your problem"
    )
    assert buttons(question, english) == [
        [(str(score), "score", (str(score),)) for score in range(6)],
        [(str(score), "score", (str(score),)) for score in range(6, 11)],
    ]
    again = rate_screen("climbing stairs", 4, (2, 3))
    assert shown(again, english).startswith(
        "Goal 2 of 3: climbing stairs. Last time you said 4/10. How well can you do it today?"
    )
    assert buttons(again, english) == buttons(question, english)


def test_the_first_goal_can_be_skipped_and_later_ones_ended(english: Messages) -> None:
    first = name_screen(0)
    assert shown(first, english).startswith("🎯 Your own goals. Name an everyday activity")
    assert buttons(first, english) == [[("Skip for now", "skip", ())]]
    more = name_screen(2)
    assert shown(more, english).endswith("Type it, or tap That's all. (2 of at most 3 so far.)")
    assert buttons(more, english) == [[("That's all", "enough", ())]]


def test_offers_open_the_goals_flow_and_can_be_skipped(english: Messages) -> None:
    name = offer_screen(Offer.NAME)
    assert shown(name, english).startswith("🎯 Your own goals. Which everyday activities")
    assert buttons(name, english) == [
        [("🎯 Name my goals", ENTRY_NAME, ())],
        [("Skip for now", ENTRY_SKIP, ())],
    ]
    rate = offer_screen(Offer.RATE)
    assert shown(rate, english).startswith("🎯 Time to rate your goals again.")
    assert buttons(rate, english) == [
        [("🔁 Rate my goals again", ENTRY_RATE, ())],
        [("Skip for now", ENTRY_SKIP, ())],
    ]


def test_the_menu_shows_the_goals_and_offers_adding_only_below_the_limit(
    english: Messages,
) -> None:
    two = [GoalScores(1, "stairs", 3, 5, 2), GoalScores(2, "kneeling", 5, 5, 1)]
    three = [*two, GoalScores(3, "running", 1, 1, 1)]
    menu = menu_screen(two, False)
    assert shown(menu, english) == (
        "🎯 Your goals (0 = unable to do it, 10 = as well as before)\n\n"
        "• stairs: 3/10 at first, 5/10 now (+2)\n\n"
        "• kneeling: 5/10\n\n"
        "Rate them again, or tap a goal to rate, rename or remove it."
    )
    assert buttons(menu, english) == [
        [("🔁 Rate them all again", "rate_all", ())],
        [("✏️ stairs", "goal", ("1",))],
        [("✏️ kneeling", "goal", ("2",))],
        [("➕ Add a goal", "add", ())],
        [("Close", "close", ())],
    ]
    full = [c.action for row in menu_screen(three, True).choices for c in row]
    assert full == ["rate_all", "goal", "goal", "goal", "close"]
    assert Text("goals.due_hint") in menu_screen(three, True).body
    assert Text("goals.due_hint") not in menu_screen(three, False).body


def test_a_goal_can_be_rated_renamed_or_removed(english: Messages) -> None:
    goal = GoalScores(1, "stairs", 3, 5, 2)
    one = goal_screen(goal)
    assert shown(one, english) == "• stairs: 3/10 at first, 5/10 now (+2)"
    assert buttons(one, english) == [
        [("🔁 Rate it again", "rate", ())],
        [("✏️ Rename", "rename", ())],
        [("🗑 Remove", "remove", ())],
        [("« Back", "back", ())],
    ]
    rename = rename_screen(goal)
    assert shown(rename, english) == "Type the new name for stairs. Its ratings so far are kept."
    assert buttons(rename, english) == [[("« Back", "back", ())]]
    remove = remove_screen(goal)
    assert shown(remove, english) == (
        "Remove stairs from your goals? Its ratings so far stay in your record."
    )
    assert buttons(remove, english) == [[("🗑 Yes, remove it", "yes", ())], [("Keep it", "no", ())]]


def test_a_long_activity_is_shortened_on_its_button() -> None:
    assert short_label("climbing stairs") == "climbing stairs"
    forty = "walking to the bakery and back every day"
    assert len(forty) == 40
    assert short_label(forty) == forty  # fits exactly
    assert short_label(forty + "s") == "walking to the bakery and back every da…"
    # Cut at 39 characters, a space before the cut dropped, then the ellipsis: 40 at most.
    assert short_label("carrying the shopping up the stairs to my flat") == (
        "carrying the shopping up the stairs to…"
    )
