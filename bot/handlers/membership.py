"""Block and unblock: a patient who blocks the bot is marked inactive and not messaged."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update

from bot.context import ReedContext
from bot.domain.reminders import reschedule
from db import queries


async def my_chat_member(update: Update, context: ReedContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != Chat.PRIVATE:
        return
    status = change.new_chat_member.status
    active = status not in (ChatMember.BANNED, ChatMember.LEFT)
    now = context.services.clock()
    async with context.services.db.transaction() as session:
        patient = await queries.patient_by_telegram_id(session, change.from_user.id)
        if patient is None:
            return
        patient.is_active = active
        patient.blocked_at = None if active else now
        reschedule(patient, patient.reminder_slots, now)
