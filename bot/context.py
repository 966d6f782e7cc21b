"""The typed callback context: handlers reach the services through ``context.services``."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services

SERVICES_KEY = "services"


class ReedContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    @property
    def services(self) -> Services:
        return cast(Services, self.bot_data[SERVICES_KEY])


ReedApplication = Application[
    ExtBot[None], ReedContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
