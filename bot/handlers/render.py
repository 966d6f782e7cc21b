"""Turning a domain :class:`Reply` into Telegram messages, edits and button answers."""

from __future__ import annotations

import asyncio
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

from bot.charts import ProgressFigure
from bot.context import ReedContext
from bot.domain.language import reply_language
from bot.domain.screens import ProgressChart, Reply, Screen, Text
from bot.rendering import body_of, labelled_choices, payload_of, send_attachments
from content.messages import Messages
from content.telegram_html import visible_text

logger = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None

# Telegram's limit on a photo's caption, in visible characters.
CAPTION_LIMIT = 1024
CHART_FILE = "chart.png"


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
        # A picture cannot replace a text message in place: it is sent anew.
        if reply.replace_origin and screens and origin is not None and screens[0].chart is None:
            first = screens.pop(0)
            if not await _edit(origin, first, messages, reply):
                screens.insert(0, first)
    if chat is None:
        return
    for shown in screens:
        markup = markup_of(shown, messages, reply.revision, reply.subject)
        if shown.chart is not None:
            await _send_chart(context, chat.id, shown, messages, markup)
        else:
            await context.bot.send_message(chat.id, body_of(shown, messages), reply_markup=markup)
        await send_attachments(context.bot, chat.id, shown.attachments, messages)


async def _send_chart(
    context: ReedContext, chat_id: int, shown: Screen, messages: Messages, markup: Markup
) -> None:
    """The screen's chart as a photo, its paragraphs as the caption (or, when they are too
    long for one, as a message after it). Drawn in a worker thread: it takes a CPU for a
    moment that the other chats' updates need."""
    assert shown.chart is not None
    png = await asyncio.to_thread(_draw, figure_of(shown.chart, messages))
    body = body_of(shown, messages)
    if len(visible_text(body)) <= CAPTION_LIMIT:
        await context.bot.send_photo(
            chat_id, png, filename=CHART_FILE, caption=body or None, reply_markup=markup
        )
        return
    await context.bot.send_photo(chat_id, png, filename=CHART_FILE)
    await context.bot.send_message(chat_id, body, reply_markup=markup)


def figure_of(chart: ProgressChart, messages: Messages) -> ProgressFigure:
    """The chart the domain described, its words in ``messages``' language."""
    plain = messages.plain
    return ProgressFigure(
        day_labels=tuple(plain(day) for day in chart.days),
        sessions=chart.sessions,
        planned=chart.planned,
        pain=chart.pain,
        morning_pain=chart.morning_pain,
        plan_changes=chart.plan_changes,
        sessions_title=plain(chart.sessions_title),
        sessions_label=plain(chart.sessions_label),
        planned_label=plain(chart.planned_label),
        pain_title=plain(chart.pain_title),
        pain_label=plain(chart.pain_label),
        morning_label=plain(chart.morning_label),
        plan_change_label=plain(chart.plan_change_label),
        no_pain=plain(chart.no_pain),
    )


def _draw(figure: ProgressFigure) -> bytes:
    # Imported with the first chart, in the worker thread: matplotlib takes about half a
    # second to import, which start-up and every process that never draws need not pay.
    from bot.charts.progress import draw_progress  # noqa: PLC0415

    return draw_progress(figure)


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
