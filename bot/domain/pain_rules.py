"""The pain rules: what a patient's pain answers mean for the drill, and for their therapist.

The model is the pain-monitoring model (Thomeé R. Phys Ther 1997;77:1690-1703; Silbernagel
KG et al. Am J Sports Med 2007;35:897-906): exercise may hurt a little, as long as the pain
stays within set limits during the exercise, settles by the next morning, and does not build
up from one session to the next. The numbers below are the project's choices within that
model, stricter than the papers (which allow up to 5/10), and await a clinician's review;
``content/CLINICAL.md`` lists each of them with the decisions taken.

All scores are on the one 0-10 numeric rating scale of :data:`bot.domain.safety.PAIN_SCALE`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.safety import PAIN_SCALE

__all__ = [
    "BASELINE_DAYS",
    "BASELINE_MIN_SCORES",
    "BASELINE_RISE",
    "CRITICAL_PAIN",
    "FINE_PAIN",
    "STOP_PAIN",
    "Advice",
    "EventLevel",
    "Morning",
    "Verdict",
    "after_drill",
    "baseline",
    "baseline_matters",
    "next_morning",
]

# Pain during or after a drill up to this is fine: "acceptable" pain. Thomeé 1997 and
# Silbernagel 2007 accept up to 5/10; this project keeps 4-5/10 for "easier next time"
# (the clinical review's 3/10 rule). Project choice, awaiting clinician review.
FINE_PAIN = 3
# From this score the drill stops and the patient contacts their therapist: above the
# model's 5/10 ceiling (Thomeé 1997; Silbernagel 2007), as the drill card's stop rule says.
STOP_PAIN = 6
# From this score the safety event is critical rather than high: severe pain on the NRS.
# Project choice, awaiting clinician review.
CRITICAL_PAIN = 7
# A rise of this many points over the patient's own baseline stops the drill: pain building
# up from session to session (Silbernagel 2007: pain must not increase week to week).
# The size of the rise is a project choice, awaiting clinician review.
BASELINE_RISE = 2
# The baseline is the median of the patient's pain scores of this many days (the issue's
# "last 7 days"), and is only trusted from this many scores: with fewer, one bad day would
# be the baseline. Both project choices, awaiting clinician review.
BASELINE_DAYS = 7
BASELINE_MIN_SCORES = 3


class Advice(StrEnum):
    """What the patient is told about the drill."""

    FINE = "fine"  # carry on as you are
    EASIER = "easier"  # use the easier version next time
    STOP = "stop"  # stop this drill and contact your therapist


class EventLevel(StrEnum):
    """How urgently the therapist should see a safety event."""

    CRITICAL = "critical"
    HIGH = "high"
    LOW = "low"


class Morning(StrEnum):
    """The next-morning answer: pain now, compared with before yesterday's drill."""

    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


@dataclass(frozen=True)
class Verdict:
    advice: Advice
    # A stable id of the rule that decided: settled, rising, moderate, above_baseline, high,
    # severe, not_settled, worse_mornings. Messages and stored events are keyed by it.
    reason: str
    # A safety event to store for the therapist; None when there is nothing to report.
    level: EventLevel | None
    # A high pain answer: show the red-flag screen next.
    screen_red_flags: bool


def baseline(scores: Sequence[int]) -> float | None:
    """The patient's usual pain: the median of their scores of the last
    :data:`BASELINE_DAYS` days (the caller picks the days), or None with fewer than
    :data:`BASELINE_MIN_SCORES` scores."""
    if len(scores) < BASELINE_MIN_SCORES:
        return None
    return float(statistics.median(scores))


def baseline_matters(pain: int) -> bool:
    """Whether the baseline can change :func:`after_drill`'s verdict on this pain (the higher
    of the two answers): only strictly between :data:`FINE_PAIN` and :data:`STOP_PAIN`. At
    or below the one the baseline never stops a drill, at or above the other pain alone does;
    the caller need not look the baseline up."""
    return FINE_PAIN < pain < STOP_PAIN


def after_drill(pain_during: int, pain_now: int | None, baseline: float | None) -> Verdict:
    """The verdict on one drill from its two pain answers (``pain_now`` may not be answered
    yet) and the patient's :func:`baseline` (None: too few scores to tell).

    The pain judged is the higher of the two answers. The first rule that applies decides:

    1. :data:`CRITICAL_PAIN` or more: stop, critical event ("severe").
    2. :data:`STOP_PAIN` or more: stop, high event ("high").
    3. Above :data:`FINE_PAIN` and at least :data:`BASELINE_RISE` over the baseline: stop,
       high event ("above_baseline"). A score of :data:`FINE_PAIN` or less is never stopped
       by the baseline, so a patient whose usual pain is 0 may report 2.
    4. Above :data:`FINE_PAIN`: easier next time ("moderate").
    5. Pain now higher than during the drill (pain rising set by set): easier ("rising").
    6. Otherwise fine ("settled").

    Every stop is a high pain answer, followed by the red-flag screen.
    """
    _check_score(pain_during)
    if pain_now is not None:
        _check_score(pain_now)
    pain = pain_during if pain_now is None else max(pain_during, pain_now)
    if pain >= CRITICAL_PAIN:
        return Verdict(Advice.STOP, "severe", EventLevel.CRITICAL, screen_red_flags=True)
    if pain >= STOP_PAIN:
        return Verdict(Advice.STOP, "high", EventLevel.HIGH, screen_red_flags=True)
    if pain > FINE_PAIN and baseline is not None and pain - baseline >= BASELINE_RISE:
        return Verdict(Advice.STOP, "above_baseline", EventLevel.HIGH, screen_red_flags=True)
    if pain > FINE_PAIN:
        return Verdict(Advice.EASIER, "moderate", None, screen_red_flags=False)
    if pain_now is not None and pain_now > pain_during:
        return Verdict(Advice.EASIER, "rising", None, screen_red_flags=False)
    return Verdict(Advice.FINE, "settled", None, screen_red_flags=False)


def next_morning(today: str, previous: str | None) -> Verdict:
    """The verdict on a next-morning answer (better, same or worse than before yesterday's
    drill), given the patient's previous answered morning check (None: this is the first).

    The model asks that pain settles by the next morning (Thomeé 1997; Silbernagel 2007).
    "Worse" two mornings in a row (today and the previous answer; two is a project choice,
    awaiting clinician review): stop and contact the therapist, a low event, and the red-flag
    screen (pain that keeps getting worse is worth one more look at the flags). "Worse" once:
    the pain did not settle, easier next time. "Better" or "same": settled.
    """
    answer = Morning(today)
    earlier = None if previous is None else Morning(previous)
    if answer is not Morning.WORSE:
        return Verdict(Advice.FINE, "settled", None, screen_red_flags=False)
    if earlier is Morning.WORSE:
        return Verdict(Advice.STOP, "worse_mornings", EventLevel.LOW, screen_red_flags=True)
    return Verdict(Advice.EASIER, "not_settled", None, screen_red_flags=False)


def _check_score(score: int) -> None:
    if score not in PAIN_SCALE:
        raise ValueError(f"pain score {score!r} is not on the 0-10 scale")
