"""The shipped English content, as a patient or clinician would meet it."""

from __future__ import annotations

import re

import pytest

from bot.domain.safety import safety_message
from content.catalog import Catalog
from content.loader import check_content, load_catalog
from content.telegram_html import telegram_html_error, visible_length

ARTICLE_SECTIONS = {
    "intro",
    "what_it_is",
    "load_before_pattern",
    "why_control_is_lost",
    "vs_strength_training",
    "faster_strength",
    "real_life_signs",
    "clinic_methods",
    "long_term",
}
METHODS = {
    "targeted_activation",
    "balance_proprioception",
    "joint_position",
    "motor_control",
    "tactile_cueing",
    "visual_feedback",
    "breathwork_core",
    "slow_downs",
    "band_assisted",
}
SIGNS = {
    "knee_caves_in_lunge",
    "pelvis_shifts_in_squat",
    "shoulder_hikes_overhead",
    "shaky_balance",
    "glutes_wont_fire",
    "core_wont_stay_engaged",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("en")


def test_shipped_content_has_no_problems() -> None:
    assert check_content() == []


def test_taxonomy_names_the_articles_methods_signs_and_sections(catalog: Catalog) -> None:
    assert {method.id for method in catalog.methods} == METHODS
    assert {sign.id for sign in catalog.signs} == SIGNS
    assert {section.id for section in catalog.sections} == ARTICLE_SECTIONS


def test_every_article_section_is_taught_by_a_lesson(catalog: Catalog) -> None:
    for section in catalog.sections:
        assert catalog.lessons_for_section(section.id), section.id


def test_every_method_and_every_sign_has_at_least_two_drills(catalog: Catalog) -> None:
    for method in catalog.methods:
        assert len(catalog.drills_for_method(method.id)) >= 2, method.id
    for sign in catalog.signs:
        assert len(catalog.drills_for_sign(sign.id)) >= 2, sign.id


def test_every_drill_can_be_asked_about_after_it_is_done(catalog: Catalog) -> None:
    for drill in catalog.drills:
        assert 1 <= len(drill.form_questions) <= 2, drill.id
        for question in drill.form_questions:
            assert {option.score for option in question.options} >= {"good", "poor"}


def test_every_reference_in_a_drill_resolves(catalog: Catalog) -> None:
    regions = {region.id for region in catalog.regions}
    equipment = {kind.id for kind in catalog.equipment}
    for drill in catalog.drills:
        assert catalog.method(drill.method)
        assert catalog.lesson(drill.lesson)
        assert all(catalog.sign(sign) for sign in drill.signs)
        assert set(drill.regions) <= regions
        assert set(drill.equipment) <= equipment
        if drill.easier is not None:
            assert catalog.drill(drill.easier).harder == drill.id
        if drill.harder is not None:
            assert catalog.drill(drill.harder).easier == drill.id


def test_every_drill_has_a_dose_safety_notes_and_a_reason(catalog: Catalog) -> None:
    for drill in catalog.drills:
        assert drill.dose.reps or drill.dose.hold_seconds
        assert str(drill.dose.sets) in drill.dose.text
        assert drill.safety
        assert drill.why


def test_lessons_read_in_order_and_chain_to_the_next(catalog: Catalog) -> None:
    orders = [lesson.order for lesson in catalog.lessons]
    assert orders == sorted(orders)
    assert 12 <= len(catalog.lessons) <= 18
    first, second = catalog.lessons[0], catalog.lessons[1]
    assert catalog.next_lesson(first.id) == second
    assert catalog.next_lesson(catalog.lessons[-1].id) is None


def test_learn_menu_groups_every_lesson_under_a_topic(catalog: Catalog) -> None:
    grouped = catalog.lessons_by_topic
    assert list(grouped) == [topic.id for topic in catalog.topics]
    assert all(grouped.values())
    assert sum(len(lessons) for lessons in grouped.values()) == len(catalog.lessons)


def test_each_lesson_fits_one_phone_screen(catalog: Catalog) -> None:
    for lesson in catalog.lessons:
        assert visible_length(lesson.body) <= 700, lesson.id


def test_each_quiz_has_exactly_one_right_answer_within_poll_limits(catalog: Catalog) -> None:
    quizzes = [lesson.quiz for lesson in catalog.lessons if lesson.quiz is not None]
    assert quizzes
    for quiz in quizzes:
        assert sum(option.correct for option in quiz.options) == 1
        assert quiz.options[quiz.correct_index].correct
        assert len(quiz.question) <= 300
        assert all(len(option.text) <= 100 for option in quiz.options)


@pytest.mark.parametrize("kind", ["drill", "lesson"])
def test_every_rendered_card_is_telegram_html_within_4096(catalog: Catalog, kind: str) -> None:
    rendered = (
        [catalog.render_drill_card(drill.id) for drill in catalog.drills]
        if kind == "drill"
        else [catalog.render_lesson(lesson.id) for lesson in catalog.lessons]
    )
    for text in rendered:
        assert telegram_html_error(text) is None, text
        assert visible_length(text) <= 4096


def test_drill_card_shows_every_part_with_labels_from_cards_yaml(catalog: Catalog) -> None:
    drill = catalog.drill("single_leg_stance")
    card = catalog.render_drill_card(drill.id)
    labels = catalog.cards.drill
    for label in (labels.equipment, labels.how_to, labels.cues, labels.dose, labels.safety):
        assert f"<b>{label}" in card
    assert f"1. {drill.steps[0]}" in card
    assert drill.dose.text in card
    assert drill.why in card
    assert catalog.drill("tandem_stance").name in card  # the easier version is named


def test_card_escapes_plain_text_but_lesson_keeps_its_markup(catalog: Catalog) -> None:
    lesson = catalog.lesson("pattern_before_load")
    assert "<b>compensation</b>" in catalog.render_lesson(lesson.id)
    card = catalog.render_drill_card("glute_set")
    assert telegram_html_error(card) is None


def test_pain_questions_use_the_same_fixed_anchors(catalog: Catalog) -> None:
    pain_ids = ["pain_during", "pain_now", "morning_pain"]
    scales = {catalog.checkin_question(question_id).scale for question_id in pain_ids}
    assert len(scales) == 1
    (scale_id,) = scales
    assert scale_id is not None
    scale = catalog.scale(scale_id)
    assert (scale.min, scale.max) == (0, 10)
    anchors = {anchor.value: anchor.label for anchor in scale.anchors}
    assert anchors[0] == "No pain"
    assert anchors[10] == "Worst pain imaginable"
    for question_id in pain_ids:
        prompt = catalog.render_checkin_prompt(question_id)
        assert "0 = No pain" in prompt
        assert "10 = Worst pain imaginable" in prompt


def test_checkins_cover_effort_confidence_and_the_next_morning(catalog: Catalog) -> None:
    effort = catalog.checkin_question("effort")
    assert [option.id for option in effort.options] == ["too_easy", "about_right", "too_hard"]
    assert catalog.checkin_question("confidence").scale == "confidence"
    assert catalog.checkin_question("morning_pain").scale == "pain_nrs"
    assert catalog.checkin_question("morning_vs_usual").options


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).lower()


def test_emergency_flags_send_people_to_emergency_services(catalog: Catalog) -> None:
    flags = {flag.id: flag.severity for flag in catalog.checkins.red_flags}
    for flag_id in ("chest_pain", "one_sided_weakness", "speech_or_vision", "fainting"):
        assert flags[flag_id] == "emergency_services"
        message = _words(safety_message(catalog.checkins, [flag_id]) or "")
        assert "stop the exercise" in message
        assert "call emergency services now" in message
        assert "cannot assess you" in message
    message = _words(catalog.checkins.safety_messages.emergency_services)
    for symptom in (
        "chest pain or pressure",
        "numbness or weakness on one side",
        "speaking or seeing",
        "fainting",
    ):
        assert symptom in message


def test_saddle_and_bladder_flags_send_people_to_the_emergency_department(
    catalog: Catalog,
) -> None:
    for flag_id in ("saddle_numbness", "bladder_bowel"):
        message = _words(safety_message(catalog.checkins, [flag_id]) or "")
        assert "stop the exercise" in message
        assert "go to an emergency department now" in message
        assert "groin or saddle area" in message
        assert "bladder or bowel" in message
        assert "cannot assess you" in message


def test_other_flags_say_contact_your_therapist(catalog: Catalog) -> None:
    others = [f.id for f in catalog.checkins.red_flags if f.severity == "contact_therapist"]
    assert others
    for flag_id in others:
        message = _words(safety_message(catalog.checkins, [flag_id]) or "")
        assert "stop the exercise" in message
        assert "contact your therapist" in message
        assert "cannot assess you" in message


def test_the_most_severe_positive_flag_decides_the_message(catalog: Catalog) -> None:
    message = safety_message(catalog.checkins, ["pain_much_worse", "bladder_bowel", "chest_pain"])
    assert message == catalog.checkins.safety_messages.emergency_services
    assert safety_message(catalog.checkins, []) is None


def test_safety_notice_covers_all_three_routes(catalog: Catalog) -> None:
    notice = _words(catalog.checkins.safety_notice)
    assert "call emergency services now" in notice
    assert "go to an emergency department now" in notice
    assert "contact your therapist" in notice
    assert "cannot assess you" in notice
