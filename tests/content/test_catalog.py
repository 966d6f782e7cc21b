"""The shipped English content, as a patient or clinician would meet it."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from bot.domain.safety import safety_message, safety_notice
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


def _blocks(card: str) -> list[str]:
    """A rendered card's parts, as the patient sees them separated by blank lines."""
    return card.split("\n\n")


def test_the_shared_stop_rule_names_every_reason_to_stop(catalog: Catalog) -> None:
    rule = catalog.cards.drill.stop_rule
    for reason in (
        "sharp pain",
        "above 5 out of 10",
        "builds up during the set",
        "dizziness",
        "numbness",
        "tingling",
    ):
        assert reason in rule


def test_stop_if_comes_right_after_the_dose_shared_rule_first(catalog: Catalog) -> None:
    labels = catalog.cards.drill
    for drill in catalog.drills:
        blocks = _blocks(catalog.render_drill_card(drill.id))
        assert blocks[1].endswith(f"<b>{labels.dose}:</b> {drill.dose.text}"), drill.id
        assert blocks[2].split("\n") == [
            f"<b>{labels.safety}</b>",
            f"• {labels.stop_rule}",
            *(f"• {rule}" for rule in drill.safety),
        ], drill.id
        assert drill.safety, drill.id  # at least one rule of its own
        assert blocks.index(f"<i>{labels.home_setup}</i>") < blocks.index(
            next(block for block in blocks if block.startswith(f"<b>{labels.how_to}</b>"))
        )


def test_no_drill_repeats_the_shared_pain_rule_in_its_own_words(catalog: Catalog) -> None:
    # The pain threshold lives in one place; a drill's own "any pain" or "sharp pain" rule
    # would contradict it on the same card.
    for drill in catalog.drills:
        for rule in drill.safety:
            assert "sharp" not in rule, drill.id
            assert "builds up" not in rule, drill.id
            assert not rule.startswith("you feel pain in"), drill.id


def test_home_set_up_line_is_on_every_card(catalog: Catalog) -> None:
    setup = catalog.cards.drill.home_setup
    for words in ("against a wall", "non-slip", "your bed", "get up slowly"):
        assert words in setup.lower()
    for drill in catalog.drills:
        assert f"<i>{setup}</i>" in _blocks(catalog.render_drill_card(drill.id)), drill.id


def test_every_card_names_an_easier_and_a_harder_version(catalog: Catalog) -> None:
    labels = catalog.cards.drill
    for drill in catalog.drills:
        card = catalog.render_drill_card(drill.id)
        for label, neighbour, tip in (
            (labels.easier, drill.easier, drill.easier_tip),
            (labels.harder, drill.harder, drill.harder_tip),
        ):
            version = catalog.drill(neighbour).name if neighbour else tip
            assert version, f"{drill.id}: no {label}"
            assert f"<b>{label}:</b> {version}" in card, drill.id


def test_orphan_drills_are_linked_into_progressions(catalog: Catalog) -> None:
    chains = [
        ["mirror_weight_shift", "tandem_stance", "single_leg_stance", "single_leg_head_turns"],
        ["belly_breathing", "pelvic_tilt_neutral", "heel_slide_brace", "lying_march_brace"],
        [
            "shoulder_blade_setting",
            "hand_on_shoulder_raise",
            "mirror_arm_raise",
            "slow_overhead_reach",
            "wall_slide",
            "band_pull_apart",
        ],
        ["seated_knee_press_out", "mirror_mini_squat", "band_mini_squat"],
    ]
    for chain in chains:
        for easier, harder in pairwise(chain):
            assert catalog.drill(easier).harder == harder
            assert catalog.drill(harder).easier == easier


def test_nerve_symptoms_send_the_patient_to_the_therapist(catalog: Catalog) -> None:
    nerve_drills = {
        "heel_slide_brace",
        "lying_march_brace",
        "pelvic_tilt_neutral",
        "band_pull_apart",
        "shoulder_blade_setting",
        "wall_slide",
        "slow_overhead_reach",
        "hand_on_shoulder_raise",
        "mirror_arm_raise",
    }
    with_nerve_rule = set()
    for drill in catalog.drills:
        for rule in drill.safety:
            if "tingling or numbness" in rule:
                with_nerve_rule.add(drill.id)
                assert rule.endswith("and tell your therapist before doing this drill again")
    assert with_nerve_rule == nerve_drills


def test_slow_step_down_starts_low_with_something_to_hold(catalog: Catalog) -> None:
    drill = catalog.drill("slow_step_down")
    steps = " ".join(drill.steps)
    assert "5 to 10 cm" in steps
    assert "thick hardback book" in steps
    assert "Use a stair only if it has a rail" in steps
    assert "facing forward, with the counter or rail at your side" in steps
    assert "Skip this drill and do the slow sit-to-stand instead" in steps
    assert "counter" in drill.equipment
    assert drill.safety == (
        "you lose your balance or your knee gives way; "
        "hold the rail or counter and step down with both feet",
    )
    assert drill.easier == "slow_sit_to_stand"
    assert drill.harder_tip is not None
    assert "only where there is a rail" in drill.harder_tip


def test_the_cross_body_knee_touch_is_replaced_by_a_seated_press_out(catalog: Catalog) -> None:
    assert "knee_touch_mini_squat" not in {drill.id for drill in catalog.drills}
    drill = catalog.drill("seated_knee_press_out")
    assert drill.method == "tactile_cueing"
    assert "knee_caves_in_lunge" in drill.signs
    steps = " ".join(drill.steps)
    assert steps.startswith("Sit tall")
    assert "outside of both knees" in steps
    assert "opposite" not in steps
    assert drill in catalog.drills_for_method("tactile_cueing")


def test_knee_position_match_has_a_target_to_check_against(catalog: Catalog) -> None:
    drill = catalog.drill("knee_position_match")
    steps = " ".join(drill.steps)
    assert "strip of tape" in steps
    assert "see how far from the tape your toes point" in steps
    assert "tape" in drill.form_questions[0].text
    assert drill.steps[-1].startswith("Tell your therapist if your knee swells")
    assert not any("afterwards" in rule for rule in drill.safety)


def test_smaller_fixes_from_the_clinical_review(catalog: Catalog) -> None:
    def text(drill_id: str) -> str:
        drill = catalog.drill(drill_id)
        return " ".join((*drill.steps, *drill.cues))

    assert "sturdy chair behind you" in text("tandem_stance")
    assert "corner" in text("tandem_stance")
    head_turns = catalog.drill("single_leg_head_turns")
    assert head_turns.why == (
        "Turning your head makes your balance system work harder, "
        "because your eyes and inner ear have to keep up."
    )
    assert "dizzy again next time, tell your therapist" in text("single_leg_head_turns")
    for drill_id in ("band_mini_squat", "sit_to_stand_knee_line", "mirror_mini_squat"):
        assert "against a wall" in text(drill_id), drill_id
    assert "nicks" in text("band_pull_apart")
    assert "Never let it point at your face" in text("band_pull_apart")
    assert "roll onto your side and get up slowly" in text("belly_breathing")
    assert catalog.drill("heel_slide_brace").why == (
        "Practising a light brace before the leg moves helps you keep your trunk steady "
        "while your limbs move."
    )
    easier = catalog.drill("sit_to_stand_knee_line").easier_tip or ""
    assert "higher seat" in easier
    assert "push up with your hands" in easier
    assert "push up with your hands" in (catalog.drill("hand_on_glute_stand").easier_tip or "")
    # Touch and go: the seat is brushed, never landed on.
    assert "land softly" not in text("slow_sit_to_stand")
    assert "only brush the seat" in text("slow_sit_to_stand")
    assert "(5 to each side)" in catalog.drill("mirror_weight_shift").dose.text


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


# The standard red flags the clinical review asks for (S3), by the tier each must reach.
EXPECTED_TIERS = {
    "emergency_services": {
        "chest_pain",
        "breathless",
        "palpitations",
        "fainting",
        "one_sided",
        "speech",
        "vision",
        "headache",
        "vertigo",
    },
    "same_day_care": {
        "saddle_numbness",
        "bladder_bowel",
        "both_legs",
        "calf",
        "fever",
        "fall_injury",
    },
    "contact_therapist": {"weakness", "near_fainting", "pins_and_needles", "pain_much_worse"},
}


def test_the_standard_red_flags_each_reach_their_tier(catalog: Catalog) -> None:
    tiers: dict[str, set[str]] = {}
    for flag in catalog.checkins.red_flags:
        tiers.setdefault(flag.severity, set()).add(flag.id)
    assert tiers == EXPECTED_TIERS


def test_flags_keep_their_time_words(catalog: Catalog) -> None:
    text = {flag.id: flag.text for flag in catalog.checkins.red_flags}
    assert text["saddle_numbness"].startswith("new numbness around your genitals")
    assert text["bladder_bowel"].startswith("new trouble passing urine")
    assert "today" in text["fainting"]
    assert text["vision"] == "sudden loss of vision or double vision"
    for flag_id in ("one_sided", "speech", "vision", "vertigo"):
        assert text[flag_id].startswith("sudden"), flag_id


@pytest.mark.parametrize(
    ("flag_id", "action"),
    [
        ("chest_pain", "call emergency services (999)"),
        ("saddle_numbness", "get medical care today"),
        ("fall_injury", "get medical care today"),
        ("weakness", "contact your therapist before you exercise again"),
    ],
)
def test_a_flag_gets_its_tier_action_and_its_own_words(
    catalog: Catalog, flag_id: str, action: str
) -> None:
    flag = next(flag for flag in catalog.checkins.red_flags if flag.id == flag_id)
    message = _words(safety_message(catalog.checkins, [flag_id], "999") or "")
    assert message.startswith("stop the exercise")
    assert action in message
    assert flag.text.lower() in message
    assert "cannot assess you" in message


def test_safety_notice_covers_all_three_routes(catalog: Catalog) -> None:
    notice = _words(safety_notice(catalog.checkins, catalog.cards.drill.stop_rule, "112"))
    assert "call emergency services now (112)" in notice
    assert "get medical care today" in notice
    assert "contact your therapist before you exercise again" in notice
    assert "cannot assess you" in notice
    # The stop rule reads on from the line above it as one sentence.
    assert "during any drill, stop if you have sharp pain, pain above 5 out of 10" in notice
