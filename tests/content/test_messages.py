"""The message catalogue: every sentence in content/, checked the way `reed content check` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.loader import check_content, load_content
from content.messages import Text
from content.problems import ContentError


def test_shipped_messages_are_valid_in_every_language() -> None:
    assert check_content() == []
    catalogue = load_content().messages
    assert "en" in catalogue.languages


def test_a_missing_key_in_a_language_names_file_and_key(content_root: Path) -> None:
    french = content_root / "locales" / "fr"
    french.mkdir()
    (french / "messages.yaml").write_text("welcome:\n  intro: Bonjour\n", encoding="utf-8")
    problems = [str(problem) for problem in check_content(content_root)]
    assert "fr/messages.yaml: consent.body: missing (defined in en)" in problems
    assert "fr/search.yaml: file is missing" in problems
    with pytest.raises(ContentError, match=r"fr/messages.yaml: help.body: missing"):
        load_content(content_root)


def test_broken_html_long_labels_and_placeholders_are_reported(content_root: Path) -> None:
    path = content_root / "locales" / "en" / "messages.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  agree: ✅ I agree", "  agree: " + "A" * 70)
    text = text.replace("  saved: <b>Saved.</b>", "  saved: <b>Saved.")
    text = text.replace('  pick_city: "Choose', '  pick_city: "{region Choose')
    path.write_text(text, encoding="utf-8")
    problems = "\n".join(str(problem) for problem in check_content(content_root))
    assert "en/messages.yaml: buttons.agree: longer than Telegram's 64 characters" in problems
    assert "en/messages.yaml: summary.saved: Telegram cannot parse this HTML" in problems
    assert "en/messages.yaml: timezone.pick_city: bad placeholder" in problems


def test_a_language_is_added_by_adding_a_folder(content_root: Path) -> None:
    english = content_root / "locales" / "en"
    other = content_root / "locales" / "xx"
    other.mkdir()
    shutil.copy(english / "search.yaml", other / "search.yaml")
    shutil.copy(english / "red_flags.yaml", other / "red_flags.yaml")
    shutil.copytree(english / "messages", other / "messages")
    (other / "messages.yaml").write_text(
        (english / "messages.yaml")
        .read_text(encoding="utf-8")
        .replace("You're all set.", "Alles klar."),
        encoding="utf-8",
    )
    content = load_content(content_root)
    catalogue = content.messages
    assert catalogue.languages == ["en", "xx"]
    assert catalogue.resolve_language("xx-YY") == "xx"
    assert catalogue.resolve_language("pt-BR") == "en"
    assert catalogue.for_language("xx").html(Text("summary.all_set")) == "<b>Alles klar.</b>"
    # Its lessons and drills are English until translated; its search words are its own.
    assert content.catalog("xx-YY").lesson("what_it_is") == content.catalog("en").lesson(
        "what_it_is"
    )
    assert content.search_words["xx"] == content.search_words["en"]


def test_parameters_are_escaped_in_bodies_and_plain_in_labels() -> None:
    english = load_content().messages.for_language("en")
    said = Text("timezone.unknown", {"text": "<script>&"})
    assert "“&lt;script&gt;&amp;”" in english.html(said)
    assert "“<script>&”" in english.plain(said)


def test_a_feature_messages_file_is_read_and_checked_against_english(content_root: Path) -> None:
    german = content_root / "locales" / "de"
    shutil.copytree(content_root / "locales" / "en", german)
    for code, text in (("en", "hello: Hi {name}\n"), ("de", "hello: Hallo\n")):
        folder = content_root / "locales" / code / "messages"
        folder.mkdir(exist_ok=True)
        (folder / "greeting.yaml").write_text(f"greeting:\n  {text}", encoding="utf-8")
    problems = [str(problem) for problem in check_content(content_root)]
    assert "de/messages/greeting.yaml: greeting.hello: placeholders differ from en" in problems


def test_a_key_in_two_messages_files_is_refused(content_root: Path) -> None:
    folder = content_root / "locales" / "en" / "messages"
    folder.mkdir(exist_ok=True)
    (folder / "extra.yaml").write_text("help:\n  body: Twice\n", encoding="utf-8")
    problems = [str(problem) for problem in check_content(content_root)]
    assert "en/messages/extra.yaml: help.body: defined in another messages file too" in problems


def test_a_sentence_with_plural_forms_takes_the_one_its_count_asks_for() -> None:
    catalogue = load_content().messages
    english, german = catalogue.for_language("en"), catalogue.for_language("de")
    more = "weekly.pdf.more"
    assert english.plain(Text(more, {"count": 1})) == "… and 1 more patient: see the CSV file."
    assert english.plain(Text(more, {"count": 2})) == "… and 2 more patients: see the CSV file."
    assert english.plain(Text(more, {"count": 0})).startswith("… and 0 more patients")
    assert german.plain(Text(more, {"count": 1})) == "… und 1 weitere Person: siehe CSV-Datei."
    assert german.plain(Text(more, {"count": 3})) == "… und 3 weitere Personen: siehe CSV-Datei."
    with pytest.raises(KeyError, match=r"weekly\.pdf\.more"):
        english.plain(Text(more))  # plural forms need their count
