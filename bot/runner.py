"""How the bot runs against Telegram: long polling or webhook (the local demo is `bot.demo`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

from telegram import Update

from bot.app import build_application
from bot.settings import Settings
from db.migrate import upgrade_to_head

logger = logging.getLogger(__name__)


def run_bot(settings: Settings) -> None:
    """``reed run``: apply migrations, then poll Telegram or serve the webhook."""
    asyncio.run(upgrade_to_head(settings.database_url))
    application = build_application(settings)
    if settings.webhook_url is None:
        logger.info("starting long polling against %s", settings.api_root)
        application.run_polling(allowed_updates=Update.ALL_TYPES)
        return
    options = webhook_options(settings)
    logger.info("serving the webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
    application.run_webhook(**options)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Where the webhook server listens, and the secret Telegram must present.

    PTB's webhook server answers 403 to any request without the right
    ``X-Telegram-Bot-Api-Secret-Token`` header, so forged updates never reach a handler.
    """
    assert settings.webhook_url is not None
    assert settings.webhook_secret is not None  # enforced by Settings
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlparse(str(settings.webhook_url)).path.strip("/"),
        "webhook_url": str(settings.webhook_url),
        "secret_token": settings.webhook_secret.get_secret_value(),
        "allowed_updates": Update.ALL_TYPES,
    }
