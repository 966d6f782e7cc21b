"""Turning a domain :class:`Reply` into Telegram messages, edits and button answers."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from bot.context import ReedContext
from bot.domain.language import reply_language
from bot.domain.screens import Reply, Screen, Text
from bot.rendering import body_of, labelled_choices, payload_of
from content.messages import Messages

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def messages_for(update: Update, context: ReedContext, language: str | None) -> Messages:
    """The messages of the reply's language, or (for replies made without a turn, such as the
    guard's) of the language the reply-language rule picks from the Telegram app's."""
    catalogue = context.services.messages
    if language is None:
        user = update.effective_user
        app_language = user.language_code if user else None
        language = reply_language(None, app_language, catalogue.resolve_language)
    return catalogue.for_language(language)


def markup_of(shown: Screen, messages: Messages, revision: int, subject: int = 0) -> Markup:
    if shown.choices:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        label, callback_data=payload_of(choice, revision, subject).encode()
                    )
                    for label, choice in row
                ]
                for row in labelled_choices(shown, messages)
            ]
        )
    if shown.ask_location:
        button = KeyboardButton(
            messages.plain(Text("buttons.send_location")), request_location=True
        )
        return ReplyKeyboardMarkup([[button]], resize_keyboard=True, one_time_keyboard=True)
    if shown.remove_reply_keyboard:
        return ReplyKeyboardRemove()
    return None


async def send_reply(update: Update, context: ReedContext, reply: Reply) -> None:
    """Show ``reply`` in the chat the update came from, answering any button press."""
    messages = messages_for(update, context, reply.language)
    chat = update.effective_chat
    query = update.callback_query
    screens = list(reply.screens)
    if query is not None:
        try:
            await query.answer(messages.plain(reply.toast) if reply.toast else None)
        except BadRequest:
            # A press older than Telegram's answer window (after a restart, say) can no longer
            # be answered; the reply itself still goes out.
            logger.info("button press %s could not be answered any more", query.id)
        origin = query.message if isinstance(query.message, Message) else None
        if reply.replace_origin and screens and origin is not None:
            first = screens.pop(0)
            if not await _edit(origin, first, messages, reply):
                screens.insert(0, first)
    if chat is None:
        return
    for shown in screens:
        await context.bot.send_message(
            chat.id,
            body_of(shown, messages),
            reply_markup=markup_of(shown, messages, reply.revision, reply.subject),
        )


async def _edit(origin: Message, shown: Screen, messages: Messages, reply: Reply) -> bool:
    """Edit the pressed message in place. False when it can no longer be edited."""
    markup = markup_of(shown, messages, reply.revision, reply.subject)
    inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
    try:
        await origin.edit_text(body_of(shown, messages), reply_markup=inline)
    except BadRequest as error:
        text = str(error).lower()
        if "message is not modified" in text:
            return True
        if "message to edit not found" in text or "message can't be edited" in text:
            return False
        raise
    return True


async def say(update: Update, context: ReedContext, key: str, **params: object) -> None:
    """Send one catalogue sentence to the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return
    messages = messages_for(update, context, None)
    await context.bot.send_message(chat.id, messages.html(Text(key, params)))
