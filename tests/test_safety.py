"""The safety rules: what a patient is told when they answer 'yes' to red-flag questions."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import get_args

import pytest

from bot.domain.safety import (
    PAIN_QUESTIONS,
    PAIN_SCALE,
    Severity,
    most_severe,
    pain_scale_problems,
    safety_message,
)
from content import models
from content.catalog import Catalog
from content.loader import CONTENT_ROOT, Content, load_content
from content.models import Checkins, Scale, ScaleAnchor
from content.problems import ContentError, ContentProblem


@pytest.fixture(scope="module")
def checkins() -> Checkins:
    return load_content().catalog("en").checkins


def flags_of(checkins: Checkins, severity: Severity) -> list[str]:
    return [flag.id for flag in checkins.red_flags if flag.severity == severity]


def test_the_rules_know_every_severity_the_content_may_give_a_flag() -> None:
    assert {severity.value for severity in Severity} == set(get_args(models.Severity))


def test_no_positive_flag_means_no_safety_message(checkins: Checkins) -> None:
    assert safety_message(checkins, []) is None
    assert most_severe([]) is None


def test_each_flag_alone_gets_the_wording_of_its_own_tier(checkins: Checkins) -> None:
    wording = checkins.safety_messages
    for flag_id in flags_of(checkins, Severity.EMERGENCY_SERVICES):
        assert safety_message(checkins, [flag_id]) == wording.emergency_services
    for flag_id in flags_of(checkins, Severity.EMERGENCY_DEPARTMENT):
        assert safety_message(checkins, [flag_id]) == wording.emergency_department
    for flag_id in flags_of(checkins, Severity.CONTACT_THERAPIST):
        assert safety_message(checkins, [flag_id]) == wording.contact_therapist


def test_chest_pain_with_a_worse_knee_is_told_to_call_emergency_services(
    checkins: Checkins,
) -> None:
    message = safety_message(checkins, ["pain_much_worse", "bladder_bowel", "chest_pain"])
    assert message == checkins.safety_messages.emergency_services
    assert "Call emergency services now" in (message or "")


def test_bladder_trouble_with_a_worse_knee_is_sent_to_the_emergency_department(
    checkins: Checkins,
) -> None:
    message = safety_message(checkins, ["pain_much_worse", "bladder_bowel"])
    assert message == checkins.safety_messages.emergency_department
    assert "emergency department" in (message or "")


def test_only_one_message_is_chosen_whatever_the_order_of_the_answers(
    checkins: Checkins,
) -> None:
    everything = [flag.id for flag in checkins.red_flags]
    assert safety_message(checkins, everything) == safety_message(checkins, everything[::-1])
    assert most_severe(checkins.red_flags) is Severity.EMERGENCY_SERVICES


def test_an_unknown_flag_id_says_nothing(checkins: Checkins) -> None:
    assert safety_message(checkins, ["no_such_flag"]) is None


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
