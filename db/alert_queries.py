"""Queries of therapist alerts and patient flags: safety events on their way to the patient's
therapist, the ledger rows that carry them, and what the day's flags are judged from.

Batched: one statement per batch of events, of therapists or of patients, never one per row.
The rules (when, what, which patients) are :mod:`bot.domain.alerts`'. Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.adherence import REMINDER_KINDS
from bot.domain.alerts import NOTICE, Flag, ReminderDay
from db.models import CareLink, Delivery, DeliveryStatus, Patient, SafetyEvent, Therapist

# Where a flag's notice comes from (``SafetyEvent.source``).
FLAG_SOURCE = "adherence"


# -- alerts ----------------------------------------------------------------------------------


async def void_due_alerts(
    session: AsyncSession, now: datetime, kinds: Collection[str], repeat_kind: str
) -> int:
    """Record as obsolete the alert rows now due (or due for another attempt) that must not go
    out: the patient is no longer in the recipient's care, or (a repeat) the event was
    acknowledged. Returns how many."""
    acknowledged = exists().where(
        SafetyEvent.id == Delivery.subject_id, SafetyEvent.acknowledged_at.is_not(None)
    )
    in_care = exists().where(
        SafetyEvent.id == Delivery.subject_id,
        CareLink.patient_id == SafetyEvent.patient_id,
        CareLink.therapist_id == Delivery.therapist_id,
        CareLink.ended_at.is_(None),
    )
    result = await session.execute(
        update(Delivery)
        .where(
            Delivery.kind.in_(sorted(kinds)),
            or_(
                and_(Delivery.status == DeliveryStatus.SCHEDULED, Delivery.due_at <= now),
                and_(Delivery.status == DeliveryStatus.FAILED, Delivery.retry_at <= now),
            ),
            or_(~in_care, and_(Delivery.kind == repeat_kind, acknowledged)),
        )
        .values(status=DeliveryStatus.OBSOLETE, retry_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class Undelivered:
    """A safety event not yet handed to a therapist, and the therapist it goes to."""

    event_id: int
    severity: str
    occurred_at: datetime
    therapist_id: int
    therapist_zone: str | None


async def undelivered_events_for_update(session: AsyncSession, limit: int) -> list[Undelivered]:
    """Up to ``limit`` safety events (flags' notices aside) not delivered yet whose patient is
    in the care of an active therapist, oldest first, locked (``SKIP LOCKED``: another outbox
    run takes others)."""
    rows = await session.execute(
        select(
            SafetyEvent.id,
            SafetyEvent.severity,
            SafetyEvent.occurred_at,
            Therapist.id,
            Therapist.timezone,
        )
        .join(
            CareLink,
            and_(CareLink.patient_id == SafetyEvent.patient_id, CareLink.ended_at.is_(None)),
        )
        .join(Therapist, Therapist.id == CareLink.therapist_id)
        .where(
            SafetyEvent.delivered_at.is_(None),
            SafetyEvent.severity != NOTICE,
            Therapist.is_active.is_(True),
        )
        .order_by(SafetyEvent.occurred_at, SafetyEvent.id)
        .limit(limit)
        .with_for_update(of=SafetyEvent, skip_locked=True)
    )
    return [Undelivered(*row) for row in rows]


async def mark_delivered(session: AsyncSession, event_ids: Collection[int], now: datetime) -> None:
    if event_ids:
        await session.execute(
            update(SafetyEvent)
            .where(SafetyEvent.id.in_(sorted(event_ids)))
            .values(delivered_at=now)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True, slots=True)
class AlertFacts:
    """What an alert shows, as stored: the event, the patient's name and their therapist now."""

    event: SafetyEvent
    patient_name: str
    therapist_id: int
    therapist_zone: str | None


async def alert_facts(session: AsyncSession, event_ids: Collection[int]) -> dict[int, AlertFacts]:
    """The events among ``event_ids`` whose patient has a therapist now, with that therapist."""
    if not event_ids:
        return {}
    rows = await session.execute(
        select(SafetyEvent, CareLink.patient_name, Therapist.id, Therapist.timezone)
        .join(
            CareLink,
            and_(CareLink.patient_id == SafetyEvent.patient_id, CareLink.ended_at.is_(None)),
        )
        .join(Therapist, Therapist.id == CareLink.therapist_id)
        .where(SafetyEvent.id.in_(sorted(event_ids)))
    )
    return {event.id: AlertFacts(event, name, tid, zone) for event, name, tid, zone in rows}


async def event_for_update(session: AsyncSession, event_id: int) -> SafetyEvent | None:
    """The safety event ``event_id``, locked (an acknowledgement)."""
    return await session.scalar(
        select(SafetyEvent).where(SafetyEvent.id == event_id).with_for_update()
    )


# -- flags -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlagCandidate:
    """An active therapist with patients, and the latest local date their flags were judged."""

    therapist_id: int
    zone: str | None
    last_judged: date | None


async def flag_candidates(session: AsyncSession, kind: str, since: date) -> list[FlagCandidate]:
    """Active therapists with a patient in their care, each with the latest local date (from
    ``since`` on) that has a flags row of theirs: one statement for all."""
    last = (
        select(func.max(Delivery.local_date))
        .where(
            Delivery.therapist_id == Therapist.id,
            Delivery.kind == kind,
            Delivery.local_date >= since,
        )
        .scalar_subquery()
    )
    with_patients = exists().where(
        CareLink.therapist_id == Therapist.id, CareLink.ended_at.is_(None)
    )
    rows = await session.execute(
        select(Therapist.id, Therapist.timezone, last)
        .where(Therapist.is_active.is_(True), with_patients)
        .order_by(Therapist.id)
    )
    return [FlagCandidate(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class CarePatient:
    therapist_id: int
    patient_id: int
    name: str
    zone: str | None


async def patients_of(session: AsyncSession, therapist_ids: Collection[int]) -> list[CarePatient]:
    """The patients in the care of each of ``therapist_ids`` now."""
    if not therapist_ids:
        return []
    rows = await session.execute(
        select(CareLink.therapist_id, CareLink.patient_id, CareLink.patient_name, Patient.timezone)
        .join(Patient, Patient.id == CareLink.patient_id)
        .where(CareLink.therapist_id.in_(sorted(therapist_ids)), CareLink.ended_at.is_(None))
        .order_by(CareLink.therapist_id, CareLink.patient_name, CareLink.patient_id)
    )
    return [CarePatient(*row) for row in rows]


async def reminder_days(
    session: AsyncSession, patient_ids: Collection[int], since: date
) -> dict[int, list[ReminderDay]]:
    """Each patient's reminder rows from local date ``since`` on: sent, answered."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(Delivery.patient_id, Delivery.local_date, Delivery.status, Delivery.response).where(
            Delivery.patient_id.in_(sorted(patient_ids)),
            Delivery.local_date >= since,
            Delivery.kind.in_(sorted(REMINDER_KINDS)),
        )
    )
    found: dict[int, list[ReminderDay]] = defaultdict(list)
    for pid, local_date, status, response in rows:
        assert pid is not None
        found[pid].append(
            ReminderDay(local_date, status == DeliveryStatus.SENT, answered=response is not None)
        )
    return found


async def last_answers(
    session: AsyncSession, patient_ids: Collection[int]
) -> dict[int, datetime | None]:
    """When each patient last answered a reminder (None: never)."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(Delivery.patient_id, func.max(Delivery.responded_at))
        .where(Delivery.patient_id.in_(sorted(patient_ids)), Delivery.responded_at.is_not(None))
        .group_by(Delivery.patient_id)
    )
    found: dict[int, datetime | None] = dict.fromkeys(patient_ids)
    for pid, when in rows:
        assert pid is not None
        found[pid] = when
    return found


async def last_notices(
    session: AsyncSession, patient_ids: Collection[int]
) -> dict[tuple[int, Flag], datetime]:
    """The latest notice of each flag for each patient."""
    if not patient_ids:
        return {}
    rows = await session.execute(
        select(SafetyEvent.patient_id, SafetyEvent.flag, func.max(SafetyEvent.occurred_at))
        .where(
            SafetyEvent.patient_id.in_(sorted(patient_ids)),
            SafetyEvent.severity == NOTICE,
            SafetyEvent.flag.in_(sorted(Flag)),
        )
        .group_by(SafetyEvent.patient_id, SafetyEvent.flag)
    )
    return {(pid, Flag(flag)): when for pid, flag, when in rows}


async def therapists_of_rows(session: AsyncSession, delivery_ids: Collection[int]) -> list[int]:
    """The therapists the ledger rows ``delivery_ids`` go to."""
    if not delivery_ids:
        return []
    found = await session.scalars(
        select(Delivery.therapist_id).where(Delivery.id.in_(sorted(delivery_ids)))
    )
    return [tid for tid in found if tid is not None]


def add_notices(session: AsyncSession, flagged: Iterable[tuple[int, Flag]], now: datetime) -> None:
    """Record each (patient, flag) as a notice, delivered now with the day's flags."""
    session.add_all(
        SafetyEvent(
            patient_id=pid,
            occurred_at=now,
            severity=NOTICE,
            flag=flag.value,
            source=FLAG_SOURCE,
            delivered_at=now,
        )
        for pid, flag in flagged
    )


@dataclass(frozen=True, slots=True)
class Notice:
    therapist_id: int
    patient_id: int
    name: str
    flag: Flag
    occurred_at: datetime


async def notices_between(
    session: AsyncSession, bounds: Mapping[int, tuple[datetime, datetime]]
) -> list[Notice]:
    """The flags' notices of each therapist's patients (in their care now) recorded within the
    therapist's bounds: one statement for all."""
    if not bounds:
        return []
    start = min(low for low, _ in bounds.values())
    end = max(high for _, high in bounds.values())
    rows = await session.execute(
        select(
            CareLink.therapist_id,
            SafetyEvent.patient_id,
            CareLink.patient_name,
            SafetyEvent.flag,
            SafetyEvent.occurred_at,
        )
        .join(
            CareLink,
            and_(CareLink.patient_id == SafetyEvent.patient_id, CareLink.ended_at.is_(None)),
        )
        .where(
            CareLink.therapist_id.in_(sorted(bounds)),
            SafetyEvent.severity == NOTICE,
            SafetyEvent.source == FLAG_SOURCE,
            SafetyEvent.occurred_at >= start,
            SafetyEvent.occurred_at < end,
        )
        .order_by(CareLink.patient_name, SafetyEvent.patient_id, SafetyEvent.flag)
    )
    found = []
    for tid, pid, name, flag, when in rows:
        low, high = bounds[tid]
        if low <= when < high and flag in set(Flag):
            found.append(Notice(tid, pid, name, Flag(flag), when))
    return found
