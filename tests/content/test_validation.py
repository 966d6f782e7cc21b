"""Broken content is refused at start-up with the file and field that need fixing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from content.loader import DEFAULT_LOCALES_ROOT, check_content, load_catalog, load_content
from content.problems import ContentError, ContentProblem

Edit = Callable[[Any], None]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A private copy of the English content to break."""
    shutil.copytree(
        DEFAULT_LOCALES_ROOT / "en",
        tmp_path / "en",
        ignore=shutil.ignore_patterns("messages.yaml"),
    )
    return tmp_path


def edit(root: Path, relative: str, change: Edit, *, locale: str = "en") -> None:
    """Load an English file, change it, and write it to ``locale``."""
    data = yaml.safe_load((root / "en" / relative).read_text(encoding="utf-8"))
    change(data)
    target = root / locale / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def problems(root: Path, locale: str = "en") -> list[ContentProblem]:
    with pytest.raises(ContentError) as raised:
        load_catalog(locale, root)
    assert raised.value.problems
    return raised.value.problems


def find(found: list[ContentProblem], file: str, field: str) -> str:
    """The messages of every problem reported at this file and field (there must be one)."""
    matching = [p.message for p in found if p.file == file and p.field == field]
    assert matching, f"no problem at {file}: {field}; got:\n" + "\n".join(map(str, found))
    return "\n".join(matching)


def test_the_unbroken_copy_loads(root: Path) -> None:
    assert load_catalog("en", root).drills


def test_broken_easier_reference_names_file_field_and_id(root: Path) -> None:
    def break_it(data: Any) -> None:
        data["drills"][1]["easier"] = "foo"

    edit(root, "drills/motor_control.yaml", break_it)
    with pytest.raises(ContentError) as raised:
        load_catalog("en", root)
    assert "en/drills/motor_control.yaml: drills[1].easier: unknown drill 'foo'" in str(
        raised.value
    )


def test_duplicate_lesson_id(root: Path) -> None:
    def duplicate(data: Any) -> None:
        data["lessons"][1]["id"] = data["lessons"][0]["id"]

    edit(root, "lessons.yaml", duplicate)
    message = find(problems(root), "en/lessons.yaml", "lessons[1].id")
    assert "duplicate" in message


def test_duplicate_drill_id_across_files(root: Path) -> None:
    def reuse_id(data: Any) -> None:
        data["drills"][2]["id"] = "glute_set"  # glute_set lives in targeted_activation.yaml

    edit(root, "drills/visual_feedback.yaml", reuse_id)
    message = find(problems(root), "en/drills/visual_feedback.yaml", "drills[2].id")
    assert "duplicate drill id 'glute_set'" in message


def test_lesson_body_over_one_screen(root: Path) -> None:
    def lengthen(data: Any) -> None:
        data["lessons"][0]["body"] = "word " * 1000

    edit(root, "lessons.yaml", lengthen)
    message = find(problems(root), "en/lessons.yaml", "lessons[0].body")
    assert "limit is 700" in message


def test_unclosed_tag_in_lesson_body(root: Path) -> None:
    def unclose(data: Any) -> None:
        data["lessons"][2]["body"] = "<b>unclosed"

    edit(root, "lessons.yaml", unclose)
    message = find(problems(root), "en/lessons.yaml", "lessons[2].body")
    assert "unclosed <b>" in message


def test_markup_in_plain_text_is_refused(root: Path) -> None:
    def add_markup(data: Any) -> None:
        data["drills"][0]["steps"][1] = "<b>unclosed"

    edit(root, "drills/slow_downs.yaml", add_markup)
    find(problems(root), "en/drills/slow_downs.yaml", "drills[0].steps[1]")


def test_drill_without_form_question(root: Path) -> None:
    def remove_questions(data: Any) -> None:
        data["drills"][0]["form_questions"] = []

    edit(root, "drills/joint_position.yaml", remove_questions)
    message = find(problems(root), "en/drills/joint_position.yaml", "drills[0].form_questions")
    assert "at least one form question" in message


def test_drill_without_a_stop_rule_of_its_own(root: Path) -> None:
    def remove_rules(data: Any) -> None:
        data["drills"][0]["safety"] = []

    edit(root, "drills/motor_control.yaml", remove_rules)
    message = find(problems(root), "en/drills/motor_control.yaml", "drills[0].safety")
    assert "at least one stop rule of its own" in message


def test_drill_without_an_easier_version(root: Path) -> None:
    def remove_tip(data: Any) -> None:
        assert data["drills"][0]["easier"] is None  # sit_to_stand_knee_line: a tip only
        del data["drills"][0]["easier_tip"]

    edit(root, "drills/motor_control.yaml", remove_tip)
    message = find(problems(root), "en/drills/motor_control.yaml", "drills[0].easier")
    assert "no easier version: set easier to a drill id, or give easier_tip" in message


def test_drill_without_a_harder_version(root: Path) -> None:
    def remove_tip(data: Any) -> None:
        assert data["drills"][1]["harder"] is None  # supported_split_squat: a tip only
        del data["drills"][1]["harder_tip"]

    edit(root, "drills/motor_control.yaml", remove_tip)
    message = find(problems(root), "en/drills/motor_control.yaml", "drills[1].harder")
    assert "no harder version: set harder to a drill id, or give harder_tip" in message


def test_drill_with_both_a_harder_drill_and_a_harder_tip(root: Path) -> None:
    def add_tip(data: Any) -> None:
        data["drills"][0]["harder_tip"] = "Do more."  # sit_to_stand_knee_line links a drill

    edit(root, "drills/motor_control.yaml", add_tip)
    message = find(problems(root), "en/drills/motor_control.yaml", "drills[0].harder_tip")
    assert "'supported_split_squat'" in message
    assert "not both" in message


@pytest.mark.parametrize("label", ["stop_rule", "home_setup"])
def test_card_labels_without_the_shared_stop_rule_or_home_set_up(root: Path, label: str) -> None:
    def remove(data: Any) -> None:
        del data["drill"][label]

    edit(root, "cards.yaml", remove, locale="fr")
    find(problems(root, "fr"), "fr/cards.yaml", f"drill.{label}")


def test_quiz_with_two_correct_answers(root: Path) -> None:
    def two_right(data: Any) -> None:
        for option in data["lessons"][0]["quiz"]["options"]:
            option["correct"] = True

    edit(root, "lessons.yaml", two_right)
    message = find(problems(root), "en/lessons.yaml", "lessons[0].quiz.options")
    assert "exactly one correct option" in message


def test_method_left_with_one_drill(root: Path) -> None:
    def keep_one(data: Any) -> None:
        data["drills"] = [data["drills"][2]]  # band_pull_apart

    edit(root, "drills/band_assisted.yaml", keep_one)
    found = problems(root)
    message = find(found, "en/taxonomy.yaml", "methods[8]")
    assert "'band_assisted' has 1 drill(s)" in message


def test_article_section_without_a_lesson(root: Path) -> None:
    def move_lessons(data: Any) -> None:
        for lesson in data["lessons"]:
            if lesson["section"] == "vs_strength_training":
                lesson["section"] = "faster_strength"

    edit(root, "lessons.yaml", move_lessons)
    message = find(problems(root), "en/taxonomy.yaml", "sections[4]")
    assert "vs_strength_training" in message


def test_button_label_over_64_characters(root: Path) -> None:
    def long_label(data: Any) -> None:
        data["drills"][0]["form_questions"][0]["options"][0]["label"] = "x" * 65

    edit(root, "drills/tactile_cueing.yaml", long_label)
    find(
        problems(root),
        "en/drills/tactile_cueing.yaml",
        "drills[0].form_questions[0].options[0].label",
    )


def test_wrong_type_reports_the_pydantic_field_path(root: Path) -> None:
    def bad_dose(data: Any) -> None:
        data["drills"][0]["dose"]["sets"] = "many"

    edit(root, "drills/motor_control.yaml", bad_dose)
    find(problems(root), "en/drills/motor_control.yaml", "drills[0].dose.sets")


def test_invalid_yaml_reports_the_line(root: Path) -> None:
    (root / "en" / "cards.yaml").write_text("drill:\n  method: [unclosed\n", "utf-8")
    message = find(problems(root), "en/cards.yaml", "")
    assert "line" in message


def test_all_problems_are_reported_together(root: Path) -> None:
    def break_two(data: Any) -> None:
        data["drills"][0]["lesson"] = "no_such_lesson"
        data["drills"][1]["signs"] = ["no_such_sign"]

    edit(root, "drills/motor_control.yaml", break_two)
    found = problems(root)
    find(found, "en/drills/motor_control.yaml", "drills[0].lesson")
    find(found, "en/drills/motor_control.yaml", "drills[1].signs[0]")


# --- other locales -------------------------------------------------------------------------


def test_locale_without_files_falls_back_to_english(root: Path) -> None:
    (root / "fr").mkdir()
    catalog = load_catalog("fr", root)
    assert catalog.locale == "fr"
    assert catalog.lesson("what_it_is").title == load_catalog("en", root).lesson("what_it_is").title


def test_translated_file_is_used_and_the_rest_falls_back(root: Path) -> None:
    def translate(data: Any) -> None:
        data["drill"]["how_to"] = "Comment faire"

    edit(root, "cards.yaml", translate, locale="fr")
    card = load_catalog("fr", root).render_drill_card("glute_set")
    assert "<b>Comment faire</b>" in card
    assert "Lying glute squeeze" in card  # drills not translated: English


def test_french_lessons_missing_a_lesson_id(root: Path) -> None:
    def drop_one(data: Any) -> None:
        data["lessons"] = [lesson for lesson in data["lessons"] if lesson["id"] != "what_it_is"]

    edit(root, "lessons.yaml", drop_one, locale="fr")
    message = find(problems(root, "fr"), "fr/lessons.yaml", "lessons")
    assert "missing id 'what_it_is'" in message


def test_french_drill_with_an_extra_id(root: Path) -> None:
    def rename(data: Any) -> None:
        data["drills"][0]["id"] = "pont_fessier"

    edit(root, "drills/targeted_activation.yaml", rename, locale="fr")
    found = problems(root, "fr")
    find(found, "fr/drills/targeted_activation.yaml", "drills[0].id")
    find(found, "fr/drills/targeted_activation.yaml", "drills")  # glute_set is missing


def test_translation_may_not_change_a_red_flag_severity(root: Path) -> None:
    def soften(data: Any) -> None:
        data["red_flags"][0]["severity"] = "contact_therapist"

    edit(root, "checkins.yaml", soften, locale="fr")
    message = find(problems(root, "fr"), "fr/checkins.yaml", "red_flags[0].severity")
    assert "must match English" in message


def test_translation_may_not_change_a_dose(root: Path) -> None:
    def double(data: Any) -> None:
        data["drills"][0]["dose"]["reps"] = 20

    edit(root, "drills/motor_control.yaml", double, locale="fr")
    find(problems(root, "fr"), "fr/drills/motor_control.yaml", "drills[0].dose.reps")


def test_french_drill_without_the_tip_english_has(root: Path) -> None:
    def untranslated_tip(data: Any) -> None:
        del data["drills"][0]["easier_tip"]

    edit(root, "drills/motor_control.yaml", untranslated_tip, locale="fr")
    found = problems(root, "fr")
    message = find(found, "fr/drills/motor_control.yaml", "drills[0].easier_tip")
    assert "English has this text: translate it" in message
    find(found, "fr/drills/motor_control.yaml", "drills[0].easier")  # no easier version left


def test_french_drill_with_a_tip_english_does_not_have(root: Path) -> None:
    def extra_tip(data: Any) -> None:
        data["drills"][1]["easier_tip"] = "Plus doucement."

    edit(root, "drills/motor_control.yaml", extra_tip, locale="fr")
    message = find(problems(root, "fr"), "fr/drills/motor_control.yaml", "drills[1].easier_tip")
    assert "English has none: leave it out" in message


def test_drill_file_without_english_counterpart(root: Path) -> None:
    (root / "fr" / "drills").mkdir(parents=True)
    shutil.copy(root / "en" / "drills" / "slow_downs.yaml", root / "fr" / "drills" / "extra.yaml")
    find(problems(root, "fr"), "fr/drills/extra.yaml", "")


def test_check_content_checks_every_locale_with_content_files(content_root: Path) -> None:
    locales = content_root / "locales"
    (locales / "de").mkdir()  # a folder without content files is not a locale

    def drop_one(data: Any) -> None:
        data["lessons"].pop()

    edit(locales, "lessons.yaml", drop_one, locale="fr")
    found = check_content(content_root)
    assert found
    assert {problem.file for problem in found} == {"fr/lessons.yaml"}


# --- files for every language --------------------------------------------------------------


def test_starter_plan_with_an_unknown_drill(content_root: Path) -> None:
    plans = content_root / "plans.yaml"
    plans.write_text(
        plans.read_text(encoding="utf-8").replace("- glute_set", "- glute_sett"), "utf-8"
    )
    message = find(check_content(content_root), "plans.yaml", "starter.drill_ids[1]")
    assert "unknown drill 'glute_sett'" in message


def test_starter_plan_without_drills_per_reminder(content_root: Path) -> None:
    plans = content_root / "plans.yaml"
    text = plans.read_text(encoding="utf-8").replace("  drills_per_reminder: 2\n", "")
    plans.write_text(text, "utf-8")
    with pytest.raises(ContentError) as raised:
        load_content(content_root)
    find(raised.value.problems, "plans.yaml", "starter.drills_per_reminder")


def test_city_in_an_unknown_time_zone(content_root: Path) -> None:
    zones = content_root / "timezones.yaml"
    text = zones.read_text(encoding="utf-8").replace("Europe/Berlin", "Europe/Berlinn")
    zones.write_text(text, "utf-8")
    message = find(check_content(content_root), "timezones.yaml", "regions.europe[4]")
    assert "unknown time zone 'Europe/Berlinn'" in message


def test_region_without_a_button_label(content_root: Path) -> None:
    zones = content_root / "timezones.yaml"
    text = zones.read_text(encoding="utf-8").replace("  oceania:", "  antarctica:")
    zones.write_text(text, "utf-8")
    message = find(check_content(content_root), "timezones.yaml", "regions.antarctica")
    assert "timezone.regions.antarctica" in message


def _replace_in(file: Path, old: str, new: str) -> None:
    text = file.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {file.name}"
    file.write_text(text.replace(old, new), "utf-8")


def test_emergency_zone_the_tz_database_does_not_have(content_root: Path) -> None:
    numbers = content_root / "emergency_numbers.yaml"
    _replace_in(numbers, '  Europe/Berlin: "DE"', '  Europe/Berlinn: "DE"')
    found = check_content(content_root)
    message = find(found, "emergency_numbers.yaml", "zones.Europe/Berlinn")
    assert "'Europe/Berlinn' is not a zone" in message
    # The Berlin button has lost its number with it.
    message = find(found, "timezones.yaml", "regions.europe[4]")
    assert "emergency_numbers.yaml needs zones.Europe/Berlin" in message


def test_emergency_country_code_in_lower_case(content_root: Path) -> None:
    numbers = content_root / "emergency_numbers.yaml"
    _replace_in(numbers, '  Europe/Paris: "FR"', '  Europe/Paris: "fr"')
    _replace_in(numbers, '  DE: "112"', '  De: "112"')
    found = check_content(content_root)
    message = find(found, "emergency_numbers.yaml", "zones.Europe/Paris")
    assert "'fr' is not a country code" in message
    assert "'De' is not a country code" in find(found, "emergency_numbers.yaml", "numbers.De")


def test_emergency_number_for_a_country_no_zone_is_in(content_root: Path) -> None:
    _replace_in(content_root / "emergency_numbers.yaml", '  GB: "999"', '  UK: "999"')
    found = check_content(content_root)
    assert "no zone is in country 'UK'" in find(found, "emergency_numbers.yaml", "numbers.UK")
    message = find(found, "timezones.yaml", "regions.europe[0]")
    assert "no emergency number for London: emergency_numbers.yaml needs numbers.GB" in message


@pytest.mark.parametrize("number", ["0", "1234567", "11 2", "+112", "911a"])
def test_emergency_number_that_is_not_2_to_6_digits(content_root: Path, number: str) -> None:
    _replace_in(content_root / "emergency_numbers.yaml", '  AU: "000"', f'  AU: "{number}"')
    message = find(check_content(content_root), "emergency_numbers.yaml", "numbers.AU")
    assert f"{number!r} is not a number of 2 to 6 digits" in message


def test_emergency_number_unquoted_is_refused(content_root: Path) -> None:
    # YAML reads 000 as the integer 0: a number must be a quoted string.
    _replace_in(content_root / "emergency_numbers.yaml", '  AU: "000"', "  AU: 000")
    find(check_content(content_root), "emergency_numbers.yaml", "numbers.AU")


def test_city_button_whose_country_has_no_emergency_number(content_root: Path) -> None:
    _replace_in(content_root / "emergency_numbers.yaml", '  JP: "119"', "")
    message = find(check_content(content_root), "timezones.yaml", "regions.asia[12]")
    assert "no emergency number for Tokyo: emergency_numbers.yaml needs numbers.JP" in message


def test_emergency_numbers_file_missing(content_root: Path) -> None:
    (content_root / "emergency_numbers.yaml").unlink()
    assert "missing" in find(check_content(content_root), "emergency_numbers.yaml", "")


def test_consent_without_a_version(content_root: Path) -> None:
    (content_root / "consent.yaml").write_text("version: ''\n", "utf-8")
    find(check_content(content_root), "consent.yaml", "version")


def test_search_words_must_be_written_as_search_reads_them(content_root: Path) -> None:
    search = content_root / "locales" / "en" / "search.yaml"
    text = search.read_text(encoding="utf-8").replace("  wont would", "  Won't would")
    search.write_text(text, "utf-8")
    message = find(check_content(content_root), "en/search.yaml", "stop_words")
    assert "Won't" in message


# --- red flags ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "field", "text", "expected"),
    [
        ("same_day_care", "message", "<b>Stop.</b> Get care today.", "must place {flag}"),
        ("emergency_services", "message", "<b>Stop.</b> {flag}. Call now.", "{number}"),
        ("emergency_services", "heading", "Call emergency services if you have:", "{number}"),
        ("contact_therapist", "message", "<b>Stop.</b> {flag}, {name}.", "unknown placeholder"),
        ("contact_therapist", "heading", "Call your therapist {", "broken placeholder"),
    ],
)
def test_a_tier_that_drops_the_flag_or_the_number_is_refused(
    root: Path, tier: str, field: str, text: str, expected: str
) -> None:
    def reword(data: Any) -> None:
        data["tiers"][tier][field] = text

    edit(root, "checkins.yaml", reword)
    assert expected in find(problems(root), "en/checkins.yaml", f"tiers.{tier}.{field}")


def test_a_tier_without_a_flag_is_refused(root: Path) -> None:
    def drop_same_day_flags(data: Any) -> None:
        data["red_flags"] = [f for f in data["red_flags"] if f["severity"] != "same_day_care"]

    edit(root, "checkins.yaml", drop_same_day_flags)
    message = find(problems(root), "en/checkins.yaml", "red_flags")
    assert "no red flag has severity 'same_day_care'" in message


def test_a_translation_missing_a_red_flag_is_refused(root: Path) -> None:
    def drop_calf(data: Any) -> None:
        data["red_flags"] = [flag for flag in data["red_flags"] if flag["id"] != "calf"]

    edit(root, "checkins.yaml", drop_calf, locale="fr")
    message = find(problems(root, "fr"), "fr/checkins.yaml", "red_flags")
    assert "missing id 'calf' that English defines" in message


def test_a_red_flag_written_as_a_paragraph_is_refused(root: Path) -> None:
    def lengthen(data: Any) -> None:
        data["red_flags"][0]["text"] = "chest pain " * 20

    edit(root, "checkins.yaml", lengthen)
    assert "limit is 160" in find(problems(root), "en/checkins.yaml", "red_flags[0].text")


def test_a_translation_that_drops_a_drills_own_stop_rule_is_refused(root: Path) -> None:
    def drop_one(data: Any) -> None:
        data["drills"][1]["safety"] = []

    english = yaml.safe_load((root / "en/drills/motor_control.yaml").read_text("utf-8"))
    assert len(english["drills"][1]["safety"]) >= 1
    edit(root, "drills/motor_control.yaml", drop_one, locale="fr")
    found = problems(root, "fr")
    message = find(found, "fr/drills/motor_control.yaml", "drills[1].safety")
    assert f"English has {len(english['drills'][1]['safety'])} items here, this has 0" in message
