"""Checks every update passes before any feature sees it.

Runs in the lowest handler group; an update that fails a check gets a friendly reply and
:class:`ApplicationHandlerStop` keeps it away from the features, so nothing stored changes.
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import ReedContext
from bot.handlers.render import say

# Patients answer with a number, a time or a short question; anything longer is a mistake
# (or a paste), and we refuse it rather than store or search it.
MAX_INPUT_CHARS = 500


async def guard_update(update: Update, context: ReedContext) -> None:
    chat = update.effective_chat
    if update.edited_message is not None:
        if chat is not None and chat.type == Chat.PRIVATE:
            await say(update, context, "guard.edited")
        raise ApplicationHandlerStop
    if update.my_chat_member is not None:
        return  # membership changes are handled on their own, in any chat type
    if chat is None or update.effective_user is None:
        raise ApplicationHandlerStop  # channel posts, polls, inline queries: not for us
    if chat.type != Chat.PRIVATE:
        if update.callback_query is not None:
            await update.callback_query.answer()
        if update.effective_message is not None or update.callback_query is not None:
            await say(update, context, "guard.group_chat")
        raise ApplicationHandlerStop
    message = update.message
    if message is None:
        return  # button presses go on
    if message.text is not None:
        if len(message.text) > MAX_INPUT_CHARS:
            await say(update, context, "guard.too_long", limit=MAX_INPUT_CHARS)
            raise ApplicationHandlerStop
        return
    if message.location is not None:
        return
    await say(update, context, "guard.unsupported")
    raise ApplicationHandlerStop
