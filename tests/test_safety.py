"""The safety rules: what a patient is told when they answer 'yes' to red-flag questions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import get_args

import pytest

from bot.domain.safety import PAIN_SCALE, Severity, most_severe, pain_scale_problems, safety_message
from content import models
from content.loader import CONTENT_ROOT, load_content
from content.models import Checkins
from content.problems import ContentError


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
