"""The long-lived objects every handler needs, built once by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.clock import Clock
from bot.domain.library import Library
from bot.domain.red_flags import Alarm
from bot.domain.reminders import ReminderAnswers
from bot.domain.safety_screens import SafetyScreens
from bot.flows.engine import Engine
from bot.outbox import Outbox
from bot.settings import Settings
from bot.turns import Turns
from content.messages import MessageCatalogue
from db.engine import Database
from db.plan_queries import PatientPlans


@dataclass
class Services:
    settings: Settings
    db: Database
    messages: MessageCatalogue
    turns: Turns
    conversations: Engine
    library: Library
    reminder_answers: ReminderAnswers
    safety: SafetyScreens
    # The most severe red flag a typed text reports, in any language the bot speaks.
    red_flags: Callable[[str], Alarm | None]
    outbox: Outbox
    clock: Clock
    # Each patient's plan (their own, else the starter plan, without stopped drills); its
    # ``starter`` is what a first accepted change copies into a plan of the patient's own.
    plans: PatientPlans
