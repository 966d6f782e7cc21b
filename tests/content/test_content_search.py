"""A patient types a question; search points to the lesson or drills that answer it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.domain.content_search import ContentIndex, SearchDocument, SearchHit, Tokenizer
from content.catalog import Catalog
from content.loader import Content, load_content


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


@pytest.fixture(scope="module")
def catalog(content: Content) -> Catalog:
    return content.catalog("en")


@pytest.fixture(scope="module")
def english(content: Content) -> Tokenizer:
    """English as search reads it: content/locales/en/search.yaml."""
    return Tokenizer(content.search_words["en"])


@pytest.fixture(scope="module")
def index(content: Content, catalog: Catalog) -> ContentIndex:
    return ContentIndex.from_catalog(catalog, content.search_words["en"])


def about_sign(catalog: Catalog, hit: SearchHit, sign_id: str, lesson_id: str) -> bool:
    if hit.kind == "lesson":
        return hit.id == lesson_id
    return sign_id in catalog.drill(hit.id).signs


def test_knee_caving_in_finds_the_knee_collapse_content(
    catalog: Catalog, index: ContentIndex
) -> None:
    hits = index.search("why does my knee cave in?")
    assert hits
    assert all(about_sign(catalog, h, "knee_caves_in_lunge", "signs_knee_hip") for h in hits)


def test_other_words_for_a_collapsing_knee_find_the_same_content(
    catalog: Catalog, index: ContentIndex
) -> None:
    hits = index.search("My knee collapses inward when I lunge")
    assert hits
    assert all(about_sign(catalog, h, "knee_caves_in_lunge", "signs_knee_hip") for h in hits)


def test_what_is_proprioception_finds_the_balance_lesson(index: ContentIndex) -> None:
    hits = index.search("what is proprioception?")
    assert hits[0] == SearchHit(
        "lesson", "methods_activation_balance", hits[0].title, hits[0].score
    )


def test_shrugging_shoulder_finds_the_shoulder_hike_content(
    catalog: Catalog, index: ContentIndex
) -> None:
    hits = index.search("my shoulder shrugs when I press")
    assert hits
    assert all(
        about_sign(catalog, h, "shoulder_hikes_overhead", "signs_balance_shoulder_core")
        for h in hits
    )


def test_why_not_lift_heavier_finds_the_pattern_before_load_idea(index: ContentIndex) -> None:
    hits = index.search("why not just lift heavier?")
    assert hits[0].kind == "lesson"
    assert hits[0].id in {"pattern_before_load", "hardware_software"}


def test_wobbly_on_one_leg_finds_balance_drills(catalog: Catalog, index: ContentIndex) -> None:
    hits = index.search("I feel wobbly on one leg")
    assert hits
    assert all(about_sign(catalog, h, "shaky_balance", "signs_balance_shoulder_core") for h in hits)


def test_tiredness_finds_the_lesson_on_fatigue(index: ContentIndex) -> None:
    assert index.search("why do I lose control when I am tired")[0].id == "lost_daily_life"


@pytest.mark.parametrize(
    "query",
    ["pizza recipe tomorrow", "tell me a joke about football", "", "the and of", "???"],
)
def test_unrelated_questions_get_no_hits(index: ContentIndex, query: str) -> None:
    assert index.search(query) == []


def test_hits_are_best_first_within_the_limit(index: ContentIndex) -> None:
    hits = index.search("knee", limit=5)
    assert len(hits) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("knee", limit=0) == []


def test_every_hit_names_real_content(catalog: Catalog, index: ContentIndex) -> None:
    for hit in index.search("balance glutes core shoulder knee", limit=50):
        title = catalog.lesson(hit.id).title if hit.kind == "lesson" else catalog.drill(hit.id).name
        assert hit.title == title


def test_word_forms_meet_at_one_stem(english: Tokenizer) -> None:
    stem = english.stem
    assert stem("caves") == stem("caving") == stem("cave")
    assert stem("knees") == stem("knee")
    assert stem("shrugs") == stem("shrug")
    assert stem("heavier") == stem("heavy")
    assert stem("stepping") == stem("step")
    assert stem("press") == "press"
    assert stem("pelvis") == "pelvis"


def test_tokenizer_drops_markup_stop_words_and_apostrophes(english: Tokenizer) -> None:
    assert english.tokenize("<b>Why</b> won't my glutes fire?") == [
        english.stem("glutes"),
        english.stem("fire"),
    ]


def test_synonyms_come_from_the_data(english: Tokenizer) -> None:
    documents = [
        SearchDocument("drill", "hike", "Hike", "Shoulder hike", "the shoulder hikes up"),
        SearchDocument("drill", "squat", "Squat", "Squat", "bend the knees"),
    ]
    without = ContentIndex(documents, english)
    with_synonyms = ContentIndex(documents, english, [["hike", "shrug"]])
    assert without.search("shrug") == []
    assert [hit.id for hit in with_synonyms.search("shrug")] == ["hike"]


def test_search_module_does_not_import_telegram() -> None:
    code = (
        "import sys, bot.domain.content_search; "
        "sys.exit(any(m == 'telegram' or m.startswith('telegram.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_language_brings_its_own_stop_words_and_endings(content: Content) -> None:
    german = Tokenizer(content.search_words["de"])
    assert german.tokenize("Warum knickt mein Knie nach innen?") == ["knickt", "kni", "inn"]
    assert german.stem("Knies".lower()) == german.stem("knie") == german.stem("knien")
    assert german.stem("hüften") == german.stem("hüfte")
    # English function words are content words to German search, and the other way round.
    assert "die" not in content.search_words["en"].stop_words
    assert "the" not in content.search_words["de"].stop_words


def test_german_questions_find_german_content(content: Content) -> None:
    german = content.catalog("de")
    index = ContentIndex.from_catalog(german, content.search_words["de"])
    hits = index.search("Warum knickt mein Knie nach innen?")
    assert hits
    assert all(about_sign(german, h, "knee_caves_in_lunge", "signs_knee_hip") for h in hits)
