"""Each patient's plan: their own (a progression accepted, or a therapist's), else the starter
plan, without the drills a pain rule stopped; and the suggestions, decisions and stops that
change it. Nothing here commits: the caller's unit of work does.

The rules live in :mod:`bot.domain.progression` (what to suggest, how a swap changes a plan)
and :mod:`bot.domain.pain_rules` (when a drill stops); these functions only read and store.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.pain_rules import Advice
from bot.domain.plans import PlainPlan, Plan, without_stopped
from bot.domain.progression import ChangeStatus, Direction, Outcome, decision, swap_drill
from bot.domain.therapist_plans import doses_from_json
from db.engine import dialect_insert
from db.models import (
    CheckIn,
    Delivery,
    DrillSession,
    DrillStop,
    PatientPlan,
    PlanChange,
    split_drills,
)

__all__ = [
    "PatientPlans",
    "clear_stop",
    "clear_stops",
    "decide_change",
    "is_locked",
    "outcomes_for",
    "own_plan_for_update",
    "stop_drill",
    "suggest_change",
]


@dataclass(frozen=True)
class PatientPlans:
    """The plan lookup of the reminder engine (:class:`bot.domain.plans.PlanLookup`).

    Two statements per batch, whatever its size: the batch's own plans, and its active stops;
    a third, with ``done_since``, only when some plan sets days a week (when the drills of
    those patients were done). Most patients have none of these, and share the one starter
    plan object.
    """

    starter: Plan

    async def plans_for(
        self,
        session: AsyncSession,
        patient_ids: Collection[int],
        done_since: datetime | None = None,
    ) -> Mapping[int, Plan]:
        if not patient_ids:
            return {}
        ids = list(patient_ids)
        plans: dict[int, Plan] = dict.fromkeys(ids, self.starter)
        own = await session.execute(
            select(
                PatientPlan.patient_id,
                PatientPlan.drill_ids,
                PatientPlan.drills_per_reminder,
                PatientPlan.doses,
                PatientPlan.days_per_week,
            ).where(PatientPlan.patient_id.in_(ids))
        )
        weekly: list[int] = []
        for patient_id, drill_ids, per_reminder, doses, days in own:
            plans[patient_id] = PlainPlan(
                split_drills(drill_ids), per_reminder, doses_from_json(doses), days
            )
            if days is not None:
                weekly.append(patient_id)
        if weekly and done_since is not None:
            await _load_done_at(session, plans, weekly, done_since)
        stops = await session.execute(
            select(DrillStop.patient_id, DrillStop.drill_id).where(
                DrillStop.patient_id.in_(ids), DrillStop.cleared_at.is_(None)
            )
        )
        stopped: dict[int, set[str]] = defaultdict(set)
        for patient_id, drill_id in stops:
            stopped[patient_id].add(drill_id)
        for patient_id, drills in stopped.items():
            plans[patient_id] = without_stopped(plans[patient_id], drills)
        return plans


async def _load_done_at(
    session: AsyncSession, plans: dict[int, Plan], patient_ids: list[int], since: datetime
) -> None:
    done = await session.execute(
        select(DrillSession.patient_id, DrillSession.completed_at).where(
            DrillSession.patient_id.in_(patient_ids), DrillSession.completed_at >= since
        )
    )
    moments: dict[int, list[datetime]] = defaultdict(list)
    for patient_id, completed_at in done:
        moments[patient_id].append(completed_at)
    for patient_id, found in moments.items():
        plan = plans[patient_id]
        assert isinstance(plan, PlainPlan)
        plans[patient_id] = dataclasses.replace(plan, done_at=tuple(found))


async def is_locked(session: AsyncSession, patient_id: int) -> bool:
    """Whether a therapist locked the patient's plan (progression then suggests nothing)."""
    locked = await session.scalar(
        select(PatientPlan.locked).where(PatientPlan.patient_id == patient_id)
    )
    return bool(locked)


async def suggest_change(
    session: AsyncSession,
    patient_id: int,
    from_drill: str,
    to_drill: str | None,
    direction: Direction,
    reason: str,
    now: datetime,
) -> PlanChange:
    """Record a suggestion to swap ``from_drill`` for ``to_drill`` (None: the content has only
    a tip). While one for the same drill is still open, that one is returned and nothing new
    is stored, so a patient is never asked twice about one drill."""
    open_change = await session.scalar(
        select(PlanChange)
        .where(
            PlanChange.patient_id == patient_id,
            PlanChange.from_drill == from_drill,
            PlanChange.status == ChangeStatus.SUGGESTED,
        )
        .order_by(PlanChange.id.desc())
        .limit(1)
    )
    if open_change is not None:
        return open_change
    change = PlanChange(
        patient_id=patient_id,
        suggested_at=now,
        from_drill=from_drill,
        to_drill=to_drill,
        direction=str(direction),
        reason=reason,
        status=ChangeStatus.SUGGESTED,
        decided_at=None,
    )
    session.add(change)
    await session.flush()
    return change


async def decide_change(
    session: AsyncSession,
    patient_id: int,
    change_id: int,
    accept: bool,
    starter: Plan,
    now: datetime,
) -> PlanChange | None:
    """The patient's answer to a suggestion; None, and nothing changes, when ``change_id`` is
    not one of this patient's or was decided already.

    Accepting swaps the drill in the patient's plan (see
    :func:`bot.domain.progression.swap_drill`), first copying the starter plan into a plan
    of their own if they have none. The returned change's status says what happened:
    ``accepted``; ``declined``; ``locked`` (accepted, but a therapist locked the plan, which
    is never changed); ``stale`` (accepted, but the drill left the plan meanwhile). Accepting
    a tip (no ``to_drill``) leaves the plan as it is.
    """
    change = await session.scalar(
        select(PlanChange)
        .where(PlanChange.id == change_id, PlanChange.patient_id == patient_id)
        .with_for_update()
    )
    if change is None or change.status != ChangeStatus.SUGGESTED:
        return None
    change.decided_at = now
    change.status = await _decision(session, patient_id, change, accept, starter, now)
    return change


async def _decision(
    session: AsyncSession,
    patient_id: int,
    change: PlanChange,
    accept: bool,
    starter: Plan,
    now: datetime,
) -> ChangeStatus:
    own = await _own_plan_for_update(session, patient_id) if accept else None
    drills = own.drills if own is not None else tuple(starter.drill_ids)
    locked = own is not None and own.locked
    status = decision(accept, locked, change.from_drill, change.to_drill, drills)
    if status is not ChangeStatus.ACCEPTED or change.to_drill is None:
        return status
    if own is None:
        own = await own_plan_for_update(session, patient_id, starter, now)
        if own.locked:  # a therapist's plan written since we looked
            return ChangeStatus.LOCKED
    own.drill_ids = Delivery.join_drills(swap_drill(own.drills, change.from_drill, change.to_drill))
    own.updated_at = now
    return ChangeStatus.ACCEPTED


async def _own_plan_for_update(session: AsyncSession, patient_id: int) -> PatientPlan | None:
    return await session.scalar(
        select(PatientPlan).where(PatientPlan.patient_id == patient_id).with_for_update()
    )


async def own_plan_for_update(
    session: AsyncSession, patient_id: int, starter: Plan, now: datetime
) -> PatientPlan:
    """The patient's own plan, created as a copy of the starter plan if missing, locked."""
    await session.execute(
        dialect_insert(session, PatientPlan)
        .values(
            patient_id=patient_id,
            drill_ids=Delivery.join_drills(tuple(starter.drill_ids)),
            drills_per_reminder=starter.drills_per_reminder,
            locked=False,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["patient_id"])
    )
    own = await _own_plan_for_update(session, patient_id)
    assert own is not None
    return own


async def stop_drill(
    session: AsyncSession, patient_id: int, drill_id: str, reason: str, now: datetime
) -> None:
    """Leave ``drill_id`` out of the patient's reminders until :func:`clear_stops`. A drill
    already stopped stays stopped as it was (its first reason and time are kept)."""
    active = await session.scalar(
        select(DrillStop.id)
        .where(
            DrillStop.patient_id == patient_id,
            DrillStop.drill_id == drill_id,
            DrillStop.cleared_at.is_(None),
        )
        .limit(1)
    )
    if active is None:
        session.add(
            DrillStop(
                patient_id=patient_id,
                drill_id=drill_id,
                stopped_at=now,
                reason=reason,
                cleared_at=None,
            )
        )
        await session.flush()


async def clear_stops(session: AsyncSession, patient_id: int, now: datetime) -> None:
    """The patient confirmed a therapist cleared them: every stopped drill comes back."""
    await session.execute(
        update(DrillStop)
        .where(DrillStop.patient_id == patient_id, DrillStop.cleared_at.is_(None))
        .values(cleared_at=now)
    )


async def outcomes_for(session: AsyncSession, patient_id: int, drill_id: str) -> list[Outcome]:
    """The drill's completed check-ins since its last decided change, oldest first: what
    :func:`bot.domain.progression.suggest` reads.

    A decided change is any answered suggestion for this drill (accepted, declined, locked or
    stale: a declined suggestion is not made again at the next check-in) and an accepted
    change that brought this drill into the plan.
    """
    last_change = (
        select(func.max(PlanChange.decided_at))
        .where(
            PlanChange.patient_id == patient_id,
            PlanChange.decided_at.is_not(None),
            or_(
                PlanChange.from_drill == drill_id,
                and_(
                    PlanChange.to_drill == drill_id,
                    PlanChange.status == ChangeStatus.ACCEPTED,
                ),
            ),
        )
        .scalar_subquery()
    )
    result = await session.execute(
        select(
            CheckIn.effort,
            CheckIn.form_score,
            CheckIn.pain_during,
            CheckIn.pain_now,
            CheckIn.pain_advice,
        )
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.drill_id == drill_id,
            CheckIn.completed_at.is_not(None),
            or_(last_change.is_(None), CheckIn.completed_at > last_change),
        )
        .order_by(CheckIn.completed_at, CheckIn.id)
    )
    return [
        Outcome(effort, form_score, _higher(pain_during, pain_now), _advice(pain_advice))
        for effort, form_score, pain_during, pain_now, pain_advice in result
    ]


def _higher(pain_during: int | None, pain_now: int | None) -> int | None:
    scores = [score for score in (pain_during, pain_now) if score is not None]
    return max(scores) if scores else None


def _advice(stored: str | None) -> Advice | None:
    # A value an older version stored that is no longer an Advice counts as none.
    return Advice(stored) if stored in set(Advice) else None


async def clear_stop(session: AsyncSession, patient_id: int, drill_id: str, now: datetime) -> bool:
    """The patient confirmed a therapist cleared them for one stopped drill: it comes back.
    False when that drill was not stopped (an old button)."""
    result = await session.execute(
        update(DrillStop)
        .where(
            DrillStop.patient_id == patient_id,
            DrillStop.drill_id == drill_id,
            DrillStop.cleared_at.is_(None),
        )
        .values(cleared_at=now)
    )
    return bool(getattr(result, "rowcount", 0))
