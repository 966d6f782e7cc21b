"""Progression: when to suggest the harder or the easier version of a drill.

A suggestion only: the patient accepts or declines it, and a plan a therapist has locked is
never changed (:mod:`db.plan_queries` records both). The rules read the drill's completed
check-ins since its last plan change or declined suggestion, so a declined suggestion is not
made again at the very next check-in. The thresholds are the project's choices and await a
clinician's review (``content/CLINICAL.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.pain_rules import FINE_PAIN, Advice
from content.models import Drill

__all__ = [
    "POOR_FORM_RUN",
    "TOO_EASY_RUN",
    "ChangeStatus",
    "Direction",
    "Outcome",
    "Suggestion",
    "neighbour",
    "suggest",
    "swap_drill",
]

# Sessions in a row rated "too easy", with good form and pain of at most FINE_PAIN, before
# the harder version is suggested: one easy day is not a trend. Project choice.
TOO_EASY_RUN = 3
# Sessions in a row with poor form before the easier version is suggested. Project choice.
POOR_FORM_RUN = 2


class Direction(StrEnum):
    HARDER = "harder"
    EASIER = "easier"


class ChangeStatus(StrEnum):
    """What became of a suggested change (``PlanChange.status``)."""

    SUGGESTED = "suggested"  # waiting for the patient
    ACCEPTED = "accepted"  # the plan changed (a tip, without a neighbour: the patient took it)
    DECLINED = "declined"  # the patient said no
    LOCKED = "locked"  # accepted, but a therapist had locked the plan: declined, plan unchanged
    STALE = "stale"  # accepted, but the drill had left the plan meanwhile: nothing to swap


@dataclass(frozen=True)
class Outcome:
    """One completed check-in of one drill, as the rules need it."""

    effort: str | None  # too_easy, about_right or too_hard
    form_score: str | None  # good, partial or poor: the worst of the drill's form answers
    pain: int | None  # the higher of pain during and pain now
    advice: Advice | None  # the pain rules' verdict on it


@dataclass(frozen=True)
class Suggestion:
    direction: Direction
    # Why, a stable id the messages are keyed by: too_easy, too_hard, poor_form or pain.
    reason: str


def suggest(history: Sequence[Outcome], *, locked: bool) -> Suggestion | None:
    """The change to suggest after the latest check-in, or None.

    ``history`` is this drill's completed check-ins since its last plan change or declined
    suggestion, oldest first. Easier wins over harder, and among the reasons for easier the
    pain rules come first, then "too hard", then poor form:

    - the latest check-in's pain rules said easier or stop: easier ("pain");
    - the latest was "too hard": easier ("too_hard");
    - the last :data:`POOR_FORM_RUN` had poor form: easier ("poor_form");
    - the last :data:`TOO_EASY_RUN` were "too easy" with good form and pain of at most
      :data:`~bot.domain.pain_rules.FINE_PAIN` (pain unanswered does not count): harder.

    A locked plan gets no suggestion at all.
    """
    if locked or not history:
        return None
    latest = history[-1]
    if latest.advice in (Advice.EASIER, Advice.STOP):
        return Suggestion(Direction.EASIER, "pain")
    if latest.effort == "too_hard":
        return Suggestion(Direction.EASIER, "too_hard")
    if _last_run(history, POOR_FORM_RUN, _poor_form):
        return Suggestion(Direction.EASIER, "poor_form")
    if _last_run(history, TOO_EASY_RUN, _easy_and_well):
        return Suggestion(Direction.HARDER, "too_easy")
    return None


def neighbour(drill: Drill, direction: Direction) -> str | None:
    """The drill to swap in for ``drill`` in this direction; None when the content has only
    a tip for it (``easier_tip`` / ``harder_tip``), which is shown instead of a swap."""
    return drill.harder if direction is Direction.HARDER else drill.easier


def swap_drill(drill_ids: Sequence[str], from_drill: str, to_drill: str) -> tuple[str, ...]:
    """The plan after a change is accepted: ``to_drill`` takes ``from_drill``'s place. When
    ``to_drill`` is in the plan already, ``from_drill`` just leaves it (a drill is never
    listed twice); when ``from_drill`` is not in the plan, the plan is unchanged."""
    if from_drill not in drill_ids:
        return tuple(drill_ids)
    if to_drill in drill_ids:
        return tuple(drill_id for drill_id in drill_ids if drill_id != from_drill)
    return tuple(to_drill if drill_id == from_drill else drill_id for drill_id in drill_ids)


def decision(
    accept: bool, locked: bool, from_drill: str, to_drill: str | None, plan: Sequence[str]
) -> ChangeStatus:
    """What the patient's answer to a suggested change does, given their plan as it stands:
    declined; ``LOCKED`` when a therapist locked the plan (never changed); accepted (a tip,
    without a drill to swap in, leaves the plan as it is); ``STALE`` when the drill has left
    the plan meanwhile. An accepted swap is :func:`swap_drill`."""
    if not accept:
        return ChangeStatus.DECLINED
    if locked:
        return ChangeStatus.LOCKED
    if to_drill is not None and from_drill not in plan:
        return ChangeStatus.STALE
    return ChangeStatus.ACCEPTED


def _poor_form(outcome: Outcome) -> bool:
    return outcome.form_score == "poor"


def _easy_and_well(outcome: Outcome) -> bool:
    return (
        outcome.effort == "too_easy"
        and outcome.form_score == "good"
        and outcome.pain is not None
        and outcome.pain <= FINE_PAIN
        and outcome.advice in (None, Advice.FINE)
    )


def _last_run(history: Sequence[Outcome], length: int, holds: Callable[[Outcome], bool]) -> bool:
    """Whether ``holds`` is true of each of the last ``length`` outcomes."""
    return len(history) >= length and all(holds(outcome) for outcome in history[-length:])
