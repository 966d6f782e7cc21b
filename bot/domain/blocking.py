"""The one rule for a patient who blocks or unblocks the bot.

Blocked: the patient is inactive, nothing is sent to them and their reminder slots fall
silent. Unblocked: active again, and their slots are due again from now. The outbox applies
it when Telegram answers a send with 403; the ``my_chat_member`` handler when Telegram reports
the block or the unblock.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reminders import reschedule
from db import reminder_queries as rq


async def set_blocked(
    session: AsyncSession, patient_ids: Collection[int], *, blocked: bool, now: datetime
) -> None:
    """Apply a block (``blocked=True``) or an unblock to the patients, in this unit of work."""
    if not patient_ids:
        return
    if blocked:
        await rq.block_patients(session, patient_ids, now)
        return
    for patient in await rq.patients_with_slots(session, patient_ids):
        patient.is_active = True
        patient.blocked_at = None
        reschedule(patient, patient.reminder_slots, now)
