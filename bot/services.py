"""The long-lived objects every handler needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.library import Library
from bot.domain.onboarding import Onboarding
from bot.settings import Settings
from content.messages import MessageCatalogue
from db.engine import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    messages: MessageCatalogue
    onboarding: Onboarding
    library: Library
    clock: Clock
