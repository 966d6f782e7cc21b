"""Who is a therapist, and which patients are in whose care.

Authorization on the therapist side rests on one question, asked on the server for every
command and every button: is this patient in the sender's care now (an open ``care_links``
row between them)? :func:`patient_in_care_of` answers it; nothing else may hand a therapist a
patient's record. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CareLink, Patient, Therapist


async def therapist_by_telegram_id(
    session: AsyncSession, telegram_user_id: int
) -> Therapist | None:
    return await session.scalar(
        select(Therapist).where(Therapist.telegram_user_id == telegram_user_id)
    )


@dataclass(frozen=True, slots=True)
class InCare:
    """A patient in a therapist's care: the patient, and the name the therapist knows them by."""

    patient: Patient
    link: CareLink

    @property
    def name(self) -> str:
        return self.link.patient_name


async def patient_in_care_of(
    session: AsyncSession, therapist_id: int, patient_id: int
) -> InCare | None:
    """The patient ``patient_id`` if they are in this therapist's care now; else None (someone
    else's patient, one who left or was discharged, a forged id)."""
    row = (
        await session.execute(
            select(Patient, CareLink)
            .join(CareLink, CareLink.patient_id == Patient.id)
            .where(
                CareLink.patient_id == patient_id,
                CareLink.therapist_id == therapist_id,
                CareLink.ended_at.is_(None),
            )
        )
    ).first()
    return InCare(row[0], row[1]) if row is not None else None


async def patients_in_care_of(session: AsyncSession, therapist_id: int) -> list[InCare]:
    """The therapist's current patients, by name."""
    rows = await session.execute(
        select(Patient, CareLink)
        .join(CareLink, CareLink.patient_id == Patient.id)
        .where(CareLink.therapist_id == therapist_id, CareLink.ended_at.is_(None))
        .order_by(CareLink.patient_name, Patient.id)
    )
    return [InCare(patient, link) for patient, link in rows]


async def open_link_of(session: AsyncSession, patient_id: int) -> CareLink | None:
    """The patient's current care link (locked), if they have a therapist."""
    return await session.scalar(
        select(CareLink)
        .where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
        .with_for_update()
    )


async def therapist_of_patient(session: AsyncSession, patient_id: int) -> Therapist | None:
    """The patient's current therapist, if any."""
    return await session.scalar(
        select(Therapist)
        .join(CareLink, CareLink.therapist_id == Therapist.id)
        .where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
    )


async def link_patient(
    session: AsyncSession,
    patient_id: int,
    therapist_id: int,
    patient_name: str,
    now: datetime,
) -> CareLink:
    """Put the patient in this therapist's care, ending any other link (reason "changed").
    A link to the same therapist is kept as it is."""
    current = await open_link_of(session, patient_id)
    if current is not None:
        if current.therapist_id == therapist_id:
            return current
        current.ended_at = now
        current.end_reason = "changed"
        await session.flush()  # the open-link index allows one open row per patient
    link = CareLink(
        patient_id=patient_id,
        therapist_id=therapist_id,
        patient_name=patient_name[:100],
        linked_at=now,
    )
    session.add(link)
    await session.flush()
    return link


async def end_link(session: AsyncSession, patient_id: int, reason: str, now: datetime) -> bool:
    """End the patient's current care link (left, discharged); False when there was none."""
    current = await open_link_of(session, patient_id)
    if current is None:
        return False
    current.ended_at = now
    current.end_reason = reason
    return True


async def block_therapists(
    session: AsyncSession, therapist_ids: Collection[int], *, blocked: bool, now: datetime
) -> None:
    """A therapist blocked the bot (nothing is sent to them) or unblocked it."""
    if therapist_ids:
        await session.execute(
            update(Therapist)
            .where(Therapist.id.in_(therapist_ids))
            .values(is_active=not blocked, blocked_at=now if blocked else None)
        )
