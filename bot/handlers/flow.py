"""Handlers for the set-up conversation: /start, /settings, /cancel, buttons, text, location.

Each handler reads the update, runs one rule of :mod:`bot.domain.onboarding` inside one unit of
work, and renders the reply after the commit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.callback_data import FlowButton, decode_callback
from bot.context import ReedContext
from bot.domain.conversation import ButtonPress, TelegramUser
from bot.domain.screens import Reply
from bot.handlers import library
from bot.handlers.render import say, send_reply

Rule = Callable[[AsyncSession, TelegramUser], Awaitable[Reply | None]]


def _user_of(update: Update) -> TelegramUser:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None
    assert chat is not None
    return TelegramUser(id=user.id, chat_id=chat.id, language_code=user.language_code)


async def _run(update: Update, context: ReedContext, rule: Rule) -> Reply | None:
    async with context.services.db.transaction() as session:
        reply = await rule(session, _user_of(update))
    if reply is not None:
        await send_reply(update, context, reply)
    return reply


async def start(update: Update, context: ReedContext) -> None:
    payload = context.args[0] if context.args else None
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(update, context, lambda session, user: onboarding.start(session, user, payload, now))


async def settings(update: Update, context: ReedContext) -> None:
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(update, context, lambda session, user: onboarding.open_settings(session, user, now))


async def reminders(update: Update, context: ReedContext) -> None:
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(update, context, lambda session, user: onboarding.open_reminders(session, user, now))


async def cancel(update: Update, context: ReedContext) -> None:
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(update, context, lambda session, user: onboarding.cancel(session, user, now))


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    decoded = decode_callback(query.data)
    press = (
        ButtonPress(decoded.revision, decoded.action, decoded.arg)
        if isinstance(decoded, FlowButton)
        else None
    )
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(update, context, lambda session, user: onboarding.press(session, user, press, now))


async def text(update: Update, context: ReedContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.text is not None
    typed = message.text
    onboarding, now = context.services.onboarding, context.services.clock()
    async with context.services.db.transaction() as session:
        reply = await onboarding.text(session, _user_of(update), typed, now)
        if reply is None:  # no step is waiting for text: treat it as a question
            reply = await library.answer_question(session, update, context, typed)
    await send_reply(update, context, reply)


async def location(update: Update, context: ReedContext) -> None:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    latitude, longitude = message.location.latitude, message.location.longitude
    onboarding, now = context.services.onboarding, context.services.clock()
    await _run(
        update,
        context,
        lambda session, user: onboarding.location(session, user, latitude, longitude, now),
    )


async def help_command(update: Update, context: ReedContext) -> None:
    await say(update, context, "help.body")


async def unknown_command(update: Update, context: ReedContext) -> None:
    await say(update, context, "commands.unknown")
