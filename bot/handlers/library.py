"""Handlers for /learn, /drills, /language and their buttons.

Browsing reads only, in a read-only unit of work; opening a lesson or answering its quiz is
recorded for a patient who has consented.
"""

from __future__ import annotations

import dataclasses

from telegram import Update

from bot.callback_data import Args, LibraryButton, decode_callback
from bot.context import ReedContext
from bot.domain import language as language_rules
from bot.domain.safety import Clearance, drills_allowed
from bot.domain.screens import Reply
from bot.handlers.render import send_reply
from bot.handlers.safety import zone_of
from bot.handlers.sender import user_of
from bot.turns import Turn

# The buttons whose press is recorded; every other one only reads.
_WRITES = frozenset({"lesson", "quiz", "language"})


async def _send(update: Update, context: ReedContext, reply: Reply, language: str) -> None:
    await send_reply(update, context, dataclasses.replace(reply, language=language))


async def learn(update: Update, context: ReedContext) -> None:
    library = context.services.library
    async with context.services.turns.open(user_of(update), write=False) as turn:
        read = await turn.lessons_read()
        reply = library.learn_menu(read, turn.patient is not None, turn.language)
    await _send(update, context, reply, turn.language)


async def drills(update: Update, context: ReedContext) -> None:
    async with context.services.turns.open(user_of(update), write=False) as turn:
        reply = context.services.library.drills_menu(turn.language)
    await _send(update, context, reply, turn.language)


async def choose_language(update: Update, context: ReedContext) -> None:
    names = context.services.messages.language_names()
    async with context.services.turns.open(user_of(update), write=False) as turn:
        reply = language_rules.language_menu(names, turn.language)
    await _send(update, context, reply, turn.language)


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = decode_callback(query.data)
    if not isinstance(pressed, LibraryButton):  # our prefix, but data we did not write
        pressed = LibraryButton("gone")
    user = user_of(update)
    async with context.services.turns.open(user, write=pressed.action in _WRITES) as turn:
        reply = await _press(context, turn, pressed.action, pressed.args)
    await _send(update, context, reply, reply.language or turn.language)


async def _press(context: ReedContext, turn: Turn, action: str, args: Args) -> Reply:
    library, language = context.services.library, turn.language
    if action == "learn":
        return library.learn_menu(await turn.lessons_read(), turn.patient is not None, language)
    if action == "topic":
        return library.topic(await turn.lessons_read(), args.text(0), language)
    if action == "lesson":
        reply, read = library.lesson(args.text(0), language)
        if read is not None:
            await turn.record_lesson_read(read)
        return reply
    if action == "quiz":
        reply, answer = library.answer_quiz(args.text(0), args, language)
        if answer is not None:
            await turn.record_quiz_answer(answer.lesson_id, answer.correct)
        return reply
    if action == "language":
        names = context.services.messages.language_names()
        reply, chosen = language_rules.language_chosen(
            args.text(0), names, turn.patient is not None, language
        )
        if chosen is not None:
            turn.choose_language(chosen)
        return reply
    if action == "drill" and not drills_allowed(turn.clearance):
        return _safety_first(context, turn, args.text(0) or "")
    return _browse(context, action, args.text(0) or "", language)


def _safety_first(context: ReedContext, turn: Turn, drill_id: str) -> Reply:
    """Instead of a patient's first drill card, the safety screen (the card follows "none of
    these apply"); instead of any drill card during a hold, the hold."""
    safety, language = context.services.safety, turn.language
    if turn.clearance == Clearance.HELD:
        return Reply(screens=(safety.held(language),), language=language)
    shown = safety.before_card(language, zone_of(turn), drill_id)
    return Reply(screens=(shown,), language=language)


def _browse(context: ReedContext, action: str, target: str, language: str) -> Reply:
    library = context.services.library
    if action == "drills":
        return library.drills_menu(language)
    if action == "methods":
        return library.methods(language)
    if action == "signs":
        return library.signs(language)
    if action == "method":
        return library.drills_of_method(target, language)
    if action == "sign":
        return library.drills_of_sign(target, language)
    if action == "drill":
        return library.drill(target, language)
    return library.gone()
