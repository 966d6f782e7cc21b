"""cards.yaml, and the cards as rendered: buttons that fit, templates with their placeholders,
and every rendered lesson and drill card a message Telegram accepts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from content.checks.common import BUTTON_LABEL_LIMIT, MESSAGE_LIMIT, too_long
from content.models import Cards, DrillFile, LessonFile
from content.problems import ContentProblem
from content.reading import Parsed
from content.telegram_html import telegram_html_error

if TYPE_CHECKING:
    from content.catalog import Catalog

_PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")


def check_cards(cards: Parsed[Cards]) -> Iterator[ContentProblem]:
    file, model = cards.file, cards.model
    for section, labels in (("drill", model.drill), ("lesson", model.lesson)):
        for name, value in labels:
            if name.startswith("button_"):
                yield from too_long(
                    file, f"{section}.{name}", value, BUTTON_LABEL_LIMIT, "button label"
                )
    if set(_PLACEHOLDER.findall(model.lesson.position)) != {"number", "total"}:
        yield ContentProblem(file, "lesson.position", "must use exactly {number} and {total}")


def check_rendered(
    catalog: Catalog, lessons: Parsed[LessonFile], drill_files: Sequence[Parsed[DrillFile]]
) -> Iterator[ContentProblem]:
    """What the patient receives: each card in full, as one valid Telegram message."""
    for parsed in drill_files:
        for index, drill in enumerate(parsed.model.drills):
            yield from _check_message(
                parsed.file, f"drills[{index}]", catalog.render_drill_card(drill.id), "drill card"
            )
    for index, lesson in enumerate(lessons.model.lessons):
        yield from _check_message(
            lessons.file, f"lessons[{index}]", catalog.render_lesson(lesson.id), "rendered lesson"
        )


def _check_message(file: str, field: str, text: str, what: str) -> Iterator[ContentProblem]:
    error = telegram_html_error(text)
    if error is not None:
        yield ContentProblem(file, field, f"{what} is not valid Telegram HTML: {error}")
    yield from too_long(file, field, text, MESSAGE_LIMIT, what)
