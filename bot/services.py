"""The long-lived objects every handler needs, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.library import Library
from bot.domain.reminders import ReminderAnswers
from bot.flows.engine import Engine
from bot.outbox import Outbox
from bot.settings import Settings
from bot.turns import Turns
from content.messages import MessageCatalogue
from db.engine import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    messages: MessageCatalogue
    turns: Turns
    conversations: Engine
    library: Library
    reminder_answers: ReminderAnswers
    outbox: Outbox
    clock: Clock
