"""The next-morning pain check as an outbox kind: enqueued by a rule, one per patient and
morning.

A Done on a reminder enqueues the next morning's row
(:func:`bot.domain.morning_checks.schedule_morning_check`), so there is nothing to
materialise here. When the row falls due, :func:`bot.domain.morning_checks.admission` decides
whether it goes out; every check looks the same in a language, so it renders once per run.
The answers arrive as presses on a reminder button of the row
(:class:`bot.domain.morning_checks.MorningAnswers`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import morning_checks as rules
from bot.domain.reminder_rules import Recipient
from bot.domain.screens import Screen
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing
from content.catalog import Catalog
from db.models import Delivery, DeliveryStatus, Patient

NAME = "morning_checks"
# Every check shows the same question: one variant.
VARIANT = rules.ROW_KIND


class MorningChecks:
    name = NAME
    row_kinds = frozenset({rules.ROW_KIND})
    urgent = False

    def __init__(self, grace: timedelta, catalog_for: Callable[[str], Catalog]) -> None:
        self.grace = grace
        self.catalog_for = catalog_for

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []  # enqueued by a rule, not materialised from a schedule

    def admit(self, row: Delivery, patient: kind.Recipient, now: datetime) -> Admission:
        assert isinstance(patient, Patient), "this kind goes to patients"
        status, due_at = rules.admission(
            Recipient.of(patient),
            active=patient.is_active,
            zone=ZoneInfo(patient.timezone or "UTC"),
            due_at=row.due_at,
            now=now,
            grace=self.grace,
        )
        if status == DeliveryStatus.CLAIMED:
            return Admission(status, VARIANT)
        row.due_at = due_at
        row.retry_at = None  # not sent, for good, or scheduled again: no back-off pending
        return Admission(status)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        return items  # the variant is all it shows

    def render(self, variant: Hashable, language: str) -> Screen:
        return rules.question_screen(self.catalog_for(language))

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Nothing beside the ledger: a check is not a reminder, so it never counts towards
        reminder fatigue."""
