"""The message catalogue: every sentence the bot says, per language.

Every entry is Telegram HTML, so any entry can sit inside a message body; button labels and
notices get the visible text. Each language is a folder ``content/locales/<code>/`` with a
``messages.yaml`` of nested keys. English is the reference: another language must define
exactly the same keys with the same ``{placeholders}``. Adding a language is adding a folder.
"""

from __future__ import annotations

import html
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from content.telegram_html import telegram_html_error, visible_length, visible_text

CONTENT_DIR = Path(__file__).resolve().parent
LOCALES_DIR = CONTENT_DIR / "locales"
DEFAULT_LANGUAGE = "en"
MESSAGES_FILE = "messages.yaml"
BUTTON_LABEL_LIMIT = 64
MESSAGE_LIMIT = 4096


@dataclass(frozen=True)
class MessageProblem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


class MessageCatalogueError(ValueError):
    def __init__(self, problems: list[MessageProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{path}."))
        else:
            flat[path] = str(value).strip("\n") if isinstance(value, str) else str(value)
    return flat


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True)
class Text:
    """A reference to a sentence in the catalogue, with its parameters.

    A parameter may itself be a :class:`Text` (rendered in the same language) or a tuple of
    them (joined with commas), so that rules can say "on {days}" without knowing the words.
    """

    key: str
    params: Mapping[str, object] = field(default_factory=dict)


class Markup(str):
    """Telegram HTML that was rendered and checked elsewhere (a lesson, a drill card).

    It goes into a message as it is, where a plain ``str`` would be escaped.
    """

    __slots__ = ()


class Messages:
    """The sentences of one language."""

    def __init__(self, language: str, entries: Mapping[str, str]) -> None:
        self.language = language
        self._entries = entries

    def html(self, text: Text | str) -> str:
        """Text for a message body (parse mode HTML): plain parameter values are escaped."""
        return self._render(text)

    def plain(self, text: Text | str) -> str:
        """Text for a button label or a notice, which Telegram shows verbatim: no markup."""
        return visible_text(self._render(text))

    def _render(self, text: object) -> str:
        if isinstance(text, Text):
            params = {name: self._render(value) for name, value in text.params.items()}
            return self._entries[text.key].format_map(params)
        if isinstance(text, tuple):
            return ", ".join(self._render(part) for part in text)
        if isinstance(text, Markup):
            return str(text)
        return html.escape(str(text), quote=False)


class MessageCatalogue:
    """All languages, loaded and checked once at start-up."""

    def __init__(self, languages: Mapping[str, Mapping[str, str]], default: str = DEFAULT_LANGUAGE):
        self._languages = {code: Messages(code, entries) for code, entries in languages.items()}
        self.default = default

    @classmethod
    def load(cls, locales_dir: Path = LOCALES_DIR) -> MessageCatalogue:
        """Load every language; raise :class:`MessageCatalogueError` naming each problem."""
        languages, problems = _load_and_check(locales_dir)
        if problems:
            raise MessageCatalogueError(problems)
        return cls(languages)

    @property
    def languages(self) -> list[str]:
        return sorted(self._languages)

    def resolve_language(self, preferred: str | None) -> str:
        """Pick the language to speak: the preferred one if we have it (``pt-BR`` -> ``pt``)."""
        if preferred:
            code = preferred.lower().replace("_", "-")
            for candidate in (code, code.split("-", 1)[0]):
                if candidate in self._languages:
                    return candidate
        return self.default

    def language_names(self) -> dict[str, str]:
        """Each language's name in that language, for the /language buttons."""
        return {
            code: messages.plain(Text("language.name"))
            for code, messages in self._languages.items()
        }

    def for_language(self, preferred: str | None) -> Messages:
        return self._languages[self.resolve_language(preferred)]


def check_messages(locales_dir: Path = LOCALES_DIR) -> list[MessageProblem]:
    """Every problem in the message files, for ``reed content check`` and the tests."""
    return _load_and_check(locales_dir)[1]


def _load_and_check(locales_dir: Path) -> tuple[dict[str, dict[str, str]], list[MessageProblem]]:
    problems: list[MessageProblem] = []
    languages: dict[str, dict[str, str]] = {}
    for path in sorted(locales_dir.glob(f"*/{MESSAGES_FILE}")):
        name = str(path.relative_to(locales_dir))
        try:
            tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(MessageProblem(name, "-", f"not valid YAML: {exc}"))
            continue
        if not isinstance(tree, Mapping):
            problems.append(MessageProblem(name, "-", "expected a mapping of message keys"))
            continue
        entries = _flatten(tree)
        languages[path.parent.name] = entries
        for key, value in entries.items():
            error = telegram_html_error(value)
            if error:
                problems.append(
                    MessageProblem(name, key, f"Telegram cannot parse this HTML: {error}")
                )
            limit = BUTTON_LABEL_LIMIT if key.startswith("buttons.") else MESSAGE_LIMIT
            if visible_length(value) > limit:
                problems.append(
                    MessageProblem(name, key, f"longer than Telegram's {limit} characters")
                )
            try:
                value.format_map({name: "x" for name in _placeholders(value)})
            except (ValueError, KeyError, IndexError) as exc:
                problems.append(MessageProblem(name, key, f"bad placeholder: {exc}"))
    reference = languages.get(DEFAULT_LANGUAGE)
    if reference is None:
        problems.append(MessageProblem(f"{DEFAULT_LANGUAGE}/{MESSAGES_FILE}", "-", "missing"))
        return languages, problems
    for code, entries in languages.items():
        if code == DEFAULT_LANGUAGE:
            continue
        name = f"{code}/{MESSAGES_FILE}"
        for key in sorted(reference.keys() - entries.keys()):
            problems.append(MessageProblem(name, key, f"missing (defined in {DEFAULT_LANGUAGE})"))
        for key in sorted(entries.keys() - reference.keys()):
            problems.append(MessageProblem(name, key, f"not defined in {DEFAULT_LANGUAGE}"))
        for key in sorted(reference.keys() & entries.keys()):
            if _placeholders(reference[key]) != _placeholders(entries[key]):
                problems.append(
                    MessageProblem(name, key, f"placeholders differ from {DEFAULT_LANGUAGE}")
                )
    return languages, problems


@dataclass(frozen=True)
class City:
    label: str
    zone: str


def load_timezone_regions(path: Path = CONTENT_DIR / "timezones.yaml") -> dict[str, list[City]]:
    """The region -> cities table behind the time-zone buttons."""
    tree = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        region: [City(label=label, zone=zone) for label, zone in cities]
        for region, cities in tree["regions"].items()
    }


def load_consent_version(path: Path = CONTENT_DIR / "consent.yaml") -> str:
    return str(yaml.safe_load(path.read_text(encoding="utf-8"))["version"])
