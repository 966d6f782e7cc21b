"""Block and unblock: a patient who blocks the bot is marked inactive and not messaged."""

from __future__ import annotations

from telegram import Chat, ChatMember, Update

from bot.context import ReedContext
from bot.handlers.sender import user_of


async def my_chat_member(update: Update, context: ReedContext) -> None:
    change = update.my_chat_member
    if change is None or change.chat.type != Chat.PRIVATE:
        return
    blocked = change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT)
    async with context.services.turns.open(user_of(update)) as turn:
        await turn.set_blocked(blocked)
