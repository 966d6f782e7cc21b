"""A therapist's plan for a patient, one unit of work at a time: what the editor starts from,
and saving it.

Every function takes the :class:`~db.care_queries.InCare` the caller got from
:meth:`bot.turns.Turn.in_my_care`: it has already been checked that the patient is in the
sender's care. Saving tells the patient what changed through the outbox
(:mod:`bot.outbox.plan_news`), in the same unit of work, so the message goes out if and only
if the plan was saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.domain.plans import Plan
from bot.domain.reminder_rules import outside_quiet_hours
from bot.domain.therapist_plans import Change, PlanDose, PlanSnapshot, changes, stored_doses
from bot.outbox import plan_news
from bot.turns import Therapist, Turn
from db import therapist_plan_queries as queries
from db.care_queries import InCare

__all__ = ["current", "save"]

# A drill's catalogue dose (None: the drill left the catalogue).
CatalogueDose = Callable[[str], PlanDose | None]


async def current(turn: Turn, found: InCare, starter: Plan) -> tuple[PlanSnapshot, bool]:
    """The plan the patient follows now (their own, else the starter plan) and whether it is
    locked against automatic progression."""
    own = await queries.own_plan(turn.session, found.patient.id)
    if own is not None:
        return own
    return PlanSnapshot(tuple(starter.drill_ids), {}, None, starter.drills_per_reminder), False


async def save(
    turn: Turn,
    therapist: Therapist,
    found: InCare,
    plan: PlanSnapshot,
    starter: Plan,
    catalogue: CatalogueDose,
) -> tuple[Change, ...]:
    """Make ``plan`` the patient's plan (its lock stays as it was), set aside the
    progression suggestions it made moot, and tell the patient what changed; the changes,
    against the plan as it stood at this save (empty: nothing to tell, nothing sent)."""
    before, _locked = await current(turn, found, starter)
    before = _normalised(before, catalogue)
    after = _normalised(plan, catalogue)
    found_changes = changes(before, after)
    patient = found.patient
    await queries.save_plan(turn.session, patient.id, therapist.id, after, turn.now)
    await queries.set_aside_suggestions(turn.session, patient.id, after.drills, turn.now)
    if found_changes:
        zone = ZoneInfo(patient.timezone or "UTC")
        due = outside_quiet_hours(turn.now, zone, patient.quiet_start, patient.quiet_end)
        await queries.enqueue_news(
            turn.session,
            kind=plan_news.ROW_KIND,
            patient_id=patient.id,
            local_date=due.astimezone(zone).date(),
            due_at=due,
            payload=plan_news.payload_of(found_changes),
        )
    return found_changes


def _normalised(plan: PlanSnapshot, catalogue: CatalogueDose) -> PlanSnapshot:
    """``plan`` with only the doses that differ from the catalogue's (a drill that left the
    catalogue keeps the dose it had)."""

    return dataclasses.replace(plan, doses=stored_doses(plan.drills, plan.doses, catalogue))
