"""The check-in's own rules: which question comes next, typed pain scores, "done" typed."""

from __future__ import annotations

import pytest

from bot.domain.checkins import (
    Answers,
    Ask,
    Question,
    event_to_store,
    next_question,
    says_done,
    typed_pain,
    worst_form,
)

ONE_FORM = (("hands_off",),)
DONE = "done|i did it|i've done it|fertig"


def test_a_new_one_drill_check_in_asks_pain_during_first() -> None:
    assert next_question([Answers()], ONE_FORM) == Question(Ask.PAIN_DURING, 0)


def test_then_each_form_question_in_order_then_effort_then_pain_now() -> None:
    two_forms = (("knee_line", "weight_even"),)
    assert next_question([Answers(pain_during=0)], two_forms) == Question(Ask.FORM, 0, "knee_line")
    half = Answers(pain_during=0, form={"knee_line": "yes"})
    assert next_question([half], two_forms) == Question(Ask.FORM, 0, "weight_even")
    forms = Answers(pain_during=0, form={"knee_line": "yes", "weight_even": "no"})
    assert next_question([forms], two_forms) == Question(Ask.EFFORT, 0)
    rated = Answers(pain_during=0, form=forms.form, effort="too_hard")
    assert next_question([rated], two_forms) == Question(Ask.PAIN_NOW, 0)
    done = Answers(pain_during=0, pain_now=0, form=forms.form, effort="too_hard")
    assert next_question([done], two_forms) is None


def test_a_drill_without_form_questions_goes_from_pain_to_effort() -> None:
    assert next_question([Answers(pain_during=3)], ((),)) == Question(Ask.EFFORT, 0)


def test_pain_now_is_asked_once_after_every_drills_own_questions() -> None:
    forms = (("a",), ("b",))
    first = Answers(pain_during=1, form={"a": "x"}, effort="about_right")
    assert next_question([first, Answers()], forms) == Question(Ask.PAIN_DURING, 1)
    second = Answers(pain_during=2, form={"b": "y"}, effort="too_easy")
    assert next_question([first, second], forms) == Question(Ask.PAIN_NOW, 0)
    both = [
        Answers(pain_during=1, pain_now=2, form={"a": "x"}, effort="about_right"),
        Answers(pain_during=2, pain_now=2, form={"b": "y"}, effort="too_easy"),
    ]
    assert next_question(both, forms) is None


def test_a_check_in_left_half_way_resumes_at_its_first_gap() -> None:
    forms = (("a",), ("b",))
    # Pain now was given for the first drill only (a drill added since, say): asked again.
    first = Answers(pain_during=1, pain_now=3, form={"a": "x"}, effort="about_right")
    second = Answers(pain_during=2, form={"b": "y"}, effort="too_easy")
    assert next_question([first, second], forms) == Question(Ask.PAIN_NOW, 1)


def test_an_answer_to_an_unknown_form_question_does_not_count() -> None:
    given = Answers(pain_during=1, form={"other": "x"})
    assert next_question([given], ONE_FORM) == Question(Ask.FORM, 0, "hands_off")


@pytest.mark.parametrize(
    ("scores", "worst"),
    [
        ([], None),
        (["good"], "good"),
        (["good", "partial"], "partial"),
        (["partial", "good"], "partial"),
        (["poor", "good"], "poor"),
        (["partial", "poor"], "poor"),
        (["unknown"], None),
        (["unknown", "good"], "good"),
    ],
)
def test_the_form_score_is_the_worst_answer(scores: list[str], worst: str | None) -> None:
    assert worst_form(scores) == worst


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("0", 0),
        ("4", 4),
        (" 7 ", 7),
        ("10", 10),
        ("6/10", 6),
        ("6 / 10", 6),
        ("07", 7),
        ("11", None),
        ("-1", None),
        ("7.5", None),
        ("ten", None),
        ("4 or 5", None),
        ("", None),
        ("100", None),
        ("١", None),  # a digit of another script is not a score we asked for
    ],
)
def test_a_typed_pain_score_is_a_whole_number_from_0_to_10(typed: str, score: int | None) -> None:
    assert typed_pain(typed) == score


@pytest.mark.parametrize(
    "typed",
    ["done", "Done!", "DONE.", "I did it", "i did it!!", "I’ve done it", " done ", "Fertig"],
)
def test_done_typed_on_its_own_means_the_drills_are_done(typed: str) -> None:
    assert says_done(typed, DONE)


@pytest.mark.parametrize(
    "typed",
    ["", "!!!", "not done", "done?? no", "I did it wrong", "how is it done", "did", "don"],
)
def test_done_inside_a_longer_message_is_not_a_check_in(typed: str) -> None:
    assert not says_done(typed, DONE)


def test_a_drill_stopped_at_its_pain_answer_skips_its_own_questions() -> None:
    forms = (("a",), ("b",))
    stopped = Answers(pain_during=8, stopped=True)
    assert next_question([stopped, Answers()], forms) == Question(Ask.PAIN_DURING, 1)
    second = Answers(pain_during=1, form={"b": "y"}, effort="too_easy")
    assert next_question([stopped, second], forms) == Question(Ask.PAIN_NOW, 0)


@pytest.mark.parametrize(
    ("stored", "final", "stores"),
    [
        (None, None, None),
        (None, "low", "low"),
        (None, "high", "high"),
        (None, "critical", "critical"),
        ("high", None, None),
        ("high", "low", None),
        ("high", "high", None),
        ("high", "critical", "critical"),
        ("critical", "critical", None),
        ("critical", "high", None),
        ("low", "high", "high"),
    ],
)
def test_a_completed_check_in_stores_an_event_only_if_more_urgent_than_the_one_stored(
    stored: str | None, final: str | None, stores: str | None
) -> None:
    assert event_to_store(stored, final) == stores


def test_answers_and_form_questions_must_be_for_the_same_drills() -> None:
    with pytest.raises(ValueError, match="zip"):
        next_question(
            [Answers(pain_during=1, form={"a": "x"}, effort="too_easy")], (("a",), ("b",))
        )
