"""A therapist's plan for one patient, over plain values: doses and their bounds, the editor's
draft, what a save changed (for the patient's message) and the days-a-week rule.

Nothing here reads the database. :mod:`db.therapist_plan_queries` stores plans,
:mod:`bot.flows.plan_editor` is the editor and :mod:`bot.outbox.plan_news` tells the patient.

- **A dose** is sets and either reps or a hold in seconds, bounded as the catalogue bounds a
  drill's dose (:class:`content.models.Dose`). A drill whose catalogue dose has both reps and
  a hold (a squat held at the top) is dosed by its reps; its hold stays as the catalogue says.
  A plan stores a dose only for a drill whose dose the therapist set differently from the
  catalogue; every other drill keeps its catalogue dose, and its catalogue wording.
- **Days a week** (``days_per_week``, 1 to 7; empty: every reminder day). Weeks run Monday to
  Sunday in the patient's time zone. Once the patient has practised on that many days of the
  current week, reminders on any other day of that week are a rest day: recorded ``rest``,
  not sent, never counted as missed. A day the patient already practised on is never a rest
  day (a second reminder that day still goes out). See :func:`rest_day`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from content.catalog import Catalog
from content.messages import Text
from content.models import Dose


@dataclass(frozen=True, slots=True)
class Bound:
    """The values a number may take, and the steps its buttons move it by."""

    low: int
    high: int
    steps: tuple[int, ...] = (1,)

    def clamp(self, value: int) -> int:
        return max(self.low, min(self.high, value))

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.low <= value <= self.high
        )


# As the catalogue bounds a drill's dose (content.models.Dose).
SETS = Bound(1, 10, (1,))
REPS = Bound(1, 50, (1, 5))
HOLD_SECONDS = Bound(1, 120, (5, 15))
DAYS_PER_WEEK = Bound(1, 7)
DRILLS_PER_REMINDER = Bound(1, 5)
# A plan longer than this would not fit a reminder cycle of a week, nor the editor's screen.
MAX_DRILLS = 12


class Measure(StrEnum):
    """What a dose counts besides sets."""

    REPS = "reps"
    HOLD = "hold_seconds"


BOUNDS = {"sets": SETS, Measure.REPS: REPS, Measure.HOLD: HOLD_SECONDS}


@dataclass(frozen=True, slots=True)
class PlanDose:
    """Sets, and reps or a hold in seconds (exactly one of the two)."""

    sets: int
    count: int
    measure: Measure

    @classmethod
    def of(cls, dose: Dose) -> PlanDose:
        """The catalogue's dose as the editor shows it (reps first, else the hold)."""
        if dose.reps is not None:
            return cls(dose.sets, dose.reps, Measure.REPS)
        assert dose.hold_seconds is not None  # the catalogue refuses a dose with neither
        return cls(dose.sets, dose.hold_seconds, Measure.HOLD)

    @classmethod
    def from_json(cls, value: object) -> PlanDose | None:
        """A stored dose (``{"sets": 3, "reps": 10}`` or ``{"sets": 3, "hold_seconds": 30}``);
        None for anything else, or a number out of bounds."""
        if not isinstance(value, Mapping) or set(value) not in (
            {"sets", "reps"},
            {"sets", "hold_seconds"},
        ):
            return None
        measure = Measure.REPS if "reps" in value else Measure.HOLD
        sets, count = value["sets"], value[measure.value]
        if sets not in SETS or count not in BOUNDS[measure]:
            return None
        return cls(sets, count, measure)

    def as_json(self) -> dict[str, int]:
        return {"sets": self.sets, self.measure.value: self.count}

    def moved(self, field: str, by: int) -> PlanDose:
        """The dose with ``field`` ("sets" or "count") moved by ``by``, kept within bounds."""
        if field == "sets":
            return dataclasses.replace(self, sets=SETS.clamp(self.sets + by))
        return dataclasses.replace(self, count=BOUNDS[self.measure].clamp(self.count + by))


def dose_text(dose: PlanDose, per_side: bool = False) -> Text:
    """ "3 × 10", "3 × 30 s" (and "each side"), in the reader's language."""
    key = "plans.dose_reps" if dose.measure is Measure.REPS else "plans.dose_hold"
    text = Text(key, {"sets": dose.sets, "count": dose.count})
    return Text("plans.dose_per_side", {"dose": text}) if per_side else text


def doses_from_json(value: object) -> dict[str, PlanDose]:
    """A plan's stored doses; an entry that is not a valid dose is left out (its drill keeps
    the catalogue dose)."""
    if not isinstance(value, Mapping):
        return {}
    found = {drill_id: PlanDose.from_json(dose) for drill_id, dose in value.items()}
    return {drill_id: dose for drill_id, dose in found.items() if dose is not None}


# -- a plan, before and after ------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSnapshot:
    """What a plan prescribes: its drills in order, the doses set apart from the catalogue's,
    days a week (None: every reminder day) and drills per reminder."""

    drills: tuple[str, ...]
    doses: Mapping[str, PlanDose]
    days_per_week: int | None
    drills_per_reminder: int

    def as_json(self) -> dict[str, Any]:
        return {
            "drills": list(self.drills),
            "doses": {drill_id: dose.as_json() for drill_id, dose in self.doses.items()},
            "days": self.days_per_week,
            "per": self.drills_per_reminder,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> PlanSnapshot:
        """A snapshot the editor kept in its draft; refuses (ValueError) a malformed one."""
        drills = value.get("drills")
        days, per = value.get("days"), value.get("per")
        if not isinstance(drills, list) or not all(isinstance(item, str) for item in drills):
            raise ValueError("drills")
        if days is not None and days not in DAYS_PER_WEEK:
            raise ValueError("days")
        if not isinstance(per, int) or per not in DRILLS_PER_REMINDER:
            raise ValueError("per")
        return cls(tuple(drills), doses_from_json(value.get("doses")), days, per)


def stored_doses(
    drills: Iterable[str],
    doses: Mapping[str, PlanDose],
    catalogue: Callable[[str], PlanDose | None],
) -> dict[str, PlanDose]:
    """The doses a plan stores: those of its drills that differ from the catalogue's (a
    drill without a catalogue dose keeps the dose it has)."""
    return {
        drill_id: doses[drill_id]
        for drill_id in drills
        if drill_id in doses and doses[drill_id] != catalogue(drill_id)
    }


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    DOSE = "dose"  # a drill kept, with another dose
    DAYS = "days"  # days a week (``number`` None: every reminder day)
    PER_REMINDER = "per_reminder"


@dataclass(frozen=True, slots=True)
class Change:
    """One thing a save changed. ``dose`` is the drill's dose after the change (None: the
    catalogue's); ``number`` the new days a week or drills per reminder."""

    kind: ChangeKind
    drill_id: str | None = None
    dose: PlanDose | None = None
    number: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "drill": self.drill_id,
            "dose": self.dose.as_json() if self.dose else None,
            "number": self.number,
        }

    @classmethod
    def from_json(cls, value: object) -> Change | None:
        if not isinstance(value, Mapping) or value.get("kind") not in set(ChangeKind):
            return None
        drill, number = value.get("drill"), value.get("number")
        return cls(
            ChangeKind(value["kind"]),
            drill if isinstance(drill, str) else None,
            PlanDose.from_json(value.get("dose")),
            number if isinstance(number, int) else None,
        )


def changes(before: PlanSnapshot, after: PlanSnapshot) -> tuple[Change, ...]:
    """What the patient is told about a save, in this order: drills added (in the new plan's
    order, with their dose), drills removed (in the old plan's order), drills kept with
    another dose, then days a week and drills per reminder if they changed. Moving drills
    around is no change. Empty when the save changed nothing."""
    kept_before = set(before.drills)
    kept_after = set(after.drills)
    found = [
        Change(ChangeKind.ADDED, drill_id, after.doses.get(drill_id))
        for drill_id in after.drills
        if drill_id not in kept_before
    ]
    found += [
        Change(ChangeKind.REMOVED, drill_id)
        for drill_id in before.drills
        if drill_id not in kept_after
    ]
    found += [
        Change(ChangeKind.DOSE, drill_id, after.doses.get(drill_id))
        for drill_id in after.drills
        if drill_id in kept_before and before.doses.get(drill_id) != after.doses.get(drill_id)
    ]
    if before.days_per_week != after.days_per_week:
        found.append(Change(ChangeKind.DAYS, number=after.days_per_week))
    if before.drills_per_reminder != after.drills_per_reminder:
        found.append(Change(ChangeKind.PER_REMINDER, number=after.drills_per_reminder))
    return tuple(found)


def change_lines(
    found: Iterable[Change], name: Callable[[str], str], dose: Callable[[Change], Text]
) -> tuple[Text, ...]:
    """The change list as sentences: "added Tandem stance (3 × 30 s)", "removed Glute set",
    "4 days a week". ``name`` gives a drill's name, ``dose`` a change's dose as words."""
    lines = []
    for change in found:
        if change.kind is ChangeKind.ADDED and change.drill_id:
            lines.append(
                Text(
                    "plans.change.added",
                    {"drill": name(change.drill_id), "dose": dose(change)},
                )
            )
        elif change.kind is ChangeKind.REMOVED and change.drill_id:
            lines.append(Text("plans.change.removed", {"drill": name(change.drill_id)}))
        elif change.kind is ChangeKind.DOSE and change.drill_id:
            lines.append(
                Text("plans.change.dose", {"drill": name(change.drill_id), "dose": dose(change)})
            )
        elif change.kind is ChangeKind.DAYS:
            lines.append(days_text(change.number, "plans.change"))
        elif change.kind is ChangeKind.PER_REMINDER and change.number is not None:
            lines.append(Text("plans.change.per_reminder", {"count": change.number}))
    return tuple(lines)


def describe(catalog: Catalog, found: Iterable[Change]) -> tuple[Text, ...]:
    """:func:`change_lines` with the catalogue's names, and each drill's dose as the plan
    sets it (the catalogue's when the plan sets none), per side where the drill is."""
    known = {drill.id for drill in catalog.drills}

    def name(drill_id: str) -> str:
        return catalog.drill(drill_id).name if drill_id in known else drill_id

    def dose(change: Change) -> Text:
        if change.drill_id is None or change.drill_id not in known:
            return dose_text(change.dose) if change.dose else Text("plans.dose_catalogue")
        catalogue = catalog.drill(change.drill_id).dose
        return dose_text(change.dose or PlanDose.of(catalogue), catalogue.per_side)

    return change_lines(found, name, dose)


def days_text(days: int | None, prefix: str = "plans") -> Text:
    """ "4 days a week", "1 day a week" or "every reminder day"."""
    if days is None:
        return Text(f"{prefix}.days_every")
    return Text(f"{prefix}.days_one" if days == 1 else f"{prefix}.days_many", {"count": days})


# -- the editor's draft --------------------------------------------------------------------------


def add_drill(snapshot: PlanSnapshot, drill_id: str) -> PlanSnapshot:
    """The plan with ``drill_id`` at its end; unchanged when it is there or the plan is full."""
    if drill_id in snapshot.drills or len(snapshot.drills) >= MAX_DRILLS:
        return snapshot
    return dataclasses.replace(snapshot, drills=(*snapshot.drills, drill_id))


def remove_drill(snapshot: PlanSnapshot, drill_id: str) -> PlanSnapshot:
    """The plan without ``drill_id`` (nor its dose)."""
    return dataclasses.replace(
        snapshot,
        drills=tuple(item for item in snapshot.drills if item != drill_id),
        doses={key: dose for key, dose in snapshot.doses.items() if key != drill_id},
    )


def set_dose(snapshot: PlanSnapshot, drill_id: str, dose: PlanDose) -> PlanSnapshot:
    return dataclasses.replace(snapshot, doses={**snapshot.doses, drill_id: dose})


def can_save(snapshot: PlanSnapshot) -> bool:
    """A plan needs at least one drill (a patient with nothing to practise is paused or
    discharged, not given an empty plan)."""
    return 0 < len(snapshot.drills) <= MAX_DRILLS


# -- days a week ---------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def rest_day(days_per_week: int | None, practised: Collection[date], today: date) -> bool:
    """Whether a reminder on ``today`` (the patient's local date) is a rest day.

    ``practised``: the local dates on which the patient did drills (any dates; only this
    week's up to today count). Rest once the patient has practised on ``days_per_week``
    days of this week (Monday to Sunday) other than today; never without a number of days,
    and never on a day they already practised.
    """
    if days_per_week is None or today in practised:
        return False
    monday = week_start(today)
    this_week = {day for day in practised if monday <= day < today}
    return len(this_week) >= days_per_week


def practised_days(done_at: Iterable[datetime], zone: ZoneInfo) -> frozenset[date]:
    """The local dates (in ``zone``) of the moments drills were done."""
    return frozenset(moment.astimezone(zone).date() for moment in done_at)
