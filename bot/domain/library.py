"""The lesson and drill library: /learn, /drills and answers to free-text questions.

Browsing needs no conversation state: every button names the lesson, topic, method, sign or
drill it opens. These rules take what they need as plain values (the lessons read) and say
what to record (a lesson read, a quiz answer); the caller stores it, for a patient who has
consented. Before consent people can read, but nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.callback_data import Args
from bot.domain.content_search import ContentIndex
from bot.domain.screens import Choice, Markup, Reply, Scope, Screen, Text
from content.catalog import Catalog
from content.models import Drill, SearchWords

FALLBACK_LANGUAGE = "en"
SEARCH_HITS = 3
SEARCH_ALL = 1000


def _choice(label: Text | str, action: str, *args: str | int) -> Choice:
    return Choice(label, action, *args, scope=Scope.LIBRARY)


@dataclass(frozen=True)
class QuizAnswer:
    """A patient's answer to a lesson's quiz, to be recorded (the first one counts)."""

    lesson_id: str
    correct: bool


@dataclass(frozen=True)
class LibraryContent:
    """The catalogue and search index of one language."""

    catalog: Catalog
    index: ContentIndex

    @classmethod
    def of(cls, catalog: Catalog, words: SearchWords) -> LibraryContent:
        return cls(catalog=catalog, index=ContentIndex.from_catalog(catalog, words))


class Library:
    def __init__(self, contents: Mapping[str, LibraryContent]) -> None:
        self._contents = contents

    def content(self, language: str) -> LibraryContent:
        return self._contents.get(language) or self._contents[FALLBACK_LANGUAGE]

    # -- lessons ----------------------------------------------------------------------------

    def learn_menu(self, read: set[str], consented: bool, language: str) -> Reply:
        """Topics, progress, and a button to the first lesson not read yet."""
        catalog = self.content(language).catalog
        rows: list[tuple[Choice, ...]] = []
        unread = [lesson for lesson in catalog.lessons if lesson.id not in read]
        if unread and read:
            rows.append(
                (
                    _choice(
                        Text("learn.continue", {"title": unread[0].title}), "lesson", unread[0].id
                    ),
                )
            )
        elif unread:
            rows.append(
                (_choice(Text("learn.begin", {"title": unread[0].title}), "lesson", unread[0].id),)
            )
        rows.extend((_choice(topic.label, "topic", topic.id),) for topic in catalog.topics)
        body: list[Text | Markup] = [Text("learn.menu")]
        if consented:
            known = {lesson.id for lesson in catalog.lessons}
            body.append(Text("learn.progress", {"read": len(read & known), "total": len(known)}))
        return Reply(screens=(Screen(body=tuple(body), choices=tuple(rows)),))

    def topic(self, read: set[str], topic_id: str | None, language: str) -> Reply:
        catalog = self.content(language).catalog
        lessons = catalog.lessons_by_topic.get(topic_id or "")
        if not lessons:
            return self.gone()
        label = next(topic.label for topic in catalog.topics if topic.id == topic_id)
        rows = [
            (
                _choice(
                    Text(
                        "learn.read_mark" if lesson.id in read else "learn.unread_mark",
                        {"title": lesson.title},
                    ),
                    "lesson",
                    lesson.id,
                ),
            )
            for lesson in lessons
        ]
        rows.append((_choice(catalog.cards.lesson.button_menu, "learn"),))
        return Reply(
            screens=(Screen(body=(Text("learn.topic", {"topic": label}),), choices=tuple(rows)),),
            replace_origin=True,
        )

    def lesson(self, lesson_id: str | None, language: str) -> tuple[Reply, str | None]:
        """A lesson, with its quiz and the way on; and the lesson to record as read."""
        catalog = self.content(language).catalog
        try:
            lesson = catalog.lesson(lesson_id or "")
        except KeyError:
            return self.gone(), None
        body: list[Text | Markup] = [Markup(catalog.render_lesson(lesson.id))]
        rows: list[tuple[Choice, ...]] = []
        if lesson.quiz is not None:
            body.append(Text("learn.quiz", {"question": lesson.quiz.question}))
            rows.extend(
                (_choice(option.text, "quiz", lesson.id, index),)
                for index, option in enumerate(lesson.quiz.options)
            )
        rows.append(self._onward(catalog, lesson.id))
        return Reply(screens=(Screen(body=tuple(body), choices=tuple(rows)),)), lesson.id

    def answer_quiz(
        self, lesson_id: str | None, answer: Args, language: str
    ) -> tuple[Reply, QuizAnswer | None]:
        """Right or wrong, with the option's feedback; and the answer to record."""
        catalog = self.content(language).catalog
        try:
            lesson = catalog.lesson(lesson_id or "")
        except KeyError:
            return self.gone(), None
        if lesson.quiz is None:
            return self.gone(), None
        index = answer.number(1, range(len(lesson.quiz.options)))
        if index is None:
            return self.gone(), None
        option = lesson.quiz.options[index]
        verdict = Text("learn.quiz_right" if option.correct else "learn.quiz_wrong")
        reply = Reply(
            screens=(
                Screen(
                    body=(verdict, Text("learn.quiz_feedback", {"feedback": option.feedback})),
                    choices=(self._onward(catalog, lesson.id),),
                ),
            ),
            toast=verdict,
        )
        return reply, QuizAnswer(lesson.id, option.correct)

    def _onward(self, catalog: Catalog, lesson_id: str) -> tuple[Choice, ...]:
        labels = catalog.cards.lesson
        following = catalog.next_lesson(lesson_id)
        row = [_choice(labels.button_menu, "learn")]
        if following is not None:
            row.append(_choice(labels.button_next, "lesson", following.id))
        return tuple(row)

    # -- drills -----------------------------------------------------------------------------

    def drills_menu(self, language: str) -> Reply:
        return Reply(
            screens=(
                Screen(
                    body=(
                        Text("drills.menu", {"count": len(self.content(language).catalog.drills)}),
                    ),
                    choices=(
                        (_choice(Text("buttons.by_method"), "methods"),),
                        (_choice(Text("buttons.by_sign"), "signs"),),
                    ),
                ),
            ),
        )

    def methods(self, language: str) -> Reply:
        catalog = self.content(language).catalog
        rows = [(_choice(method.label, "method", method.id),) for method in catalog.methods]
        rows.append((_choice(Text("buttons.back"), "drills"),))
        return _in_place(Screen(body=(Text("drills.pick_method"),), choices=tuple(rows)))

    def signs(self, language: str) -> Reply:
        catalog = self.content(language).catalog
        rows = [(_choice(sign.label, "sign", sign.id),) for sign in catalog.signs]
        rows.append((_choice(Text("buttons.back"), "drills"),))
        return _in_place(Screen(body=(Text("drills.pick_sign"),), choices=tuple(rows)))

    def drills_of_method(self, method_id: str, language: str) -> Reply:
        catalog = self.content(language).catalog
        try:
            method = catalog.method(method_id)
        except KeyError:
            return self.gone()
        intro = Text(
            "drills.of_method", {"method": method.label, "description": method.description}
        )
        return _drill_list(intro, catalog.drills_for_method(method.id), back="methods")

    def drills_of_sign(self, sign_id: str, language: str) -> Reply:
        catalog = self.content(language).catalog
        try:
            sign = catalog.sign(sign_id)
        except KeyError:
            return self.gone()
        intro = Text("drills.of_sign", {"sign": sign.label, "description": sign.description})
        return _drill_list(intro, catalog.drills_for_sign(sign.id), back="signs")

    def drill(self, drill_id: str, language: str) -> Reply:
        """A drill card, with its easier and harder versions and the lesson behind it."""
        catalog = self.content(language).catalog
        try:
            drill = catalog.drill(drill_id)
        except KeyError:
            return self.gone()
        labels = catalog.cards.drill
        progression = [
            _choice(label, "drill", other)
            for label, other in (
                (labels.button_easier, drill.easier),
                (labels.button_harder, drill.harder),
            )
            if other is not None
        ]
        rows: list[tuple[Choice, ...]] = []
        if progression:
            rows.append(tuple(progression))
        rows.append((_choice(labels.button_lesson, "lesson", drill.lesson),))
        rows.append((_choice(Text("buttons.all_drills"), "drills"),))
        return Reply(
            screens=(
                Screen(body=(Markup(catalog.render_drill_card(drill.id)),), choices=tuple(rows)),
            )
        )

    def gone(self) -> Reply:
        """A button for content that no longer exists (edited away since it was sent)."""
        return _gone()

    # -- questions --------------------------------------------------------------------------

    def answer_question(self, question: str, language: str, *, drills: bool = True) -> Reply:
        """The best-matching lesson or drill for a typed question; never invented text.

        Without ``drills`` (a patient who has not passed the safety screen, or is on hold)
        only lessons are offered.
        """
        content = self.content(language)
        hits = content.index.search(question, limit=SEARCH_HITS if drills else SEARCH_ALL)
        if not drills:
            hits = [hit for hit in hits if hit.kind == "lesson"][:SEARCH_HITS]
        if not hits:
            return Reply(
                screens=(
                    Screen(
                        body=(Text("search.nothing"),),
                        choices=((_choice(Text("buttons.open_lessons"), "learn"),),),
                    ),
                )
            )
        best, others = hits[0], hits[1:]
        catalog = content.catalog
        card = (
            catalog.render_lesson(best.id)
            if best.kind == "lesson"
            else catalog.render_drill_card(best.id)
        )
        rows = [(_choice(hit.title, hit.kind, hit.id),) for hit in others]
        rows.append((_choice(Text("buttons.open_lessons"), "learn"),))
        return Reply(
            screens=(
                Screen(
                    body=(
                        Text("search.best_match"),
                        Markup(card),
                        *((Text("search.see_also"),) if others else ()),
                    ),
                    choices=tuple(rows),
                ),
            )
        )


def _drill_list(intro: Text, drills: Iterable[Drill], *, back: str) -> Reply:
    """A button per drill under ``intro``, and the way back to the list it came from."""
    rows = [(_choice(drill.name, "drill", drill.id),) for drill in drills]
    rows.append((_choice(Text("buttons.back"), back),))
    return _in_place(Screen(body=(intro,), choices=tuple(rows)))


def _in_place(shown: Screen) -> Reply:
    return Reply(screens=(shown,), replace_origin=True)


def _gone() -> Reply:
    return Reply(
        screens=(
            Screen(
                body=(Text("library.gone"),),
                choices=(
                    (
                        _choice(Text("buttons.open_lessons"), "learn"),
                        _choice(Text("buttons.all_drills"), "drills"),
                    ),
                ),
            ),
        ),
        toast=Text("common.button_expired"),
    )
