"""One outbox for everything the bot sends on its own: claim, lease, send, record.

:mod:`bot.outbox.engine` is the engine, :mod:`bot.outbox.kind` what it asks of each kind of
message, :mod:`bot.outbox.reminders` the first kind, :mod:`bot.outbox.morning` the next-morning
pain check. Nothing here imports :mod:`bot.handlers` or :mod:`bot.context`: what the engine
needs is handed to it.
"""

from bot.outbox.engine import Outbox, Policy, WaveStats, duplicate_bound
from bot.outbox.kind import Admission, ClaimStats, OutboxKind, Outgoing, enqueue
from bot.outbox.morning import MorningChecks
from bot.outbox.reminders import Reminders

__all__ = [
    "Admission",
    "ClaimStats",
    "MorningChecks",
    "Outbox",
    "OutboxKind",
    "Outgoing",
    "Policy",
    "Reminders",
    "WaveStats",
    "duplicate_bound",
    "enqueue",
]
