"""Block and unblock: a patient who blocks the bot is marked inactive and not messaged."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update

from bot.context import ReedContext
from db import queries


async def my_chat_member(update: Update, context: ReedContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != Chat.PRIVATE:
        return
    status = change.new_chat_member.status
    active = status not in (ChatMember.BANNED, ChatMember.LEFT)
    async with context.services.db.transaction() as session:
        await queries.set_patient_active(
            session, change.from_user.id, active=active, now=context.services.clock()
        )
