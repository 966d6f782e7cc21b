"""A therapist's view of their patients: the list, finding one by name, one patient's record,
and the limits of a note. Plain values in, screens out; nothing here reads the database.

Who may see what is not decided here: every caller has already asked
:meth:`bot.turns.Turn.in_my_care` for the patient it shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.domain.alerts import urgency
from bot.domain.reminder_rules import is_paused
from bot.domain.screens import Choice, Label, ProgressChart, Scope, Screen, Text

# How far back the record looks, in the patient's local days (today included).
RECORD_DAYS = 14
# The longest note a therapist may send, and the longest reply a patient may give, in
# characters: a note is a short word between sessions, not a letter.
NOTE_LIMIT = 500
# The reasons a therapist may give for pausing a patient's reminders: keys of
# ``pause.reasons`` in the messages, which the patient's own settings and the summary show.
THERAPIST_PAUSE_REASONS = ("therapist", "illness", "flare_up", "travel")
# The safety events the record lists, newest first; older ones are counted.
EVENTS_SHOWN = 5
# Patients listed with a button each; more are counted, and found with /patient <name>.
LIST_LIMIT = 40
# The flags of events that are not red flags, each worded as ``patients.events.<flag>``.
WORDED_FLAGS = frozenset(
    {
        "pain_severe",
        "pain_high",
        "pain_above_baseline",
        "worse_mornings",
        "silent",
        "low_adherence",
    }
)


class Status(StrEnum):
    """Where a patient's reminders stand, as the therapist's list shows it."""

    ACTIVE = "active"
    PAUSED = "paused"
    NO_REMINDERS = "no_reminders"  # they turned reminders off (or never turned them on)
    BLOCKED = "blocked"  # they blocked the bot: nothing reaches them


def status_of(
    *,
    is_active: bool,
    reminders_opt_in: bool,
    paused_at: datetime | None,
    paused_until: datetime | None,
    now: datetime,
) -> Status:
    """The patient's status; a block outranks a pause, a pause outranks reminders being off."""
    if not is_active:
        return Status.BLOCKED
    if is_paused(paused_at, paused_until, now):
        return Status.PAUSED
    if not reminders_opt_in:
        return Status.NO_REMINDERS
    return Status.ACTIVE


def status_text(status: Status, pause_reason: str | None) -> Text:
    """One line of status: "active", "paused (flare-up)", "no reminders"."""
    if status is Status.PAUSED:
        reason = Text(f"pause.reasons.{pause_reason or 'other'}")
        return Text("patients.status.paused", {"reason": reason})
    return Text(f"patients.status.{status}")


# -- finding a patient -----------------------------------------------------------------------


def normalised(name: str) -> str:
    """A name as searches compare it: case folded ("Müller" = "MÜLLER"), spaces collapsed."""
    return " ".join(name.casefold().split())


def matching(names: Iterable[tuple[int, str]], query: str) -> list[int]:
    """The ids of the names that contain ``query`` (any case, any spacing), in the given
    order; none for an empty query."""
    wanted = normalised(query)
    if not wanted:
        return []
    return [patient_id for patient_id, name in names if wanted in normalised(name)]


# -- notes -----------------------------------------------------------------------------------


class NoteProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


def note_problem(text: str) -> NoteProblem | None:
    """What is wrong with a typed note or reply, if anything (see :data:`NOTE_LIMIT`)."""
    cleaned = text.strip()
    if not cleaned:
        return NoteProblem.EMPTY
    if len(cleaned) > NOTE_LIMIT:
        return NoteProblem.TOO_LONG
    return None


# -- the list --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One patient in the therapist's list."""

    patient_id: int
    name: str
    status: Status
    pause_reason: str | None = None


def open_button(entry: ListEntry) -> Choice:
    return Choice(entry.name, "pt_open", entry.patient_id, scope=Scope.THERAPIST)


def list_screen(entries: Sequence[ListEntry]) -> Screen:
    """The therapist's patients, a line and a button each (the first :data:`LIST_LIMIT`)."""
    if not entries:
        return Screen(body=(Text("patients.none"),))
    shown = entries[:LIST_LIMIT]
    lines = tuple(
        Text(
            "patients.list_line",
            {"name": entry.name, "status": status_text(entry.status, entry.pause_reason)},
        )
        for entry in shown
    )
    more = (
        (Text("patients.list_more", {"count": len(entries) - len(shown)}),)
        if len(entries) > len(shown)
        else ()
    )
    return Screen(
        body=(Text("patients.list_title", {"count": len(entries)}), *lines, *more),
        choices=tuple((open_button(entry),) for entry in shown),
    )


def matches_screen(query: str, entries: Sequence[ListEntry]) -> Screen:
    """More than one patient matched: a button each."""
    return Screen(
        body=(Text("patients.several", {"query": query}),),
        choices=tuple((open_button(entry),) for entry in entries[:LIST_LIMIT]),
    )


# -- the record ------------------------------------------------------------------------------


class PlanSource(StrEnum):
    STARTER = "starter"  # the bot's starter plan: no plan of their own
    OWN = "own"  # their own, changed by progression suggestions they accepted
    THERAPIST = "therapist"  # a therapist set it


@dataclass(frozen=True, slots=True)
class PlanView:
    source: PlanSource
    drill_names: tuple[str, ...]
    per_reminder: int
    locked: bool
    days_per_week: int | None = None


@dataclass(frozen=True, slots=True)
class EventView:
    """A safety event as the record lists it: when (the therapist's local time), what."""

    at: datetime
    what: Label
    severity: str
    acknowledged: bool


@dataclass(frozen=True, slots=True)
class DayView:
    """One local day of the record."""

    date: date
    done: int
    planned: int
    pain: int | None  # the highest a check-in reported
    morning_pain: int | None
    morning_worse: bool  # the morning check said "worse"


@dataclass(frozen=True)
class RecordView:
    patient_id: int
    name: str
    linked_on: date
    status: Status
    pause_reason: str | None
    days: tuple[DayView, ...]  # the last RECORD_DAYS days, oldest first
    events: tuple[EventView, ...]  # in the window, newest first
    plan: PlanView
    last_note: tuple[date, bool] | None = None  # sent on, replied


def event_label(flag: str, red_flags: Mapping[str, str]) -> Label:
    """What an event's flag means: a red flag's words from the catalogue, a pain or
    adherence rule's from the messages, and a plain word for anything else."""
    if flag in red_flags:
        return Text("patients.events.red_flag", {"flag": red_flags[flag]})
    if flag in WORDED_FLAGS:
        return Text(f"patients.events.{flag}")
    return Text("patients.events.other")


def when_label(at: datetime) -> Text:
    return Text("patients.when", {"date": short_date(at.date()), "time": at.strftime("%H:%M")})


def short_date(day: date) -> Text:
    return Text(
        "progress.chart.day",
        {"day": day.day, "month": Text(f"progress.chart.months.{MONTHS[day.month - 1]}")},
    )


MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def history_lines(days: Sequence[DayView]) -> tuple[Text, ...]:
    """The window's sessions, pain after drills and morning checks, one line each."""
    done = sum(day.done for day in days)
    planned = sum(day.planned for day in days)
    active = sum(1 for day in days if day.done)
    sessions = (
        Text(
            "patients.record.sessions",
            {"done": done, "planned": planned, "active": active, "days": len(days)},
        )
        if planned or done
        else Text("patients.record.no_sessions", {"days": len(days)})
    )
    pains = [(day.date, day.pain) for day in days if day.pain is not None]
    if pains:
        latest_day, latest = pains[-1]
        pain = Text(
            "patients.record.pain",
            {
                "highest": max(score for _, score in pains),
                "count": len(pains),
                "latest": latest,
                "latest_on": short_date(latest_day),
            },
        )
    else:
        pain = Text("patients.record.no_pain")
    mornings = [day for day in days if day.morning_pain is not None or day.morning_worse]
    if mornings:
        scores = [day.morning_pain for day in mornings if day.morning_pain is not None]
        morning = Text(
            "patients.record.mornings",
            {
                "count": len(mornings),
                "highest": max(scores) if scores else "–",
                "worse": sum(1 for day in mornings if day.morning_worse),
            },
        )
    else:
        morning = Text("patients.record.no_mornings")
    return (sessions, pain, morning)


def event_lines(events: Sequence[EventView]) -> tuple[Text, ...]:
    if not events:
        return (Text("patients.record.no_events"),)
    lines = [
        Text(
            "patients.record.event_acknowledged" if event.acknowledged else "patients.record.event",
            {
                "when": when_label(event.at),
                "what": event.what,
                "severity": Text(f"patients.severity.{severity_word(event.severity)}"),
            },
        )
        for event in events[:EVENTS_SHOWN]
    ]
    if len(events) > EVENTS_SHOWN:
        lines.append(Text("patients.record.events_more", {"count": len(events) - EVENTS_SHOWN}))
    return (Text("patients.record.events_title", {"count": len(events)}), *lines)


SEVERITIES = frozenset({"critical", "high", "low", "notice"})


def severity_word(severity: str) -> str:
    """How urgent an event is, in the words the alerts use: a red flag's tier
    (``same_day_care``, ...) as its urgency, never as the tier's id."""
    return severity if severity in SEVERITIES else urgency(severity).value


def plan_line(plan: PlanView) -> Text:
    days = (
        Text("patients.record.plan_days", {"days": plan.days_per_week})
        if plan.days_per_week
        else ""
    )
    return Text(
        "patients.record.plan_locked" if plan.locked else "patients.record.plan",
        {
            "source": Text(f"patients.plan_source.{plan.source}"),
            "drills": ", ".join(plan.drill_names) or "–",
            "count": len(plan.drill_names),
            "per_reminder": plan.per_reminder,
            "days": days,
        },
    )


def record_screen(record: RecordView, chart: ProgressChart | None) -> Screen:
    """One patient's last two weeks, their plan and the actions on them."""
    note = (
        ()
        if record.last_note is None
        else (
            Text(
                "patients.record.note_replied"
                if record.last_note[1]
                else "patients.record.note_sent",
                {"on": short_date(record.last_note[0])},
            ),
        )
    )
    body = (
        Text(
            "patients.record.title",
            {"name": record.name, "since": short_date(record.linked_on)},
        ),
        Text(
            "patients.record.status",
            {"status": status_text(record.status, record.pause_reason)},
        ),
        Text("patients.record.window", {"count": len(record.days)}),
        *history_lines(record.days),
        *event_lines(record.events),
        plan_line(record.plan),
        *note,
    )
    return Screen(body=body, chart=chart, choices=record_choices(record))


def record_choices(record: RecordView) -> tuple[tuple[Choice, ...], ...]:
    pid = record.patient_id

    def button(key: str, action: str, *args: str | int) -> Choice:
        return Choice(Text(f"patients.buttons.{key}"), action, pid, *args, scope=Scope.THERAPIST)

    paused = record.status is Status.PAUSED
    return (
        (button("plan", "pl_open"), button("note", "pt_note")),
        (
            button("resume", "pt_resume") if paused else button("pause", "pt_pause"),
            button("unlock", "pt_unlock") if record.plan.locked else button("lock", "pt_lock"),
        ),
        (button("discharge", "pt_discharge"),),
    )


def pause_reasons_screen(patient_id: int, name: str) -> Screen:
    """Why the therapist pauses the patient's reminders: a button per reason."""
    return Screen(
        body=(Text("patients.pause.ask", {"name": name}),),
        choices=(
            *(
                (
                    Choice(
                        Text(f"pause.reasons.{reason}"),
                        "pt_pause",
                        patient_id,
                        reason,
                        scope=Scope.THERAPIST,
                    ),
                )
                for reason in THERAPIST_PAUSE_REASONS
            ),
            (back_button(patient_id),),
        ),
    )


def discharge_screen(patient_id: int, name: str) -> Screen:
    """Discharging is for good: asked once more."""
    return Screen(
        body=(Text("patients.discharge.ask", {"name": name}),),
        choices=(
            (
                Choice(
                    Text("patients.buttons.discharge_confirm"),
                    "pt_discharge",
                    patient_id,
                    "yes",
                    scope=Scope.THERAPIST,
                ),
            ),
            (back_button(patient_id),),
        ),
    )


def back_button(patient_id: int) -> Choice:
    return Choice(Text("patients.buttons.back"), "pt_open", patient_id, scope=Scope.THERAPIST)
