"""locales/<lang>/red_flags.yaml: phrases for exactly the flags the language's check-ins list.

The phrases' own form is checked by their model (``content.models.Phrase``); here, what a
phrase refers to: the flags of ``checkins.yaml`` and the file's own groups.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from content.models import Checkins, RedFlagWords
from content.problems import ContentProblem
from content.reading import Parsed


def check_red_flag_words(
    words: Parsed[RedFlagWords], checkins: Parsed[Checkins] | None
) -> Iterator[ContentProblem]:
    """Every flag of checkins.yaml has phrases and no other flag has; every group exists.

    ``checkins`` is None when the language's check-ins could not be read (their problems
    are reported with their own file).
    """
    file, model = words.file, words.model
    if checkins is not None:
        listed = [flag.id for flag in checkins.model.red_flags]
        for flag_id in listed:
            if flag_id not in model.flags:
                yield ContentProblem(
                    file, "flags", f"no phrases for red flag {flag_id!r} of {checkins.file}"
                )
        for flag_id in model.flags:
            if flag_id not in listed:
                yield ContentProblem(
                    file,
                    f"flags.{flag_id}",
                    f"unknown red flag: {checkins.file} has no {flag_id!r}",
                )
    for name, entries in model.groups.items():
        for index, entry in enumerate(entries):
            if "{" in entry or "..." in entry.split():
                yield ContentProblem(
                    file,
                    f"groups.{name}[{index}]",
                    "a group holds words and choices, not '{group}' or '...'",
                )
    for letters, instead in model.spellings.items():
        if not _folded_letters(letters) or not (instead == "" or _folded_letters(instead)):
            yield ContentProblem(
                file,
                f"spellings.{letters}",
                "write spellings as lower-case letters without accents, as text is compared",
            )
    for key, value in model.read_as.items():
        if any(mark in text for text in (key, value) for mark in "{|*."):
            yield ContentProblem(
                file, f"read_as.{key}", "read_as takes plain words, without '*', '|', '{}' or '...'"
            )
    for field, phrases in _phrase_lists(model):
        for index, phrase in enumerate(phrases):
            for word in phrase.split():
                for choice in word.split("|"):
                    if choice.startswith("{") and choice[1:-1] not in model.groups:
                        yield ContentProblem(file, f"{field}[{index}]", f"unknown group {choice!r}")


def _phrase_lists(model: RedFlagWords) -> Iterator[tuple[str, tuple[str, ...]]]:
    for flag_id, flag in model.flags.items():
        yield f"flags.{flag_id}.phrases", flag.phrases
        yield f"flags.{flag_id}.unless", flag.unless
    negation = model.negation
    yield "negation.before", negation.before
    yield "negation.after", negation.after
    yield "negation.past", negation.past
    yield "negation.doubt", negation.doubt


def _folded_letters(text: str) -> bool:
    """Letters as the matcher compares text: lower case, accents already dropped."""
    return text.isalpha() and text == text.casefold() == unicodedata.normalize("NFKD", text)
