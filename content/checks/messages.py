"""locales/<lang>/messages.yaml: HTML Telegram accepts, lengths, placeholders, and every
language saying exactly what English says (same keys, same placeholders)."""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping

from content.checks.common import BUTTON_LABEL_LIMIT, MESSAGE_LIMIT
from content.problems import ContentProblem
from content.telegram_html import telegram_html_error, visible_length


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a message template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def check_messages(file: str, entries: Mapping[str, str]) -> Iterator[ContentProblem]:
    """One language's entries, each a Telegram HTML template."""
    for key, value in entries.items():
        error = telegram_html_error(value)
        if error:
            yield ContentProblem(file, key, f"Telegram cannot parse this HTML: {error}")
        limit = BUTTON_LABEL_LIMIT if key.startswith("buttons.") else MESSAGE_LIMIT
        if visible_length(value) > limit:
            yield ContentProblem(file, key, f"longer than Telegram's {limit} characters")
        try:
            value.format_map(dict.fromkeys(placeholders(value), "x"))
        except (ValueError, KeyError, IndexError) as exc:
            yield ContentProblem(file, key, f"bad placeholder: {exc}")


def check_translated_messages(
    file: str, entries: Mapping[str, str], english: Mapping[str, str], english_code: str
) -> Iterator[ContentProblem]:
    """A language defines English's keys, no others, with English's placeholders."""
    for key in sorted(english.keys() - entries.keys()):
        yield ContentProblem(file, key, f"missing (defined in {english_code})")
    for key in sorted(entries.keys() - english.keys()):
        yield ContentProblem(file, key, f"not defined in {english_code}")
    for key in sorted(english.keys() & entries.keys()):
        if placeholders(english[key]) != placeholders(entries[key]):
            yield ContentProblem(file, key, f"placeholders differ from {english_code}")
