"""Handlers for the conversations: their commands, /cancel, step buttons, text and locations.

Each handler opens the update's unit of work with the conversation row locked, lets the
conversation engine (:mod:`bot.flows.engine`) route it, and renders the reply after the
commit. Typed text is checked for red-flag symptoms before anything else reads it; text no
flow is waiting for is a question for the library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update

from bot.callback_data import FlowButton, decode_callback
from bot.context import ReedContext
from bot.domain.checkins import says_done
from bot.domain.safety import drills_allowed
from bot.domain.screens import Reply, Text, screen
from bot.handlers import safety
from bot.handlers.render import say, send_reply
from bot.handlers.sender import user_of
from bot.services import Services
from bot.turns import Turn

# The phrases that, typed on their own, mean "I did my drills".
DONE_WORDS = Text("checkin.done_words")


def _done_words(services: Services, language: str) -> str:
    return services.messages.for_language(language).plain(DONE_WORDS)


Handler = Callable[[Update, ReedContext], Coroutine[Any, Any, None]]


async def _converse(
    update: Update,
    context: ReedContext,
    rule: Callable[[Turn], Awaitable[Reply | None]],
    *,
    slots: bool = True,
) -> None:
    async with context.services.turns.open(user_of(update), conversation=True, slots=slots) as turn:
        reply = await rule(turn)
    if reply is not None:
        await send_reply(update, context, reply)


def command(name: str) -> Handler:
    """The handler of a flow's command: ``/start <invite>``, ``/settings``, ``/reminders``."""

    async def handle(update: Update, context: ReedContext) -> None:
        argument = context.args[0] if context.args else None
        engine = context.services.conversations
        await _converse(update, context, lambda turn: engine.command(turn, name, argument))

    return handle


async def cancel(update: Update, context: ReedContext) -> None:
    await _converse(update, context, context.services.conversations.cancel)


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    decoded = decode_callback(query.data)
    press = decoded if isinstance(decoded, FlowButton) else None
    engine = context.services.conversations
    # The engine loads the reminder slots itself, for the presses that may need them.
    await _converse(update, context, lambda turn: engine.press(turn, press), slots=False)


async def text(update: Update, context: ReedContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    typed = message.text
    services = context.services

    async def answer(turn: Turn) -> Reply:
        if turn.patient is None and await turn.therapist() is not None:
            # A therapist writes about their patients, not about their own symptoms: no
            # red-flag reading. A step waiting for text (a note to a patient) takes it.
            engine = services.conversations
            if engine.is_active(turn):
                taken = await engine.text(turn, typed)
                if taken is not None:
                    return taken
            return Reply(screens=(screen("therapist.help"),), language=turn.language)
        alarm = services.red_flags(typed)
        if alarm is not None:
            # The safety wording at once, and nothing else: the step waiting for text (if
            # any) goes on waiting, and the words are neither searched nor stored.
            return safety.typed_alarm(context, turn, alarm)
        reply = await services.conversations.text(turn, typed)
        if reply is None and says_done(typed, _done_words(services, turn.language)):
            # "done", "I did it": the drills are done, as if Done were pressed.
            reply = await services.conversations.command(turn, "checkin", None)
        if reply is None:  # no step is waiting for text: it is a question
            drills = drills_allowed(turn.clearance)
            reply = services.library.answer_question(typed, turn.language, drills=drills)
            reply = dataclasses.replace(reply, language=turn.language)
        return reply

    await _converse(update, context, answer)


async def location(update: Update, context: ReedContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    latitude, longitude = message.location.latitude, message.location.longitude
    engine = context.services.conversations
    await _converse(update, context, lambda turn: engine.location(turn, latitude, longitude))


async def unknown_command(update: Update, context: ReedContext) -> None:
    await say(update, context, "commands.unknown")
