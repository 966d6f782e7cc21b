"""Handlers for the buttons on a reminder: Done, Snooze, Skip today, Explain."""

from __future__ import annotations

from telegram import Update

from bot.callback_data import ReminderButton, decode_callback
from bot.context import ReedContext
from bot.handlers.render import send_reply


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    pressed = decode_callback(query.data)
    assert isinstance(pressed, ReminderButton)  # routed here by the handler's pattern
    answers, now = context.services.reminder_answers, context.services.clock()
    async with context.services.db.transaction() as session:
        reply = await answers.press(
            session, user.id, pressed.delivery_id, pressed.action, pressed.arg, now
        )
    await send_reply(update, context, reply)
