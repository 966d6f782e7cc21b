"""One locale's lessons, drills, taxonomy and check-ins: typed look-ups and Telegram renderers.

``content.loader`` builds it from the files and checks it; this module only reads it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

from content.models import (
    Cards,
    CheckinQuestion,
    Checkins,
    Drill,
    EquipmentKind,
    Lesson,
    Method,
    Region,
    Scale,
    Section,
    Sign,
    Taxonomy,
    Topic,
)

__all__ = ["Catalog"]


class Catalog:
    """All content of one locale, validated, with typed look-ups and Telegram renderers."""

    def __init__(
        self,
        *,
        locale: str,
        taxonomy: Taxonomy,
        lessons: Sequence[Lesson],
        drills: Sequence[Drill],
        checkins: Checkins,
        cards: Cards,
        files: Mapping[str, str] | None = None,
    ) -> None:
        self.locale = locale
        # Which file each part was read from ("checkins.yaml" -> "en/checkins.yaml" when a
        # translation falls back to English), so later checks can name the file to fix.
        self.files: Mapping[str, str] = files or {}
        self.taxonomy = taxonomy
        self.checkins = checkins
        self.cards = cards
        self.lessons: tuple[Lesson, ...] = tuple(sorted(lessons, key=lambda lesson: lesson.order))
        self.drills: tuple[Drill, ...] = tuple(drills)
        self._lessons = {lesson.id: lesson for lesson in self.lessons}
        self._drills = {drill.id: drill for drill in self.drills}
        self._methods = {method.id: method for method in taxonomy.methods}
        self._signs = {sign.id: sign for sign in taxonomy.signs}
        self._regions = {region.id: region for region in taxonomy.regions}
        self._equipment = {kind.id: kind for kind in taxonomy.equipment}
        self._questions = {question.id: question for question in checkins.questions}
        self._scales = {scale.id: scale for scale in checkins.scales}

    # --- taxonomy ----------------------------------------------------------------------

    @property
    def methods(self) -> tuple[Method, ...]:
        return self.taxonomy.methods

    @property
    def signs(self) -> tuple[Sign, ...]:
        return self.taxonomy.signs

    @property
    def regions(self) -> tuple[Region, ...]:
        return self.taxonomy.regions

    @property
    def equipment(self) -> tuple[EquipmentKind, ...]:
        return self.taxonomy.equipment

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.taxonomy.sections

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self.taxonomy.topics

    def method(self, method_id: str) -> Method:
        return self._methods[method_id]

    def sign(self, sign_id: str) -> Sign:
        return self._signs[sign_id]

    # --- lessons -----------------------------------------------------------------------

    def lesson(self, lesson_id: str) -> Lesson:
        """The lesson with this id; KeyError if there is none."""
        return self._lessons[lesson_id]

    def next_lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson after this one in reading order, or None after the last."""
        index = self.lessons.index(self._lessons[lesson_id])
        return self.lessons[index + 1] if index + 1 < len(self.lessons) else None

    @property
    def lessons_by_topic(self) -> dict[str, tuple[Lesson, ...]]:
        """Lessons grouped by topic id, topics in menu order, lessons in reading order."""
        return {
            topic.id: tuple(lesson for lesson in self.lessons if lesson.topic == topic.id)
            for topic in self.topics
        }

    def lessons_for_section(self, section_id: str) -> tuple[Lesson, ...]:
        return tuple(lesson for lesson in self.lessons if lesson.section == section_id)

    # --- drills ------------------------------------------------------------------------

    def drill(self, drill_id: str) -> Drill:
        """The drill with this id; KeyError if there is none."""
        return self._drills[drill_id]

    def drills_for_method(self, method_id: str) -> tuple[Drill, ...]:
        return tuple(drill for drill in self.drills if drill.method == method_id)

    def drills_for_sign(self, sign_id: str) -> tuple[Drill, ...]:
        return tuple(drill for drill in self.drills if sign_id in drill.signs)

    # --- rendering ---------------------------------------------------------------------

    def render_drill_card(self, drill_id: str) -> str:
        """The drill as one Telegram HTML message (headings from cards.yaml)."""
        drill = self.drill(drill_id)
        labels = self.cards.drill
        esc = _escape

        def line(label: str, value: str) -> str:
            return f"<b>{esc(label)}:</b> {esc(value)}"

        def block(label: str, items: Iterable[str], numbered: bool = False) -> str:
            rows = [
                f"{n}. {esc(item)}" if numbered else f"• {esc(item)}"
                for n, item in enumerate(items, start=1)
            ]
            return "\n".join([f"<b>{esc(label)}</b>", *rows])

        parts = [
            f"<b>{esc(drill.name)}</b>\n<i>{esc(labels.method)}: "
            f"{esc(self.method(drill.method).label)}</i>",
            "\n".join(
                [
                    line(labels.helps_with, ", ".join(self.sign(s).label for s in drill.signs)),
                    line(
                        labels.equipment,
                        ", ".join(self._equipment[e].label for e in drill.equipment),
                    ),
                    line(
                        labels.body_area,
                        ", ".join(self._regions[r].label for r in drill.regions),
                    ),
                    line(labels.dose, drill.dose.text),
                ]
            ),
            # Stop rules come right under the dose, so they are on the first screen of a phone.
            block(labels.safety, (labels.stop_rule, *drill.safety)),
            f"<i>{esc(labels.home_setup)}</i>",
            block(labels.how_to, drill.steps, numbered=True),
            block(labels.cues, drill.cues),
            f"<b>{esc(labels.why)}</b>\n{esc(drill.why)}",
            "\n".join(
                line(label, version)
                for label, version in (
                    (labels.easier, self._version(drill.easier, drill.easier_tip)),
                    (labels.harder, self._version(drill.harder, drill.harder_tip)),
                )
                # The content check makes sure both exist; a card never shows a blank one.
                if version is not None
            ),
            f"<i>{esc(labels.footer)}</i>",
        ]
        return "\n\n".join(part for part in parts if part)

    def _version(self, neighbour: str | None, tip: str | None) -> str | None:
        """An easier or harder version as the card names it: the linked drill, or else the tip."""
        return self.drill(neighbour).name if neighbour is not None else tip

    def render_lesson(self, lesson_id: str) -> str:
        """The lesson as one Telegram HTML message; the body keeps its <b>/<i> markup."""
        lesson = self.lesson(lesson_id)
        labels = self.cards.lesson
        esc = _escape
        position = labels.position.format(
            number=self.lessons.index(lesson) + 1, total=len(self.lessons)
        )
        parts = [
            f"<b>{esc(lesson.title)}</b>\n<i>{esc(position)}</i>",
            lesson.body,
            f"<b>{esc(labels.takeaway)}:</b> {esc(lesson.takeaway)}",
        ]
        following = self.next_lesson(lesson_id)
        if following is not None:
            parts.append(f"<i>{esc(labels.next)}: {esc(following.title)}</i>")
        return "\n\n".join(parts)

    def render_checkin_prompt(self, question_id: str) -> str:
        """A check-in question as Telegram HTML; scale questions carry the scale's anchors."""
        question = self.checkin_question(question_id)
        text = _escape(question.text)
        if question.scale is None:
            return text
        return f"{text}\n<i>{_escape(self.scale_legend(question.scale))}</i>"

    # --- check-ins ---------------------------------------------------------------------

    def checkin_question(self, question_id: str) -> CheckinQuestion:
        """The check-in question with this id; KeyError if there is none."""
        return self._questions[question_id]

    def scale(self, scale_id: str) -> Scale:
        """The rating scale with this id; KeyError if there is none."""
        return self._scales[scale_id]

    def scale_legend(self, scale_id: str) -> str:
        """The scale's fixed anchors, e.g. '0 = No pain · 10 = Worst pain imaginable'."""
        return " · ".join(f"{a.value} = {a.label}" for a in self.scale(scale_id).anchors)


def _escape(text: str) -> str:
    # Text nodes only (never attributes), so quotes can stay readable.
    return html.escape(text, quote=False)
