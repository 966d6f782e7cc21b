"""Reads and writes of the next-morning pain check. Nothing here commits: the caller's unit of
work does."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import dialect_insert
from db.models import DrillSession, MorningCheck, ReminderSlot


async def reminder_times(session: AsyncSession, patient_id: int) -> list[tuple[time, int]]:
    """The patient's reminder times of day, each with its weekday mask."""
    result = await session.execute(
        select(ReminderSlot.local_time, ReminderSlot.weekdays).where(
            ReminderSlot.patient_id == patient_id
        )
    )
    return [(at, mask) for at, mask in result]


async def morning_check_for_update(
    session: AsyncSession, patient_id: int, local_date: date, delivery_id: int
) -> MorningCheck:
    """The patient's check of that morning, created empty if missing, locked."""
    await session.execute(
        dialect_insert(session, MorningCheck)
        .values(patient_id=patient_id, local_date=local_date, delivery_id=delivery_id)
        .on_conflict_do_nothing(index_elements=["patient_id", "local_date"])
    )
    result = await session.execute(
        select(MorningCheck)
        .where(MorningCheck.patient_id == patient_id, MorningCheck.local_date == local_date)
        .with_for_update()
    )
    return result.scalar_one()


async def previous_comparison(session: AsyncSession, patient_id: int, before: date) -> str | None:
    """How the patient's latest answered morning before ``before`` compared (better, same or
    worse); ``None`` when they have answered none."""
    found: str | None = await session.scalar(
        select(MorningCheck.compared)
        .where(
            MorningCheck.patient_id == patient_id,
            MorningCheck.local_date < before,
            MorningCheck.compared.is_not(None),
        )
        .order_by(MorningCheck.local_date.desc())
        .limit(1)
    )
    return found


async def drills_done_between(
    session: AsyncSession, patient_id: int, start: datetime, end: datetime
) -> list[str]:
    """The drills the patient reported doing in ``[start, end)``, each once, in order done."""
    result = await session.scalars(
        select(DrillSession.drill_id)
        .where(
            DrillSession.patient_id == patient_id,
            DrillSession.completed_at >= start,
            DrillSession.completed_at < end,
        )
        .order_by(DrillSession.completed_at, DrillSession.id)
    )
    return list(dict.fromkeys(result))
