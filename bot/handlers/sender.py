"""Who sent an update, as the rules need to know them."""

from __future__ import annotations

from telegram import Update

from bot.turns import TelegramUser


def user_of(update: Update) -> TelegramUser:
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None, "the guard lets only updates from a user through"
    assert chat is not None, "the guard lets only updates in a chat through"
    return TelegramUser(id=user.id, chat_id=chat.id, language_code=user.language_code)
