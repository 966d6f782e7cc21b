"""Progression: when the harder or the easier version of a drill is suggested."""

from __future__ import annotations

import pytest

from bot.domain.pain_rules import Advice
from bot.domain.progression import (
    POOR_FORM_RUN,
    TOO_EASY_RUN,
    ChangeStatus,
    Direction,
    Outcome,
    Suggestion,
    decision,
    neighbour,
    suggest,
    swap_drill,
)
from content.models import Dose, Drill

EASY = Outcome(effort="too_easy", form_score="good", pain=0, advice=Advice.FINE)
RIGHT = Outcome(effort="about_right", form_score="good", pain=1, advice=Advice.FINE)
HARD = Outcome(effort="too_hard", form_score="good", pain=1, advice=Advice.FINE)
POOR = Outcome(effort="about_right", form_score="poor", pain=1, advice=Advice.FINE)

HARDER = Suggestion(Direction.HARDER, "too_easy")
EASIER_FOR_PAIN = Suggestion(Direction.EASIER, "pain")
EASIER_TOO_HARD = Suggestion(Direction.EASIER, "too_hard")
EASIER_POOR_FORM = Suggestion(Direction.EASIER, "poor_form")


def easy(**changes: object) -> Outcome:
    fields: dict[str, object] = {
        "effort": "too_easy",
        "form_score": "good",
        "pain": 0,
        "advice": Advice.FINE,
    }
    fields.update(changes)
    return Outcome(**fields)  # type: ignore[arg-type]


def test_the_runs_are_the_ones_clinical_md_lists() -> None:
    assert (TOO_EASY_RUN, POOR_FORM_RUN) == (3, 2)


def test_no_history_no_suggestion() -> None:
    assert suggest([], locked=False) is None


# --- harder --------------------------------------------------------------------------------


def test_three_too_easy_sessions_in_a_row_suggest_the_harder_version() -> None:
    assert suggest([EASY, EASY], locked=False) is None
    assert suggest([EASY, EASY, EASY], locked=False) == HARDER
    assert suggest([RIGHT, EASY, EASY, EASY], locked=False) == HARDER


def test_a_break_in_the_run_starts_it_again() -> None:
    assert suggest([EASY, EASY, RIGHT, EASY, EASY], locked=False) is None
    assert suggest([EASY, RIGHT, EASY, EASY], locked=False) is None
    assert suggest([EASY, EASY, EASY, RIGHT], locked=False) is None


@pytest.mark.parametrize(
    "spoiler",
    [
        easy(form_score="partial"),  # good form only
        easy(form_score=None),
        easy(pain=4, advice=Advice.FINE),  # pain of 3 at most
        easy(pain=None, advice=None),  # pain unanswered does not count
        easy(pain=2, advice=Advice.EASIER),  # pain rising: not harder
    ],
)
def test_only_good_form_and_pain_of_three_or_less_count_towards_harder(spoiler: Outcome) -> None:
    assert suggest([spoiler, EASY, EASY], locked=False) is None
    assert suggest([EASY, spoiler, EASY], locked=False) is None


def test_pain_of_three_counts_towards_harder() -> None:
    assert suggest([easy(pain=3), easy(pain=3), easy(pain=3)], locked=False) == HARDER


def test_a_check_in_without_a_pain_verdict_still_counts_when_its_pain_is_low() -> None:
    assert suggest([easy(advice=None), EASY, EASY], locked=False) == HARDER


# --- easier --------------------------------------------------------------------------------


def test_the_latest_too_hard_suggests_the_easier_version() -> None:
    assert suggest([HARD], locked=False) == EASIER_TOO_HARD
    assert suggest([EASY, EASY, HARD], locked=False) == EASIER_TOO_HARD
    assert suggest([HARD, RIGHT], locked=False) is None  # only the latest


def test_poor_form_twice_in_a_row_suggests_the_easier_version() -> None:
    assert suggest([POOR], locked=False) is None
    assert suggest([POOR, POOR], locked=False) == EASIER_POOR_FORM
    assert suggest([POOR, RIGHT, POOR], locked=False) is None
    assert suggest([POOR, POOR, RIGHT], locked=False) is None


def test_partial_form_is_not_poor_form() -> None:
    partial = Outcome(effort="about_right", form_score="partial", pain=1, advice=Advice.FINE)
    assert suggest([partial, partial], locked=False) is None
    assert suggest([POOR, partial], locked=False) is None


@pytest.mark.parametrize("advice", [Advice.EASIER, Advice.STOP])
def test_a_pain_rule_suggests_the_easier_version(advice: Advice) -> None:
    assert suggest([easy(pain=4, advice=advice)], locked=False) == EASIER_FOR_PAIN
    assert suggest([easy(advice=advice), RIGHT], locked=False) is None  # only the latest


def test_easier_wins_over_harder() -> None:
    assert suggest([EASY, EASY, easy(pain=3, advice=Advice.EASIER)], locked=False) == (
        EASIER_FOR_PAIN
    )
    assert suggest([EASY, EASY, easy(effort="too_hard")], locked=False) == EASIER_TOO_HARD
    poor_and_easy = easy(form_score="poor")
    assert suggest([EASY, poor_and_easy, poor_and_easy], locked=False) == EASIER_POOR_FORM


def test_pain_comes_before_too_hard_and_too_hard_before_poor_form() -> None:
    painful_hard = Outcome(effort="too_hard", form_score="poor", pain=5, advice=Advice.EASIER)
    assert suggest([POOR, painful_hard], locked=False) == EASIER_FOR_PAIN
    hard_and_poor = Outcome(effort="too_hard", form_score="poor", pain=1, advice=Advice.FINE)
    assert suggest([POOR, hard_and_poor], locked=False) == EASIER_TOO_HARD


# --- locked --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "history", [[EASY, EASY, EASY], [HARD], [POOR, POOR], [easy(advice=Advice.STOP)]]
)
def test_a_locked_plan_gets_no_suggestion(history: list[Outcome]) -> None:
    assert suggest(history, locked=True) is None
    assert suggest(history, locked=False) is not None


# --- the neighbour -------------------------------------------------------------------------


def drill(easier: str | None, harder: str | None) -> Drill:
    return Drill(
        id="middle",
        name="Middle",
        method="motor_control",
        signs=("s",),
        regions=("r",),
        equipment=("none",),
        steps=("Do it.",),
        cues=("Gently.",),
        dose=Dose(sets=1, reps=5, text="5 times"),
        easier=easier,
        harder=harder,
        easier_tip=None if easier else "Do fewer.",
        harder_tip=None if harder else "Do more.",
        safety=("Stop if it hurts.",),
        lesson="l",
        why="Because.",
        form_questions=(),
    )


def test_the_neighbour_in_each_direction() -> None:
    both = drill(easier="lower", harder="upper")
    assert neighbour(both, Direction.EASIER) == "lower"
    assert neighbour(both, Direction.HARDER) == "upper"


def test_a_drill_with_only_a_tip_has_no_neighbour() -> None:
    tips = drill(easier=None, harder=None)
    assert neighbour(tips, Direction.EASIER) is None
    assert neighbour(tips, Direction.HARDER) is None
    assert neighbour(drill(easier=None, harder="upper"), Direction.EASIER) is None
    assert neighbour(drill(easier="lower", harder=None), Direction.HARDER) is None


# --- the plan after a change is accepted ---------------------------------------------------


def test_the_new_drill_takes_the_old_ones_place() -> None:
    assert swap_drill(("a", "b", "c"), "b", "x") == ("a", "x", "c")
    assert swap_drill(["a"], "a", "x") == ("x",)


def test_a_drill_already_in_the_plan_is_not_listed_twice() -> None:
    assert swap_drill(("a", "b", "c"), "b", "c") == ("a", "c")
    assert swap_drill(("c", "b"), "b", "c") == ("c",)


def test_a_drill_no_longer_in_the_plan_leaves_it_unchanged() -> None:
    assert swap_drill(("a", "c"), "b", "x") == ("a", "c")
    assert swap_drill(["a", "c"], "b", "c") == ("a", "c")


# --- what the patient's answer does ---------------------------------------------------------


def test_a_declined_change_is_declined_whatever_the_plan() -> None:
    assert decision(False, False, "a", "x", ("a",)) is ChangeStatus.DECLINED
    assert decision(False, True, "a", "x", ("a",)) is ChangeStatus.DECLINED


def test_a_locked_plan_is_never_changed() -> None:
    assert decision(True, True, "a", "x", ("a",)) is ChangeStatus.LOCKED
    assert decision(True, True, "a", None, ("a",)) is ChangeStatus.LOCKED


def test_an_accepted_swap_of_a_drill_in_the_plan_is_accepted() -> None:
    assert decision(True, False, "a", "x", ("b", "a")) is ChangeStatus.ACCEPTED


def test_an_accepted_swap_of_a_drill_that_left_the_plan_is_stale() -> None:
    assert decision(True, False, "a", "x", ("b",)) is ChangeStatus.STALE


def test_an_accepted_tip_is_accepted_even_if_the_drill_left_the_plan() -> None:
    assert decision(True, False, "a", None, ("b",)) is ChangeStatus.ACCEPTED
