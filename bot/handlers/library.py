"""Handlers for /learn, /drills, /language, their buttons, and typed questions."""

from __future__ import annotations

import dataclasses

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.callback_data import LibraryButton, decode_callback
from bot.context import ReedContext
from bot.domain import language as language_rules
from bot.domain.screens import Reply
from bot.handlers.render import send_reply
from db import queries
from db.models import Patient


async def _reader(
    session: AsyncSession, update: Update, context: ReedContext
) -> tuple[Patient | None, str]:
    """Who is reading (a patient, or someone who has not consented), and in which language:
    the patient's choice, else their Telegram app's."""
    user = update.effective_user
    assert user is not None
    patient = await queries.patient_by_telegram_id(session, user.id)
    preferred = patient.language if patient and patient.language else user.language_code
    return patient, context.services.messages.resolve_language(preferred)


async def _send(update: Update, context: ReedContext, reply: Reply, language: str) -> None:
    await send_reply(update, context, dataclasses.replace(reply, language=language))


async def learn(update: Update, context: ReedContext) -> None:
    async with context.services.db.transaction() as session:
        patient, language = await _reader(session, update, context)
        reply = await context.services.library.learn_menu(session, patient, language)
    await _send(update, context, reply, language)


async def drills(update: Update, context: ReedContext) -> None:
    async with context.services.db.transaction() as session:
        _, language = await _reader(session, update, context)
    await _send(update, context, context.services.library.drills_menu(language), language)


async def choose_language(update: Update, context: ReedContext) -> None:
    async with context.services.db.transaction() as session:
        _, language = await _reader(session, update, context)
    reply = language_rules.language_menu(context.services.messages.language_names(), language)
    await _send(update, context, reply, language)


async def answer_question(
    session: AsyncSession, update: Update, context: ReedContext, question: str
) -> Reply:
    """Free text outside any flow: the lesson or drill that answers it best."""
    _, language = await _reader(session, update, context)
    reply = context.services.library.answer_question(question, language)
    return dataclasses.replace(reply, language=language)


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = decode_callback(query.data)
    assert isinstance(pressed, LibraryButton)  # routed here by the handler's pattern
    library, now = context.services.library, context.services.clock()
    action, arg = pressed.action, pressed.arg
    async with context.services.db.transaction() as session:
        patient, language = await _reader(session, update, context)
        if action == "learn":
            reply = await library.learn_menu(session, patient, language)
        elif action == "topic":
            reply = await library.topic(session, patient, arg, language)
        elif action == "lesson":
            reply = await library.lesson(session, patient, arg, language, now)
        elif action == "quiz":
            reply = await library.answer_quiz(session, patient, arg, language, now)
        elif action == "language":
            names = context.services.messages.language_names()
            reply = language_rules.choose_language(patient, arg, names)
        else:
            reply = _browse(context, action, arg, language)
    await _send(update, context, reply, reply.language or language)


def _browse(context: ReedContext, action: str, arg: str, language: str) -> Reply:
    library = context.services.library
    if action == "drills":
        return library.drills_menu(language)
    if action == "methods":
        return library.methods(language)
    if action == "signs":
        return library.signs(language)
    if action == "method":
        return library.drills_of_method(arg, language)
    if action == "sign":
        return library.drills_of_sign(arg, language)
    if action == "drill":
        return library.drill(arg, language)
    return library.gone()
