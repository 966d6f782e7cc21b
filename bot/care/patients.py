"""The therapist's patients, one unit of work at a time: the list, the record, pausing and
resuming reminders, locking the plan, discharging, notes and the patient's one reply.

Every function that acts on a patient takes the :class:`~db.care_queries.InCare` the caller
got from :meth:`bot.turns.Turn.in_my_care`: it has already been checked that the patient is in
the sender's care. The patient is told what their therapist did through the outbox
(:mod:`bot.outbox.notes`), after this unit of work commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum

from bot.care.progress import load_progress, zone_of
from bot.domain import patient_record as rules
from bot.domain.patient_record import (
    DayView,
    EventView,
    ListEntry,
    PlanSource,
    PlanView,
    RecordView,
)
from bot.domain.plans import Plan
from bot.domain.progress import progress_chart
from bot.domain.reminders import pause as pause_reminders
from bot.domain.reminders import resume as resume_reminders
from bot.domain.screens import Screen
from bot.outbox import notes
from bot.turns import Therapist, Turn
from content.catalog import Catalog
from db import care_queries, queries
from db import patient_record_queries as prq
from db.care_queries import InCare
from db.models import Patient, split_drills

__all__ = [
    "InCare",
    "ReplyOutcome",
    "discharge",
    "find",
    "patient_list",
    "pause",
    "record",
    "reply_to_note",
    "resume",
    "send_note",
    "set_locked",
]

DISCHARGED = "discharged"  # CareLink.end_reason


def _entry(found: InCare, now: datetime) -> ListEntry:
    patient = found.patient
    status = rules.status_of(
        is_active=patient.is_active,
        reminders_opt_in=patient.reminders_opt_in,
        paused_at=patient.paused_at,
        paused_until=patient.paused_until,
        now=now,
    )
    return ListEntry(patient.id, found.name, status, patient.pause_reason)


async def patient_list(turn: Turn, therapist: Therapist) -> list[ListEntry]:
    """The therapist's current patients, by name, with their status."""
    return [
        _entry(found, turn.now)
        for found in await care_queries.patients_in_care_of(turn.session, therapist.id)
    ]


async def find(turn: Turn, therapist: Therapist, query: str) -> list[ListEntry]:
    """The therapist's current patients whose name contains ``query`` (any case): only their
    own patients are ever searched."""
    entries = await patient_list(turn, therapist)
    wanted = set(rules.matching(((entry.patient_id, entry.name) for entry in entries), query))
    return [entry for entry in entries if entry.patient_id in wanted]


# -- the record ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKit:
    """What a record needs from the content: the starter plan and each language's drills."""

    starter: Plan
    catalog_for: Callable[[str | None], Catalog]


async def record(turn: Turn, therapist: Therapist, found: InCare, kit: RecordKit) -> Screen:
    """The patient's last :data:`~bot.domain.patient_record.RECORD_DAYS` days (sessions,
    pain, morning checks, safety events), their status and plan, over the /progress chart of
    those days, in the therapist's language and time zone."""
    patient, session = found.patient, turn.session
    zone = zone_of(patient.timezone)
    progress = await load_progress(session, patient, turn.now)
    window = [
        day for day in progress.figures.days[-rules.RECORD_DAYS :] if day.date >= progress.first_day
    ] or [progress.figures.days[-1]]
    first = window[0].date
    since = datetime.combine(first, time(0), zone).astimezone(UTC)
    worse = await prq.worse_mornings(session, patient.id, first)
    days = tuple(
        DayView(
            day.date,
            day.done,
            day.prescribed,
            progress.pain.get(day.date),
            progress.mornings.get(day.date),
            day.date in worse,
        )
        for day in window
    )
    catalog = kit.catalog_for(turn.language)
    red_flags = {flag.id: flag.text for flag in catalog.checkins.red_flags}
    therapist_zone = zone_of(therapist.timezone)
    events = tuple(
        EventView(
            event.occurred_at.astimezone(therapist_zone),
            rules.event_label(event.flag, red_flags),
            event.severity,
            event.acknowledged_at is not None,
        )
        for event in await prq.events_since(session, patient.id, since)
    )
    note = await prq.last_note(session, therapist.id, patient.id)
    view = RecordView(
        patient_id=patient.id,
        name=found.name,
        linked_on=found.link.linked_at.astimezone(therapist_zone).date(),
        status=_entry(found, turn.now).status,
        pause_reason=patient.pause_reason,
        days=days,
        events=events,
        plan=await _plan_view(turn, patient, kit, catalog),
        last_note=(
            None
            if note is None
            else (note.sent_at.astimezone(therapist_zone).date(), note.replied_at is not None)
        ),
    )
    chart = (
        progress_chart(list(window), progress.pain, progress.mornings, progress.plan_changed)
        if progress.figures.has_data or progress.pain or progress.mornings
        else None
    )
    return rules.record_screen(view, chart)


async def _plan_view(turn: Turn, patient: Patient, kit: RecordKit, catalog: Catalog) -> PlanView:
    own = await prq.own_plan(turn.session, patient.id)
    names = {drill.id: drill.name for drill in catalog.drills}
    if own is None:
        drills, per_reminder = tuple(kit.starter.drill_ids), kit.starter.drills_per_reminder
        return PlanView(
            PlanSource.STARTER, tuple(names.get(d, d) for d in drills), per_reminder, False
        )
    source = PlanSource.THERAPIST if own.therapist_id is not None else PlanSource.OWN
    return PlanView(
        source,
        tuple(names.get(d, d) for d in split_drills(own.drill_ids)),
        own.drills_per_reminder,
        own.locked,
        own.days_per_week,
    )


# -- actions on a patient --------------------------------------------------------------------


async def pause(turn: Turn, therapist: Therapist, found: InCare, reason: str) -> bool:
    """Pause the patient's reminders until the therapist resumes them, from the next
    reminder on, and tell the patient; False (nothing changes) when already paused."""
    patient = found.patient
    if _entry(found, turn.now).status is rules.Status.PAUSED:
        return False
    pause_reminders(patient, turn.now, None, reason)
    await notes.enqueue_notice(turn.session, patient, notes.PAUSED, therapist.id, turn.now)
    return True


async def resume(turn: Turn, therapist: Therapist, found: InCare) -> bool:
    """Resume the patient's reminders (whoever paused them) and tell the patient; False when
    they were not paused."""
    patient = found.patient
    if _entry(found, turn.now).status is not rules.Status.PAUSED:
        return False
    await queries.load_reminder_slots(turn.session, patient)
    resume_reminders(patient, turn.now)
    await notes.enqueue_notice(turn.session, patient, notes.RESUMED, therapist.id, turn.now)
    return True


async def set_locked(turn: Turn, found: InCare, locked: bool, starter: Plan) -> None:
    """Lock or unlock the patient's plan against automatic progression."""
    await prq.set_plan_locked(turn.session, found.patient.id, locked, starter, turn.now)


async def discharge(turn: Turn, therapist: Therapist, found: InCare) -> None:
    """End the care link (reason "discharged") and tell the patient. Their reminders go on as
    they are; from now on this therapist sees nothing new of them."""
    await care_queries.end_link(turn.session, found.patient.id, DISCHARGED, turn.now)
    await notes.enqueue_notice(
        turn.session, found.patient, notes.DISCHARGED, therapist.id, turn.now
    )


async def send_note(turn: Turn, therapist: Therapist, found: InCare, body: str) -> None:
    """Store the note and put it in the outbox for the patient."""
    note = prq.add_note(turn.session, therapist.id, found.patient.id, body.strip(), turn.now)
    await turn.session.flush()
    await notes.enqueue_note(turn.session, found.patient, note.id, turn.now)


# -- the patient's reply ---------------------------------------------------------------------


class ReplyOutcome(StrEnum):
    OPEN = "open"  # the note may be answered
    SENT = "sent"
    ALREADY = "already"  # answered before: one reply per note
    GONE = "gone"  # not this patient's note, or its therapist no longer cares for them


@dataclass(frozen=True, slots=True)
class NoteState:
    outcome: ReplyOutcome
    therapist_name: str = ""


async def note_state(turn: Turn, note_id: int) -> NoteState:
    """Whether the sender (a patient) may reply to note ``note_id``: it is theirs, not
    answered yet, and its therapist is still theirs."""
    patient = turn.patient
    if patient is None:
        return NoteState(ReplyOutcome.GONE)
    note = await prq.note_for_update(turn.session, patient.id, note_id)
    if note is None:
        return NoteState(ReplyOutcome.GONE)
    name = await prq.therapist_name(turn.session, note.therapist_id) or ""
    if note.replied_at is not None:
        return NoteState(ReplyOutcome.ALREADY, name)
    link = await care_queries.open_link_of(turn.session, patient.id)
    if link is None or link.therapist_id != note.therapist_id:
        return NoteState(ReplyOutcome.GONE, name)
    return NoteState(ReplyOutcome.OPEN, name)


async def reply_to_note(turn: Turn, note_id: int, text: str) -> NoteState:
    """Store the patient's one reply and put it in the outbox for the therapist (the caller
    has read the words for red flags first)."""
    state = await note_state(turn, note_id)
    if state.outcome is not ReplyOutcome.OPEN:
        return state
    assert turn.patient is not None
    note = await prq.note_for_update(turn.session, turn.patient.id, note_id)
    assert note is not None
    note.reply = text.strip()[:1000]
    note.replied_at = turn.now
    therapist = await turn.session.get(Therapist, note.therapist_id)
    zone = therapist.timezone if therapist is not None else None
    await notes.enqueue_reply(turn.session, note.therapist_id, zone, note.id, turn.now)
    return NoteState(ReplyOutcome.SENT, state.therapist_name)
