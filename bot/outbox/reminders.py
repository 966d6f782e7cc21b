"""Reminders, the first kind of the outbox: due from ``reminder_slots``, one per slot and day.

Each slot row carries its next due instant (UTC). Materialising turns due slots into ledger
rows (one per occurrence, whatever becomes of it: sent, missed, paused, thinned, quiet) and
advances each slot; the ledger's unique key (patient, local date, slot) means an occurrence
is written once, whichever instance gets there first. What becomes of an occurrence is decided
by the plain rules of :mod:`bot.domain.reminder_rules`; this module only feeds and stores them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import reminder_rules as rules
from bot.domain import reminder_screens
from bot.domain.local_times import format_time_of_day
from bot.domain.plans import PlainPlan, Plan, PlanLookup, reminder_drills
from bot.domain.reminder_rules import Kind
from bot.domain.safety import screen_due
from bot.domain.safety_screens import SafetyScreens
from bot.domain.schedule import next_reminder_at
from bot.domain.screens import Screen
from bot.domain.therapist_plans import PlanDose, practised_days, rest_day
from bot.outbox.kind import Admission, ClaimStats, Outgoing, Recipient
from bot.outbox.retry import cause_of, retry_at
from content.catalog import Catalog
from db import outbox_queries as oq
from db import reminder_queries as rq
from db.models import Delivery, DeliveryStatus, Patient
from db.reminder_queries import DueSlot

logger = logging.getLogger(__name__)

NAME = "reminders"


@dataclass(frozen=True, slots=True)
class Variant:
    """What a reminder shows: equal variants render alike."""

    kind: Kind
    drill_ids: tuple[str, ...]
    late: bool
    # The safety screen is due (never answered, or a week old): the reminder asks it first,
    # with the emergency number of this time zone, and shows the drills once it is answered.
    unscreened_zone: str | None = None
    # A therapist's dose for drills of this reminder (the others show the catalogue's); None
    # for a row taken up again until ``prepare`` has read its patient's plan.
    doses: tuple[tuple[str, PlanDose], ...] | None = ()


@dataclass(frozen=True, slots=True)
class _Occurrence:
    row: dict[str, Any]
    next_due_at: datetime | None
    variant: Variant


class Reminders:
    name = NAME
    row_kinds = frozenset(Kind)
    urgent = False

    def __init__(
        self,
        grace: timedelta,
        plans: PlanLookup,
        catalog_for: Callable[[str], Catalog],
        safety: SafetyScreens,
    ) -> None:
        self.grace = grace
        self.plans = plans
        self.catalog_for = catalog_for
        self.safety = safety

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        due = await rq.due_slots_for_update(session, now, limit)
        if not due:
            return []
        patient_ids = {slot.patient_id for slot in due}
        day_slots = await rq.slot_times_by_patient(session, patient_ids)
        # A week back and a day for time zones: enough for this week's days of practice.
        plans = await self.plans.plans_for(session, patient_ids, now - timedelta(days=8))
        rows: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        advanced: list[dict[str, object]] = []
        targets: dict[tuple[int | None, date, str], tuple[DueSlot, Variant]] = {}
        for slot in due:
            try:
                occurrence = self._occurrence(slot, day_slots, plans, now)
            except Exception as error:  # one bad row must not stop everyone's reminders
                occurrence = self._unplannable(slot, now, error)
                failed.append(occurrence.row)
            else:
                rows.append(occurrence.row)
                key = (slot.patient_id, occurrence.row["local_date"], occurrence.row["slot_key"])
                targets[key] = (slot, occurrence.variant)
            advanced.append({"slot_id": slot.slot_id, "next_due_at": occurrence.next_due_at})
            stats.count(occurrence.row["status"])
        inserted = await oq.insert_rows(session, rows)
        await oq.insert_rows(session, failed)
        await rq.set_next_due(session, advanced)
        claimed = []
        for row in inserted:
            if row.status != DeliveryStatus.CLAIMED:
                continue
            slot, variant = targets[(row.patient_id, row.local_date, row.slot_key)]
            claimed.append(
                Outgoing(
                    row.delivery_id, NAME, slot.patient_id, slot.chat_id, slot.language, variant
                )
            )
        return claimed

    def _occurrence(
        self,
        slot: DueSlot,
        day_slots: dict[int, list[time]],
        plans: Mapping[int, Plan],
        now: datetime,
    ) -> _Occurrence:
        zone = ZoneInfo(slot.timezone)
        local_day = slot.next_due_at.astimezone(zone).date()
        times = day_slots.get(slot.patient_id, [slot.local_time])
        index = times.index(slot.local_time) if slot.local_time in times else 0
        status, kind = rules.decide_occurrence(
            rules.Recipient.of(slot),
            slot.next_due_at,
            index,
            local_day,
            zone,
            now,
            self.grace,
        )
        plan = plans[slot.patient_id]
        drills = reminder_drills(plan, local_day, index, len(times))
        if status == DeliveryStatus.CLAIMED and kind != Kind.STILL_THERE and not drills:
            # Every drill of the plan stopped by a pain rule: nothing to practise until the
            # therapist clears one, so the occurrence is held, not sent and not missed.
            status = DeliveryStatus.HELD
        if (
            status == DeliveryStatus.CLAIMED
            and kind != Kind.STILL_THERE
            and _rest(plan, local_day, zone)
        ):
            status = DeliveryStatus.REST
        late = status == DeliveryStatus.CLAIMED and rules.is_late(slot.next_due_at, now)
        unscreened = slot.timezone if screen_due(slot.safety_screened_at, now) else None
        doses = _doses_of(plan, drills)
        after = rules.advance_from(slot.next_due_at, now)
        return _Occurrence(
            row={
                "patient_id": slot.patient_id,
                "local_date": local_day,
                "slot_key": format_time_of_day(slot.local_time),
                "kind": kind,
                "due_at": slot.next_due_at,
                "status": status,
                "late": late,
                "drill_ids": Delivery.join_drills(drills),
                "payload": reminder_screens.doses_payload(doses),
                "claimed_at": now,
            },
            next_due_at=next_reminder_at(slot.local_time, slot.weekdays, slot.timezone, after),
            variant=Variant(kind, drills, late, unscreened, doses),
        )

    def _unplannable(self, slot: DueSlot, now: datetime, error: Exception) -> _Occurrence:
        """The ledger row of an occurrence the rules could not place (say, the patient's zone
        cannot be loaded): failed with its cause, tried again with back-off. Without a zone
        its day is the UTC date, and the slot moves on by a day so that it does not head
        every batch."""
        cause = cause_of(error)
        logger.warning("reminder slot %s could not be planned: %s", slot.slot_id, cause)
        gone = rules.past_grace(slot.next_due_at, now, self.grace)
        return _Occurrence(
            row={
                "patient_id": slot.patient_id,
                "local_date": slot.next_due_at.date(),
                "slot_key": format_time_of_day(slot.local_time),
                "kind": Kind.REMINDER,
                "due_at": slot.next_due_at,
                "status": DeliveryStatus.MISSED if gone else DeliveryStatus.FAILED,
                "late": False,
                "drill_ids": "",
                "payload": None,
                "attempts": 1,
                "error": cause,
                "retry_at": None if gone else retry_at(1, now),
            },
            next_due_at=rules.advance_from(slot.next_due_at, now) + timedelta(days=1),
            variant=Variant(Kind.REMINDER, (), False),
        )

    def admit(self, row: Delivery, patient: Recipient, now: datetime) -> Admission:
        assert isinstance(patient, Patient), "this kind goes to patients"
        status = rules.decide_again(
            rules.Recipient.of(patient),
            active=patient.is_active,
            opted_in=patient.reminders_opt_in,
            zone_name=patient.timezone,
            due_at=row.due_at,
            now=now,
            grace=self.grace,
        )
        if status != DeliveryStatus.CLAIMED:
            return Admission(status)
        row.late = rules.is_late(row.due_at, now)
        due = screen_due(patient.safety_screened_at, now)
        unscreened = (patient.timezone or "") if due else None
        variant = Variant(Kind(row.kind), row.drills, row.late, unscreened, doses=None)
        return Admission(status, variant)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        """Rows taken up again (snoozes, retries) show their patient's doses as the plan
        sets them now: one statement for the batch, none when no row needs it."""
        waiting = {
            item.patient_id
            for item in items
            if isinstance(item.variant, Variant) and item.variant.doses is None
        }
        waiting.discard(None)
        if not waiting:
            return items
        plans = await self.plans.plans_for(session, [pid for pid in waiting if pid is not None])
        ready = []
        for item in items:
            variant = item.variant
            if isinstance(variant, Variant) and variant.doses is None and item.patient_id:
                doses = _doses_of(plans[item.patient_id], variant.drill_ids)
                variant = dataclasses.replace(variant, doses=doses)
            ready.append(dataclasses.replace(item, variant=variant))
        return ready

    def render(self, variant: Hashable, language: str) -> Screen:
        assert isinstance(variant, Variant)
        if variant.kind == Kind.STILL_THERE:
            return reminder_screens.still_there_screen()
        if variant.unscreened_zone is not None:
            return reminder_screens.safety_first_screen(
                self.safety, language, variant.unscreened_zone, variant.late
            )
        return reminder_screens.reminder_screen(
            self.catalog_for(language), variant.drill_ids, variant.late, dict(variant.doses or ())
        )

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        await rq.count_unanswered(session, [item.delivery_id for item in sent])


def _doses_of(plan: Plan, drills: tuple[str, ...]) -> tuple[tuple[str, PlanDose], ...]:
    """The therapist's doses of ``drills``, in their order (most plans set none)."""
    doses = plan.doses if isinstance(plan, PlainPlan) else None
    if not doses:
        return ()
    return tuple((drill_id, doses[drill_id]) for drill_id in drills if drill_id in doses)


def _rest(plan: Plan, local_day: date, zone: ZoneInfo) -> bool:
    """A rest day of a plan with days a week (see :func:`bot.domain.therapist_plans.rest_day`)."""
    if not isinstance(plan, PlainPlan) or plan.days_per_week is None:
        return False
    return rest_day(plan.days_per_week, practised_days(plan.done_at, zone), local_day)
