"""The German content, as a German-speaking patient would meet it."""

from __future__ import annotations

import pytest

from bot.domain.safety import safety_message, safety_notice
from content.catalog import Catalog
from content.loader import (
    CONTENT_FILES,
    DEFAULT_LOCALES_ROOT,
    DRILLS_DIR,
    check_content,
    load_catalog,
)
from content.telegram_html import telegram_html_error

EMERGENCY_CALL = "rufen Sie den Notruf (112)"


@pytest.fixture(scope="module")
def german() -> Catalog:
    return load_catalog("de")


@pytest.fixture(scope="module")
def english() -> Catalog:
    return load_catalog("en")


def test_german_content_has_no_problems() -> None:
    assert check_content() == []


def test_every_english_content_file_has_a_german_translation() -> None:
    english_root = DEFAULT_LOCALES_ROOT / "en"
    german_root = DEFAULT_LOCALES_ROOT / "de"
    drill_files = sorted(path.name for path in (english_root / DRILLS_DIR).glob("*.yaml"))
    assert drill_files
    for name in CONTENT_FILES:
        assert (german_root / name).is_file(), name
    for name in drill_files:
        assert (german_root / DRILLS_DIR / name).is_file(), name


def test_german_catalog_has_the_same_lessons_and_drills_as_english(
    german: Catalog, english: Catalog
) -> None:
    assert german.locale == "de"
    assert [lesson.id for lesson in german.lessons] == [lesson.id for lesson in english.lessons]
    assert [drill.id for drill in german.drills] == [drill.id for drill in english.drills]
    assert [m.id for m in german.methods] == [m.id for m in english.methods]
    assert [s.id for s in german.signs] == [s.id for s in english.signs]


def test_translation_keeps_doses_quiz_answers_and_red_flag_severities(
    german: Catalog, english: Catalog
) -> None:
    for drill in english.drills:
        german_drill = german.drill(drill.id)
        assert german_drill.dose.model_dump(exclude={"text"}) == drill.dose.model_dump(
            exclude={"text"}
        )
        assert german_drill.name != drill.name, drill.id
    for lesson in english.lessons:
        german_quiz = german.lesson(lesson.id).quiz
        if lesson.quiz is None:
            assert german_quiz is None
        else:
            assert german_quiz is not None
            assert german_quiz.correct_index == lesson.quiz.correct_index, lesson.id
    assert [(f.id, f.severity) for f in german.checkins.red_flags] == [
        (f.id, f.severity) for f in english.checkins.red_flags
    ]


def test_german_drill_card_is_german_telegram_html(german: Catalog) -> None:
    card = german.render_drill_card("single_leg_stance")
    assert card.startswith("<b>Einbeinstand</b>")
    assert "<b>So geht es</b>" in card
    assert "<b>Hören Sie auf, wenn</b>" in card
    assert "<b>Dosierung:</b> 3-mal 20 Sekunden halten pro Bein" in card
    assert "Gleichgewicht und Propriozeption" in card
    assert telegram_html_error(card) is None
    for drill in german.drills:
        assert telegram_html_error(german.render_drill_card(drill.id)) is None, drill.id


def test_german_card_puts_the_shared_stop_rule_under_the_dose(german: Catalog) -> None:
    labels = german.cards.drill
    assert labels.stop_rule.startswith("Sie stechende Schmerzen spüren")
    assert "über 5 von 10" in labels.stop_rule
    for drill in german.drills:
        blocks = german.render_drill_card(drill.id).split("\n\n")
        assert blocks[1].endswith(f"<b>Dosierung:</b> {drill.dose.text}"), drill.id
        assert blocks[2].startswith(f"<b>Hören Sie auf, wenn</b>\n• {labels.stop_rule}\n• ")
        assert blocks[3] == f"<i>{labels.home_setup}</i>", drill.id
    assert labels.home_setup.startswith("Zu Hause:")


def test_every_german_card_names_both_versions_where_english_does(
    german: Catalog, english: Catalog
) -> None:
    for drill in german.drills:
        card = german.render_drill_card(drill.id)
        assert "<b>Leichtere Variante:</b> " in card, drill.id
        assert "<b>Schwierigere Variante:</b> " in card, drill.id
        original = english.drill(drill.id)
        assert (drill.easier_tip is None) == (original.easier_tip is None), drill.id
        assert (drill.harder_tip is None) == (original.harder_tip is None), drill.id


def test_german_nerve_rules_send_the_patient_to_the_therapist(
    german: Catalog, english: Catalog
) -> None:
    ending = (
        ", und sagen Sie es Ihrer Therapeutin oder Ihrem Therapeuten, "
        "bevor Sie diese Übung wieder machen"
    )
    for drill in english.drills:
        for index, rule in enumerate(drill.safety):
            if rule.endswith("and tell your therapist before doing this drill again"):
                assert german.drill(drill.id).safety[index].endswith(ending), drill.id


def test_german_breathing_is_calm_and_low_not_deep(german: Catalog) -> None:
    assert german.drill("belly_breathing").name == "Ruhige Bauchatmung"
    for drill in german.drills:
        for text in (drill.name, drill.why, *drill.steps, *drill.cues):
            for deep in ("Tiefe", "Tiefes", "tief ein"):
                assert deep not in text, drill.id
    assert "ruhig in den Bauch ein" in german.drill("heel_slide_brace").steps[1]


def test_german_wording_fixes_from_the_review(german: Catalog) -> None:
    assert german.drill("shoulder_blade_setting").name == "Schulterblätter positionieren"
    assert "Ihr Becken bleibt waagerecht" in german.drill("single_leg_stance").cues[1]
    for drill in german.drills:
        for rule in drill.safety:
            assert "einklemmende" not in rule, drill.id
    assert "ein Einklemmgefühl oder zwickende Schmerzen" in german.drill("wall_slide").safety[0]


def test_german_step_down_and_press_out_carry_the_safety_fixes(german: Catalog) -> None:
    step_down = " ".join(german.drill("slow_step_down").steps)
    assert "5 bis 10 cm" in step_down
    assert "Eine Treppe nur mit Handlauf" in step_down
    assert "Lassen Sie diese Übung aus" in step_down
    assert "mit beiden Füßen herunter" in german.drill("slow_step_down").safety[0]
    press_out = " ".join(german.drill("seated_knee_press_out").steps)
    assert "Außenseiten beider Knie" in press_out
    assert "gegenüberliegend" not in press_out


def test_german_lesson_card_counts_lessons_in_german(german: Catalog) -> None:
    card = german.render_lesson(german.lessons[0].id)
    assert f"<i>Lektion 1 von {len(german.lessons)}</i>" in card
    assert "<b>Das Wichtigste:</b>" in card
    assert telegram_html_error(card) is None


def test_pain_is_always_rated_against_the_same_german_anchors(german: Catalog) -> None:
    legend = "0 = keine Schmerzen · 10 = stärkste vorstellbare Schmerzen"
    for question_id in ("pain_during", "pain_now", "morning_pain"):
        assert legend in german.render_checkin_prompt(question_id), question_id


def test_emergency_wording_names_the_number_and_care_today(german: Catalog) -> None:
    call = safety_message(german.checkins, ["chest_pain"], "112")
    assert call is not None
    assert EMERGENCY_CALL in call
    assert "Dieser Bot kann Sie nicht beurteilen." in call
    today = safety_message(german.checkins, ["saddle_numbness"], "112")
    assert today is not None
    assert "noch heute ärztlich untersuchen" in today
    assert "Neues Taubheitsgefühl im Genital- oder Analbereich".lower() in today.lower()


def test_the_most_severe_red_flag_wins_in_german(german: Catalog) -> None:
    flags = ["pain_much_worse", "bladder_bowel", "fainting"]
    message = safety_message(german.checkins, flags, "112")
    assert message is not None
    assert EMERGENCY_CALL in message
    therapist = safety_message(german.checkins, ["pain_much_worse"], "112")
    assert therapist is not None
    assert "Therapeut" in therapist
    assert "112" not in therapist
    assert safety_message(german.checkins, [], "112") is None


def test_german_safety_notice_covers_every_severity(german: Catalog) -> None:
    notice = safety_notice(german.checkins, german.cards.drill.stop_rule, "112")
    assert "rufen Sie sofort den Notruf (112)" in notice
    assert "noch heute ärztlich untersuchen" in notice
    assert "Therapeut" in notice
    assert telegram_html_error(notice) is None
    assert "Brechen Sie jede Übung ab, wenn</b>\nSie stechende Schmerzen spüren" in notice
