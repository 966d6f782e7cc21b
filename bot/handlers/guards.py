"""Checks every update passes before any feature sees it.

Runs in the lowest handler group; an update that fails a check gets a friendly reply and
:class:`ApplicationHandlerStop` keeps it away from the features, so nothing stored changes.
The stop is raised whether or not the reply could be delivered: refused input is never acted
on, even when Telegram answers the refusal with a 429 or the network times out.

Every kind of message gets the same checks: ordinary messages, messages to a business account
the bot is connected to, and their edits.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

from telegram import Chat, ChatMember, Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import ReedContext
from bot.domain.screens import Text
from bot.handlers import safety
from bot.handlers.render import messages_for

logger = logging.getLogger(__name__)

# Patients answer with a number, a time or a short question; anything longer is a mistake
# (or a paste), and we refuse it rather than store or search it.
MAX_INPUT_CHARS = 500

# The bot's own membership statuses that mean it is (still) in a chat.
_PRESENT = (ChatMember.OWNER, ChatMember.ADMINISTRATOR, ChatMember.MEMBER, ChatMember.RESTRICTED)


async def guard_update(update: Update, context: ReedContext) -> None:
    chat = update.effective_chat
    if chat is not None and chat.type != Chat.PRIVATE:
        await _leave_group(update, context, chat)
    if update.my_chat_member is not None:
        return  # block and unblock in a private chat are handled on their own
    if chat is None or update.effective_user is None:
        raise ApplicationHandlerStop  # polls, inline queries, reactions: not for us
    message = update.effective_message
    if message is None or update.callback_query is not None:
        return  # button presses go on; their data is checked by the codec
    edited = update.edited_message is not None or update.edited_business_message is not None
    if edited and message.location is not None:
        # A live location sends an edit for every position; the share itself was answered.
        raise ApplicationHandlerStop
    refusal = _refusal(message, edited)
    if refusal is None:
        return
    # Words no feature will read are still read for red flags: a symptom typed into an edit,
    # a long message or a photo's caption gets its safety wording, not a refusal.
    typed = message.text if message.text is not None else message.caption
    if typed and message.business_connection_id is None:
        alarm = context.services.red_flags(typed)
        if alarm is not None:
            await safety.answer_typed_alarm(update, context, alarm)
            raise ApplicationHandlerStop
    await _refuse(update, context, message, refusal, limit=MAX_INPUT_CHARS)


def _refusal(message: Message, edited: bool) -> str | None:
    """Why the message is refused (a catalogue key), or None if the features may read it."""
    if edited:
        return "guard.edited"
    if message.text is not None:
        return "guard.too_long" if len(message.text) > MAX_INPUT_CHARS else None
    if message.location is not None:
        return None
    return "guard.unsupported"


async def _leave_group(update: Update, context: ReedContext, chat: Chat) -> NoReturn:
    """Say once why the bot does not work here, and leave: health data stays in private chats."""
    change = update.my_chat_member
    if change is not None and change.new_chat_member.status not in _PRESENT:
        raise ApplicationHandlerStop  # the bot was removed (or left): nothing to say or leave
    query = update.callback_query
    if query is not None:
        await _attempt("answer a button press", query.answer)

    async def explain() -> None:
        text = messages_for(update, context, None).html(Text("guard.group_chat"))
        await context.bot.send_message(chat.id, text)

    await _attempt("explain a group chat", explain)
    await _attempt("leave a group chat", lambda: context.bot.leave_chat(chat.id))
    raise ApplicationHandlerStop


async def _refuse(
    update: Update, context: ReedContext, message: Message, key: str, **params: object
) -> NoReturn:
    """Tell the sender why their message is not acted on; never let it through."""

    async def explain() -> None:
        text = messages_for(update, context, None).html(Text(key, params))
        await context.bot.send_message(
            message.chat_id,
            text,
            # A message to a business account is answered in that account's chat.
            business_connection_id=message.business_connection_id,
        )

    await _attempt(f"refuse a message ({key})", explain)
    raise ApplicationHandlerStop


async def _attempt(what: str, call: Callable[[], Awaitable[object]]) -> None:
    """Run a reply or Bot API call whose failure must not change what the guard decided.

    The failure is logged by its type only: its text can quote what the patient wrote.
    """
    try:
        await call()
    except Exception as error:  # a 429, a timeout, a network error, a 403...
        logger.warning("guard could not %s: %s", what, type(error).__name__)
