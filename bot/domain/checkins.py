"""What a check-in asks next, and what its answers add up to: plain rules over plain data.

A check-in follows one reminder's drills: for each drill, pain during it, the drill's own form
question(s) and how hard it felt; then, once, pain now. Every answer is stored as it is given,
so the next question is always the first one not yet answered: a check-in left half-way is
picked up exactly there, by whatever route the patient comes back.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.safety import PAIN_SCALE

EFFORTS = ("too_easy", "about_right", "too_hard")
FORM_SCORES = ("good", "partial", "poor")  # best to worst


class Ask(StrEnum):
    PAIN_DURING = "pain_during"
    FORM = "form"
    EFFORT = "effort"
    PAIN_NOW = "pain_now"


@dataclass(frozen=True)
class Answers:
    """What one drill's check-in holds so far."""

    pain_during: int | None = None
    pain_now: int | None = None
    form: Mapping[str, str] | None = None
    effort: str | None = None
    # A pain rule stopped the drill at its pain answer: its own questions are not asked.
    stopped: bool = False


@dataclass(frozen=True)
class Question:
    """The next question: which, for which drill of the check-in (``index``), and for a form
    question its id."""

    ask: Ask
    index: int
    form_question: str | None = None


def next_question(
    answers: Sequence[Answers], form_questions: Sequence[Sequence[str]]
) -> Question | None:
    """The first question not yet answered; ``None`` once the check-in is complete.

    ``form_questions[i]`` are the ids of drill ``i``'s form questions, in order. Pain now is
    asked once, after every drill's own questions, and counts for all of them.
    """
    for index, (given, questions) in enumerate(zip(answers, form_questions, strict=True)):
        if given.pain_during is None:
            return Question(Ask.PAIN_DURING, index)
        if given.stopped:
            continue
        for question in questions:
            if question not in (given.form or {}):
                return Question(Ask.FORM, index, question)
        if given.effort is None:
            return Question(Ask.EFFORT, index)
    for index, given in enumerate(answers):
        if given.pain_now is None:
            return Question(Ask.PAIN_NOW, index)
    return None


# Safety-event levels, least to most urgent (see bot.domain.pain_rules.EventLevel).
EVENT_LEVELS = ("low", "high", "critical")


def event_to_store(stored: str | None, final: str | None) -> str | None:
    """The safety event a completed check-in stores, given the one already stored when the
    pain-during answer alone stopped the drill (``stored``): the final verdict's level only
    if it is more urgent, so that pain now of 8 after 6 during is still reported as critical,
    and no answer is reported twice."""
    if final is None:
        return None
    if stored is None or EVENT_LEVELS.index(final) > EVENT_LEVELS.index(stored):
        return final
    return None


def worst_form(scores: Sequence[str]) -> str | None:
    """The check-in's form score: the worst of its answers' scores (good, partial, poor)."""
    known = [score for score in scores if score in FORM_SCORES]
    return max(known, key=FORM_SCORES.index) if known else None


_WHOLE_NUMBER = re.compile(r"\s*([0-9]{1,2})\s*(?:/\s*10)?\s*")


def typed_pain(text: str) -> int | None:
    """A pain score typed instead of tapped: a whole number 0-10 ("4", " 7 ", "6/10").

    Anything else ("ten", "11", "-1", "7.5") is ``None``: the question is asked again and
    nothing is stored.
    """
    match = _WHOLE_NUMBER.fullmatch(text)
    if match is None:
        return None
    value = int(match[1])
    return value if value in PAIN_SCALE else None


def _plain(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", folded).split())


def says_done(text: str, phrases: str) -> bool:
    """Whether a typed message, as a whole, says the drills are done ("done", "I did it!").

    ``phrases`` are the language's phrases, separated by ``|``.
    """
    typed = _plain(text)
    return bool(typed) and typed in {_plain(phrase) for phrase in phrases.split("|")}
