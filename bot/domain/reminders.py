"""The reminder engine's rules: what is due, what to do with it, and what a patient's answer means.

No job per patient lives in memory. Each slot row carries its next due instant (UTC); a
dispatcher claims due rows in batches, writes one ledger row per occurrence, and advances the
slot. The ledger's unique key (patient, local date, slot) means an occurrence can be claimed
once, whichever instance gets there first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import reminder_screens as screens
from bot.domain.local_times import format_time_of_day
from bot.domain.plans import StarterPlan, drills_for_reminder
from bot.domain.schedule import local_date_of, local_occurrence, next_reminder_at
from bot.domain.screens import Reply, Screen, Text
from content.catalog import Catalog
from db import reminder_queries as rq
from db.models import Delivery, DrillSession, Patient, ReminderSlot
from db.reminder_queries import DueSlot

# A reminder sent more than this after its due time is marked late.
LATE_AFTER = timedelta(minutes=5)
# Missed occurrences further back than this are not written to the ledger one by one.
MAX_BACKFILL = timedelta(days=14)
SNOOZE_OPTIONS = {"30": timedelta(minutes=30), "60": timedelta(hours=1)}
MAX_SNOOZES = 3


class Kind(StrEnum):
    REMINDER = "reminder"
    SNOOZE = "snooze"
    STILL_THERE = "still_there"


class Status(StrEnum):
    SCHEDULED = "scheduled"  # a snooze waiting for its time
    CLAIMED = "claimed"  # taken by a dispatcher; being sent
    SENT = "sent"
    FAILED = "failed"  # Telegram refused it for good (blocked, chat gone)
    MISSED = "missed"  # fell due while the bot was down, past the grace window
    PAUSED = "paused"  # the patient had paused reminders
    THINNED = "thinned"  # left out because the patient has stopped answering
    QUIET = "quiet"  # a late send that would have landed in quiet hours


class Response(StrEnum):
    DONE = "done"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"


class Fatigue(StrEnum):
    SEND = "send"
    THIN = "thin"
    STILL_THERE = "still_there"


# Reminder fatigue: after this many unanswered reminders, only the first slot of a day is
# sent; at STILL_THERE_AT a gentle "still there?" replaces the reminder; beyond it, a reminder
# goes out every SPARSE_EVERY_DAYS days until the patient answers one.
THIN_AFTER = 3
STILL_THERE_AT = 6
SPARSE_EVERY_DAYS = 3


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


def is_paused(patient: Patient | DueSlot, now: datetime) -> bool:
    if patient.paused_at is None:
        return False
    return patient.paused_until is None or now < patient.paused_until


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


@dataclass(frozen=True)
class Policy:
    grace: timedelta = timedelta(hours=2)
    lease: timedelta = timedelta(minutes=2)
    batch_size: int = 200


@dataclass(frozen=True)
class Claimed:
    """A reminder this dispatcher must send now."""

    delivery_id: int
    patient_id: int
    chat_id: int
    language: str | None
    kind: Kind
    drill_ids: tuple[str, ...]
    late: bool
    local_date: date


@dataclass
class ClaimStats:
    """How many ledger rows of each status one claim wrote."""

    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


class Reminders:
    def __init__(self, policy: Policy, starter: StarterPlan) -> None:
        self.policy = policy
        self.starter = starter

    # -- claiming ---------------------------------------------------------------------------

    async def claim_due(
        self, session: AsyncSession, now: datetime, stats: ClaimStats | None = None
    ) -> list[Claimed]:
        """Claim up to one batch of due reminders, recording every occurrence in the ledger.

        Regular slots first, then snoozes that fell due and claims whose dispatcher died.
        The caller commits, then sends what is returned.
        """
        stats = stats or ClaimStats()
        claimed = await self._claim_slots(session, now, stats)
        room = self.policy.batch_size - len(claimed)
        if room > 0:
            claimed += await self._claim_ledger_rows(session, now, room, stats)
        return claimed

    async def _claim_slots(
        self, session: AsyncSession, now: datetime, stats: ClaimStats
    ) -> list[Claimed]:
        due = await rq.due_slots_for_update(session, now, self.policy.batch_size)
        if not due:
            return []
        day_slots = await rq.slot_times_by_patient(session, {row.patient_id for row in due})
        rows: list[dict[str, object]] = []
        advanced: list[dict[str, object]] = []
        targets: dict[tuple[int, date, str], tuple[DueSlot, tuple[str, ...], Kind]] = {}
        for slot in due:
            zone = slot.timezone
            local_day = local_date_of(slot.next_due_at, zone)
            times = day_slots.get(slot.patient_id, [slot.local_time])
            index = times.index(slot.local_time) if slot.local_time in times else 0
            status, kind = self._decide(slot, slot.next_due_at, index, local_day, now)
            drills = drills_for_reminder(
                self.starter.drill_ids,
                self.starter.drills_per_reminder,
                local_day,
                index,
                len(times),
            )
            key = (slot.patient_id, local_day, format_time_of_day(slot.local_time))
            rows.append(
                {
                    "patient_id": slot.patient_id,
                    "local_date": local_day,
                    "slot_key": key[2],
                    "kind": kind,
                    "due_at": slot.next_due_at,
                    "status": status,
                    "late": status == Status.CLAIMED and now - slot.next_due_at > LATE_AFTER,
                    "drill_ids": ",".join(drills),
                    "claimed_at": now,
                }
            )
            targets[key] = (slot, drills, kind)
            # Advance past this occurrence; one long gone jumps to the backfill horizon.
            after = max(slot.next_due_at, now - MAX_BACKFILL)
            following = next_reminder_at(slot.local_time, slot.weekdays, zone, after)
            advanced.append({"slot_id": slot.slot_id, "next_due_at": following})
            stats.count(status)
        inserted = await rq.insert_deliveries(session, rows)
        await rq.set_next_due(session, advanced)
        claimed = []
        for delivery_id, patient_id, local_day, slot_key, inserted_status, late in inserted:
            if inserted_status != Status.CLAIMED:
                continue
            slot, drills, kind = targets[(patient_id, local_day, slot_key)]
            claimed.append(
                Claimed(
                    delivery_id,
                    patient_id,
                    slot.chat_id,
                    slot.language,
                    kind,
                    drills,
                    late,
                    local_day,
                )
            )
        return claimed

    def _decide(
        self, patient: DueSlot, due_at: datetime, slot_index: int, local_day: date, now: datetime
    ) -> tuple[Status, Kind]:
        if now - due_at > self.policy.grace:
            return Status.MISSED, Kind.REMINDER
        if is_paused(patient, due_at):
            return Status.PAUSED, Kind.REMINDER
        late = now - due_at > LATE_AFTER
        if late and self._quiet(patient, now):
            return Status.QUIET, Kind.REMINDER
        verdict = fatigue(patient.unanswered_reminders, slot_index, local_day)
        if verdict == Fatigue.THIN:
            return Status.THINNED, Kind.REMINDER
        if verdict == Fatigue.STILL_THERE:
            return Status.CLAIMED, Kind.STILL_THERE
        return Status.CLAIMED, Kind.REMINDER

    def _quiet(self, patient: DueSlot, now: datetime) -> bool:
        if patient.timezone is None:
            return False
        local = now.astimezone(ZoneInfo(patient.timezone)).time()
        return in_quiet_hours(local, patient.quiet_start, patient.quiet_end)

    async def _claim_ledger_rows(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Claimed]:
        """Snoozes that are due, and claims a dead dispatcher left behind (sent again)."""
        rows = await rq.due_ledger_rows_for_update(session, now, now - self.policy.lease, limit)
        claimed = []
        for delivery, patient in rows:
            if not patient.is_active or not patient.reminders_opt_in:
                delivery.status = Status.FAILED if not patient.is_active else Status.MISSED
            elif now - delivery.due_at > self.policy.grace:
                delivery.status = Status.MISSED
            elif is_paused(patient, now):
                delivery.status = Status.PAUSED
            else:
                delivery.status = Status.CLAIMED
                delivery.claimed_at = now
                delivery.late = now - delivery.due_at > LATE_AFTER
                drills = tuple(filter(None, delivery.drill_ids.split(",")))
                claimed.append(
                    Claimed(
                        delivery.id,
                        patient.id,
                        patient.chat_id,
                        patient.language,
                        Kind(delivery.kind),
                        drills,
                        delivery.late,
                        delivery.local_date,
                    )
                )
            stats.count(delivery.status)
        return claimed

    # -- recording --------------------------------------------------------------------------

    async def record_results(
        self,
        session: AsyncSession,
        sent: dict[int, int],
        blocked_patients: set[int],
        failed: set[int],
        now: datetime,
    ) -> None:
        """Record sends (delivery id -> Telegram message id) and refusals, in one statement each."""
        await rq.mark_sent(session, sent, now)
        await rq.mark_failed(session, failed)
        await rq.count_unanswered(session, sent.keys())
        if blocked_patients:
            await rq.deactivate_patients(session, blocked_patients, now)

    # -- the patient's answer ---------------------------------------------------------------

    def mark_done(self, patient: Patient, delivery: Delivery, now: datetime) -> tuple[str, ...]:
        delivery.response = Response.DONE
        delivery.responded_at = now
        patient.unanswered_reminders = 0
        return tuple(filter(None, delivery.drill_ids.split(",")))

    def mark_skipped(
        self, patient: Patient, delivery: Delivery, reason: str | None, now: datetime
    ) -> None:
        delivery.response = Response.SKIPPED
        delivery.responded_at = now
        delivery.skip_reason = reason
        patient.unanswered_reminders = 0

    async def snooze(
        self,
        session: AsyncSession,
        patient: Patient,
        delivery: Delivery,
        delay: timedelta,
        now: datetime,
    ) -> datetime | None:
        """Schedule the same reminder again after ``delay`` (moved out of quiet hours).

        Returns the new due instant, or ``None`` when the reminder was snoozed too often.
        The regular schedule is untouched: a snooze is its own ledger row.
        """
        base, _, count = delivery.slot_key.partition("~")
        snoozes = int(count or 0) + 1
        if snoozes > MAX_SNOOZES:
            return None
        due = self._outside_quiet_hours(patient, now + delay)
        delivery.response = Response.SNOOZED
        delivery.responded_at = now
        patient.unanswered_reminders = 0
        session.add(
            Delivery(
                patient_id=patient.id,
                local_date=delivery.local_date,
                slot_key=f"{base}~{snoozes}",
                kind=Kind.SNOOZE,
                due_at=due,
                status=Status.SCHEDULED,
                late=False,
                drill_ids=delivery.drill_ids,
            )
        )
        return due

    def _outside_quiet_hours(self, patient: Patient, due: datetime) -> datetime:
        if patient.timezone is None or patient.quiet_end is None:
            return due
        zone = ZoneInfo(patient.timezone)
        local = due.astimezone(zone)
        if not in_quiet_hours(local.time(), patient.quiet_start, patient.quiet_end):
            return due
        end = local_occurrence(local.date(), patient.quiet_end, zone)
        return (
            end
            if end > due
            else local_occurrence(local.date() + timedelta(days=1), patient.quiet_end, zone)
        )


PAUSE_WEEK = timedelta(days=7)


class ReminderAnswers:
    """What a patient's press on a reminder button does."""

    def __init__(self, reminders: Reminders, catalog_for: Callable[[str | None], Catalog]) -> None:
        self.reminders = reminders
        self.catalog_for = catalog_for

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
        drills = tuple(filter(None, delivery.drill_ids.split(",")))
        language = patient.language

        def edit(shown: Screen, toast: Text | None = None) -> Reply:
            return Reply(
                screens=(shown,),
                replace_origin=True,
                toast=toast,
                language=language,
                subject=delivery.id,
            )

        if delivery.kind == Kind.STILL_THERE:
            return edit(self._still_there(patient, action, now), Text("reminder.noted"))
        if action == "explain":
            patient.unanswered_reminders = 0
            lesson = screens.lesson_screen(catalog, drills)
            return Reply(screens=(lesson,) if lesson else (), language=language)
        if delivery.response is not None:
            return Reply(toast=Text("reminder.already_answered"), language=language)
        if action == "done":
            for drill_id in self.reminders.mark_done(patient, delivery, now):
                session.add(
                    DrillSession(
                        patient_id=patient.id,
                        delivery_id=delivery.id,
                        drill_id=drill_id,
                        completed_at=now,
                    )
                )
            return edit(
                screens.answered_screen(catalog, drills, delivery.late, Text("reminder.done")),
                Text("reminder.done_toast"),
            )
        if action == "snooze" and arg in SNOOZE_OPTIONS:
            due = await self.reminders.snooze(session, patient, delivery, SNOOZE_OPTIONS[arg], now)
            if due is None:
                return Reply(
                    toast=Text("reminder.snooze_limit", {"limit": MAX_SNOOZES}), language=language
                )
            at = due.astimezone(ZoneInfo(patient.timezone or "UTC")).strftime("%H:%M")
            return edit(
                screens.answered_screen(
                    catalog, drills, delivery.late, Text("reminder.snoozed", {"time": at})
                )
            )
        if action == "skip":
            return edit(screens.skip_reason_screen(catalog, drills, delivery.late))
        if action == "skip_reason" and (arg in screens.SKIP_REASONS or arg == ""):
            self.reminders.mark_skipped(patient, delivery, arg or None, now)
            note = (
                Text("reminder.skipped", {"reason": Text(f"buttons.skip_reason.{arg}")})
                if arg
                else Text("reminder.skipped_no_reason")
            )
            return edit(screens.answered_screen(catalog, drills, delivery.late, note))
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
