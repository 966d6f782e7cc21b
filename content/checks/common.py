"""Checks every kind of file shares: Telegram's limits, unique ids, markup against plain text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from content.problems import ContentProblem
from content.telegram_html import telegram_html_error, visible_length

# Telegram Bot API limits.
MESSAGE_LIMIT = 4096
BUTTON_LABEL_LIMIT = 64
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
QUIZ_EXPLANATION_LIMIT = 200

# Fields whose value is Telegram HTML; every other string is plain text.
MARKUP_FIELDS = frozenset({"body", "message", "intro"})


def too_long(file: str, field: str, text: str, limit: int, what: str) -> Iterator[ContentProblem]:
    """A problem if the text Telegram shows is longer than ``limit``."""
    length = visible_length(text)
    if length > limit:
        yield ContentProblem(file, field, f"{what} is {length} characters; the limit is {limit}")


def duplicate_ids(file: str, field: str, ids: Sequence[str], what: str) -> Iterator[ContentProblem]:
    """A problem at each id that an earlier item of the same list already uses."""
    seen: set[str] = set()
    for index, item_id in enumerate(ids):
        if item_id in seen:
            yield ContentProblem(file, f"{field}[{index}].id", f"duplicate {what} id {item_id!r}")
        seen.add(item_id)


def check_texts(model: BaseModel, file: str) -> Iterator[ContentProblem]:
    """Every string is Telegram HTML (markup fields) or plain text without '<' or '&'.

    Plain text may hold neither, so that it is safe whether or not the sender escapes it.
    """
    for path, name, text in strings(model):
        if name in MARKUP_FIELDS:
            error = telegram_html_error(text)
            if error is not None:
                yield ContentProblem(file, path, f"Telegram would reject this HTML: {error}")
            elif visible_length(text) > MESSAGE_LIMIT:
                yield ContentProblem(
                    file, path, f"longer than Telegram's {MESSAGE_LIMIT}-character limit"
                )
        elif "<" in text or "&" in text:
            yield ContentProblem(file, path, "plain text may not contain '<' or '&'")


def strings(model: BaseModel) -> Iterator[tuple[str, str, str]]:
    """Every string in a model as (field path, field name, text)."""

    def walk(value: Any, path: str, name: str) -> Iterator[tuple[str, str, str]]:
        if isinstance(value, str):
            yield path, name, value
        elif isinstance(value, BaseModel):
            for field in type(value).model_fields:
                yield from walk(getattr(value, field), f"{path}.{field}" if path else field, field)
        elif isinstance(value, tuple):
            for index, item in enumerate(value):
                yield from walk(item, f"{path}[{index}]", name)

    yield from walk(model, "", "")
