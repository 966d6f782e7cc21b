"""Adherence: one definition, over plain records, used by every view.

The patient's ``/progress``, the therapist's weekly summary and the data exports all read
these figures from :func:`adherence`; none of them counts anything itself. Nothing here reads
the database: :mod:`db.adherence_queries` loads the plain records and calls this module.

The definition (``docs/adherence.md`` has it for readers of the figures):

- **A session** is one reminder occurrence: a ledger row of the reminder kinds (reminder,
  snooze, "still there?") folded by its base slot key with its snoozes ("07:30~1" belongs to
  "07:30") on the same local date. It is **prescribed** once it fell due (the ledger holds only
  occurrences that fell due, and their snoozes), unless it ended **paused** (a paused day is not
  a missed day), **held** by a safety hold, or was a **rest** day of a therapist's plan (the
  week's days of practice were done). Reminders left out for fatigue (thinned), in
  quiet hours, missed while the bot was down, or not delivered (failed) are still prescribed:
  the plan asked for them.
- **Done**: the occurrence was answered "done", on the reminder itself or on one of its
  snoozes. Done counts once per occurrence, however many snoozes led to it. **Skipped**: it
  was answered "skip" (with a reason, or none).
- **Days** are the patient's local dates as the ledger stored them when each reminder fell due,
  so a move to another time zone or a change of clocks (DST) never counts a reminder twice or
  splits a day. **Weeks** run Monday to Sunday over those dates.
- **Active day**: a date with at least one session done. **Paused day**: a date with at least
  one reminder paused. **Held day**: a date with at least one reminder held.
- **Check-ins**: started (a check-in exists) and completed (its last answer was given), dated
  by the local date of the reminder they follow (after a drill done without a reminder, by the
  local date it began on).
- **Days with data in the last 30 days**: of the 30 local dates ending today, those with any
  answer from the patient: a session done or skipped, a check-in, an answered morning check.
  A snooze is not data: it only says "later".
- **Streaks**, in days: a day with sessions prescribed extends the streak when at least one
  was done and breaks it when none was. A day with nothing prescribed (no reminders, paused or
  held) neither breaks nor extends it, and a day not over yet (today) breaks nothing. Streaks
  look back ``STREAK_HORIZON_DAYS`` at most.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from itertools import chain
from types import MappingProxyType

from bot.domain.reminder_rules import Kind
from db.models import DeliveryStatus

# The answers a reminder records (``bot.domain.reminders.Response``, which lives beside the
# database code this module must not import).
DONE = "done"
SKIPPED = "skipped"
# The key under which skips without a reason are counted.
NO_REASON = "none"

REMINDER_KINDS = frozenset(Kind)
SNOOZE_MARK = "~"

DAYS_SHOWN = 28  # the per-day series, for the chart of the last four weeks
DATA_DAYS = 30  # "days with data in the last 30 days"
STREAK_HORIZON_DAYS = 365  # how far back streaks look: bounds what a view loads


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One row of the delivery ledger, as stored."""

    local_date: date
    slot_key: str
    kind: str
    status: str
    response: str | None = None
    skip_reason: str | None = None


@dataclass(frozen=True, slots=True)
class CheckinRecord:
    """One check-in, dated by the local date of the reminder it follows."""

    local_date: date
    completed: bool


@dataclass(frozen=True, slots=True)
class MorningCheckRecord:
    """One next-morning pain check, dated by the morning it asks about."""

    local_date: date
    answered: bool


@dataclass(frozen=True, slots=True)
class Records:
    """Everything adherence is made of, for one patient."""

    ledger: tuple[LedgerRow, ...] = ()
    checkins: tuple[CheckinRecord, ...] = ()
    morning_checks: tuple[MorningCheckRecord, ...] = ()


class Outcome(StrEnum):
    """What became of a session (a reminder occurrence with its snoozes)."""

    DONE = "done"
    SKIPPED = "skipped"
    NOT_DONE = "not_done"  # fell due, not answered done or skip (yet)
    PAUSED = "paused"
    HELD = "held"
    REST = "rest"  # a rest day of a therapist's plan with days a week: not prescribed


# Sessions that fell due but that the plan did not ask for.
NOT_PRESCRIBED = (Outcome.PAUSED, Outcome.HELD, Outcome.REST)


@dataclass(frozen=True, slots=True)
class Occurrence:
    local_date: date
    slot: str  # the base slot key, "07:30"
    outcome: Outcome
    skip_reason: str | None = None

    @property
    def prescribed(self) -> bool:
        return self.outcome not in NOT_PRESCRIBED


@dataclass(frozen=True, slots=True)
class DayAdherence:
    date: date
    done: int
    prescribed: int
    skipped: int
    paused: bool
    held: bool


@dataclass(frozen=True, slots=True)
class WeekAdherence:
    start: date  # the Monday
    done: int
    prescribed: int
    active_days: int
    skips: Mapping[str, int]  # reason (or NO_REASON) -> sessions skipped for it
    paused_days: int
    held_days: int
    checkins_started: int
    checkins_completed: int

    @property
    def end(self) -> date:
        """The Sunday."""
        return self.start + timedelta(days=6)

    @property
    def rate(self) -> float | None:
        """Sessions done over sessions prescribed; ``None`` when nothing was prescribed."""
        return self.done / self.prescribed if self.prescribed else None

    @property
    def skipped(self) -> int:
        return sum(self.skips.values())


@dataclass(frozen=True, slots=True)
class Adherence:
    today: date
    weeks: tuple[WeekAdherence, ...]  # oldest first; the current week last
    days: tuple[DayAdherence, ...]  # the last DAYS_SHOWN days, oldest first, today last
    current_streak: int
    best_streak: int
    days_with_data_30: int
    # A reminder fell due (prescribed, paused or held), or the patient answered anything, in
    # the weeks or days shown: a view without it shows a friendly word, not empty figures.
    has_data: bool

    @property
    def this_week(self) -> WeekAdherence:
        return self.weeks[-1]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def window_start(today: date, weeks: int) -> date:
    """The first local date whose check-ins and morning checks a view needs."""
    return min(
        week_start(today) - timedelta(weeks=weeks - 1),
        today - timedelta(days=max(DAYS_SHOWN, DATA_DAYS) - 1),
    )


def ledger_start(today: date, weeks: int) -> date:
    """The first local date whose ledger rows a view needs (the streaks look furthest back)."""
    return min(window_start(today, weeks), today - timedelta(days=STREAK_HORIZON_DAYS - 1))


def base_slot(slot_key: str) -> str:
    """The slot a ledger key belongs to: "07:30~2" (its second snooze) -> "07:30"."""
    return slot_key.partition(SNOOZE_MARK)[0]


def _snooze_number(slot_key: str) -> int:
    count = slot_key.partition(SNOOZE_MARK)[2]
    return int(count) if count.isdigit() else 0


def occurrences(ledger: Iterable[LedgerRow]) -> tuple[Occurrence, ...]:
    """The sessions in ``ledger``: each reminder occurrence once, its snoozes folded in.

    Done wins (on any row of the occurrence), then a skip; otherwise the occurrence's latest
    row decides: paused or held if the pause or hold caught it, else not done.
    """
    chains: dict[tuple[date, str], list[LedgerRow]] = defaultdict(list)
    for row in ledger:
        if row.kind in REMINDER_KINDS:
            chains[row.local_date, base_slot(row.slot_key)].append(row)
    found = []
    for (local_date, slot), rows in sorted(chains.items()):
        found.append(Occurrence(local_date, slot, *_outcome(rows)))
    return tuple(found)


def _outcome(rows: list[LedgerRow]) -> tuple[Outcome, str | None]:
    if any(row.response == DONE for row in rows):
        return Outcome.DONE, None
    for row in rows:
        if row.response == SKIPPED:
            return Outcome.SKIPPED, row.skip_reason
    latest = max(rows, key=lambda row: _snooze_number(row.slot_key))
    if latest.status == DeliveryStatus.PAUSED:
        return Outcome.PAUSED, None
    if latest.status == DeliveryStatus.HELD:
        return Outcome.HELD, None
    if latest.status == DeliveryStatus.REST:
        return Outcome.REST, None
    return Outcome.NOT_DONE, None


def adherence(records: Records, today: date, weeks: int = 4) -> Adherence:
    """The adherence figures of one patient on ``today`` (their local date), over the last
    ``weeks`` weeks (Monday to Sunday, the current week last)."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1: {weeks}")
    sessions = occurrences(records.ledger)
    days = _days(sessions)
    answered = {day.date for day in days.values() if day.done or day.skipped}
    answered.update(checkin.local_date for checkin in records.checkins)
    answered.update(check.local_date for check in records.morning_checks if check.answered)

    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    # The weeks look only at what is dated from their first day on (the ledger goes back a
    # year, for the streaks).
    recent_days = [day for when, day in days.items() if when >= first_week]
    recent_skips = [
        item
        for item in sessions
        if item.outcome == Outcome.SKIPPED and item.local_date >= first_week
    ]
    week_list = tuple(
        _week(first_week + timedelta(weeks=index), recent_days, recent_skips, records.checkins)
        for index in range(weeks)
    )
    shown = tuple(days.get(empty.date, empty) for empty in _empty_days(today))
    data_since = today - timedelta(days=DATA_DAYS - 1)
    seen_since = window_start(today, weeks)
    seen_until = max(week_list[-1].end, today)
    horizon = today - timedelta(days=STREAK_HORIZON_DAYS - 1)
    streak_days = [days[day] for day in sorted(days) if day >= horizon]
    return Adherence(
        today=today,
        weeks=week_list,
        days=shown,
        current_streak=_current_streak(streak_days, today),
        best_streak=_best_streak(streak_days, today),
        days_with_data_30=sum(1 for day in answered if data_since <= day <= today),
        has_data=any(seen_since <= day <= seen_until for day in chain(days, answered)),
    )


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@lru_cache(maxsize=16)  # pragma: no mutate (its size changes no figure)
def _empty_days(today: date) -> tuple[DayAdherence, ...]:
    """The days shown on ``today`` with nothing on them: the same values for every patient,
    made once (a summary shows thousands of patients living the same dates)."""
    return tuple(
        DayAdherence(day, 0, 0, 0, paused=False, held=False)
        for day in _dates(today - timedelta(days=DAYS_SHOWN - 1), today)
    )


def _days(sessions: Iterable[Occurrence]) -> dict[date, DayAdherence]:
    outcomes_by_date: dict[date, list[Outcome]] = defaultdict(list)
    for occurrence in sessions:
        outcomes_by_date[occurrence.local_date].append(occurrence.outcome)
    return {
        day: DayAdherence(
            day,
            done=outcomes.count(Outcome.DONE),
            prescribed=sum(1 for outcome in outcomes if outcome not in NOT_PRESCRIBED),
            skipped=outcomes.count(Outcome.SKIPPED),
            paused=Outcome.PAUSED in outcomes,
            held=Outcome.HELD in outcomes,
        )
        for day, outcomes in outcomes_by_date.items()
    }


def _week(
    start: date,
    days: Iterable[DayAdherence],
    skipped: Iterable[Occurrence],
    checkins: Iterable[CheckinRecord],
) -> WeekAdherence:
    end = start + timedelta(days=6)
    in_week = [day for day in days if start <= day.date <= end]
    skips: dict[str, int] = {}
    for item in skipped:
        if start <= item.local_date <= end:
            reason = item.skip_reason or NO_REASON
            skips[reason] = skips.get(reason, 0) + 1
    week_checkins = [checkin for checkin in checkins if start <= checkin.local_date <= end]
    return WeekAdherence(
        start=start,
        done=sum(day.done for day in in_week),
        prescribed=sum(day.prescribed for day in in_week),
        active_days=sum(1 for day in in_week if day.done),
        skips=MappingProxyType(dict(sorted(skips.items()))),
        paused_days=sum(1 for day in in_week if day.paused),
        held_days=sum(1 for day in in_week if day.held),
        checkins_started=len(week_checkins),
        checkins_completed=sum(1 for checkin in week_checkins if checkin.completed),
    )


def _kept(day: DayAdherence) -> bool:
    return day.done > 0


def _broken(day: DayAdherence, today: date) -> bool:
    """Sessions were prescribed, none was done, and the day is over."""
    return day.prescribed > 0 and day.done == 0 and day.date < today


def _current_streak(days: list[DayAdherence], today: date) -> int:
    streak = 0
    for day in reversed(days):
        if _broken(day, today):
            break
        if _kept(day):
            streak += 1
    return streak


def _best_streak(days: list[DayAdherence], today: date) -> int:
    best = run = 0
    for day in days:
        if _broken(day, today):
            run = 0
        elif _kept(day):
            run += 1
            best = max(best, run)
    return best
