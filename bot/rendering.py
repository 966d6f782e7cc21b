"""A :class:`Screen` as Telegram text and buttons, for handlers and the outbox alike.

No Telegram handler imports here: the outbox renders proactive messages with these functions
without reaching into :mod:`bot.handlers`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import Bot, InputFile

from bot.callback_data import (
    Args,
    FlowButton,
    LibraryButton,
    Payload,
    ReminderButton,
    SafetyButton,
    TherapistButton,
)
from bot.domain.screens import Attachment, Choice, Scope, Screen
from bot.rate_limit import BULK
from content.messages import Messages

# One button as the Bot API takes it in JSON.
JSONButton = dict[str, Any]


def body_of(shown: Screen, messages: Messages) -> str:
    """The screen's paragraphs as one HTML message text."""
    return "\n\n".join(messages.html(part) for part in shown.body)


def payload_of(choice: Choice, revision: int, subject: int) -> Payload:
    """The data a choice's button carries: a conversation's ``revision``, or the ``subject``
    (the ledger row) a reminder button answers."""
    if choice.scope == Scope.LIBRARY:
        return LibraryButton(choice.action, Args(choice.args))
    if choice.scope == Scope.SAFETY:
        return SafetyButton(choice.action, Args(choice.args))
    if choice.scope == Scope.THERAPIST:
        return TherapistButton(choice.action, Args(choice.args))
    if choice.scope == Scope.REMINDER:
        return ReminderButton(subject, choice.action, Args(choice.args))
    return FlowButton(revision, choice.action, Args(choice.args))


def labelled_choices(shown: Screen, messages: Messages) -> list[list[tuple[str, Choice]]]:
    """The screen's button rows with their labels in ``messages``' language."""
    return [[(messages.plain(choice.label), choice) for choice in row] for row in shown.choices]


def inline_keyboard(
    rows: list[list[tuple[str, Choice]]], *, revision: int = 0, subject: int = 0
) -> list[list[JSONButton]]:
    """Labelled rows (see :func:`labelled_choices`) as a Bot API ``inline_keyboard``."""
    return [
        [
            {"text": label, "callback_data": payload_of(choice, revision, subject).encode()}
            for label, choice in row
        ]
        for row in rows
    ]


async def send_attachments(
    bot: Bot,
    chat_id: int,
    attachments: Sequence[Attachment],
    messages: Messages,
    *,
    bulk: bool = False,
) -> int | None:
    """Send each attachment (drawn in a worker thread) to the chat, in order; the Telegram id
    of the first one sent, None when there were none. ``bulk``: after any reply waiting for
    the rate limiter (the outbox's priority)."""
    first: int | None = None
    extra = bulk_args(bot) if bulk else {}
    for attachment in attachments:
        data = await asyncio.to_thread(attachment.draw, messages)
        caption = messages.html(attachment.caption) if attachment.caption else None
        document = InputFile(data, filename=attachment.filename)
        if attachment.photo:
            sent = await bot.send_photo(chat_id, document, caption=caption, **extra)
        else:
            sent = await bot.send_document(chat_id, document, caption=caption, **extra)
        first = sent.message_id if first is None else first
    return first


def bulk_args(bot: Bot) -> dict[str, Any]:
    """The keyword that sends a message at the outbox's priority (after any waiting reply),
    when the bot has the priority rate limiter; nothing otherwise."""
    if getattr(bot, "rate_limiter", None) is None:
        return {}
    return {"rate_limit_args": BULK}
