"""What a patient's answer to a reminder means, and the reminder settings' rules.

The reminders themselves are sent by the outbox (:mod:`bot.outbox.reminders` says what is due
and how it looks); the rules it applies are plain functions in
:mod:`bot.domain.reminder_rules`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import reminder_rules as rules
from bot.domain import reminder_screens as screens
from bot.domain.morning_checks import ROW_KIND as MORNING_CHECK
from bot.domain.morning_checks import MorningAnswers, schedule_morning_check
from bot.domain.reminder_rules import MAX_SNOOZES, SNOOZE_OPTIONS, Kind
from bot.domain.safety import pass_screen
from bot.domain.safety_screens import SafetyScreens
from bot.domain.schedule import next_reminder_at
from bot.domain.screens import Reply, Screen, Text
from content.catalog import Catalog
from db import reminder_queries as rq
from db.models import Delivery, DeliveryStatus, DrillSession, Patient, ReminderSlot


class Response(StrEnum):
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


# Skip and pause reasons that may mean the patient's condition has changed (sore, unwell, ill,
# a flare-up): the reply adds a line on when to contact the therapist and points to /safety.
SAFETY_PROMPT_REASONS = frozenset({"sore", "unwell", "illness", "flare_up"})


def safety_prompt(reason: str | None) -> tuple[Text, ...]:
    """The safety line a skip or pause for ``reason`` adds to its reply; none for other reasons."""
    return (Text("reminder.skipped_safety"),) if reason in SAFETY_PROMPT_REASONS else ()


def is_paused(patient: Patient, now: datetime) -> bool:
    return rules.is_paused(patient.paused_at, patient.paused_until, now)


def reschedule(patient: Patient, slots: list[ReminderSlot], now: datetime) -> None:
    """Set each slot's next due instant from now: after any change of times, zone or state."""
    active = patient.reminders_opt_in and patient.is_active and patient.timezone is not None
    for slot in slots:
        slot.next_due_at = (
            next_reminder_at(slot.local_time, slot.weekdays, patient.timezone, now)
            if active and patient.timezone
            else None
        )


def make_due_now(patient: Patient, now: datetime) -> bool:
    """Bring every reminder slot of the patient forward to now (the demo's "remind me now").

    The ledger still allows one reminder per slot and local date. False when the patient has
    no reminders to bring forward.
    """
    if not patient.reminders_opt_in or not patient.reminder_slots:
        return False
    for slot in patient.reminder_slots:
        slot.next_due_at = now
    return True


def _answered(patient: Patient, delivery: Delivery, response: Response, now: datetime) -> None:
    delivery.response = response
    delivery.responded_at = now
    patient.unanswered_reminders = 0


async def record_done(
    session: AsyncSession, patient: Patient, delivery: Delivery, now: datetime
) -> list[DrillSession]:
    """The patient did the reminder's drills: the answer, and a drill session per drill."""
    _answered(patient, delivery, Response.DONE, now)
    sessions = [
        DrillSession(
            patient_id=patient.id, delivery_id=delivery.id, drill_id=drill_id, completed_at=now
        )
        for drill_id in delivery.drills
    ]
    session.add_all(sessions)
    await session.flush()
    if sessions:  # a day with drills: how has the pain settled by the next morning?
        await schedule_morning_check(session, patient, now)
    return sessions


def snooze(
    session: AsyncSession, patient: Patient, delivery: Delivery, delay: timedelta, now: datetime
) -> datetime | None:
    """Schedule the same reminder again after ``delay`` (moved out of quiet hours).

    Returns the new due instant, or ``None`` when the reminder was snoozed too often.
    The regular schedule is untouched: a snooze is its own ledger row.
    """
    key = rules.next_snooze_key(delivery.slot_key)
    if key is None:
        return None
    zone = ZoneInfo(patient.timezone or "UTC")
    due = rules.outside_quiet_hours(now + delay, zone, patient.quiet_start, patient.quiet_end)
    _answered(patient, delivery, Response.SNOOZED, now)
    session.add(
        Delivery(
            patient_id=patient.id,
            local_date=delivery.local_date,
            slot_key=key,
            kind=Kind.SNOOZE,
            due_at=due,
            status=DeliveryStatus.SCHEDULED,
            late=False,
            drill_ids=delivery.drill_ids,
            payload=delivery.payload,
        )
    )
    return due


PAUSE_WEEK = timedelta(days=7)


class ReminderAnswers:
    """What a patient's press on a reminder button does."""

    def __init__(self, catalog_for: Callable[[str | None], Catalog], safety: SafetyScreens) -> None:
        self.catalog_for = catalog_for
        self.safety = safety
        self.morning_checks = MorningAnswers(catalog_for, safety)

    async def press(
        self,
        session: AsyncSession,
        telegram_user_id: int,
        delivery_id: int,
        action: str,
        arg: str,
        now: datetime,
    ) -> Reply:
        found = await rq.delivery_of_patient(session, telegram_user_id, delivery_id)
        if found is None:
            return Reply(toast=Text("common.button_expired"))
        patient, delivery = found
        catalog = self.catalog_for(patient.language)
        drills = delivery.drills
        doses = screens.shown_doses(delivery.payload)
        language = patient.language

        def edit(shown: Screen, toast: Text | None = None) -> Reply:
            return Reply(
                screens=(shown,),
                replace_origin=True,
                toast=toast,
                language=language,
                subject=delivery.id,
            )

        if delivery.kind == MORNING_CHECK:  # the next-morning pain check's buttons
            return await self.morning_checks.press(session, patient, delivery, action, arg, now)
        if delivery.kind == Kind.STILL_THERE:
            return edit(self._still_there(patient, action, now), Text("reminder.noted"))
        if action == "screened":  # "none of these apply" on a reminder's safety screen
            patient.unanswered_reminders = 0  # they are there: fatigue starts again
            if not pass_screen(patient, now):
                return edit(self.safety.held(catalog.locale))
            return edit(screens.reminder_screen(catalog, drills, delivery.late, doses))
        if action == "explain":
            patient.unanswered_reminders = 0
            lesson = screens.lesson_screen(catalog, drills)
            return Reply(screens=(lesson,) if lesson else (), language=language)
        if delivery.response is not None:
            return Reply(toast=Text("reminder.already_answered"), language=language)
        if action == "done":
            await record_done(session, patient, delivery, now)
            return edit(
                screens.answered_screen(
                    catalog, drills, delivery.late, Text("reminder.done"), doses=doses
                ),
                Text("reminder.done_toast"),
            )
        if action == "snooze" and arg in SNOOZE_OPTIONS:
            due = snooze(session, patient, delivery, SNOOZE_OPTIONS[arg], now)
            if due is None:
                return Reply(
                    toast=Text("reminder.snooze_limit", {"limit": MAX_SNOOZES}), language=language
                )
            at = due.astimezone(ZoneInfo(patient.timezone or "UTC")).strftime("%H:%M")
            return edit(
                screens.answered_screen(
                    catalog,
                    drills,
                    delivery.late,
                    Text("reminder.snoozed", {"time": at}),
                    doses=doses,
                )
            )
        if action == "skip":
            return edit(screens.skip_reason_screen(catalog, drills, delivery.late, doses))
        if action == "skip_reason" and (arg in screens.SKIP_REASONS or arg == ""):
            _answered(patient, delivery, Response.SKIPPED, now)
            delivery.skip_reason = arg or None
            note = (
                Text("reminder.skipped", {"reason": Text(f"buttons.skip_reason.{arg}")})
                if arg
                else Text("reminder.skipped_no_reason")
            )
            return edit(
                screens.answered_screen(
                    catalog, drills, delivery.late, note, *safety_prompt(arg), doses=doses
                )
            )
        return Reply(toast=Text("common.button_expired"), language=language)

    def _still_there(self, patient: Patient, action: str, now: datetime) -> Screen:
        patient.unanswered_reminders = 0
        if action == "pause_week":
            pause(patient, now, now + PAUSE_WEEK, "break")
            return Screen(body=(Text("reminder.still_there"), Text("reminder.paused_week")))
        if action == "stop":
            patient.reminders_opt_in = False
            reschedule(patient, patient.reminder_slots, now)
            return Screen(body=(Text("reminder.still_there"), Text("reminder.stopped")))
        return Screen(body=(Text("reminder.still_there"), Text("reminder.welcome_back")))


def pause(patient: Patient, now: datetime, until: datetime | None, reason: str) -> None:
    """Pause reminders until ``until`` (or until resumed); the reason is kept for the therapist."""
    patient.paused_at = now
    patient.paused_until = until
    patient.pause_reason = reason


def resume(patient: Patient, now: datetime) -> None:
    patient.paused_at = None
    patient.paused_until = None
    patient.pause_reason = None
    reschedule(patient, patient.reminder_slots, now)
