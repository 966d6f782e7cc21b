"""A therapist's plan for a patient: read it for the editor, store a save, set aside the
progression suggestions it made moot, and enqueue the patient's message about it. Nothing here
commits: the caller's unit of work does. The rules are :mod:`bot.domain.therapist_plans`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.progression import ChangeStatus
from bot.domain.therapist_plans import PlanSnapshot, doses_from_json
from db.engine import dialect_insert
from db.models import Delivery, DeliveryStatus, PatientPlan, PlanChange, split_drills
from db.outbox_queries import insert_rows

__all__ = ["enqueue_news", "own_plan", "save_plan", "set_aside_suggestions"]


async def own_plan(session: AsyncSession, patient_id: int) -> tuple[PlanSnapshot, bool] | None:
    """The patient's own plan and whether it is locked; None while they follow the starter
    plan."""
    row = await session.scalar(select(PatientPlan).where(PatientPlan.patient_id == patient_id))
    if row is None:
        return None
    snapshot = PlanSnapshot(
        split_drills(row.drill_ids),
        doses_from_json(row.doses),
        row.days_per_week,
        row.drills_per_reminder,
    )
    return snapshot, row.locked


async def save_plan(
    session: AsyncSession,
    patient_id: int,
    therapist_id: int,
    plan: PlanSnapshot,
    now: datetime,
) -> None:
    """Write ``plan`` as the patient's plan, set by ``therapist_id``. A lock stays as it was
    (a new plan is unlocked); the row is locked for the rest of the unit of work, so two
    saves for one patient take turns."""
    await session.execute(
        dialect_insert(session, PatientPlan)
        .values(
            patient_id=patient_id,
            drill_ids=Delivery.join_drills(plan.drills),
            drills_per_reminder=plan.drills_per_reminder,
            locked=False,
            updated_at=now,
            doses={},
        )
        .on_conflict_do_nothing(index_elements=["patient_id"])
    )
    row = await session.scalar(
        select(PatientPlan).where(PatientPlan.patient_id == patient_id).with_for_update()
    )
    assert row is not None
    row.drill_ids = Delivery.join_drills(plan.drills)
    row.drills_per_reminder = plan.drills_per_reminder
    row.doses = {drill_id: dose.as_json() for drill_id, dose in plan.doses.items()}
    row.days_per_week = plan.days_per_week
    row.therapist_id = therapist_id
    row.updated_at = now


async def set_aside_suggestions(
    session: AsyncSession, patient_id: int, drills: tuple[str, ...], now: datetime
) -> None:
    """Open progression suggestions the new plan made moot are ``stale``: a swap of a drill
    no longer in the plan, or into a drill already in it."""
    moot = [PlanChange.from_drill.not_in(drills)] if drills else [PlanChange.id.is_not(None)]
    if drills:
        moot.append(PlanChange.to_drill.in_(drills))
    await session.execute(
        update(PlanChange)
        .where(
            PlanChange.patient_id == patient_id,
            PlanChange.status == ChangeStatus.SUGGESTED,
            or_(*moot),
        )
        .values(status=ChangeStatus.STALE, decided_at=now)
    )


async def enqueue_news(
    session: AsyncSession,
    *,
    kind: str,
    patient_id: int,
    local_date: date,
    due_at: datetime,
    payload: dict[str, Any],
) -> None:
    """One message to the patient about a save, due at ``due_at``: the day's first is keyed
    ``plan~1``, the next ``plan~2``... so each save is told once."""
    earlier = await session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.patient_id == patient_id,
            Delivery.local_date == local_date,
            Delivery.kind == kind,
        )
    )
    await insert_rows(
        session,
        [
            {
                "patient_id": patient_id,
                "therapist_id": None,
                "subject_id": None,
                "payload": payload,
                "local_date": local_date,
                "slot_key": f"plan~{(earlier or 0) + 1}",
                "kind": kind,
                "due_at": due_at,
                "status": DeliveryStatus.SCHEDULED,
                "late": False,
                "drill_ids": "",
            }
        ],
    )
