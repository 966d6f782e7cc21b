"""Reads and writes of check-ins. Nothing here commits: the caller's unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import CheckIn, Delivery, DeliveryStatus, DrillSession


async def start_checkins(
    session: AsyncSession, patient_id: int, sessions: Sequence[DrillSession], now: datetime
) -> list[CheckIn]:
    """One empty check-in per drill session, in the sessions' order."""
    checkins = [
        CheckIn(
            patient_id=patient_id,
            drill_session_id=drill_session.id,
            drill_id=drill_session.drill_id,
            started_at=now,
            form={},
        )
        for drill_session in sessions
    ]
    session.add_all(checkins)
    await session.flush()
    return checkins


async def checkins_for_update(
    session: AsyncSession, patient_id: int, ids: Sequence[int]
) -> list[CheckIn]:
    """The patient's check-ins among ``ids``, locked, in the order of ``ids``; another
    patient's are left out."""
    result = await session.execute(
        select(CheckIn)
        .where(CheckIn.patient_id == patient_id, CheckIn.id.in_(ids))
        .with_for_update()
    )
    found = {checkin.id: checkin for checkin in result.scalars()}
    return [found[checkin_id] for checkin_id in ids if checkin_id in found]


async def unfinished_checkin_ids(
    session: AsyncSession, patient_id: int, since: datetime
) -> tuple[int | None, list[int]]:
    """The check-ins of the latest drill session the patient has not finished checking in
    on, started since ``since``: the reminder they followed, and every drill's check-in of
    that reminder, in order."""
    latest = await session.execute(
        select(DrillSession.delivery_id, CheckIn.started_at)
        .join(CheckIn, CheckIn.drill_session_id == DrillSession.id)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.completed_at.is_(None),
            CheckIn.started_at >= since,
        )
        .order_by(CheckIn.started_at.desc(), CheckIn.id.desc())
        .limit(1)
    )
    row = latest.one_or_none()
    if row is None:
        return None, []
    delivery_id, started_at = row
    result = await session.execute(
        select(CheckIn.id)
        .join(DrillSession, CheckIn.drill_session_id == DrillSession.id)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.started_at == started_at,
            DrillSession.delivery_id == delivery_id
            if delivery_id is not None
            else DrillSession.delivery_id.is_(None),
        )
        .order_by(CheckIn.id)
    )
    return delivery_id, list(result.scalars())


async def checkin_ids_of_delivery(
    session: AsyncSession, patient_id: int, delivery_id: int
) -> list[int]:
    """The check-ins of the drills done from one reminder, in order."""
    result = await session.execute(
        select(CheckIn.id)
        .join(DrillSession, CheckIn.drill_session_id == DrillSession.id)
        .where(CheckIn.patient_id == patient_id, DrillSession.delivery_id == delivery_id)
        .order_by(CheckIn.id)
    )
    return list(result.scalars())


async def unanswered_reminder_for_update(
    session: AsyncSession, patient_id: int, local_date: date
) -> Delivery | None:
    """The latest reminder sent on ``local_date`` that the patient has not answered, locked."""
    result = await session.execute(
        select(Delivery)
        .where(
            Delivery.patient_id == patient_id,
            Delivery.local_date == local_date,
            Delivery.status == DeliveryStatus.SENT,
            Delivery.response.is_(None),
            Delivery.drill_ids != "",
        )
        .order_by(Delivery.sent_at.desc(), Delivery.id.desc())
        .limit(1)
        .with_for_update()
    )
    return result.scalar_one_or_none()


async def pain_scores_between(
    session: AsyncSession, patient_id: int, since: datetime, before: datetime
) -> list[int]:
    """Pain-during scores of the patient's check-ins started in [since, before): the days
    a baseline is taken from."""
    result = await session.execute(
        select(CheckIn.pain_during)
        .where(
            CheckIn.patient_id == patient_id,
            CheckIn.started_at >= since,
            CheckIn.started_at < before,
            CheckIn.pain_during.is_not(None),
        )
        .order_by(CheckIn.started_at, CheckIn.id)
    )
    return [score for score in result.scalars() if score is not None]
