"""The reminder rules over plain values: what becomes of an occurrence, fatigue, quiet hours.

Nothing here reads or writes the database; the outbox's reminder kind
(:mod:`bot.outbox.reminders`) and the answers to a reminder (:mod:`bot.domain.reminders`) are
the thin layers that feed these functions and store what they decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.schedule import local_occurrence
from db.models import DeliveryStatus

# A reminder sent more than this after its due time is marked late.
LATE_AFTER = timedelta(minutes=5)
# Missed occurrences further back than this are not written to the ledger one by one.
MAX_BACKFILL = timedelta(days=14)
SNOOZE_OPTIONS = {"30": timedelta(minutes=30), "60": timedelta(hours=1)}
MAX_SNOOZES = 3

# Reminder fatigue: after this many unanswered reminders, only the first slot of a day is
# sent; at STILL_THERE_AT a gentle "still there?" replaces the reminder; beyond it, a reminder
# goes out every SPARSE_EVERY_DAYS days until the patient answers one.
THIN_AFTER = 3
STILL_THERE_AT = 6
SPARSE_EVERY_DAYS = 3


class Kind(StrEnum):
    """The reminder's variant, stored in the ledger row's ``kind``."""

    REMINDER = "reminder"
    SNOOZE = "snooze"
    STILL_THERE = "still_there"


class Fatigue(StrEnum):
    SEND = "send"
    THIN = "thin"
    STILL_THERE = "still_there"


def fatigue(unanswered: int, slot_index: int, day: date) -> Fatigue:
    """What reminder fatigue allows for this occurrence."""
    if unanswered < THIN_AFTER:
        return Fatigue.SEND
    if slot_index != 0:
        return Fatigue.THIN
    if unanswered < STILL_THERE_AT:
        return Fatigue.SEND
    if unanswered == STILL_THERE_AT:
        return Fatigue.STILL_THERE
    return Fatigue.SEND if day.toordinal() % SPARSE_EVERY_DAYS == 0 else Fatigue.THIN


def in_quiet_hours(at: time, start: time | None, end: time | None) -> bool:
    """Whether local time ``at`` falls in [start, end), a window that may wrap past midnight."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def is_paused(paused_at: datetime | None, paused_until: datetime | None, at: datetime) -> bool:
    """Whether a pause begun at ``paused_at`` (until ``paused_until``, or open) covers ``at``."""
    if paused_at is None:
        return False
    return paused_until is None or at < paused_until


def is_late(due_at: datetime, now: datetime) -> bool:
    return now - due_at > LATE_AFTER


def past_grace(due_at: datetime, now: datetime, grace: timedelta) -> bool:
    """Too long after its time to send at all: the bot was down (recorded ``missed``)."""
    return now - due_at > grace


def advance_from(due_at: datetime, now: datetime) -> datetime:
    """Where a slot's next occurrence is searched from once ``due_at`` is dealt with.

    One long gone jumps to the backfill horizon, so a long downtime writes at most
    ``MAX_BACKFILL`` of missed occurrences.
    """
    return max(due_at, now - MAX_BACKFILL)


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the rules need to know of the patient a reminder is for."""

    unanswered_reminders: int
    paused_at: datetime | None
    paused_until: datetime | None
    quiet_start: time | None
    quiet_end: time | None
    # The tier of a red flag the patient reported and has not been cleared of since.
    safety_hold: str | None = None

    @classmethod
    def of(cls, patient: _HasRecipientFields) -> Recipient:
        """The fields these rules read, from a patient row or a due slot's plain row."""
        return cls(
            patient.unanswered_reminders,
            patient.paused_at,
            patient.paused_until,
            patient.quiet_start,
            patient.quiet_end,
            patient.safety_hold,
        )


class _HasRecipientFields(Protocol):
    @property
    def unanswered_reminders(self) -> int: ...
    @property
    def paused_at(self) -> datetime | None: ...
    @property
    def paused_until(self) -> datetime | None: ...
    @property
    def quiet_start(self) -> time | None: ...
    @property
    def quiet_end(self) -> time | None: ...
    @property
    def safety_hold(self) -> str | None: ...


def decide_occurrence(
    patient: Recipient,
    due_at: datetime,
    slot_index: int,
    local_day: date,
    zone: ZoneInfo,
    now: datetime,
    grace: timedelta,
) -> tuple[DeliveryStatus, Kind]:
    """What becomes of a slot's occurrence due at ``due_at``: sent (as which variant) or not.

    ``slot_index`` is the slot's place among the patient's times of day (0 is the first).
    """
    if past_grace(due_at, now, grace):
        return DeliveryStatus.MISSED, Kind.REMINDER
    if is_paused(patient.paused_at, patient.paused_until, due_at):
        return DeliveryStatus.PAUSED, Kind.REMINDER
    if patient.safety_hold is not None:
        return DeliveryStatus.HELD, Kind.REMINDER
    if is_late(due_at, now) and _quiet_now(patient, zone, now):
        return DeliveryStatus.QUIET, Kind.REMINDER
    verdict = fatigue(patient.unanswered_reminders, slot_index, local_day)
    if verdict == Fatigue.THIN:
        return DeliveryStatus.THINNED, Kind.REMINDER
    if verdict == Fatigue.STILL_THERE:
        return DeliveryStatus.CLAIMED, Kind.STILL_THERE
    return DeliveryStatus.CLAIMED, Kind.REMINDER


def decide_again(
    patient: Recipient,
    *,
    active: bool,
    opted_in: bool,
    zone_name: str | None,
    due_at: datetime,
    now: datetime,
    grace: timedelta,
) -> DeliveryStatus:
    """What becomes of a ledger row taken up again: a snooze now due, a claim whose process
    died, or a failed attempt whose back-off has run out.

    Raises when the patient's zone cannot be loaded: the outbox then records the failure and
    tries again later, since a schedule means nothing without its zone.
    """
    if not active:
        return DeliveryStatus.FAILED
    if not opted_in or past_grace(due_at, now, grace):
        return DeliveryStatus.MISSED
    zone = ZoneInfo(zone_name or "UTC")
    if is_paused(patient.paused_at, patient.paused_until, now):
        return DeliveryStatus.PAUSED
    if patient.safety_hold is not None:
        return DeliveryStatus.HELD
    if is_late(due_at, now) and _quiet_now(patient, zone, now):
        return DeliveryStatus.QUIET
    return DeliveryStatus.CLAIMED


def _quiet_now(patient: Recipient, zone: ZoneInfo, now: datetime) -> bool:
    return in_quiet_hours(now.astimezone(zone).time(), patient.quiet_start, patient.quiet_end)


def outside_quiet_hours(
    due: datetime, zone: ZoneInfo, quiet_start: time | None, quiet_end: time | None
) -> datetime:
    """``due``, or the end of the quiet hours it falls in (for a snooze: never wake anyone)."""
    if quiet_end is None:
        return due
    local = due.astimezone(zone)
    if not in_quiet_hours(local.time(), quiet_start, quiet_end):
        return due
    end = local_occurrence(local.date(), quiet_end, zone)
    return end if end > due else local_occurrence(local.date() + timedelta(days=1), quiet_end, zone)


def next_snooze_key(slot_key: str) -> str | None:
    """The ledger key of the next snooze of a reminder ("07:30" -> "07:30~1"); ``None`` once
    it was snoozed ``MAX_SNOOZES`` times."""
    base, _, count = slot_key.partition("~")
    snoozes = int(count or 0) + 1
    return f"{base}~{snoozes}" if snoozes <= MAX_SNOOZES else None
