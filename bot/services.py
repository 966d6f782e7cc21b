"""The long-lived objects every handler needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.domain.clock import Clock
from bot.domain.library import Library
from bot.domain.onboarding import Onboarding
from bot.domain.reminders import ReminderAnswers, Reminders
from bot.settings import Settings
from content.messages import MessageCatalogue
from db.engine import Database

if TYPE_CHECKING:
    from bot.dispatcher import Dispatcher


@dataclass
class Services:
    settings: Settings
    db: Database
    messages: MessageCatalogue
    onboarding: Onboarding
    library: Library
    reminders: Reminders
    reminder_answers: ReminderAnswers
    dispatcher: Dispatcher
    clock: Clock
