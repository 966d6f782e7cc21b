"""Invites: therapist invites (single use, made by the operator) and patient invites (a
therapist's link, any number of patients), found by the hash of their code.

Nothing here commits: the caller's unit of work does. Nothing here sees a code either, only
its hash (:func:`bot.domain.invites.code_hash`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CareLink, PatientInvite, Therapist, TherapistInvite

# -- therapist invites ------------------------------------------------------------------------


async def add_therapist_invite(
    session: AsyncSession,
    *,
    code_hash: str,
    name: str,
    timezone: str | None,
    now: datetime,
    expires_at: datetime,
) -> TherapistInvite:
    invite = TherapistInvite(
        code_hash=code_hash, name=name, timezone=timezone, created_at=now, expires_at=expires_at
    )
    session.add(invite)
    await session.flush()
    return invite


async def therapist_invites(session: AsyncSession) -> list[TherapistInvite]:
    """Every therapist invite, newest first."""
    rows = await session.scalars(
        select(TherapistInvite).order_by(TherapistInvite.created_at.desc(), TherapistInvite.id)
    )
    return list(rows)


async def therapist_invite_for_update(
    session: AsyncSession, *, code_hash: str | None = None, invite_id: int | None = None
) -> TherapistInvite | None:
    """The therapist invite with this code hash (or id), locked: two people opening one code
    at once, one of them finds it used."""
    query = select(TherapistInvite).with_for_update()
    if code_hash is not None:
        query = query.where(TherapistInvite.code_hash == code_hash)
    elif invite_id is not None:
        query = query.where(TherapistInvite.id == invite_id)
    else:
        raise ValueError("name the invite by its code hash or its id")
    return await session.scalar(query)


async def therapist_for_update(session: AsyncSession, telegram_user_id: int) -> Therapist | None:
    """The therapist this Telegram user is (active or not), locked."""
    return await session.scalar(
        select(Therapist).where(Therapist.telegram_user_id == telegram_user_id).with_for_update()
    )


async def add_therapist(
    session: AsyncSession,
    *,
    telegram_user_id: int,
    chat_id: int,
    name: str,
    language: str | None,
    timezone: str | None,
    now: datetime,
) -> Therapist:
    therapist = Therapist(
        telegram_user_id=telegram_user_id,
        chat_id=chat_id,
        name=name,
        language=language,
        timezone=timezone,
        created_at=now,
        is_active=True,
    )
    session.add(therapist)
    await session.flush()
    return therapist


# -- patient invites --------------------------------------------------------------------------


async def add_patient_invite(
    session: AsyncSession, *, therapist_id: int, code_hash: str, now: datetime, expires_at: datetime
) -> PatientInvite:
    invite = PatientInvite(
        therapist_id=therapist_id, code_hash=code_hash, created_at=now, expires_at=expires_at
    )
    session.add(invite)
    await session.flush()
    return invite


async def patient_invite(
    session: AsyncSession, *, code_hash: str | None = None, invite_id: int | None = None
) -> tuple[PatientInvite, Therapist] | None:
    """The patient invite with this code hash (or id) and the therapist who made it."""
    query = select(PatientInvite, Therapist).join(
        Therapist, Therapist.id == PatientInvite.therapist_id
    )
    if code_hash is not None:
        query = query.where(PatientInvite.code_hash == code_hash)
    elif invite_id is not None:
        query = query.where(PatientInvite.id == invite_id)
    else:
        raise ValueError("name the invite by its code hash or its id")
    row = (await session.execute(query)).first()
    return (row[0], row[1]) if row is not None else None


async def revoke_open_patient_invites(
    session: AsyncSession, therapist_id: int, now: datetime
) -> int:
    """Revoke the therapist's patient invites that still work; how many there were. Patients
    already in their care stay."""
    result = await session.execute(
        update(PatientInvite)
        .where(
            PatientInvite.therapist_id == therapist_id,
            PatientInvite.revoked_at.is_(None),
            PatientInvite.expires_at > now,
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def patient_names_of_links(
    session: AsyncSession, link_ids: Collection[int]
) -> dict[int, str]:
    """The name each care link's therapist knows its patient by, by link id."""
    if not link_ids:
        return {}
    rows = await session.execute(
        select(CareLink.id, CareLink.patient_name).where(CareLink.id.in_(set(link_ids)))
    )
    return {link_id: name for link_id, name in rows}
