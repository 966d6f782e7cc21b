"""The message catalogue: every sentence the bot says, per language.

Every entry is Telegram HTML, so any entry can sit inside a message body; button labels and
notices get the visible text. A sentence that depends on a number has plural forms: the key's
``one`` and ``other`` entries, picked by the ``{count}`` parameter. Each language is a folder
``content/locales/<code>/`` with a ``messages.yaml`` of nested keys. English is the reference:
another language must define exactly the same keys with the same ``{placeholders}``. Adding a
language is adding a folder.
``content.loader`` reads and checks the files; this module renders what they say.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field

from content.telegram_html import visible_text

__all__ = ["Markup", "MessageCatalogue", "Messages", "Text"]

DEFAULT_LANGUAGE = "en"
# The parameter that picks a sentence's plural form (see ``Messages._entry``).
COUNT = "count"


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
            return self._entry(text).format_map(params)
        if isinstance(text, tuple):
            return ", ".join(self._render(part) for part in text)
        if isinstance(text, Markup):
            return str(text)
        return html.escape(str(text), quote=False)

    def _entry(self, text: Text) -> str:
        """The sentence of ``text.key``; for a key with plural forms (``<key>.one`` and
        ``<key>.other``), the form its ``count`` asks for."""
        entry = self._entries.get(text.key)
        if entry is None and COUNT in text.params:
            entry = self._entries.get(f"{text.key}.{plural_form(text.params[COUNT])}")
        if entry is None:
            raise KeyError(text.key)
        return entry


def plural_form(count: object) -> str:
    """The plural form English and German use for ``count``: ``one`` for exactly 1, else
    ``other`` (a language with more forms would add its rule here)."""
    return "one" if count == 1 else "other"


class MessageCatalogue:
    """All languages, loaded and checked once at start-up."""

    def __init__(self, languages: Mapping[str, Mapping[str, str]], default: str = DEFAULT_LANGUAGE):
        self._languages = {code: Messages(code, entries) for code, entries in languages.items()}
        self.default = default

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
