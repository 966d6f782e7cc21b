"""Notes between a therapist and a patient, and what a therapist's decision tells the patient,
as an outbox kind: every row is enqueued by a rule (:mod:`bot.care.patients`).

* ``note``: a therapist's note, to the patient, as from their therapist, with a Reply button
  (a reminder button on this row: :mod:`bot.flows.note_reply` takes the one reply);
* ``note_reply``: the patient's reply, to the therapist, with the patient's name and a button
  that opens their record;
* ``care_paused``, ``care_resumed``, ``care_discharged``: the patient is told in plain words
  that their therapist paused or resumed their reminders, or discharged them.

``subject_id`` names the note (notes and replies) or the therapist (the notices). What a row
shows is loaded for the whole batch in :meth:`Notes.prepare`, in one statement per table.
Messages to a patient wait for the end of their quiet hours; a recipient who blocked the bot
gets nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reminder_rules import in_quiet_hours, outside_quiet_hours
from bot.domain.screens import Choice, Scope, Screen, Text
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing
from db import patient_record_queries as prq
from db.models import Delivery, DeliveryStatus, Patient

NAME = "notes"
NOTE = "note"
REPLY = "note_reply"
PAUSED = "care_paused"
RESUMED = "care_resumed"
DISCHARGED = "care_discharged"
NOTICES = frozenset({PAUSED, RESUMED, DISCHARGED})
# The reminder button under a note that opens the patient's one reply.
REPLY_ACTION = "note_reply"


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# -- enqueueing (the rules call these) -------------------------------------------------------


async def enqueue_note(
    session: AsyncSession, patient: Patient, note_id: int, now: datetime
) -> None:
    """The note goes to the patient now, or at the end of their quiet hours."""
    await _to_patient(session, patient, NOTE, f"nt{note_id}", note_id, now)


async def enqueue_notice(
    session: AsyncSession, patient: Patient, notice: str, therapist_id: int, now: datetime
) -> None:
    """Tell the patient their therapist paused, resumed or discharged them."""
    assert notice in NOTICES
    code = {PAUSED: "p", RESUMED: "u", DISCHARGED: "d"}[notice]
    await _to_patient(session, patient, notice, f"cn{code}{now:%H%M%S%f}", therapist_id, now)


async def enqueue_reply(
    session: AsyncSession, therapist_id: int, zone: str | None, note_id: int, now: datetime
) -> None:
    """The patient's reply goes to the therapist now."""
    await kind.enqueue(
        session,
        kind=REPLY,
        local_date=now.astimezone(zone_of(zone)).date(),
        key=f"ntr{note_id}",
        due_at=now,
        therapist_id=therapist_id,
        subject_id=note_id,
    )


async def _to_patient(
    session: AsyncSession, patient: Patient, row_kind: str, key: str, subject: int, now: datetime
) -> None:
    zone = zone_of(patient.timezone)
    await kind.enqueue(
        session,
        kind=row_kind,
        local_date=now.astimezone(zone).date(),
        key=key,
        due_at=outside_quiet_hours(now, zone, patient.quiet_start, patient.quiet_end),
        patient_id=patient.id,
        subject_id=subject,
    )


# -- the kind --------------------------------------------------------------------------------


class Notes:
    name = NAME
    row_kinds = frozenset({NOTE, REPLY, *NOTICES})
    urgent = False

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []  # enqueued by the rules

    def admit(self, row: Delivery, recipient: kind.Recipient, now: datetime) -> Admission:
        if not recipient.is_active:  # blocked the bot: nothing reaches them
            row.retry_at = None
            return Admission(DeliveryStatus.FAILED)
        if isinstance(recipient, Patient):
            zone = zone_of(recipient.timezone)
            quiet_start, quiet_end = recipient.quiet_start, recipient.quiet_end
            if in_quiet_hours(now.astimezone(zone).time(), quiet_start, quiet_end):
                row.due_at = outside_quiet_hours(now, zone, quiet_start, quiet_end)
                row.retry_at = None
                return Admission(DeliveryStatus.SCHEDULED)
            if row.kind == PAUSED:  # the reason as it stands when the notice goes out
                return Admission(DeliveryStatus.CLAIMED, (row.kind, recipient.pause_reason))
        return Admission(DeliveryStatus.CLAIMED, (row.kind,))

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        """Each row's variant with what it shows: the note and names, or the therapist's name.
        A row whose note or therapist is gone is left out (recorded failed)."""
        note_ids = {
            item.subject_id
            for item in items
            if item.subject_id is not None and _row_kind(item) in (NOTE, REPLY)
        }
        therapist_ids = {
            item.subject_id
            for item in items
            if item.subject_id is not None and _row_kind(item) in NOTICES
        }
        notes = await prq.notes_news(session, note_ids)
        names = await prq.therapist_names(session, therapist_ids)
        prepared: list[Outgoing] = []
        for item in items:
            row_kind = _row_kind(item)
            subject = item.subject_id
            if row_kind == NOTE and subject in notes:
                news = notes[subject]
                variant: Hashable = (NOTE, news.therapist_name, news.body)
            elif row_kind == REPLY and subject in notes and notes[subject].reply is not None:
                news = notes[subject]
                variant = (REPLY, news.patient_id, news.patient_name, news.body, news.reply)
            elif row_kind in NOTICES and subject in names:
                admitted = item.variant
                assert isinstance(admitted, tuple)
                variant = (*admitted, names[subject])
            else:
                continue
            prepared.append(dataclasses.replace(item, variant=variant))
        return prepared

    def render(self, variant: Hashable, language: str) -> Screen:
        return render(variant)

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Nothing beside the ledger."""


def _row_kind(item: Outgoing) -> str:
    variant = item.variant
    assert isinstance(variant, tuple), "admit writes (row kind, ...)"
    return str(variant[0])


def render(variant: Hashable) -> Screen:
    """What a prepared row shows (see :meth:`Notes.prepare` for each variant's fields)."""
    assert isinstance(variant, tuple)
    row_kind = variant[0]
    if row_kind == NOTE:
        _, therapist, body = variant
        return Screen(
            body=(Text("notes.from_therapist", {"name": therapist, "body": body}),),
            choices=((Choice(Text("notes.buttons.reply"), REPLY_ACTION, scope=Scope.REMINDER),),),
        )
    if row_kind == REPLY:
        _, patient_id, patient, body, reply = variant
        return Screen(
            body=(
                Text("notes.reply_from", {"name": patient, "reply": reply}),
                Text("notes.reply_to", {"body": body}),
            ),
            choices=(
                (
                    Choice(
                        Text("notes.buttons.open_record"),
                        "pt_open",
                        patient_id,
                        scope=Scope.THERAPIST,
                    ),
                ),
            ),
        )
    if row_kind == PAUSED:
        _, reason, therapist = variant
        return Screen(
            body=(
                Text(
                    "notes.notice.paused",
                    {"name": therapist, "reason": Text(f"pause.reasons.{reason or 'other'}")},
                ),
            )
        )
    _, therapist = variant
    return Screen(
        body=(Text(f"notes.notice.{str(row_kind).removeprefix('care_')}", {"name": therapist}),)
    )
