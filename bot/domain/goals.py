"""The patient's own goals: the Patient-Specific Functional Scale (PSFS), rules and screens.

The PSFS (Stratford, Gill, Westaway and Binkley, *Physiotherapy Canada* 1995;47(4):258-263)
asks the patient to name everyday activities that are hard for them because of their problem
and to rate each from 0 ("unable to perform the activity") to 10 ("able to perform the activity
at the same level as before the injury or problem"); asked again later, the change in those
numbers is the patient's progress in their own terms. Here: at most three activities, rated
again four weeks after the last rating (or the last "skip for now").

Everything here is a pure function of plain values (no database, no Telegram): what may be
stored (:func:`read_activity`, :func:`read_score`, :func:`can_add`), when to ask again
(:func:`due`, :func:`offer_due`), the change between the first and the latest rating
(:class:`GoalScores`), and the screens that ask and show them. The conversation that uses
them is :mod:`bot.flows.goals`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.domain.screens import Choice, Screen, Text

__all__ = [
    "ACTIVITY_MAX",
    "ACTIVITY_MIN",
    "ASK_AGAIN_AFTER",
    "ENTRY_NAME",
    "ENTRY_RATE",
    "ENTRY_SKIP",
    "MAX_GOALS",
    "SCORES",
    "ActivityProblem",
    "GoalScores",
    "Offer",
    "can_add",
    "change_label",
    "due",
    "goal_lines",
    "goal_screen",
    "menu_screen",
    "name_screen",
    "offer_due",
    "offer_screen",
    "rate_screen",
    "read_activity",
    "read_score",
    "remove_screen",
    "rename_screen",
    "scores_of",
    "short_label",
]

# Stratford et al. ask for three to five activities; three keeps the question short in a chat.
MAX_GOALS = 3
# An activity is a few words: "stairs" at the least, and no longer than a sentence (the
# database column holds 100 characters).
ACTIVITY_MIN, ACTIVITY_MAX = 2, 100
# The PSFS's 11-point scale: 0 = unable to do the activity, 10 = as well as before.
SCORES = range(11)
# Goals are asked again four weeks after the last rating or "skip for now".
ASK_AGAIN_AFTER = timedelta(days=28)
# A button label shows this much of an activity's name.
LABEL_CHARACTERS = 40

# The actions of the buttons that open the goals conversation from a message sent while no
# conversation is running (after set-up, after a check-in, on /progress).
ENTRY_NAME, ENTRY_RATE, ENTRY_SKIP = "goals_name", "goals_rate", "goals_skip"

_SCORE = re.compile(r"10|[0-9]")
_MARKUP = re.compile(r"[<>]")


class ActivityProblem(StrEnum):
    """Why a typed activity cannot be a goal (each value names the sentence that says so)."""

    TOO_SHORT = "activity_short"
    TOO_LONG = "activity_long"
    MARKUP = "activity_markup"


class Offer(StrEnum):
    """What a due offer asks: to name goals (there are none), or to rate them again."""

    NAME = "name"
    RATE = "rate"


# -- rules -------------------------------------------------------------------------------------


def read_activity(typed: str) -> str | ActivityProblem:
    """The activity a patient typed, with its spaces tidied (ends trimmed, runs of spaces and
    line breaks made one space), or why it cannot be stored.

    It must be 2 to 100 characters, contain a letter (a bare "7" or "10" is a score typed at
    the wrong step, not an activity), and carry no HTML: ``<`` and ``>`` are refused.
    """
    activity = " ".join(typed.split())
    if _MARKUP.search(activity):
        return ActivityProblem.MARKUP
    if len(activity) > ACTIVITY_MAX:
        return ActivityProblem.TOO_LONG
    if len(activity) < ACTIVITY_MIN or not any(character.isalpha() for character in activity):
        return ActivityProblem.TOO_SHORT
    return activity


def read_score(typed: str) -> int | None:
    """A rating typed as a whole number from 0 to 10 ("7"); anything else ("ten", "11", "-1",
    "7.5", "07") is ``None``."""
    match = _SCORE.fullmatch(typed.strip())
    return int(match[0]) if match else None


def can_add(current: int) -> bool:
    """Whether a patient with ``current`` goals may name another one."""
    return current < MAX_GOALS


def due(asked_at: datetime | None, now: datetime) -> bool:
    """Whether the goals question is due: never asked, or four weeks or more since the last
    rating or "skip for now" (``Patient.goals_asked_at``)."""
    return asked_at is None or now - asked_at >= ASK_AGAIN_AFTER


def offer_due(asked_at: datetime | None, has_goals: bool, now: datetime) -> Offer | None:
    """What to offer, if anything is due: rating the goals again, or naming them."""
    if not due(asked_at, now):
        return None
    return Offer.RATE if has_goals else Offer.NAME


@dataclass(frozen=True)
class GoalScores:
    """One goal as the patient sees it: its activity, first and latest score, and how many
    times it was rated."""

    id: int
    activity: str
    first: int | None = None
    latest: int | None = None
    ratings: int = 0

    @property
    def change(self) -> int | None:
        """Latest minus first score, once rated twice or more (``None`` before)."""
        if self.ratings < 2 or self.first is None or self.latest is None:
            return None
        return self.latest - self.first

    def as_data(self) -> dict[str, Any]:
        """As a conversation's draft data stores it (JSON)."""
        return {
            "id": self.id,
            "activity": self.activity,
            "first": self.first,
            "latest": self.latest,
            "ratings": self.ratings,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> GoalScores:
        return cls(
            id=int(data["id"]),
            activity=str(data["activity"]),
            first=data.get("first"),
            latest=data.get("latest"),
            ratings=int(data.get("ratings", 0)),
        )


def scores_of(goal_id: int, activity: str, ratings: Sequence[tuple[datetime, int]]) -> GoalScores:
    """A goal's first and latest score from its ratings ``(rated_at, score)``, in any order.

    Two ratings at the same moment keep the order given (the order they were stored in).
    """
    ordered = sorted(ratings, key=lambda rating: rating[0])
    return GoalScores(
        id=goal_id,
        activity=activity,
        first=ordered[0][1] if ordered else None,
        latest=ordered[-1][1] if ordered else None,
        ratings=len(ordered),
    )


def change_label(change: int) -> Text | str:
    """A change of score as the patient reads it: "+3", "−2", or "no change"."""
    if change == 0:
        return Text("goals.no_change")
    return f"+{change}" if change > 0 else f"−{-change}"


def short_label(activity: str) -> str:
    """An activity shortened to fit on a button."""
    if len(activity) <= LABEL_CHARACTERS:
        return activity
    return activity[: LABEL_CHARACTERS - 1].rstrip() + "…"


# -- screens -----------------------------------------------------------------------------------


def goal_line(goal: GoalScores) -> Text:
    """One goal, with its first and latest score and the change between them."""
    if goal.latest is None:
        return Text("goals.line_unrated", {"activity": goal.activity})
    if goal.change is None:
        return Text("goals.line_once", {"activity": goal.activity, "score": goal.latest})
    return Text(
        "goals.line_change",
        {
            "activity": goal.activity,
            "first": goal.first,
            "latest": goal.latest,
            "change": change_label(goal.change),
        },
    )


def goal_lines(goals: Sequence[GoalScores]) -> tuple[Text, ...]:
    """The goals for display (``/progress``, ``/goals``, the end of a rating): a title and a
    line per goal with its first and latest score; nothing at all without goals."""
    if not goals:
        return ()
    return (Text("goals.title"), *(goal_line(goal) for goal in goals))


def offer_screen(offer: Offer) -> Screen:
    """The question "name your goals?" or "rate them again?", with "Skip for now".

    Its buttons open the goals conversation from a message sent while no other conversation
    is running (see ``Flow.entry_buttons``).
    """
    if offer == Offer.RATE:
        return Screen(
            body=(Text("goals.offer_again"),),
            choices=(
                (Choice(Text("buttons.goals_rate"), ENTRY_RATE),),
                (Choice(Text("buttons.goals_skip"), ENTRY_SKIP),),
            ),
        )
    return Screen(
        body=(Text("goals.offer"),),
        choices=(
            (Choice(Text("buttons.goals_name"), ENTRY_NAME),),
            (Choice(Text("buttons.goals_skip"), ENTRY_SKIP),),
        ),
    )


def name_screen(current: int) -> Screen:
    """Ask for an activity: the first (skippable), or another (or "that's all")."""
    if current == 0:
        return Screen(
            body=(Text("goals.ask_first"),),
            choices=((Choice(Text("buttons.goals_skip"), "skip"),),),
        )
    return Screen(
        body=(Text("goals.ask_more", {"count": current, "limit": MAX_GOALS}),),
        choices=((Choice(Text("buttons.goals_enough"), "enough"),),),
    )


def rate_screen(
    activity: str, last: int | None = None, position: tuple[int, int] = (1, 1)
) -> Screen:
    """Ask for a rating 0-10 with the PSFS's anchors; ``last`` and ``position`` (this goal's
    number, of how many) when the goals are rated again."""
    number, total = position
    if last is None:
        question = Text("goals.rate", {"activity": activity})
    else:
        question = Text(
            "goals.rate_again",
            {"activity": activity, "last": last, "position": number, "total": total},
        )
    return Screen(
        body=(question, Text("goals.anchors")),
        choices=(
            tuple(Choice(str(score), "score", score) for score in SCORES[:6]),
            tuple(Choice(str(score), "score", score) for score in SCORES[6:]),
        ),
    )


def menu_screen(goals: Sequence[GoalScores], is_due: bool) -> Screen:
    """``/goals``: the goals with their scores, and what can be done with them."""
    rows: list[tuple[Choice, ...]] = [(Choice(Text("buttons.goals_rate_all"), "rate_all"),)]
    rows.extend(
        (
            Choice(
                Text("buttons.goals_edit", {"activity": short_label(goal.activity)}),
                "goal",
                goal.id,
            ),
        )
        for goal in goals
    )
    if can_add(len(goals)):
        rows.append((Choice(Text("buttons.goals_add"), "add"),))
    rows.append((Choice(Text("buttons.close"), "close"),))
    hint = (Text("goals.due_hint"),) if is_due else ()
    return Screen(body=(*goal_lines(goals), *hint, Text("goals.menu_help")), choices=tuple(rows))


def goal_screen(goal: GoalScores) -> Screen:
    """One goal: rate it again, rename it, remove it."""
    return Screen(
        body=(goal_line(goal),),
        choices=(
            (Choice(Text("buttons.goals_rate_one"), "rate"),),
            (Choice(Text("buttons.goals_rename"), "rename"),),
            (Choice(Text("buttons.goals_remove"), "remove"),),
            (Choice(Text("buttons.back"), "back"),),
        ),
    )


def rename_screen(goal: GoalScores) -> Screen:
    return Screen(
        body=(Text("goals.rename", {"activity": goal.activity}),),
        choices=((Choice(Text("buttons.back"), "back"),),),
    )


def remove_screen(goal: GoalScores) -> Screen:
    return Screen(
        body=(Text("goals.remove_confirm", {"activity": goal.activity}),),
        choices=(
            (Choice(Text("buttons.goals_remove_yes"), "yes"),),
            (Choice(Text("buttons.goals_keep"), "no"),),
        ),
    )
