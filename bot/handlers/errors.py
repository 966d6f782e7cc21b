"""The error handler: log what failed (never what the patient wrote), apologise, carry on."""

from __future__ import annotations

import logging
import traceback

from telegram import Chat, Update
from telegram.error import TelegramError

from bot.context import ReedContext
from bot.handlers.render import say

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ReedContext) -> None:
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    # An exception's text can quote what the patient wrote or, for database errors, the
    # statement parameters: only its type and the code locations go to the log.
    where = "".join(traceback.format_tb(error.__traceback__)) if error else ""
    logger.error("update %s failed: %s\n%s", update_id, type(error).__name__, where)
    if not isinstance(update, Update):
        return
    chat = update.effective_chat
    if chat is None or chat.type != Chat.PRIVATE:
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await say(update, context, "errors.generic")
    except TelegramError:
        logger.warning("could not tell chat about failed update %s", update_id)
