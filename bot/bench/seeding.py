"""Many opted-in patients at once, for benchmarks and load tests (bulk inserts, no ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import insert, select

from bot.domain import weekdays
from bot.domain.schedule import next_reminder_at
from db.engine import Database
from db.models import Patient, ReminderSlot

CHUNK = 5000


@dataclass(frozen=True)
class Cohort:
    """Patients who all want a reminder at one local time every day, in one zone."""

    count: int
    first_telegram_id: int = 10_000_000
    zone: str = "Europe/Berlin"
    local_time: time = time(7, 30)

    @property
    def telegram_ids(self) -> range:
        return range(self.first_telegram_id, self.first_telegram_id + self.count)


async def seed_cohort(
    database: Database, cohort: Cohort, now: datetime, due_at: datetime | None = None
) -> None:
    """Insert the cohort's patients and slots; ``due_at`` overrides the computed next due time."""
    mask = weekdays.to_mask(weekdays.ALL_DAYS)
    due = due_at or next_reminder_at(cohort.local_time, mask, cohort.zone, now)
    ids = list(cohort.telegram_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        async with database.transaction() as session:
            await session.execute(
                insert(Patient),
                [
                    {
                        "telegram_user_id": telegram_id,
                        "chat_id": telegram_id,
                        "created_at": now,
                        "timezone": cohort.zone,
                        "reminders_opt_in": True,
                        "onboarded_at": now,
                        "safety_screened_at": now,
                        "is_active": True,
                        "unanswered_reminders": 0,
                    }
                    for telegram_id in chunk
                ],
            )
            rows = await session.execute(
                select(Patient.id).where(Patient.telegram_user_id.in_(chunk))
            )
            await session.execute(
                insert(ReminderSlot),
                [
                    {
                        "patient_id": patient_id,
                        "local_time": cohort.local_time,
                        "weekdays": mask,
                        "created_at": now,
                        "next_due_at": due,
                    }
                    for (patient_id,) in rows
                ],
            )
