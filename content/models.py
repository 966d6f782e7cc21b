"""Typed, immutable shapes of every content file under ``content/``.

These models check the shape of each file (required fields, types, counts); rules across
fields and files (references, Telegram limits, coverage) live in ``content.checks``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

__all__ = [
    "CardLabels",
    "Cards",
    "CheckinQuestion",
    "Checkins",
    "ChoiceOption",
    "City",
    "Consent",
    "ContentId",
    "Dose",
    "Drill",
    "DrillFile",
    "EmergencyNumbers",
    "EquipmentKind",
    "FormOption",
    "FormQuestion",
    "FormScore",
    "Lesson",
    "LessonFile",
    "LessonLabels",
    "Method",
    "Phrase",
    "Plans",
    "Quiz",
    "QuizOption",
    "RedFlag",
    "RedFlagCues",
    "RedFlagPhrases",
    "RedFlagWords",
    "Region",
    "SafetyNotice",
    "SafetyScreen",
    "Scale",
    "ScaleAnchor",
    "SearchWords",
    "Section",
    "Severity",
    "Sign",
    "StarterPlan",
    "StemRule",
    "Stemming",
    "Taxonomy",
    "Tier",
    "Tiers",
    "TimeZones",
    "Topic",
]

# Ids travel in callback data (64 bytes in all), so they stay short and plain.
ContentId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

FormScore = Literal["good", "partial", "poor"]
# The severities a red flag may have, each with its own fixed wording. Which one wins when
# several flags are positive is a clinical rule: bot.domain.safety.
Severity = Literal["emergency_services", "same_day_care", "contact_therapist"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- taxonomy.yaml -------------------------------------------------------------------------


class Method(_Frozen):
    id: ContentId
    label: Text
    description: Text


class Sign(_Frozen):
    id: ContentId
    label: Text
    description: Text


class Region(_Frozen):
    id: ContentId
    label: Text


class EquipmentKind(_Frozen):
    id: ContentId
    label: Text


class Section(_Frozen):
    """A part of the source article; every one must be taught by some lesson."""

    id: ContentId
    label: Text


class Topic(_Frozen):
    """A group of lessons in the /learn menu, in menu order."""

    id: ContentId
    label: Text


class Taxonomy(_Frozen):
    methods: tuple[Method, ...] = Field(min_length=1)
    signs: tuple[Sign, ...] = Field(min_length=1)
    regions: tuple[Region, ...] = Field(min_length=1)
    equipment: tuple[EquipmentKind, ...] = Field(min_length=1)
    sections: tuple[Section, ...] = Field(min_length=1)
    topics: tuple[Topic, ...] = Field(min_length=1)
    # Each group is a set of words search treats as one (the first is the canonical form).
    search_synonyms: tuple[tuple[Text, ...], ...] = ()


# --- lessons.yaml --------------------------------------------------------------------------


class QuizOption(_Frozen):
    text: Text
    correct: bool
    feedback: Text


class Quiz(_Frozen):
    question: Text
    options: tuple[QuizOption, ...] = Field(min_length=2, max_length=4)

    @property
    def correct_index(self) -> int:
        """Index of the correct option (validated to be exactly one)."""
        return next(i for i, option in enumerate(self.options) if option.correct)


class Lesson(_Frozen):
    id: ContentId
    topic: ContentId
    order: int = Field(ge=1)
    title: Text
    # Telegram HTML: <b> and <i> are allowed here and nowhere else in lessons.
    body: Text
    takeaway: Text
    section: ContentId
    quiz: Quiz | None = None


class LessonFile(_Frozen):
    lessons: tuple[Lesson, ...] = Field(min_length=1)


# --- drills/<method>.yaml ------------------------------------------------------------------


class Dose(_Frozen):
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    hold_seconds: int | None = Field(default=None, ge=1, le=120)
    per_side: bool = False
    times_per_day: int = Field(default=1, ge=1, le=5)
    days_per_week: int = Field(default=7, ge=1, le=7)
    text: Text

    @model_validator(mode="after")
    def _reps_or_hold(self) -> Dose:
        if self.reps is None and self.hold_seconds is None:
            raise ValueError("a dose needs reps or hold_seconds")
        return self


class FormOption(_Frozen):
    id: ContentId
    label: Text
    score: FormScore


class FormQuestion(_Frozen):
    """A question about how the drill went, asked after the patient presses Done."""

    id: ContentId
    text: Text
    options: tuple[FormOption, ...] = Field(min_length=2, max_length=4)


class Drill(_Frozen):
    id: ContentId
    name: Text
    method: ContentId
    signs: tuple[ContentId, ...] = Field(min_length=1)
    regions: tuple[ContentId, ...] = Field(min_length=1)
    equipment: tuple[ContentId, ...] = Field(min_length=1)
    steps: tuple[Text, ...] = Field(min_length=1)
    cues: tuple[Text, ...] = Field(min_length=1)
    dose: Dose
    # A neighbouring drill, or else one sentence on how to make this one easier or harder
    # (every drill has both directions; content.checks.drills says so with the file name).
    easier: ContentId | None
    harder: ContentId | None
    easier_tip: Text | None = None
    harder_tip: Text | None = None
    # The drill's own stop rules, shown under cards.yaml's drill.stop_rule that every drill
    # shares; empty is reported by the catalogue check with the file name, not here.
    safety: tuple[Text, ...]
    lesson: ContentId
    why: Text
    # Empty is reported by the catalogue check with the file name, not here.
    form_questions: tuple[FormQuestion, ...] = Field(max_length=2)


class DrillFile(_Frozen):
    drills: tuple[Drill, ...] = Field(min_length=1)


# --- checkins.yaml -------------------------------------------------------------------------


class ScaleAnchor(_Frozen):
    value: int
    label: Text


class Scale(_Frozen):
    """A numeric rating scale; its anchors are worded once here and reused by every question."""

    id: ContentId
    min: int
    max: int
    anchors: tuple[ScaleAnchor, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _anchors_span_the_scale(self) -> Scale:
        if self.min >= self.max:
            raise ValueError("min must be below max")
        values = [anchor.value for anchor in self.anchors]
        if self.min not in values or self.max not in values:
            raise ValueError("anchors must label both ends of the scale")
        if any(not self.min <= value <= self.max for value in values):
            raise ValueError("anchor outside the scale")
        return self

    @property
    def values(self) -> range:
        return range(self.min, self.max + 1)


class ChoiceOption(_Frozen):
    id: ContentId
    label: Text


class CheckinQuestion(_Frozen):
    id: ContentId
    kind: Literal["scale", "choice"]
    text: Text
    scale: ContentId | None = None
    options: tuple[ChoiceOption, ...] = ()

    @model_validator(mode="after")
    def _kind_matches_fields(self) -> CheckinQuestion:
        if self.kind == "scale" and (self.scale is None or self.options):
            raise ValueError("a scale question names a scale and has no options")
        if self.kind == "choice" and (self.scale is not None or len(self.options) < 2):
            raise ValueError("a choice question has at least two options and no scale")
        return self


class RedFlag(_Frozen):
    """A red-flag symptom, worded once: the screen, its tier's message and the notice name it."""

    id: ContentId
    severity: Severity
    text: Text


class Tier(_Frozen):
    """What a severity tells the patient: a heading over its flags, and the message sent."""

    heading: Text
    # Telegram HTML; {flag} is the reported flag's text, {number} the emergency number.
    message: Text


class Tiers(_Frozen):
    emergency_services: Tier
    same_day_care: Tier
    contact_therapist: Tier

    def of(self, severity: str) -> Tier:
        """The tier of this severity; KeyError if it is not one of SEVERITIES."""
        if severity not in SEVERITIES:
            raise KeyError(severity)
        tier: Tier = getattr(self, severity)
        return tier


class SafetyNotice(_Frozen):
    """The lines around the tiers in the /safety notice (the intro may use <b> and <i>)."""

    intro: Text
    during_drills: Text


class SafetyScreen(_Frozen):
    """The words of the safety screen before the first drill, and of the hold it may start."""

    none_label: Text
    screened: Text
    on_hold: Text
    cleared_label: Text
    confirm_cleared: Text
    confirm_label: Text
    not_yet_label: Text
    cleared: Text


class Checkins(_Frozen):
    scales: tuple[Scale, ...] = Field(min_length=1)
    questions: tuple[CheckinQuestion, ...] = Field(min_length=1)
    red_flag_intro: Text
    red_flag_pick: Text
    emergency_fallback: Text
    red_flags: tuple[RedFlag, ...] = Field(min_length=1)
    tiers: Tiers
    safety_notice: SafetyNotice
    screen: SafetyScreen


# --- cards.yaml ----------------------------------------------------------------------------


class CardLabels(_Frozen):
    """Headings and small templates for a drill card; placeholders are named in braces."""

    method: Text
    helps_with: Text
    equipment: Text
    body_area: Text
    dose: Text
    how_to: Text
    cues: Text
    safety: Text
    # The stop rule every drill shares (plain text), listed first under ``safety``.
    stop_rule: Text
    # One line on setting up at home, shown on every card.
    home_setup: Text
    why: Text
    easier: Text
    harder: Text
    footer: Text
    button_start: Text
    button_easier: Text
    button_harder: Text
    button_lesson: Text


class LessonLabels(_Frozen):
    position: Text  # "Lesson {number} of {total}"
    takeaway: Text
    next: Text
    button_next: Text
    button_quiz: Text
    button_menu: Text


class Cards(_Frozen):
    drill: CardLabels
    lesson: LessonLabels


# --- locales/<lang>/search.yaml ------------------------------------------------------------


def _words(value: Any) -> Any:
    """A block of whitespace-separated words, as a translator writes it, becomes a set."""
    return frozenset(value.split()) if isinstance(value, str) else value


class StemRule(_Frozen):
    """Replace ``ending`` by ``replace`` when at least ``min_stem`` letters stay before it."""

    ending: Annotated[str, StringConstraints(min_length=1)]
    replace: str = ""
    min_stem: int = Field(default=1, ge=1)
    # Endings this rule must leave alone ("-ss" is not a plural "-s").
    unless: tuple[str, ...] = ()
    # After removing the ending, drop one of a doubled final letter ("stepp" -> "step").
    undouble: bool = False


class Stemming(_Frozen):
    """How word forms meet at one stem: ``steps`` run in order; in each, the first rule fits."""

    min_length: int = Field(default=1, ge=1)  # shorter words are left as they are
    keep_doubled: str = ""  # letters ``undouble`` keeps doubled ("fall", "press")
    steps: tuple[tuple[StemRule, ...], ...] = ()


class SearchWords(_Frozen):
    """A language's words for free-text search; a new language needs only this file, no code."""

    stop_words: Annotated[frozenset[str], BeforeValidator(_words)]
    stemming: Stemming = Stemming()


# --- locales/<lang>/red_flags.yaml ---------------------------------------------------------

# One word of a phrase: letters (an apostrophe or "*" may stand inside or at either end), or
# "{group}"; "a|b" offers either. The file's header explains the format for its writers.
_PHRASE_WORD = r"(?:\{[a-z][a-z0-9_]*\}|\*?[^\W_]+(?:['’*]+[^\W_]+)*['’*]?)"
_PHRASE_CHOICE = rf"{_PHRASE_WORD}(?:\|{_PHRASE_WORD})*"
_PHRASE = re.compile(rf"{_PHRASE_CHOICE}(?: (?:\.\.\. )?{_PHRASE_CHOICE})*")


def _phrase(value: Any) -> Any:
    """A phrase on one line, its words one space apart, in the format the header describes."""
    if not isinstance(value, str):
        return value
    phrase = " ".join(value.split())
    if not _PHRASE.fullmatch(phrase):
        raise ValueError(
            "a phrase is words one space apart, each word letters with '*' for any letters, "
            "'a|b' for either word or '{group}' for a group, and '...' between two words"
        )
    return phrase


Phrase = Annotated[str, BeforeValidator(_phrase)]


class RedFlagPhrases(_Frozen):
    """The phrases that report one red flag, and look-alikes that do not (``unless``)."""

    phrases: tuple[Phrase, ...] = Field(min_length=1)
    unless: tuple[Phrase, ...] = ()
    # The flag stands even when the patient says it has passed (negation.over: "it went
    # away"): a faint or a stroke's sign that settled still needs help. Other cues count.
    even_if_over: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        # A flag without look-alikes is written as its list of phrases alone.
        return {"phrases": data} if isinstance(data, list) else data


class RedFlagCues(_Frozen):
    """Phrases around a symptom that say it is absent or over, and phrases of doubt that
    keep the alarm whatever else is said."""

    window: int = Field(default=3, ge=0, le=10)  # words between a cue and its symptom
    before: tuple[Phrase, ...] = Field(min_length=1)  # "no", "keine"
    after: tuple[Phrase, ...] = ()  # "(Brustschmerzen hatte ich) keine"
    over: tuple[Phrase, ...] = ()  # "gone", "weg": after it, it has passed
    past: tuple[Phrase, ...] = ()  # "last year", anywhere in the symptom's part
    doubt: tuple[Phrase, ...] = ()  # "not sure", "came back": the alarm stands


class RedFlagWords(_Frozen):
    """A language's words for red flags in free text; a new language needs only this file.

    The matcher (bot.domain.red_flags) reads it; content.checks.red_flags checks that it
    names exactly the flags of the language's checkins.yaml.
    """

    # Letters a patient may write for others, after accents are dropped ("ae" for "ä").
    spellings: dict[str, str] = {}
    # Words and phrases read as another ("cannot" as "cant"), before any phrase is matched.
    read_as: dict[Phrase, Phrase] = {}
    # Words that end a part of a sentence as a full stop does ("but"): no phrase crosses them.
    clause_words: Annotated[frozenset[str], BeforeValidator(_words)] = frozenset()
    # Words over which a negation does not reach, as over a comma ("and").
    list_words: Annotated[frozenset[str], BeforeValidator(_words)] = frozenset()
    gap: int = Field(default=3, ge=1, le=8)  # how many words "..." stands for, at most
    # Pattern words this long or longer also match a word one typing slip away.
    typo_length: int = Field(default=6, ge=3)
    # Real words that look like a symptom word: they match only a pattern word spelled so.
    look_alikes: Annotated[frozenset[str], BeforeValidator(_words)] = frozenset()
    negation: RedFlagCues
    groups: dict[ContentId, tuple[Phrase, ...]] = {}
    flags: dict[ContentId, RedFlagPhrases] = Field(min_length=1)


# --- plans.yaml ----------------------------------------------------------------------------


class StarterPlan(_Frozen):
    """What a patient practises until a therapist assigns a plan, shown a few at a time."""

    drill_ids: tuple[ContentId, ...] = Field(min_length=1)
    drills_per_reminder: int = Field(ge=1, le=5)


class Plans(_Frozen):
    starter: StarterPlan


# --- consent.yaml --------------------------------------------------------------------------


class Consent(_Frozen):
    version: Text


# --- timezones.yaml ------------------------------------------------------------------------


class City(_Frozen):
    """A city offered as a time-zone button, and the IANA zone that sets its clocks."""

    label: Text
    zone: Text

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        # The file lists each city as a [label, zone] pair, one per line.
        if isinstance(data, list | tuple) and len(data) == 2:
            return {"label": data[0], "zone": data[1]}
        return data


class TimeZones(_Frozen):
    # Region ids are translated in messages.yaml under timezone.regions.<id>.
    regions: dict[ContentId, tuple[City, ...]] = Field(min_length=1)


# --- emergency_numbers.yaml ----------------------------------------------------------------


class EmergencyNumbers(_Frozen):
    """The country of each time zone, and the number to call for an ambulance there.

    Codes and numbers are plain strings here; content.checks.emergency_numbers checks their form
    and names the entry.
    """

    numbers: dict[str, str]  # ISO 3166 country code -> number ("DE": "112")
    zones: dict[str, str] = Field(min_length=1)  # IANA zone -> ISO 3166 country code
