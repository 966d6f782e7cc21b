"""Handler registration: every handler, its group and its order, declared in one place."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.callback_data import (
    LibraryButton,
    ReminderButton,
    SafetyButton,
    TherapistButton,
    pattern,
)
from bot.context import SERVICES_KEY, ReedApplication, ReedContext
from bot.flows import FLOWS
from bot.handlers import (
    alerts,
    flow,
    invites,
    library,
    patients,
    plans,
    reminders,
    safety,
    summaries,
    therapist,
)
from bot.handlers.errors import on_error
from bot.handlers.guards import guard_update
from bot.handlers.membership import my_chat_member
from bot.services import Services

# Group -1: the guard sees every update first and stops the ones no feature should see
#           (group chats, edited messages, stickers, oversized text).
GUARD_GROUP = -1
# Group 0: features. Within a group the first matching handler wins, so commands come before
#          the catch-all text handler, and the unknown-command reply comes last.
FEATURE_GROUP = 0

# The order of the command menu Telegram shows.
COMMANDS = (
    "start",
    "reminders",
    "checkin",
    "goals",
    "progress",
    "therapist",
    "learn",
    "drills",
    "safety",
    "settings",
    "language",
    "help",
    "cancel",
)


def feature_handlers(services: Services) -> list[BaseHandler[Update, ReedContext, Any]]:
    private = filters.ChatType.PRIVATE
    flow_commands: list[BaseHandler[Update, ReedContext, Any]] = [
        CommandHandler(conversation.command, flow.command(conversation.command), filters=private)
        for conversation in FLOWS.values()
        if conversation.command
    ]
    return [
        # A deep link (/start <code>) is an invite, or a link that is none: never set-up's.
        CommandHandler("start", invites.start(COMMANDS), filters=private & invites.DEEP_LINK),
        *flow_commands,
        CommandHandler("cancel", flow.cancel, filters=private),
        CommandHandler("help", invites.help_command, filters=private),
        CommandHandler("learn", library.learn, filters=private),
        CommandHandler("drills", library.drills, filters=private),
        CommandHandler("language", library.choose_language, filters=private),
        CommandHandler("safety", safety.safety_command, filters=private),
        CommandHandler("summary", summaries.summary_command, filters=private),
        CommandHandler("invite", invites.invite, filters=private),
        CommandHandler("patients", patients.patients_command, filters=private),
        CommandHandler("patient", patients.patient_command, filters=private),
        # Library buttons carry their own target; every other button belongs to a flow step.
        CallbackQueryHandler(library.button, pattern=pattern(LibraryButton)),
        CallbackQueryHandler(reminders.button, pattern=pattern(ReminderButton)),
        CallbackQueryHandler(safety.button, pattern=pattern(SafetyButton)),
        # Every therapist button, whichever feature it belongs to: the sender is checked first.
        CallbackQueryHandler(
            therapist.button(
                therapist.merge(
                    invites.ACTIONS,
                    summaries.ACTIONS,
                    alerts.ACTIONS,
                    patients.actions(services.conversations),
                    plans.actions(services.conversations),
                )
            ),
            pattern=pattern(TherapistButton),
        ),
        CallbackQueryHandler(flow.button),
        MessageHandler(private & filters.LOCATION, flow.location),
        MessageHandler(private & filters.COMMAND, flow.unknown_command),
        MessageHandler(private & filters.TEXT, flow.text),
        ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER),
    ]


def register_handlers(application: ReedApplication) -> None:
    application.add_handler(TypeHandler(Update, guard_update), group=GUARD_GROUP)
    services: Services = application.bot_data[SERVICES_KEY]
    application.add_handlers(feature_handlers(services), group=FEATURE_GROUP)
    application.add_error_handler(on_error)
