"""Therapist alerts and patient flags: when a safety event reaches the patient's therapist,
what the message says, and which patients are flagged for a look.

Plain values in, plain values out; :mod:`bot.outbox.alerts` reads the rows and writes the
ledger, ``content/CLINICAL.md`` ("Therapist alerts") explains the choices to a clinician.

**Alerts.** A safety event (a red flag typed or chosen on the safety screen, a pain rule of a
check-in or of the next-morning check) goes to the therapist of the patient as soon as the
patient has one. Its urgency follows from its severity (:func:`urgency`):

- critical (emergency services, same-day care, severe pain): at once, day or night, and once
  more after :data:`REPEAT_AFTER` unless acknowledged by then;
- high (contact the therapist, high pain, pain above the patient's baseline): at once;
- low (pain worse two mornings in a row): at once by day; in the therapist's night
  (:data:`NIGHT_START`-:data:`NIGHT_END`, their time zone) at the night's end.

An event :data:`STALE_AFTER` old or older when it reaches the therapist (stored before the
patient had one, or while the bot was down) is history, not an emergency: it is treated as
low and never repeated.

**Flags** (severity :data:`NOTICE`): a patient silent for :data:`SILENT_DAYS` days, or who
did less than :data:`LOW_ADHERENCE` of their sessions over :data:`ADHERENCE_DAYS` days, is
flagged once per episode, in one message per therapist and day, from :data:`FLAGS_TIME`
(their time) and never at night.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.adherence import DayAdherence
from bot.domain.screens import Choice, Scope, Screen, Text
from db.models import SafetyEvent

__all__ = [
    "ACK_ACTION",
    "ADHERENCE_DAYS",
    "FLAGS_TIME",
    "LOW_ADHERENCE",
    "NIGHT_END",
    "NIGHT_START",
    "NOTICE",
    "OPEN_ACTION",
    "REPEAT_AFTER",
    "SILENT_DAYS",
    "STALE_AFTER",
    "AlertView",
    "Flag",
    "FlaggedPatient",
    "ReminderDay",
    "Urgency",
    "alert_due",
    "alert_screen",
    "delivery_urgency",
    "flags_due",
    "flags_screen",
    "in_night",
    "low_adherence",
    "low_adherence_since",
    "night_end_after",
    "repeats",
    "silent",
    "silent_flagged_already",
    "urgency",
    "zone_of",
]

# The therapist's night, in their own time zone: low-urgency alerts and flags wait for its end.
# A project choice (a working clinician's evening to their morning), awaiting clinical review.
NIGHT_START = time(21, 0)
NIGHT_END = time(7, 0)
# An unacknowledged critical alert is sent once more this long after the first.
REPEAT_AFTER = timedelta(minutes=30)
# An event this old when it first reaches a therapist is news of the past, not an emergency.
STALE_AFTER = timedelta(hours=24)
# The day's flags are looked at from this local time of the therapist's (until the night).
FLAGS_TIME = time(9, 0)
# Silent: reminders were sent over this many whole local days, and none was answered.
SILENT_DAYS = 3
# Low adherence: sessions done under this share of those prescribed over this many whole days.
LOW_ADHERENCE = 0.5
ADHERENCE_DAYS = 7

# The severity of a flag's safety event (no alert: it goes out in the day's flags message).
NOTICE = "notice"
ACK_ACTION = "al_ack"
OPEN_ACTION = "pt_open"  # the patients feature opens a patient's record


class Urgency(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    LOW = "low"


class Flag(StrEnum):
    """Why a patient is flagged (the ``flag`` of their notice)."""

    SILENT = "silent"
    LOW_ADHERENCE = "low_adherence"


# Severities as safety events store them: the red-flag tiers (bot.domain.safety.Severity) and
# the pain rules' levels (bot.domain.pain_rules.EventLevel).
_URGENCY = {
    "emergency_services": Urgency.CRITICAL,
    "same_day_care": Urgency.CRITICAL,
    "critical": Urgency.CRITICAL,
    "contact_therapist": Urgency.HIGH,
    "high": Urgency.HIGH,
    "low": Urgency.LOW,
}


def zone_of(name: str | None) -> ZoneInfo:
    """A stored time zone name as a zone; UTC when empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def urgency(severity: str) -> Urgency:
    """The urgency of an event's severity; an unknown one is high (at once, not repeated)."""
    return _URGENCY.get(severity, Urgency.HIGH)


def delivery_urgency(severity: str, occurred_at: datetime, now: datetime) -> Urgency:
    """How urgently an event that happened at ``occurred_at`` goes out when it reaches the
    therapist's outbox at ``now``: its :func:`urgency`, or low once :data:`STALE_AFTER` old."""
    if now - occurred_at >= STALE_AFTER:
        return Urgency.LOW
    return urgency(severity)


def in_night(local: time) -> bool:
    """Whether a local time of day is in the therapist's night (start included, end not)."""
    return local >= NIGHT_START or local < NIGHT_END


def night_end_after(now: datetime, zone: ZoneInfo) -> datetime:
    """The first end of a night (:data:`NIGHT_END` local time) at or after ``now``."""
    local = now.astimezone(zone)
    day = local.date() if local.time() <= NIGHT_END else local.date() + timedelta(days=1)
    return datetime.combine(day, NIGHT_END, zone).astimezone(UTC)


def alert_due(urgent: Urgency, now: datetime, zone: ZoneInfo) -> datetime:
    """When an alert of this urgency goes out, asked at ``now``: at once, or for a low one in
    the therapist's night at its end."""
    if urgent == Urgency.LOW and in_night(now.astimezone(zone).time()):
        return night_end_after(now, zone)
    return now


def repeats(urgent: Urgency) -> bool:
    """Whether an alert is sent once more if not acknowledged within :data:`REPEAT_AFTER`."""
    return urgent == Urgency.CRITICAL


def flags_due(now: datetime, zone: ZoneInfo) -> bool:
    """Whether a therapist's flags of the day may be looked at and sent now: from
    :data:`FLAGS_TIME` their time until the night starts."""
    local = now.astimezone(zone).time()
    return local >= FLAGS_TIME and not in_night(local)


# -- flags -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReminderDay:
    """A reminder of one local date, as the ledger holds it: did it reach the patient, and
    did they answer it (done, later or skip)."""

    local_date: date
    sent: bool
    answered: bool


def silent(reminders: Iterable[ReminderDay], today: date) -> bool:
    """Silent: over the :data:`SILENT_DAYS` whole local days before ``today``, at least one
    reminder reached the patient, and no reminder of those days or of today was answered.

    A patient paused or held gets no reminders (the ledger records them paused or held, not
    sent): not silent.
    """
    first = today - timedelta(days=SILENT_DAYS)
    days = [row for row in reminders if first <= row.local_date <= today]
    if any(row.answered for row in days):
        return False
    return any(row.sent and row.local_date < today for row in days)


def silent_flagged_already(last_notice: datetime | None, last_answer: datetime | None) -> bool:
    """A silence is one episode from the patient's last answer to their next: it was flagged
    already when a notice came after the last answer (or there was never an answer)."""
    if last_notice is None:
        return False
    return last_answer is None or last_answer < last_notice


def _low_on(by_date: dict[date, DayAdherence], day: date) -> bool:
    """Low adherence over the :data:`ADHERENCE_DAYS` whole days before ``day``."""
    window = [by_date.get(day - timedelta(days=back)) for back in range(1, ADHERENCE_DAYS + 1)]
    done = sum(found.done for found in window if found is not None)
    prescribed = sum(found.prescribed for found in window if found is not None)
    return prescribed > 0 and done < LOW_ADHERENCE * prescribed


def low_adherence(days: Sequence[DayAdherence], today: date) -> bool:
    """Low adherence on ``today``: of the sessions prescribed over the :data:`ADHERENCE_DAYS`
    whole days before it (:mod:`bot.domain.adherence`'s days: paused and held ones are not
    prescribed), fewer than :data:`LOW_ADHERENCE` were done. Nothing prescribed is not low."""
    return _low_on({day.date: day for day in days}, today)


def low_adherence_since(days: Sequence[DayAdherence], today: date) -> date | None:
    """The first day of the current episode of low adherence (None: not low today): the
    earliest day from which :func:`low_adherence` held every day up to ``today``, as far back
    as ``days`` allow (an episode longer than that starts where the days start)."""
    by_date = {day.date: day for day in days}
    if not by_date or not _low_on(by_date, today):
        return None
    earliest = min(by_date) + timedelta(days=ADHERENCE_DAYS)
    start = today
    while start > earliest and _low_on(by_date, start - timedelta(days=1)):
        start -= timedelta(days=1)
    return start


# -- what the therapist sees -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertView:
    """One alert as the therapist sees it: everything is in the therapist's time zone."""

    event_id: int
    patient_id: int
    patient_name: str
    flag: str
    severity: str
    source: str
    urgency: Urgency
    occurred_local: datetime
    repeat: bool = False
    acknowledged_local: datetime | None = None

    @classmethod
    def of(
        cls,
        event: SafetyEvent,
        patient_name: str,
        therapist_zone: str | None,
        *,
        repeat: bool = False,
    ) -> AlertView:
        """The alert of a stored event, its times in the therapist's zone."""
        zone = zone_of(therapist_zone)
        acknowledged = event.acknowledged_at
        return cls(
            event_id=event.id,
            patient_id=event.patient_id,
            patient_name=patient_name,
            flag=event.flag,
            severity=event.severity,
            source=event.source,
            urgency=urgency(event.severity),
            occurred_local=event.occurred_at.astimezone(zone),
            repeat=repeat,
            acknowledged_local=acknowledged.astimezone(zone) if acknowledged else None,
        )


_SOURCES = frozenset({"typed", "screen", "checkin", "morning"})


def _at(local: datetime) -> Text:
    return Text(
        "alerts.at",
        {
            "day": Text(f"days.short.{local.weekday()}"),
            "date": local.strftime("%d.%m.%Y"),
            "time": local.strftime("%H:%M"),
            "zone": local.tzname() or "",
        },
    )


def alert_screen(view: AlertView) -> Screen:
    """The alert: whose, what (the flag or pain rule in the catalogue's words; never the
    patient's), when, what the patient was told; and the buttons to open the record and to
    acknowledge (gone once acknowledged)."""
    source = view.source if view.source in _SOURCES else "other"
    body: list[Text] = []
    if view.repeat and view.acknowledged_local is None:
        body.append(Text("alerts.repeat", {"minutes": int(REPEAT_AFTER.total_seconds() // 60)}))
    body += [
        Text(f"alerts.heading.{view.urgency}", {"name": view.patient_name}),
        Text(f"alerts.what.{source}", {"flag": Text(f"alerts.flag.{view.flag}")}),
        Text("alerts.when", {"at": _at(view.occurred_local)}),
    ]
    if view.severity in _TOLD:
        body.append(Text(_TOLD[view.severity]))
    open_record = Choice(
        Text("alerts.open_button"), OPEN_ACTION, view.patient_id, scope=Scope.THERAPIST
    )
    if view.acknowledged_local is not None:
        body.append(Text("alerts.acknowledged", {"when": _at(view.acknowledged_local)}))
        return Screen(body=tuple(body), choices=((open_record,),))
    acknowledge = Choice(
        Text("alerts.ack_button"), ACK_ACTION, view.event_id, scope=Scope.THERAPIST
    )
    return Screen(body=tuple(body), choices=((acknowledge, open_record),))


# What the bot told the patient, by the event's severity.
_TOLD = {
    "emergency_services": "alerts.told.emergency_services",
    "same_day_care": "alerts.told.same_day_care",
    "contact_therapist": "alerts.told.contact_therapist",
    "critical": "alerts.told.pain",
    "high": "alerts.told.pain",
    "low": "alerts.told.pain",
}


@dataclass(frozen=True, slots=True)
class FlaggedPatient:
    patient_id: int
    name: str
    flags: tuple[Flag, ...]


# Telegram shows up to 100 buttons; a day's flags open at most this many records by button.
MAX_FLAG_BUTTONS = 20


def flags_screen(patients: Sequence[FlaggedPatient]) -> Screen:
    """The day's flags: each patient with what was noticed, and a button to their record."""
    body: list[Text] = [Text("alerts.flags.title")]
    for patient in patients:
        body.append(
            Text(
                "alerts.flags.patient",
                {
                    "name": patient.name,
                    "flags": tuple(
                        Text(
                            f"alerts.flags.{flag}",
                            {"days": SILENT_DAYS, "percent": round(LOW_ADHERENCE * 100)},
                        )
                        for flag in patient.flags
                    ),
                },
            )
        )
    buttons = tuple(
        (
            Choice(
                Text("alerts.flags.open", {"name": patient.name}),
                OPEN_ACTION,
                patient.patient_id,
                scope=Scope.THERAPIST,
            ),
        )
        for patient in patients[:MAX_FLAG_BUTTONS]
    )
    return Screen(body=tuple(body), choices=buttons)
