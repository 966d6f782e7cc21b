"""The safety rules: what a patient is told of a red flag, and when drills may go out."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import get_args

import pytest

from bot.domain.safety import (
    PAIN_QUESTIONS,
    PAIN_SCALE,
    RESCREEN_AFTER,
    Clearance,
    Severity,
    clearance,
    drills_allowed,
    hold_after,
    most_severe,
    pain_scale_problems,
    pass_screen,
    safety_message,
    safety_notice,
    screen_due,
    screen_list,
)
from content import models
from content.catalog import Catalog
from content.loader import CONTENT_ROOT, Content, load_content
from content.models import Checkins, RedFlag, Scale, ScaleAnchor
from content.problems import ContentError, ContentProblem
from db.models import Patient

NOON = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def checkins() -> Checkins:
    return load_content().catalog("en").checkins


def flags_of(checkins: Checkins, severity: Severity) -> list[RedFlag]:
    return [flag for flag in checkins.red_flags if flag.severity == severity]


def test_the_rules_know_every_severity_the_content_may_give_a_flag() -> None:
    assert {severity.value for severity in Severity} == set(get_args(models.Severity))


def test_no_positive_flag_means_no_safety_message(checkins: Checkins) -> None:
    assert safety_message(checkins, [], "112") is None
    assert most_severe([]) is None


@pytest.mark.parametrize("severity", list(Severity))
def test_each_flag_alone_gets_its_tier_wording_naming_that_flag(
    checkins: Checkins, severity: Severity
) -> None:
    template = checkins.tiers.of(severity).message
    for flag in flags_of(checkins, severity):
        message = safety_message(checkins, [flag.id], "112")
        assert message == template.format(flag=flag.text, number="112")
        assert flag.text in (message or "")


def test_chest_pain_with_a_worse_knee_is_told_to_call_emergency_services(
    checkins: Checkins,
) -> None:
    message = safety_message(checkins, ["pain_much_worse", "bladder_bowel", "chest_pain"], "911")
    assert message is not None
    assert "call emergency services (911)" in message
    assert "chest pain, pressure or tightness" in message
    assert "bladder" not in message


def test_bladder_trouble_with_a_worse_knee_is_sent_for_care_today(checkins: Checkins) -> None:
    message = safety_message(checkins, ["pain_much_worse", "bladder_bowel"], "999")
    assert message is not None
    assert "get medical care today" in message
    assert "new trouble passing urine or controlling your bladder or bowel" in message


def test_the_deciding_flag_is_the_first_of_the_most_severe_tier(checkins: Checkins) -> None:
    # Both are same-day care; the content lists saddle numbness first.
    message = safety_message(checkins, ["calf", "saddle_numbness"], "112")
    assert message is not None
    assert "new numbness around your genitals" in message
    assert "calf" not in message


def test_an_unknown_emergency_number_reads_as_the_general_one(checkins: Checkins) -> None:
    message = safety_message(checkins, ["chest_pain"], None)
    assert message is not None
    assert f"({checkins.emergency_fallback})" in message
    assert checkins.emergency_fallback.startswith("your local emergency number")


def test_only_one_message_is_chosen_whatever_the_order_of_the_answers(
    checkins: Checkins,
) -> None:
    everything = [flag.id for flag in checkins.red_flags]
    first = safety_message(checkins, everything, "112")
    assert first == safety_message(checkins, everything[::-1], "112")
    assert most_severe(checkins.red_flags) is Severity.EMERGENCY_SERVICES


def test_an_unknown_flag_id_says_nothing(checkins: Checkins) -> None:
    assert safety_message(checkins, ["no_such_flag"], "112") is None


def test_the_notice_lists_every_flag_under_its_tier_in_the_same_words(
    checkins: Checkins,
) -> None:
    notice = safety_notice(checkins, "sharp pain", "000")
    sections = notice.split("\n\n")
    assert sections[0] == checkins.safety_notice.intro
    for section, severity in zip(sections[1:4], Severity, strict=True):
        heading = checkins.tiers.of(severity).heading.format(number="000")
        assert section.splitlines() == [
            f"<b>{heading}</b>",
            *(f"• {flag.text}" for flag in flags_of(checkins, severity)),
        ]
    assert sections[4] == f"<b>{checkins.safety_notice.during_drills}</b>\nsharp pain"
    assert "(000)" in sections[1]


def test_the_screen_lists_the_flags_most_severe_tier_first(checkins: Checkins) -> None:
    listed = screen_list(checkins, "112")
    assert [flags for _, flags in listed] == [
        tuple(flags_of(checkins, severity)) for severity in Severity
    ]
    assert sum(len(flags) for _, flags in listed) == len(checkins.red_flags)


def test_the_screen_names_the_general_number_when_the_patients_is_unknown(
    checkins: Checkins,
) -> None:
    heading, _ = screen_list(checkins, None)[0]
    assert f"({checkins.emergency_fallback})" in heading
    assert "(999)" in screen_list(checkins, "999")[0][0]


def test_the_three_tiers_are_worded_as_the_issue_asks(checkins: Checkins) -> None:
    def words(severity: Severity) -> str:
        return checkins.tiers.of(severity).message

    assert "call emergency services ({number})" in words(Severity.EMERGENCY_SERVICES)
    assert "get medical care today" in words(Severity.SAME_DAY_CARE)
    assert "Contact your therapist before you exercise again" in words(Severity.CONTACT_THERAPIST)
    for severity in Severity:
        assert words(severity).startswith("<b>Stop the exercise")
        assert "This bot cannot assess you." in words(severity)


@pytest.mark.parametrize(
    ("screened_at", "hold", "expected"),
    [
        (None, None, Clearance.UNSCREENED),
        (NOON, None, Clearance.CLEARED),
        (None, "contact_therapist", Clearance.HELD),
        (NOON, "emergency_services", Clearance.HELD),
    ],
)
def test_a_hold_outranks_an_earlier_screen(
    screened_at: datetime | None, hold: str | None, expected: Clearance
) -> None:
    assert clearance(screened_at, hold, NOON) is expected


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(0), Clearance.CLEARED),
        (RESCREEN_AFTER - timedelta(seconds=1), Clearance.CLEARED),
        (RESCREEN_AFTER, Clearance.UNSCREENED),  # a week to the second: asked again
        (RESCREEN_AFTER + timedelta(days=30), Clearance.UNSCREENED),
    ],
)
def test_the_screen_is_asked_again_a_week_after_it_was_answered(
    age: timedelta, expected: Clearance
) -> None:
    assert timedelta(days=7) == RESCREEN_AFTER
    assert clearance(NOON - age, None, NOON) is expected
    assert screen_due(NOON - age, NOON) is (expected == Clearance.UNSCREENED)
    assert screen_due(None, NOON)


@pytest.mark.parametrize(
    ("held", "reported", "expected"),
    [
        (None, Severity.CONTACT_THERAPIST, Severity.CONTACT_THERAPIST),
        ("contact_therapist", Severity.EMERGENCY_SERVICES, Severity.EMERGENCY_SERVICES),
        ("emergency_services", Severity.CONTACT_THERAPIST, Severity.EMERGENCY_SERVICES),
        ("same_day_care", Severity.SAME_DAY_CARE, Severity.SAME_DAY_CARE),
        ("same_day_care", Severity.CONTACT_THERAPIST, Severity.SAME_DAY_CARE),
        ("contact_therapist", Severity.SAME_DAY_CARE, Severity.SAME_DAY_CARE),
        ("emergency_department", Severity.CONTACT_THERAPIST, Severity.CONTACT_THERAPIST),
    ],
)
def test_a_new_flag_never_lowers_a_hold(
    held: str | None, reported: Severity, expected: Severity
) -> None:
    assert hold_after(held, reported) is expected


def test_pain_is_rated_from_0_to_10() -> None:
    assert (PAIN_SCALE.start, PAIN_SCALE.stop - 1) == (0, 10)
    assert list(pain_scale_problems(load_content())) == []


def test_content_with_another_pain_scale_stops_the_start(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__", "de"))
    checkins_file = root / "locales" / "en" / "checkins.yaml"
    text = checkins_file.read_text(encoding="utf-8")
    text = text.replace("    max: 10\n", "    max: 5\n").replace("value: 10\n", "value: 5\n")
    checkins_file.write_text(text, encoding="utf-8")
    load_content(root)  # fine as content: only the pain rules need 0-10
    with pytest.raises(ContentError, match=r"en/checkins.yaml: scales: pain scale 'pain_nrs'"):
        load_content(root, rules=(pain_scale_problems,))


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def scale(scale_id: str, low: int, high: int) -> Scale:
    return Scale(
        id=scale_id,
        min=low,
        max=high,
        anchors=(ScaleAnchor(value=low, label="least"), ScaleAnchor(value=high, label="most")),
    )


def with_pain_scales(
    content: Content,
    scales: dict[str, Scale],  # pain question id -> its scale
    *,
    locale: str = "en",
    files: dict[str, str] | None = None,
) -> Content:
    """The content with one catalogue, English but for these pain questions' scales."""
    english = content.catalog("en")
    checkins = english.checkins.model_copy(
        update={
            "scales": (*english.checkins.scales, *set(scales.values())),
            "questions": tuple(
                question.model_copy(update={"scale": scales[question.id].id})
                if question.id in scales
                else question
                for question in english.checkins.questions
            ),
        }
    )
    catalog = Catalog(
        locale=locale,
        taxonomy=english.taxonomy,
        lessons=english.lessons,
        drills=english.drills,
        checkins=checkins,
        cards=english.cards,
        files=files,
    )
    return dataclasses.replace(content, catalogs={locale: catalog})


ONE_TO_FIVE = scale("pain_1_5", 1, 5)


def test_a_pain_scale_not_0_to_10_names_the_file_the_catalogue_read(content: Content) -> None:
    # A translation without its own checkins.yaml reads the English one: fix it there.
    german_on_english_checkins = with_pain_scales(
        content,
        dict.fromkeys(PAIN_QUESTIONS, ONE_TO_FIVE),
        locale="de",
        files={"checkins.yaml": "en/checkins.yaml"},
    )
    assert list(pain_scale_problems(german_on_english_checkins)) == [
        ContentProblem("en/checkins.yaml", "scales", "pain scale 'pain_1_5' must run 0-10")
    ]


def test_a_catalogue_built_without_file_names_is_named_after_its_locale(
    content: Content,
) -> None:
    built = with_pain_scales(content, dict.fromkeys(PAIN_QUESTIONS, ONE_TO_FIVE), locale="de")
    assert list(pain_scale_problems(built)) == [
        ContentProblem("de/checkins.yaml", "scales", "pain scale 'pain_1_5' must run 0-10")
    ]


def test_pain_questions_on_two_scales_are_one_problem_even_when_both_run_0_to_10(
    content: Content,
) -> None:
    two_scales = with_pain_scales(
        content,
        {"pain_now": scale("pain_vas", 0, 10)},  # the others stay on pain_nrs, also 0-10
        files={"checkins.yaml": "en/checkins.yaml"},
    )
    assert list(pain_scale_problems(two_scales)) == [
        ContentProblem(
            "en/checkins.yaml", "questions", "all pain questions must use the same scale"
        )
    ]


def test_each_pain_scale_off_0_to_10_is_its_own_problem(content: Content) -> None:
    two_wrong = with_pain_scales(
        content,
        {"pain_during": scale("pain_0_11", 0, 11), "pain_now": ONE_TO_FIVE},
        files={"checkins.yaml": "en/checkins.yaml"},
    )
    assert list(pain_scale_problems(two_wrong)) == [
        ContentProblem(
            "en/checkins.yaml", "questions", "all pain questions must use the same scale"
        ),
        ContentProblem("en/checkins.yaml", "scales", "pain scale 'pain_0_11' must run 0-10"),
        ContentProblem("en/checkins.yaml", "scales", "pain scale 'pain_1_5' must run 0-10"),
    ]


@pytest.mark.parametrize(
    ("standing", "allowed"),
    [
        (None, True),  # not a patient: nothing to screen against, the card has its stop rule
        (Clearance.CLEARED, True),
        (Clearance.UNSCREENED, False),
        (Clearance.HELD, False),
    ],
)
def test_drill_cards_reach_only_the_cleared(standing: Clearance | None, allowed: bool) -> None:
    assert drills_allowed(standing) is allowed


def test_none_of_these_apply_clears_a_screen_but_never_a_hold() -> None:
    screened = Patient(safety_screened_at=None, safety_hold=None)
    assert pass_screen(screened, NOON) is True
    assert screened.safety_screened_at == NOON
    held = Patient(safety_screened_at=None, safety_hold="same_day_care")
    assert pass_screen(held, NOON) is False
    assert (held.safety_screened_at, held.safety_hold) == (None, "same_day_care")
