"""Reads and writes of the therapist's patient record: safety events and morning checks of the
last days, the plan row and its lock, and notes with their one reply.

Nothing here decides who may see what: :func:`db.care_queries.patient_in_care_of` has been
asked by the caller. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.plans import Plan
from db.models import (
    CareLink,
    MorningCheck,
    PatientPlan,
    SafetyEvent,
    Therapist,
    TherapistNote,
)
from db.plan_queries import own_plan_for_update


async def events_since(
    session: AsyncSession, patient_id: int, since: datetime
) -> list[SafetyEvent]:
    """The patient's safety events since ``since``, newest first."""
    rows = await session.scalars(
        select(SafetyEvent)
        .where(SafetyEvent.patient_id == patient_id, SafetyEvent.occurred_at >= since)
        .order_by(SafetyEvent.occurred_at.desc(), SafetyEvent.id.desc())
    )
    return list(rows)


async def worse_mornings(session: AsyncSession, patient_id: int, since: date) -> set[date]:
    """The mornings since ``since`` whose check said the pain was worse."""
    rows = await session.scalars(
        select(MorningCheck.local_date).where(
            MorningCheck.patient_id == patient_id,
            MorningCheck.local_date >= since,
            MorningCheck.compared == "worse",
        )
    )
    return set(rows)


async def own_plan(session: AsyncSession, patient_id: int) -> PatientPlan | None:
    return await session.scalar(select(PatientPlan).where(PatientPlan.patient_id == patient_id))


async def set_plan_locked(
    session: AsyncSession, patient_id: int, locked: bool, starter: Plan, now: datetime
) -> PatientPlan:
    """Lock (or unlock) the patient's plan against automatic progression. A patient on the
    starter plan gets a plan of their own first, a copy of the starter plan, so the lock has
    a row to hold (and the plan they practise stays the same)."""
    plan = await own_plan_for_update(session, patient_id, starter, now)
    plan.locked = locked
    plan.updated_at = now
    return plan


# -- notes -----------------------------------------------------------------------------------


def add_note(
    session: AsyncSession, therapist_id: int, patient_id: int, body: str, now: datetime
) -> TherapistNote:
    note = TherapistNote(
        therapist_id=therapist_id, patient_id=patient_id, body=body[:1000], sent_at=now
    )
    session.add(note)
    return note


async def note_for_update(
    session: AsyncSession, patient_id: int, note_id: int
) -> TherapistNote | None:
    """The note ``note_id`` if it was sent to this patient, locked; else None."""
    return await session.scalar(
        select(TherapistNote)
        .where(TherapistNote.id == note_id, TherapistNote.patient_id == patient_id)
        .with_for_update()
    )


async def last_note(
    session: AsyncSession, therapist_id: int, patient_id: int
) -> TherapistNote | None:
    """The latest note this therapist sent this patient."""
    return await session.scalar(
        select(TherapistNote)
        .where(TherapistNote.therapist_id == therapist_id, TherapistNote.patient_id == patient_id)
        .order_by(TherapistNote.sent_at.desc(), TherapistNote.id.desc())
        .limit(1)
    )


async def therapist_name(session: AsyncSession, therapist_id: int) -> str | None:
    return await session.scalar(select(Therapist.name).where(Therapist.id == therapist_id))


@dataclass(frozen=True, slots=True)
class NoteNews:
    """A note as its messages show it: who wrote it, to whom (the name the therapist knows
    the patient by), what it says and the patient's reply."""

    note_id: int
    patient_id: int
    therapist_name: str
    patient_name: str
    body: str
    reply: str | None


async def notes_news(session: AsyncSession, note_ids: Collection[int]) -> dict[int, NoteNews]:
    """The notes ``note_ids`` with their names, in one statement. The patient's name is the
    one of the care link the note was written in (the latest link between the two)."""
    if not note_ids:
        return {}
    rows = await session.execute(
        select(TherapistNote, Therapist.name, CareLink.patient_name)
        .join(Therapist, Therapist.id == TherapistNote.therapist_id)
        .outerjoin(
            CareLink,
            (CareLink.patient_id == TherapistNote.patient_id)
            & (CareLink.therapist_id == TherapistNote.therapist_id)
            & (CareLink.linked_at <= TherapistNote.sent_at),
        )
        .where(TherapistNote.id.in_(list(note_ids)))
        .order_by(TherapistNote.id, CareLink.linked_at)
    )
    found: dict[int, NoteNews] = {}
    for note, name, patient_name in rows:
        found[note.id] = NoteNews(  # the latest link wins: rows come oldest link first
            note.id, note.patient_id, name, patient_name or "", note.body, note.reply
        )
    return found


async def therapist_names(session: AsyncSession, therapist_ids: Collection[int]) -> dict[int, str]:
    if not therapist_ids:
        return {}
    rows = await session.execute(
        select(Therapist.id, Therapist.name).where(Therapist.id.in_(list(therapist_ids)))
    )
    return {therapist_id: name for therapist_id, name in rows}
