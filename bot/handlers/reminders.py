"""Handlers for the buttons on a reminder: Done (which starts the check-in), Snooze, Skip
today, Explain, and the buttons under a finished check-in."""

from __future__ import annotations

from telegram import Update

from bot.callback_data import ReminderButton, decode_callback
from bot.context import ReedContext
from bot.flows import checkin, note_reply
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = decode_callback(query.data)
    if not isinstance(pressed, ReminderButton):  # our prefix, but data we did not write
        pressed = ReminderButton(0, "gone")  # no ledger row has id 0: "button expired"
    user = user_of(update)
    services = context.services
    if pressed.action in checkin.REMINDER_ACTIONS:
        # Done starts the check-in conversation, so the conversation row is locked first.
        async with services.turns.open(user, conversation=True) as turn:
            ctx = services.conversations.context(turn)
            reply = await checkin.reminder_press(
                ctx, pressed.delivery_id, pressed.action, pressed.args
            )
        await send_reply(update, context, reply)
        return
    if pressed.action in note_reply.REMINDER_ACTIONS:
        # "Reply" under a therapist's note opens the reply conversation: locked first too.
        async with services.turns.open(user, conversation=True) as turn:
            ctx = services.conversations.context(turn)
            reply = await note_reply.reminder_press(ctx, pressed.delivery_id)
        await send_reply(update, context, reply)
        return
    async with services.turns.open(user) as turn:
        reply = await services.reminder_answers.press(
            turn.session,
            user.id,
            pressed.delivery_id,
            pressed.action,
            pressed.args.text(0) or "",
            turn.now,
        )
    await send_reply(update, context, reply)
