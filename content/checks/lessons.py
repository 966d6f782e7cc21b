"""lessons.yaml: reading order, references into the taxonomy, one screen each, quizzes."""

from __future__ import annotations

import re
from collections.abc import Iterator

from content.checks.common import (
    BUTTON_LABEL_LIMIT,
    POLL_OPTION_LIMIT,
    POLL_QUESTION_LIMIT,
    QUIZ_EXPLANATION_LIMIT,
    duplicate_ids,
    too_long,
)
from content.models import LessonFile, Quiz, Taxonomy
from content.problems import ContentProblem
from content.reading import Parsed

# Product limit: a micro-lesson fits on one phone screen and reads in under a minute.
LESSON_BODY_LIMIT = 700
LESSON_BODY_TAGS = frozenset({"b", "i"})
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")


def check_lessons(
    lessons: Parsed[LessonFile], taxonomy: Parsed[Taxonomy]
) -> Iterator[ContentProblem]:
    file, items = lessons.file, lessons.model.lessons
    sections = {section.id for section in taxonomy.model.sections}
    topics = {topic.id for topic in taxonomy.model.topics}
    yield from duplicate_ids(file, "lessons", [lesson.id for lesson in items], "lesson")
    orders: dict[int, str] = {}
    for index, lesson in enumerate(items):
        at = f"lessons[{index}]"
        if lesson.order in orders:
            yield ContentProblem(
                file,
                f"{at}.order",
                f"order {lesson.order} already used by {orders[lesson.order]!r}",
            )
        orders.setdefault(lesson.order, lesson.id)
        if lesson.section not in sections:
            yield ContentProblem(file, f"{at}.section", f"unknown section {lesson.section!r}")
        if lesson.topic not in topics:
            yield ContentProblem(file, f"{at}.topic", f"unknown topic {lesson.topic!r}")
        yield from too_long(file, f"{at}.title", lesson.title, BUTTON_LABEL_LIMIT, "title")
        yield from too_long(file, f"{at}.body", lesson.body, LESSON_BODY_LIMIT, "body")
        tags = {name.lower() for name in _TAG_NAME.findall(lesson.body)} - LESSON_BODY_TAGS
        if tags:
            yield ContentProblem(
                file, f"{at}.body", f"only <b> and <i> are allowed, found <{sorted(tags)[0]}>"
            )
        if lesson.quiz is not None:
            yield from _check_quiz(file, f"{at}.quiz", lesson.quiz)
    yield from _check_coverage(lessons.model, taxonomy)


def _check_quiz(file: str, at: str, quiz: Quiz) -> Iterator[ContentProblem]:
    correct = sum(option.correct for option in quiz.options)
    if correct != 1:
        yield ContentProblem(
            file, f"{at}.options", f"needs exactly one correct option, has {correct}"
        )
    yield from too_long(file, f"{at}.question", quiz.question, POLL_QUESTION_LIMIT, "question")
    for index, option in enumerate(quiz.options):
        at_option = f"{at}.options[{index}]"
        yield from too_long(file, f"{at_option}.text", option.text, POLL_OPTION_LIMIT, "option")
        yield from too_long(
            file, f"{at_option}.feedback", option.feedback, QUIZ_EXPLANATION_LIMIT, "feedback"
        )


def _check_coverage(lessons: LessonFile, taxonomy: Parsed[Taxonomy]) -> Iterator[ContentProblem]:
    """Every article section is taught, and every /learn topic has something to read."""
    for index, section in enumerate(taxonomy.model.sections):
        if not any(lesson.section == section.id for lesson in lessons.lessons):
            yield ContentProblem(
                taxonomy.file,
                f"sections[{index}]",
                f"no lesson teaches article section {section.id!r}",
            )
    for index, topic in enumerate(taxonomy.model.topics):
        if not any(lesson.topic == topic.id for lesson in lessons.lessons):
            yield ContentProblem(
                taxonomy.file, f"topics[{index}]", f"topic {topic.id!r} has no lessons"
            )
