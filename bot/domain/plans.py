"""Which drills a reminder carries: the patient's plan, or the starter plan until there is one."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.therapist_plans import PlanDose


def drills_for_reminder(
    plan: tuple[str, ...], per_reminder: int, day: date, slot_index: int, slots_per_day: int
) -> tuple[str, ...]:
    """The drills of one reminder: the plan in turn, moving on with each reminder.

    Consecutive reminders show consecutive drills, so a patient works through the whole plan
    every ``len(plan) / per_reminder`` reminders.
    """
    if not plan:
        return ()
    count = min(per_reminder, len(plan))
    reminder_number = day.toordinal() * max(slots_per_day, 1) + slot_index
    start = (reminder_number * count) % len(plan)
    return tuple(plan[(start + offset) % len(plan)] for offset in range(count))


class Plan(Protocol):
    """The drills a patient works through, in order, and how many a reminder shows."""

    @property
    def drill_ids(self) -> tuple[str, ...]: ...

    @property
    def drills_per_reminder(self) -> int: ...


class PlanLookup(Protocol):
    """Each patient's current plan, for a batch of patients in one go.

    The bot's lookup is :class:`db.plan_queries.PatientPlans`: the patient's own plan, else
    the starter plan, without the drills a pain rule stopped. :class:`StarterPlanForEveryone`
    stands in where the database does not matter.
    """

    async def plans_for(
        self,
        session: AsyncSession,
        patient_ids: Collection[int],
        done_since: datetime | None = None,
    ) -> Mapping[int, Plan]:
        """The plans of ``patient_ids``; with ``done_since``, a plan with days a week also
        carries the moments its patient did drills since then."""


@dataclass(frozen=True)
class StarterPlanForEveryone:
    starter: Plan

    async def plans_for(
        self,
        session: AsyncSession,
        patient_ids: Collection[int],
        done_since: datetime | None = None,
    ) -> Mapping[int, Plan]:
        return dict.fromkeys(patient_ids, self.starter)


@dataclass(frozen=True, slots=True)
class PlainPlan:
    """A plan as plain values, such as a patient's own plan read from the database.

    A therapist's plan may also set doses (drill id -> dose; other drills keep the
    catalogue's), days a week, and then carries the moments this week's drills were done
    (for :func:`bot.domain.therapist_plans.rest_day`).
    """

    drill_ids: tuple[str, ...]
    drills_per_reminder: int
    doses: Mapping[str, PlanDose] = field(default_factory=dict)
    days_per_week: int | None = None
    done_at: tuple[datetime, ...] = ()


def without_stopped(plan: Plan, stopped: Collection[str]) -> Plan:
    """``plan`` without the drills a pain rule stopped, in the plan's order; ``plan`` itself
    when none is stopped. Every drill stopped leaves an empty plan: no drills to show."""
    if not stopped:
        return plan
    kept = tuple(drill_id for drill_id in plan.drill_ids if drill_id not in stopped)
    if isinstance(plan, PlainPlan):  # keeps a therapist's doses and days a week
        return dataclasses.replace(plan, drill_ids=kept)
    return PlainPlan(kept, plan.drills_per_reminder)


def reminder_drills(plan: Plan, day: date, slot_index: int, slots_per_day: int) -> tuple[str, ...]:
    """The drills of one reminder from ``plan``: see :func:`drills_for_reminder`."""
    return drills_for_reminder(
        plan.drill_ids, plan.drills_per_reminder, day, slot_index, slots_per_day
    )
