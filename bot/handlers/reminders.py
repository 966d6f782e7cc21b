"""Handlers for the buttons on a reminder: Done, Snooze, Skip today, Explain."""

from __future__ import annotations

from telegram import Update

from bot.callback_data import ReminderButton, decode_callback
from bot.context import ReedContext
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = decode_callback(query.data)
    if not isinstance(pressed, ReminderButton):  # our prefix, but data we did not write
        pressed = ReminderButton(0, "gone")  # no ledger row has id 0: "button expired"
    user = user_of(update)
    answers = context.services.reminder_answers
    async with context.services.turns.open(user) as turn:
        reply = await answers.press(
            turn.session,
            user.id,
            pressed.delivery_id,
            pressed.action,
            pressed.args.text(0) or "",
            turn.now,
        )
    await send_reply(update, context, reply)
