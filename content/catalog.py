"""Load, validate and render the coaching content of one locale.

``load_catalog`` reads ``content/locales/<locale>/`` (falling back to English file by file),
validates every rule a patient or clinician would notice if broken (dangling references,
texts Telegram would refuse, drills nobody can be asked about, article sections nobody
teaches) and raises one ``ContentError`` listing every problem with its file and field.
It does blocking file I/O, so call it at start-up, not from a coroutine.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from content.models import (
    Cards,
    CheckinQuestion,
    Checkins,
    Drill,
    DrillFile,
    EquipmentKind,
    Lesson,
    LessonFile,
    Method,
    Region,
    Scale,
    Section,
    Severity,
    Sign,
    Taxonomy,
    Topic,
)
from content.telegram_html import telegram_html_error, visible_length

__all__ = [
    "DEFAULT_LOCALES_ROOT",
    "FALLBACK_LOCALE",
    "Catalog",
    "ContentError",
    "ContentProblem",
    "check_content",
    "load_catalog",
]

DEFAULT_LOCALES_ROOT = Path(__file__).resolve().parent / "locales"
FALLBACK_LOCALE = "en"

# Telegram Bot API limits.
MESSAGE_LIMIT = 4096
BUTTON_LABEL_LIMIT = 64
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
QUIZ_EXPLANATION_LIMIT = 200
# Product limit: a micro-lesson fits on one phone screen and reads in under a minute.
LESSON_BODY_LIMIT = 700

MIN_DRILLS_PER_METHOD = 2
MIN_DRILLS_PER_SIGN = 2
LESSON_BODY_TAGS = frozenset({"b", "i"})

# The bot asks these by id, so every locale must define them.
REQUIRED_CHECKIN_QUESTIONS = (
    "pain_during",
    "pain_now",
    "effort",
    "confidence",
    "morning_pain",
    "morning_vs_usual",
)
# Pain is always rated on one scale so answers stay comparable over time.
PAIN_QUESTIONS = ("pain_during", "pain_now", "morning_pain")
PAIN_SCALE_RANGE = (0, 10)
SEVERITY_ORDER: tuple[Severity, ...] = (
    "emergency_services",
    "emergency_department",
    "contact_therapist",
)

TAXONOMY_FILE = "taxonomy.yaml"
LESSONS_FILE = "lessons.yaml"
CHECKINS_FILE = "checkins.yaml"
CARDS_FILE = "cards.yaml"
DRILLS_DIR = "drills"
CONTENT_FILES = (TAXONOMY_FILE, LESSONS_FILE, CHECKINS_FILE, CARDS_FILE)

# Fields whose value is Telegram HTML; every other string is plain text.
_MARKUP_FIELDS = frozenset(
    {"body", "emergency_services", "emergency_department", "contact_therapist", "safety_notice"}
)
# Fields a translation rewrites; everything else must match English exactly.
_TRANSLATED_FIELDS = frozenset(
    {
        "label",
        "description",
        "title",
        "body",
        "takeaway",
        "text",
        "question",
        "feedback",
        "name",
        "steps",
        "cues",
        "safety",
        "why",
        "red_flag_intro",
        "yes_label",
        "no_label",
        "safety_messages",
        "safety_notice",
        "search_synonyms",
    }
)
_TAG_NAME = re.compile(r"</?([a-zA-Z][a-zA-Z0-9-]*)")
_PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")

_Model = TypeVar("_Model", bound=BaseModel)
# yaml.safe_load's loader, in its C build when available: the same safe subset, ~10x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong with the content: which file, which field, what is wrong."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.message}"
            if self.field
            else (f"{self.file}: {self.message}")
        )


class ContentError(ValueError):
    """The content of a locale is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[ContentProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} content problem(s):\n"
            + "\n".join(f"  {problem}" for problem in self.problems)
        )


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
    ) -> None:
        self.locale = locale
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
            block(labels.how_to, drill.steps, numbered=True),
            block(labels.cues, drill.cues),
            block(labels.safety, drill.safety),
            f"<b>{esc(labels.why)}</b>\n{esc(drill.why)}",
        ]
        progression = [
            line(label, self.drill(other).name)
            for label, other in ((labels.easier, drill.easier), (labels.harder, drill.harder))
            if other is not None
        ]
        if progression:
            parts.append("\n".join(progression))
        parts.append(f"<i>{esc(labels.footer)}</i>")
        return "\n\n".join(parts)

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

    def safety_message(self, positive_flag_ids: Iterable[str]) -> str | None:
        """The fixed safety wording for the most severe positive red flag, or None."""
        positive = set(positive_flag_ids)
        severities = {flag.severity for flag in self.checkins.red_flags if flag.id in positive}
        for severity in SEVERITY_ORDER:
            if severity in severities:
                return self.checkins.safety_messages.for_severity(severity)
        return None


# --- loading -------------------------------------------------------------------------------


def load_catalog(locale: str = FALLBACK_LOCALE, root: Path | None = None) -> Catalog:
    """Load and validate one locale; raise ContentError listing every problem found.

    ``root`` is the folder holding one sub-folder per locale (default: content/locales).
    A locale other than English may provide any subset of the files; the rest come from
    English, and a provided file must define exactly the ids English defines.
    """
    loader = _Loader(root or DEFAULT_LOCALES_ROOT, locale)
    catalog = loader.load()
    if loader.problems or catalog is None:
        raise ContentError(loader.problems)
    return catalog


def check_content(root: Path | None = None) -> list[ContentProblem]:
    """Validate every locale folder under ``root`` that holds content files.

    For ``reed content check``: returns the problems (empty when all is well).
    """
    root = root or DEFAULT_LOCALES_ROOT
    locales = (
        sorted(
            folder.name
            for folder in root.iterdir()
            if folder.is_dir()
            and (
                any((folder / name).is_file() for name in CONTENT_FILES)
                or (folder / DRILLS_DIR).is_dir()
            )
        )
        if root.is_dir()
        else []
    )
    if FALLBACK_LOCALE in locales:
        locales.remove(FALLBACK_LOCALE)
    problems: list[ContentProblem] = []
    for locale in [FALLBACK_LOCALE, *locales]:
        try:
            load_catalog(locale, root)
        except ContentError as error:
            problems.extend(p for p in error.problems if p not in problems)
    return problems


class _Loader:
    def __init__(self, root: Path, locale: str) -> None:
        self.root = root
        self.locale = locale
        self.problems: list[ContentProblem] = []

    def problem(self, file: str, field: str, message: str) -> None:
        self.problems.append(ContentProblem(file, field, message))

    def load(self) -> Catalog | None:
        taxonomy = self._read(TAXONOMY_FILE, Taxonomy)
        lessons = self._read(LESSONS_FILE, LessonFile)
        checkins = self._read(CHECKINS_FILE, Checkins)
        cards = self._read(CARDS_FILE, Cards)
        drill_files = self._read_drills()
        if taxonomy is None or lessons is None or checkins is None or cards is None:
            return None
        if drill_files is None:
            return None
        checker = _Checker(
            self,
            taxonomy=taxonomy,
            lessons=lessons,
            drill_files=drill_files,
            checkins=checkins,
            cards=cards,
        )
        checker.run()
        if self.problems:
            return None
        catalog = Catalog(
            locale=self.locale,
            taxonomy=taxonomy[0],
            lessons=lessons[0].lessons,
            drills=[drill for drill_file, _ in drill_files for drill in drill_file.drills],
            checkins=checkins[0],
            cards=cards[0],
        )
        checker.check_rendered(catalog)
        return None if self.problems else catalog

    # Each read returns the model and the file name problems are reported against.

    def _read(self, relative: str, model: type[_Model]) -> tuple[_Model, str] | None:
        localized = self.root / self.locale / relative
        if self.locale != FALLBACK_LOCALE and localized.is_file():
            parsed = self._parse(localized, f"{self.locale}/{relative}", model)
            english = self._parse(
                self.root / FALLBACK_LOCALE / relative, f"{FALLBACK_LOCALE}/{relative}", model
            )
            if parsed is not None and english is not None and model is not Cards:
                _compare_with_english(self, f"{self.locale}/{relative}", english, parsed)
            return None if parsed is None else (parsed, f"{self.locale}/{relative}")
        file = f"{FALLBACK_LOCALE}/{relative}"
        parsed = self._parse(self.root / FALLBACK_LOCALE / relative, file, model)
        return None if parsed is None else (parsed, file)

    def _read_drills(self) -> list[tuple[DrillFile, str]] | None:
        english_dir = self.root / FALLBACK_LOCALE / DRILLS_DIR
        names = sorted(path.name for path in english_dir.glob("*.yaml"))
        if not names:
            self.problem(f"{FALLBACK_LOCALE}/{DRILLS_DIR}", "", "no drill files found")
            return None
        if self.locale != FALLBACK_LOCALE:
            for path in sorted((self.root / self.locale / DRILLS_DIR).glob("*.yaml")):
                if path.name not in names:
                    self.problem(
                        f"{self.locale}/{DRILLS_DIR}/{path.name}",
                        "",
                        f"no English drill file {DRILLS_DIR}/{path.name} to translate",
                    )
        files: list[tuple[DrillFile, str]] = []
        complete = True
        for name in names:
            loaded = self._read(f"{DRILLS_DIR}/{name}", DrillFile)
            if loaded is None:
                complete = False
            else:
                files.append(loaded)
        return files if complete else None

    def _parse(self, path: Path, file: str, model: type[_Model]) -> _Model | None:
        try:
            raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
        except FileNotFoundError:
            self.problem(file, "", "file is missing")
            return None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            self.problem(file, "", f"not valid YAML{where}: {getattr(error, 'problem', error)}")
            return None
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            for detail in error.errors():
                self.problem(file, _field_path(detail["loc"]), detail["msg"])
            return None


def _escape(text: str) -> str:
    # Text nodes only (never attributes), so quotes can stay readable.
    return html.escape(text, quote=False)


def _field_path(location: Iterable[int | str]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


# --- cross-file checks ---------------------------------------------------------------------


class _Checker:
    """Rules that need the whole locale: references, coverage, Telegram limits."""

    def __init__(
        self,
        loader: _Loader,
        *,
        taxonomy: tuple[Taxonomy, str],
        lessons: tuple[LessonFile, str],
        drill_files: list[tuple[DrillFile, str]],
        checkins: tuple[Checkins, str],
        cards: tuple[Cards, str],
    ) -> None:
        self.loader = loader
        self.taxonomy, self.taxonomy_file = taxonomy
        self.lesson_file, self.lessons_file = lessons
        self.drill_files = drill_files
        self.checkins, self.checkins_file = checkins
        self.cards, self.cards_file = cards

    def problem(self, file: str, field: str, message: str) -> None:
        self.loader.problem(file, field, message)

    def run(self) -> None:
        self._check_texts(self.taxonomy, self.taxonomy_file)
        self._check_texts(self.lesson_file, self.lessons_file)
        self._check_texts(self.checkins, self.checkins_file)
        self._check_texts(self.cards, self.cards_file)
        for drill_file, file in self.drill_files:
            self._check_texts(drill_file, file)
        self._check_taxonomy()
        self._check_lessons()
        self._check_drills()
        self._check_checkins()
        self._check_cards()

    # Every string is either Telegram HTML (markup fields) or plain text, which may hold no
    # '<' or '&' so that it is safe whether or not the sender escapes it.
    def _check_texts(self, model: BaseModel, file: str) -> None:
        for path, name, text in _strings(model):
            if name in _MARKUP_FIELDS:
                error = telegram_html_error(text)
                if error is not None:
                    self.problem(file, path, f"Telegram would reject this HTML: {error}")
                elif visible_length(text) > MESSAGE_LIMIT:
                    self.problem(
                        file, path, f"longer than Telegram's {MESSAGE_LIMIT}-character limit"
                    )
            elif "<" in text or "&" in text:
                self.problem(file, path, "plain text may not contain '<' or '&'")

    def _check_length(self, file: str, path: str, text: str, limit: int, what: str) -> None:
        length = visible_length(text)
        if length > limit:
            self.problem(file, path, f"{what} is {length} characters; the limit is {limit}")

    def _check_unique(self, file: str, field: str, ids: Sequence[str], what: str) -> None:
        seen: set[str] = set()
        for index, item_id in enumerate(ids):
            if item_id in seen:
                self.problem(file, f"{field}[{index}].id", f"duplicate {what} id {item_id!r}")
            seen.add(item_id)

    def _check_taxonomy(self) -> None:
        file, taxonomy = self.taxonomy_file, self.taxonomy
        groups: Mapping[str, Sequence[Method | Sign | Region | EquipmentKind | Section | Topic]]
        groups = {
            "methods": taxonomy.methods,
            "signs": taxonomy.signs,
            "regions": taxonomy.regions,
            "equipment": taxonomy.equipment,
            "sections": taxonomy.sections,
            "topics": taxonomy.topics,
        }
        for field, items in groups.items():
            self._check_unique(file, field, [item.id for item in items], field.rstrip("s"))
            for index, item in enumerate(items):
                self._check_length(
                    file, f"{field}[{index}].label", item.label, BUTTON_LABEL_LIMIT, "label"
                )
        for index, group in enumerate(taxonomy.search_synonyms):
            if len(group) < 2:
                self.problem(file, f"search_synonyms[{index}]", "a group needs two or more words")

    def _check_lessons(self) -> None:
        file = self.lessons_file
        lessons = self.lesson_file.lessons
        sections = {section.id for section in self.taxonomy.sections}
        topics = {topic.id for topic in self.taxonomy.topics}
        self._check_unique(file, "lessons", [lesson.id for lesson in lessons], "lesson")
        orders: dict[int, str] = {}
        for index, lesson in enumerate(lessons):
            at = f"lessons[{index}]"
            if lesson.order in orders:
                self.problem(
                    file,
                    f"{at}.order",
                    f"order {lesson.order} already used by {orders[lesson.order]!r}",
                )
            orders.setdefault(lesson.order, lesson.id)
            if lesson.section not in sections:
                self.problem(file, f"{at}.section", f"unknown section {lesson.section!r}")
            if lesson.topic not in topics:
                self.problem(file, f"{at}.topic", f"unknown topic {lesson.topic!r}")
            self._check_length(file, f"{at}.title", lesson.title, BUTTON_LABEL_LIMIT, "title")
            self._check_length(file, f"{at}.body", lesson.body, LESSON_BODY_LIMIT, "body")
            tags = {name.lower() for name in _TAG_NAME.findall(lesson.body)} - LESSON_BODY_TAGS
            if tags:
                self.problem(
                    file, f"{at}.body", f"only <b> and <i> are allowed, found <{sorted(tags)[0]}>"
                )
            if lesson.quiz is not None:
                self._check_quiz(file, f"{at}.quiz", lesson)
        for index, section in enumerate(self.taxonomy.sections):
            if not any(lesson.section == section.id for lesson in lessons):
                self.problem(
                    self.taxonomy_file,
                    f"sections[{index}]",
                    f"no lesson teaches article section {section.id!r}",
                )
        for index, topic in enumerate(self.taxonomy.topics):
            if not any(lesson.topic == topic.id for lesson in lessons):
                self.problem(
                    self.taxonomy_file, f"topics[{index}]", f"topic {topic.id!r} has no lessons"
                )

    def _check_quiz(self, file: str, at: str, lesson: Lesson) -> None:
        assert lesson.quiz is not None
        quiz = lesson.quiz
        correct = sum(option.correct for option in quiz.options)
        if correct != 1:
            self.problem(file, f"{at}.options", f"needs exactly one correct option, has {correct}")
        self._check_length(file, f"{at}.question", quiz.question, POLL_QUESTION_LIMIT, "question")
        for index, option in enumerate(quiz.options):
            self._check_length(
                file, f"{at}.options[{index}].text", option.text, POLL_OPTION_LIMIT, "option"
            )
            self._check_length(
                file,
                f"{at}.options[{index}].feedback",
                option.feedback,
                QUIZ_EXPLANATION_LIMIT,
                "feedback",
            )

    def _check_drills(self) -> None:
        taxonomy = self.taxonomy
        methods = {method.id for method in taxonomy.methods}
        known = {
            "sign": {sign.id for sign in taxonomy.signs},
            "region": {region.id for region in taxonomy.regions},
            "equipment": {kind.id for kind in taxonomy.equipment},
        }
        lessons = {lesson.id for lesson in self.lesson_file.lessons}
        located = [
            (drill, file, f"drills[{index}]")
            for drill_file, file in self.drill_files
            for index, drill in enumerate(drill_file.drills)
        ]
        drills = {drill.id: drill for drill, _, _ in located}
        seen: dict[str, str] = {}
        for drill, file, at in located:
            if drill.id in seen:
                self.problem(
                    file, f"{at}.id", f"duplicate drill id {drill.id!r} (also in {seen[drill.id]})"
                )
            seen.setdefault(drill.id, file)
            method_from_file = Path(file).stem
            if method_from_file not in methods:
                self.problem(file, "", f"file name must be a method id, not {method_from_file!r}")
            if drill.method not in methods:
                self.problem(file, f"{at}.method", f"unknown method {drill.method!r}")
            elif drill.method != method_from_file:
                self.problem(
                    file,
                    f"{at}.method",
                    f"drill of method {drill.method!r} belongs in drills/{drill.method}.yaml",
                )
            for field, ids in (
                ("signs", drill.signs),
                ("regions", drill.regions),
                ("equipment", drill.equipment),
            ):
                kind = "equipment" if field == "equipment" else field.rstrip("s")
                for index, item in enumerate(ids):
                    if item not in known[kind]:
                        self.problem(file, f"{at}.{field}[{index}]", f"unknown {kind} {item!r}")
                if len(set(ids)) != len(ids):
                    self.problem(file, f"{at}.{field}", "lists the same id twice")
            if "none" in drill.equipment and len(drill.equipment) > 1:
                self.problem(
                    file, f"{at}.equipment", "'none' cannot be combined with other equipment"
                )
            if drill.lesson not in lessons:
                self.problem(file, f"{at}.lesson", f"unknown lesson {drill.lesson!r}")
            self._check_progression(drill, file, at, drills)
            self._check_length(file, f"{at}.name", drill.name, BUTTON_LABEL_LIMIT, "name")
            self._check_dose(drill, file, at)
            self._check_form_questions(drill, file, at)
        method_counts = Counter(drill.method for drill in drills.values())
        sign_counts = Counter(sign for drill in drills.values() for sign in set(drill.signs))
        for field, kind, taxonomy_ids, counts, min_count in (
            (
                "methods",
                "method",
                [m.id for m in taxonomy.methods],
                method_counts,
                MIN_DRILLS_PER_METHOD,
            ),
            ("signs", "sign", [s.id for s in taxonomy.signs], sign_counts, MIN_DRILLS_PER_SIGN),
        ):
            for index, item_id in enumerate(taxonomy_ids):
                if counts[item_id] < min_count:
                    self.problem(
                        self.taxonomy_file,
                        f"{field}[{index}]",
                        f"{kind} {item_id!r} has {counts[item_id]} drill(s); "
                        f"at least {min_count} needed",
                    )

    def _check_progression(
        self, drill: Drill, file: str, at: str, drills: Mapping[str, Drill]
    ) -> None:
        for field, other_id, back in (
            ("easier", drill.easier, "harder"),
            ("harder", drill.harder, "easier"),
        ):
            if other_id is None:
                continue
            other = drills.get(other_id)
            if other is None:
                self.problem(file, f"{at}.{field}", f"unknown drill {other_id!r}")
            elif other_id == drill.id:
                self.problem(file, f"{at}.{field}", "a drill cannot progress to itself")
            elif getattr(other, back) != drill.id:
                self.problem(
                    file,
                    f"{at}.{field}",
                    f"{other_id!r} must name {drill.id!r} as its {back} drill in return",
                )

    def _check_dose(self, drill: Drill, file: str, at: str) -> None:
        dose = drill.dose
        numbers = [dose.sets, dose.reps, dose.hold_seconds]
        missing = [n for n in numbers if n is not None and str(n) not in dose.text]
        if missing:
            self.problem(file, f"{at}.dose.text", f"does not mention {missing[0]} from the dose")

    def _check_form_questions(self, drill: Drill, file: str, at: str) -> None:
        if not drill.form_questions:
            self.problem(file, f"{at}.form_questions", "a drill needs at least one form question")
        self._check_unique(
            file, f"{at}.form_questions", [q.id for q in drill.form_questions], "form question"
        )
        for q_index, question in enumerate(drill.form_questions):
            q_at = f"{at}.form_questions[{q_index}]"
            self._check_length(file, f"{q_at}.text", question.text, POLL_QUESTION_LIMIT, "question")
            self._check_unique(file, f"{q_at}.options", [o.id for o in question.options], "option")
            for o_index, option in enumerate(question.options):
                self._check_length(
                    file,
                    f"{q_at}.options[{o_index}].label",
                    option.label,
                    BUTTON_LABEL_LIMIT,
                    "label",
                )
            if not any(option.score == "good" for option in question.options):
                self.problem(file, f"{q_at}.options", "needs an option scored 'good'")

    def _check_checkins(self) -> None:
        file, checkins = self.checkins_file, self.checkins
        scales = {scale.id: scale for scale in checkins.scales}
        questions = {question.id: question for question in checkins.questions}
        self._check_unique(file, "scales", [s.id for s in checkins.scales], "scale")
        self._check_unique(file, "questions", [q.id for q in checkins.questions], "question")
        self._check_unique(file, "red_flags", [f.id for f in checkins.red_flags], "red flag")
        for index, scale in enumerate(checkins.scales):
            for a_index, anchor in enumerate(scale.anchors):
                self._check_length(
                    file,
                    f"scales[{index}].anchors[{a_index}].label",
                    anchor.label,
                    BUTTON_LABEL_LIMIT,
                    "anchor",
                )
        for index, question in enumerate(checkins.questions):
            at = f"questions[{index}]"
            if question.scale is not None and question.scale not in scales:
                self.problem(file, f"{at}.scale", f"unknown scale {question.scale!r}")
            self._check_unique(file, f"{at}.options", [o.id for o in question.options], "option")
            for o_index, option in enumerate(question.options):
                self._check_length(
                    file,
                    f"{at}.options[{o_index}].label",
                    option.label,
                    BUTTON_LABEL_LIMIT,
                    "label",
                )
        for required in REQUIRED_CHECKIN_QUESTIONS:
            if required not in questions:
                self.problem(file, "questions", f"missing required question {required!r}")
        pain_scales = {questions[q].scale for q in PAIN_QUESTIONS if q in questions}
        if len(pain_scales) > 1:
            self.problem(file, "questions", "all pain questions must use the same scale")
        for scale_id in pain_scales:
            pain_scale = scales.get(scale_id or "")
            if pain_scale is not None and (pain_scale.min, pain_scale.max) != PAIN_SCALE_RANGE:
                self.problem(file, "scales", f"pain scale {scale_id!r} must run 0-10")
        for label_field in ("yes_label", "no_label"):
            self._check_length(
                file, label_field, getattr(checkins, label_field), BUTTON_LABEL_LIMIT, "label"
            )
        for severity in SEVERITY_ORDER:
            if not any(flag.severity == severity for flag in checkins.red_flags):
                self.problem(file, "red_flags", f"no red flag has severity {severity!r}")

    def _check_cards(self) -> None:
        file = self.cards_file
        for section, labels in (("drill", self.cards.drill), ("lesson", self.cards.lesson)):
            for name, value in labels:
                if name.startswith("button_"):
                    self._check_length(
                        file, f"{section}.{name}", value, BUTTON_LABEL_LIMIT, "button label"
                    )
        placeholders = set(_PLACEHOLDER.findall(self.cards.lesson.position))
        if placeholders != {"number", "total"}:
            self.problem(file, "lesson.position", "must use exactly {number} and {total}")

    def check_rendered(self, catalog: Catalog) -> None:
        for drill_file, file in self.drill_files:
            for index, drill in enumerate(drill_file.drills):
                self._check_message(
                    file, f"drills[{index}]", catalog.render_drill_card(drill.id), "drill card"
                )
        for index, lesson in enumerate(self.lesson_file.lessons):
            self._check_message(
                self.lessons_file,
                f"lessons[{index}]",
                catalog.render_lesson(lesson.id),
                "rendered lesson",
            )

    def _check_message(self, file: str, field: str, text: str, what: str) -> None:
        error = telegram_html_error(text)
        if error is not None:
            self.problem(file, field, f"{what} is not valid Telegram HTML: {error}")
        self._check_length(file, field, text, MESSAGE_LIMIT, what)


def _strings(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, str, str]]:
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

    yield from walk(model, prefix, "")


# --- translations --------------------------------------------------------------------------


def _compare_with_english(loader: _Loader, file: str, english: BaseModel, local: BaseModel) -> None:
    """A translation must define the same ids and the same non-text fields as English."""
    _diff(
        loader,
        file,
        "",
        _skeleton(english.model_dump()),
        _skeleton(local.model_dump()),
    )


def _skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _skeleton(v) for k, v in value.items() if k not in _TRANSLATED_FIELDS}
    if isinstance(value, list | tuple):
        return [_skeleton(item) for item in value]
    return value


def _diff(loader: _Loader, file: str, path: str, english: Any, local: Any) -> None:
    if _is_id_list(english) and _is_id_list(local):
        english_ids = [item["id"] for item in english]
        local_ids = [item["id"] for item in local]
        for missing in english_ids:
            if missing not in local_ids:
                loader.problem(file, path, f"missing id {missing!r} that English defines")
        for index, extra in enumerate(local_ids):
            if extra not in english_ids:
                loader.problem(file, f"{path}[{index}].id", f"id {extra!r} is not in English")
        by_id = {item["id"]: item for item in english}
        for index, item in enumerate(local):
            if item["id"] in by_id:
                _diff(loader, file, f"{path}[{index}]", by_id[item["id"]], item)
    elif isinstance(english, dict) and isinstance(local, dict):
        for key in english:
            if key in local:
                _diff(loader, file, f"{path}.{key}" if path else key, english[key], local[key])
    elif english != local:
        loader.problem(file, path, f"must match English ({english!r}), found {local!r}")


def _is_id_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(item, dict) and "id" in item for item in value)
        and bool(value)
    )
