"""Reads for the /progress chart: pain reported day by day and the days the plan changed.

Nothing here commits: the caller's unit of work does. The rows come back as plain records;
which local day each one belongs to is decided by the caller, in the patient's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CheckIn, Delivery, DrillSession, MorningCheck, PlanChange

ACCEPTED = "accepted"  # a plan change the patient accepted (PlanChange.status)


@dataclass(frozen=True, slots=True)
class PainReport:
    """The pain of one check-in: the higher of pain during the drill and pain now.

    ``reminder_date`` is the local date of the reminder the drill followed (None for a drill
    done without one); ``started_at`` when the check-in began.
    """

    reminder_date: date | None
    started_at: datetime
    pain: int


async def checkin_pain(session: AsyncSession, patient_id: int, since: datetime) -> list[PainReport]:
    """The patient's check-ins begun since ``since`` that report any pain score, oldest first."""
    result = await session.execute(
        select(Delivery.local_date, CheckIn.started_at, CheckIn.pain_during, CheckIn.pain_now)
        .join(DrillSession, CheckIn.drill_session_id == DrillSession.id)
        .outerjoin(Delivery, DrillSession.delivery_id == Delivery.id)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.started_at >= since,
            or_(CheckIn.pain_during.is_not(None), CheckIn.pain_now.is_not(None)),
        )
        .order_by(CheckIn.started_at, CheckIn.id)
    )
    return [
        PainReport(reminder_date, started_at, max(p for p in (during, now) if p is not None))
        for reminder_date, started_at, during, now in result
    ]


async def morning_pain(session: AsyncSession, patient_id: int, since: date) -> dict[date, int]:
    """The pain score of each morning check answered since ``since``, by the morning's date."""
    result = await session.execute(
        select(MorningCheck.local_date, MorningCheck.pain).where(
            MorningCheck.patient_id == patient_id,
            MorningCheck.local_date >= since,
            MorningCheck.pain.is_not(None),
        )
    )
    return {local_date: pain for local_date, pain in result if pain is not None}


async def plan_changes_accepted(
    session: AsyncSession, patient_id: int, since: datetime
) -> list[datetime]:
    """When each plan change the patient accepted since ``since`` was decided, oldest first."""
    result = await session.execute(
        select(PlanChange.decided_at)
        .where(
            PlanChange.patient_id == patient_id,
            PlanChange.status == ACCEPTED,
            PlanChange.decided_at >= since,
        )
        .order_by(PlanChange.decided_at)
    )
    return [decided_at for decided_at in result.scalars() if decided_at is not None]
