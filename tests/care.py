"""Test set-up for the therapist side: a registered therapist, and a patient in their care,
written as the invites feature writes them (its own tests go through the real flows)."""

from __future__ import annotations

from datetime import UTC, datetime

from db import care_queries, invite_queries
from db.engine import Database
from db.queries import patient_by_telegram_id

REGISTERED = datetime(2026, 3, 1, tzinfo=UTC)


async def add_therapist(
    database: Database,
    telegram_id: int,
    name: str = "Dr. Ana Ruiz",
    *,
    zone: str | None = "Europe/Berlin",
    language: str | None = "en",
    active: bool = True,
) -> int:
    """A therapist who opened their invite (registered as the invites feature does); their id."""
    async with database.transaction() as session:
        therapist = await invite_queries.add_therapist(
            session,
            telegram_user_id=telegram_id,
            chat_id=telegram_id,
            name=name,
            language=language,
            timezone=zone,
            now=REGISTERED,
        )
        therapist.is_active = active
        return therapist.id


async def put_in_care(
    database: Database, patient_telegram_id: int, therapist_id: int, name: str, at: datetime
) -> int:
    """Put an onboarded patient in the therapist's care, known as ``name``; their patient id."""
    async with database.transaction() as session:
        patient = await patient_by_telegram_id(session, patient_telegram_id)
        assert patient is not None, "the patient agreed to the consent first"
        await care_queries.link_patient(session, patient.id, therapist_id, name, at)
        return patient.id
