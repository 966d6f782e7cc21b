"""The message catalogue: every sentence in content/, checked the way `reed content check` does."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content.messages import (
    LOCALES_DIR,
    MessageCatalogue,
    MessageCatalogueError,
    Text,
    check_messages,
)


def copy_english(tmp_path: Path) -> Path:
    root = tmp_path / "locales"
    (root / "en").mkdir(parents=True)
    shutil.copy(LOCALES_DIR / "en" / "messages.yaml", root / "en" / "messages.yaml")
    return root


def test_shipped_messages_are_valid_in_every_language() -> None:
    assert check_messages() == []
    catalogue = MessageCatalogue.load()
    assert "en" in catalogue.languages


def test_a_missing_key_in_a_language_names_file_and_key(tmp_path: Path) -> None:
    root = copy_english(tmp_path)
    (root / "fr").mkdir()
    (root / "fr" / "messages.yaml").write_text("welcome:\n  intro: Bonjour\n", encoding="utf-8")
    problems = [str(problem) for problem in check_messages(root)]
    assert "fr/messages.yaml: consent.body: missing (defined in en)" in problems
    with pytest.raises(MessageCatalogueError, match=r"fr/messages.yaml: help.body: missing"):
        MessageCatalogue.load(root)


def test_broken_html_long_labels_and_placeholders_are_reported(tmp_path: Path) -> None:
    root = copy_english(tmp_path)
    path = root / "en" / "messages.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  agree: ✅ I agree", "  agree: " + "A" * 70)
    text = text.replace("  saved: <b>Saved.</b>", "  saved: <b>Saved.")
    text = text.replace('  pick_city: "Choose', '  pick_city: "{region Choose')
    path.write_text(text, encoding="utf-8")
    problems = "\n".join(str(problem) for problem in check_messages(root))
    assert "en/messages.yaml: buttons.agree: longer than Telegram's 64 characters" in problems
    assert "en/messages.yaml: summary.saved: Telegram cannot parse this HTML" in problems
    assert "en/messages.yaml: timezone.pick_city: bad placeholder" in problems


def test_a_language_is_added_by_adding_a_folder(tmp_path: Path) -> None:
    root = copy_english(tmp_path)
    (root / "xx").mkdir()
    english = (root / "en" / "messages.yaml").read_text(encoding="utf-8")
    (root / "xx" / "messages.yaml").write_text(
        english.replace("You're all set.", "Alles klar."), encoding="utf-8"
    )
    catalogue = MessageCatalogue.load(root)
    assert catalogue.languages == ["en", "xx"]
    assert catalogue.resolve_language("xx-YY") == "xx"
    assert catalogue.resolve_language("pt-BR") == "en"
    assert catalogue.for_language("xx").html(Text("summary.all_set")) == "<b>Alles klar.</b>"


def test_parameters_are_escaped_in_bodies_and_plain_in_labels() -> None:
    english = MessageCatalogue.load().for_language("en")
    said = Text("timezone.unknown", {"text": "<script>&"})
    assert "“&lt;script&gt;&amp;”" in english.html(said)
    assert "“<script>&”" in english.plain(said)
