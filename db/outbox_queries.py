"""Queries of the outbox: the delivery ledger, whatever kind of message a row holds.

Batched: one statement per batch, never one per row. Claims lock what they take with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so outbox runs on several instances take disjoint
rows; SQLite has one writer at a time (every transaction begins IMMEDIATE). Nothing here
commits.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import dialect_insert
from db.models import Delivery, DeliveryStatus, Patient, Therapist


@dataclass(frozen=True, slots=True)
class Inserted:
    """A ledger row just written, identified by its idempotency key."""

    delivery_id: int
    patient_id: int | None
    local_date: date
    slot_key: str
    status: str
    late: bool


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[Inserted]:
    """Insert ledger rows; one whose key (recipient, local date, slot key) exists is left out.

    Every row must name the same columns (one executemany). Returns the rows inserted.
    """
    if not rows:
        return []
    # A patient's rows name the patient's key; a therapist's row may clash on the therapist's.
    for_patients = all(row.get("therapist_id") is None for row in rows)
    key = ["patient_id", "local_date", "slot_key"] if for_patients else None
    statement = (
        dialect_insert(session, Delivery)
        .on_conflict_do_nothing(index_elements=key)
        .returning(
            Delivery.id,
            Delivery.patient_id,
            Delivery.local_date,
            Delivery.slot_key,
            Delivery.status,
            Delivery.late,
        )
    )
    result = await session.execute(statement, rows)
    return [Inserted(*row) for row in result]


async def due_rows_for_update(
    session: AsyncSession,
    now: datetime,
    stale_before: datetime,
    limit: int,
    kinds: Collection[str] | None = None,
) -> list[tuple[Delivery, Patient | Therapist | None]]:
    """Rows to take up again, locked, with their recipient (a patient, or a therapist):
    scheduled ones now due, claims older than ``stale_before`` (their process died before
    recording them) and failed ones whose back-off has run out. ``kinds``: only rows of
    these ``Delivery.kind`` values."""
    only = Delivery.kind.in_(sorted(kinds)) if kinds is not None else true()
    result = await session.execute(
        select(Delivery, Patient, Therapist)
        .outerjoin(Patient, Patient.id == Delivery.patient_id)
        .outerjoin(Therapist, Therapist.id == Delivery.therapist_id)
        .where(
            only,
            or_(
                and_(Delivery.status == DeliveryStatus.SCHEDULED, Delivery.due_at <= now),
                and_(Delivery.status == DeliveryStatus.CLAIMED, Delivery.claimed_at < stale_before),
                and_(Delivery.status == DeliveryStatus.FAILED, Delivery.retry_at <= now),
            ),
        )
        .order_by(Delivery.due_at)
        .limit(limit)
        .with_for_update(of=Delivery, skip_locked=True)
    )
    return [(delivery, therapist or patient) for delivery, patient, therapist in result]


async def _update_each(
    session: AsyncSession, values: dict[str, Any], params: list[dict[str, Any]]
) -> None:
    """One UPDATE of the rows named by each ``delivery_id``, in one executemany round trip."""
    deliveries = Delivery.__table__
    assert isinstance(deliveries, Table)
    await session.execute(
        update(deliveries).where(deliveries.c.id == bindparam("delivery_id")).values(**values),
        params,
    )


async def mark_sent(session: AsyncSession, sent: Mapping[int, int], now: datetime) -> None:
    """Record sends: delivery id -> Telegram message id."""
    if sent:
        await _update_each(
            session,
            {
                "status": DeliveryStatus.SENT,
                "sent_at": now,
                "telegram_message_id": bindparam("message_id"),
            },
            [{"delivery_id": key, "message_id": value} for key, value in sent.items()],
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt to record: its cause, and when to try again (``None``: never)."""

    delivery_id: int
    attempts: int
    error: str
    retry_at: datetime | None


async def mark_failed(session: AsyncSession, failures: Collection[Failure]) -> None:
    if failures:
        await _update_each(
            session,
            {
                "status": DeliveryStatus.FAILED,
                "attempts": bindparam("attempts"),
                "error": bindparam("error"),
                "retry_at": bindparam("retry_at"),
            },
            [
                {
                    "delivery_id": failure.delivery_id,
                    "attempts": failure.attempts,
                    "error": failure.error,
                    "retry_at": failure.retry_at,
                }
                for failure in failures
            ],
        )
