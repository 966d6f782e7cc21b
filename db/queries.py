"""Reads and writes used by the coaching rules.

Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time

from sqlalchemy import delete, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from db.engine import dialect_insert
from db.models import ConsentRecord, Conversation, LessonProgress, Patient, ReminderSlot


async def conversation_for_update(
    session: AsyncSession, telegram_user_id: int
) -> Conversation | None:
    """The user's conversation row, locked so two instances never advance it at once."""
    result = await session.execute(
        select(Conversation)
        .where(Conversation.telegram_user_id == telegram_user_id)
        .with_for_update()
    )
    return result.scalar_one_or_none()


async def new_conversation_for_update(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> Conversation:
    """The user's conversation row, created if missing, locked.

    Two instances can receive a new user's first two updates at once; inserting with ON
    CONFLICT DO NOTHING and then locking makes them queue on one row instead of one failing.
    """
    await session.execute(
        dialect_insert(session, Conversation)
        .values(
            telegram_user_id=telegram_user_id,
            flow="idle",
            step="none",
            revision=0,
            data={},
            paused=False,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["telegram_user_id"])
    )
    conversation = await conversation_for_update(session, telegram_user_id)
    assert conversation is not None
    return conversation


async def patient_by_telegram_id(
    session: AsyncSession, telegram_user_id: int, *, slots: bool = True
) -> Patient | None:
    """The patient, with their reminder slots unless ``slots`` is False (then
    :func:`load_reminder_slots` must run before anything reads them)."""
    query = select(Patient).where(Patient.telegram_user_id == telegram_user_id)
    if slots:
        query = query.options(selectinload(Patient.reminder_slots))
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def load_reminder_slots(session: AsyncSession, patient: Patient) -> None:
    """Load the patient's reminder slots if they are not loaded yet (a patient not in the
    database has nothing to load)."""
    state = inspect(patient)
    if state.persistent and "reminder_slots" in state.unloaded:
        await session.refresh(patient, ["reminder_slots"])


async def add_patient(
    session: AsyncSession, *, telegram_user_id: int, chat_id: int, now: datetime
) -> Patient:
    patient = Patient(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        created_at=now,
        reminders_opt_in=False,
        is_active=True,
        reminder_slots=[],
    )
    session.add(patient)
    await session.flush()
    return patient


def record_consent(
    session: AsyncSession, patient: Patient, *, version: str, decision: str, now: datetime
) -> None:
    session.add(
        ConsentRecord(patient_id=patient.id, version=version, decision=decision, recorded_at=now)
    )


async def replace_reminder_slots(
    session: AsyncSession,
    patient: Patient,
    times: Iterable[time],
    weekdays_mask: int,
    now: datetime,
) -> None:
    """Make the patient's reminder slots exactly ``times`` on ``weekdays_mask``."""
    await session.execute(delete(ReminderSlot).where(ReminderSlot.patient_id == patient.id))
    slots = [
        ReminderSlot(
            patient_id=patient.id, local_time=value, weekdays=weekdays_mask, created_at=now
        )
        for value in sorted(set(times))
    ]
    session.add_all(slots)
    await session.flush()
    patient.reminder_slots = slots


async def read_lesson_ids(session: AsyncSession, patient_id: int) -> set[str]:
    result = await session.scalars(
        select(LessonProgress.lesson_id).where(LessonProgress.patient_id == patient_id)
    )
    return set(result)


async def lesson_progress_for_update(
    session: AsyncSession, patient_id: int, lesson_id: str, now: datetime
) -> LessonProgress:
    """The patient's progress row for a lesson, created (as read now) if missing, locked."""
    await session.execute(
        dialect_insert(session, LessonProgress)
        .values(patient_id=patient_id, lesson_id=lesson_id, read_at=now)
        .on_conflict_do_nothing(index_elements=["patient_id", "lesson_id"])
    )
    result = await session.execute(
        select(LessonProgress)
        .where(LessonProgress.patient_id == patient_id, LessonProgress.lesson_id == lesson_id)
        .with_for_update()
    )
    return result.scalar_one()
