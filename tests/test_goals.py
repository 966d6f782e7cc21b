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
    menu_screen,
    name_screen,
    offer_due,
    offer_screen,
    rate_screen,
    read_activity,
    read_score,
    scores_of,
    short_label,
)
from bot.domain.screens import Text

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


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
    assert change_label(-2) == "−2"
    assert change_label(0) == Text("goals.no_change")


def test_goal_scores_survive_the_conversation_draft() -> None:
    scores = GoalScores(7, "carrying my child", 2, 5, 2)
    assert GoalScores.from_data(scores.as_data()) == scores


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


def test_the_rating_question_has_a_button_for_each_score_and_the_anchors() -> None:
    shown = rate_screen("climbing stairs")
    labels = [choice.label for row in shown.choices for choice in row]
    assert labels == [str(score) for score in SCORES]
    assert Text("goals.anchors") in shown.body
    again = rate_screen("climbing stairs", 4, (2, 3))
    assert again.body[0] == Text(
        "goals.rate_again",
        {"activity": "climbing stairs", "last": 4, "position": 2, "total": 3},
    )


def test_the_first_goal_can_be_skipped_and_later_ones_ended() -> None:
    assert [c.action for row in name_screen(0).choices for c in row] == ["skip"]
    assert [c.action for row in name_screen(2).choices for c in row] == ["enough"]


def test_offers_open_the_goals_flow_and_can_be_skipped() -> None:
    name = [c.action for row in offer_screen(Offer.NAME).choices for c in row]
    rate = [c.action for row in offer_screen(Offer.RATE).choices for c in row]
    assert name == [ENTRY_NAME, ENTRY_SKIP]
    assert rate == [ENTRY_RATE, ENTRY_SKIP]


def test_the_menu_offers_adding_only_below_the_limit() -> None:
    two = [GoalScores(1, "stairs", 3, 3, 1), GoalScores(2, "kneeling", 5, 5, 1)]
    three = [*two, GoalScores(3, "running", 1, 1, 1)]
    actions_two = [c.action for row in menu_screen(two, False).choices for c in row]
    actions_three = [c.action for row in menu_screen(three, True).choices for c in row]
    assert actions_two == ["rate_all", "goal", "goal", "add", "close"]
    assert actions_three == ["rate_all", "goal", "goal", "goal", "close"]
    assert Text("goals.due_hint") in menu_screen(three, True).body
    assert Text("goals.due_hint") not in menu_screen(three, False).body


def test_a_long_activity_is_shortened_on_its_button() -> None:
    assert short_label("climbing stairs") == "climbing stairs"
    long = "walking to the bakery and back " * 3
    assert len(short_label(long)) <= 40
    assert short_label(long).endswith("…")
