"""Queries of the reminder engine. Batched: one statement per batch, never one per patient.

Claims lock what they take with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so outbox runs on
several instances take disjoint batches; SQLite has one writer at a time (every transaction
begins IMMEDIATE), which serialises them. The ledger itself is in :mod:`db.outbox_queries`.
Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.models import Delivery, Patient, ReminderSlot


@dataclass(frozen=True, slots=True)
class DueSlot:
    """A due slot with what the rules need of its patient, read in one statement."""

    slot_id: int
    patient_id: int
    local_time: time
    weekdays: int
    next_due_at: datetime
    timezone: str
    chat_id: int
    language: str | None
    unanswered_reminders: int
    paused_at: datetime | None
    paused_until: datetime | None
    quiet_start: time | None
    quiet_end: time | None
    safety_screened_at: datetime | None
    safety_hold: str | None


async def due_slots_for_update(session: AsyncSession, now: datetime, limit: int) -> list[DueSlot]:
    """Slots due by ``now`` of patients who want reminders, oldest first, locked.

    Plain rows rather than ORM objects: a batch is hundreds of rows, and the engine's
    throughput depends on this statement.
    """
    result = await session.execute(
        select(
            ReminderSlot.id,
            ReminderSlot.patient_id,
            ReminderSlot.local_time,
            ReminderSlot.weekdays,
            ReminderSlot.next_due_at,
            Patient.timezone,
            Patient.chat_id,
            Patient.language,
            Patient.unanswered_reminders,
            Patient.paused_at,
            Patient.paused_until,
            Patient.quiet_start,
            Patient.quiet_end,
            Patient.safety_screened_at,
            Patient.safety_hold,
        )
        .join(Patient, Patient.id == ReminderSlot.patient_id)
        .where(
            ReminderSlot.next_due_at <= now,
            Patient.is_active.is_(True),
            Patient.reminders_opt_in.is_(True),
            Patient.timezone.is_not(None),
        )
        .order_by(ReminderSlot.next_due_at)
        .limit(limit)
        .with_for_update(of=ReminderSlot, skip_locked=True)
    )
    # next_due_at and timezone are not NULL here: the WHERE clause says so.
    return [DueSlot(*row) for row in result]  # type: ignore[arg-type, call-arg]


async def set_next_due(session: AsyncSession, changes: list[dict[str, object]]) -> None:
    """Advance slots (``slot_id`` -> ``next_due_at``) in one executemany."""
    if not changes:
        return
    slots = ReminderSlot.__table__
    assert isinstance(slots, Table)
    await session.execute(
        update(slots)
        .where(slots.c.id == bindparam("slot_id"))
        .values(next_due_at=bindparam("next_due_at")),
        changes,
    )


async def slot_times_by_patient(
    session: AsyncSession, patient_ids: Collection[int]
) -> dict[int, list[time]]:
    """Each patient's reminder times in order, to tell a day's first slot from the others."""
    result = await session.execute(
        select(ReminderSlot.patient_id, ReminderSlot.local_time)
        .where(ReminderSlot.patient_id.in_(patient_ids))
        .order_by(ReminderSlot.patient_id, ReminderSlot.local_time)
    )
    times: dict[int, list[time]] = {}
    for patient_id, local_time in result:
        times.setdefault(patient_id, []).append(local_time)
    return times


async def count_unanswered(session: AsyncSession, delivery_ids: Iterable[int]) -> None:
    """One more unanswered reminder for each patient who was just sent one."""
    ids = list(delivery_ids)
    if not ids:
        return
    patients = select(Delivery.patient_id).where(Delivery.id.in_(ids)).scalar_subquery()
    await session.execute(
        update(Patient)
        .where(Patient.id.in_(patients))
        .values(unanswered_reminders=Patient.unanswered_reminders + 1)
    )


async def block_patients(
    session: AsyncSession, patient_ids: Collection[int], now: datetime
) -> None:
    """Mark the patients inactive and clear their slots' due instants (see
    :func:`bot.domain.blocking.set_blocked`, the rule)."""
    await session.execute(
        update(Patient).where(Patient.id.in_(patient_ids)).values(is_active=False, blocked_at=now)
    )
    await session.execute(
        update(ReminderSlot)
        .where(ReminderSlot.patient_id.in_(patient_ids))
        .values(next_due_at=None)
    )


async def patients_with_slots(session: AsyncSession, patient_ids: Collection[int]) -> list[Patient]:
    result = await session.scalars(
        select(Patient)
        .where(Patient.id.in_(patient_ids))
        .options(selectinload(Patient.reminder_slots))
    )
    return list(result)


async def delivery_of_patient(
    session: AsyncSession, telegram_user_id: int, delivery_id: int
) -> tuple[Patient, Delivery] | None:
    """A delivery, locked, if it belongs to this Telegram user; else ``None`` (a forged button)."""
    result = await session.execute(
        select(Patient, Delivery)
        .join(Delivery, Delivery.patient_id == Patient.id)
        .where(Patient.telegram_user_id == telegram_user_id, Delivery.id == delivery_id)
        .with_for_update(of=Delivery)
    )
    row = result.one_or_none()
    return (row[0], row[1]) if row else None
