"""Therapist alerts and the day's patient flags, as one outbox kind.

Every run, :meth:`Alerts.materialise`

1. records as ``obsolete`` the alert rows now due that must not go out: the patient left the
   recipient's care, or the event of a repeat was acknowledged (the admission of those rows;
   the engine's ``admit`` sees only the row and its recipient);
2. hands the safety events not yet delivered, of patients in the care of an active therapist
   (one locked batch: events stored before the patient had a therapist go out once linked),
   to their therapists: one ledger row each (slot key ``a<event id>``), due at once or, for a
   low-urgency one in the therapist's night, at its end; the events are marked delivered;
3. at most once a minute, judges the day's flags of the therapists for whom it is
   :data:`~bot.domain.alerts.FLAGS_TIME` or later (and not night) and who have no flags row
   for their local date yet: silent patients and low adherence, recorded as notices (once per
   episode), in one row per therapist and day (the idempotency key; ``obsolete`` when nothing
   was flagged).

The rows due now are claimed by the same run (the engine takes up due rows after
materialising). :meth:`Alerts.prepare` loads what a batch shows in one statement per kind of
row; :meth:`Alerts.on_sent` schedules the one repeat of a critical alert,
:data:`~bot.domain.alerts.REPEAT_AFTER` after it was sent.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import alerts as rules
from bot.domain.alerts import AlertView, Flag, FlaggedPatient, zone_of
from bot.domain.screens import Screen
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing
from db import adherence_queries
from db import alert_queries as aq
from db import outbox_queries as oq
from db.models import Delivery, DeliveryStatus, Therapist

NAME = "alerts"
ALERT = "alert"  # the first message of an event
REPEAT = "alert_again"  # the one repeat of an unacknowledged critical alert
FLAGS = "flags"  # the day's flags of a therapist
FLAGS_KEY = "flags"
# Therapists' flags are looked for at most this often (each look is one query over therapists).
FLAGS_LOOK_EVERY = timedelta(minutes=1)
# The flags of at most this many therapists are judged in one claim (their patients' adherence
# is read and computed in one go: about 4 ms a patient on SQLite, in the claim's transaction);
# the others in the next batches of the run.
FLAGS_THERAPISTS_PER_RUN = 5


def alert_key(event_id: int, *, repeat: bool = False) -> str:
    return f"a{event_id}~r" if repeat else f"a{event_id}"


@dataclass(frozen=True, slots=True)
class _Due:
    """What ``admit`` knows of a row: its kind, and for flags the therapist's day."""

    row_kind: str
    local_date: date
    zone: str | None


@dataclass(frozen=True, slots=True)
class AlertVariant:
    view: AlertView
    # Sent once more after REPEAT_AFTER unless acknowledged (a first, critical, fresh alert).
    then_repeat: bool


@dataclass(frozen=True, slots=True)
class FlagsVariant:
    patients: tuple[FlaggedPatient, ...]


class Alerts:
    name = NAME
    row_kinds = frozenset({ALERT, REPEAT, FLAGS})
    # Taken up before the other kinds' rows: an alert never waits behind a wave of reminders.
    urgent = True

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._next_flags_look: datetime | None = None

    # -- what is due ------------------------------------------------------------------------

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        for _ in range(await aq.void_due_alerts(session, now, {ALERT, REPEAT}, REPEAT)):
            stats.count(DeliveryStatus.OBSOLETE)
        written = await self._hand_over_events(session, now, limit)
        if self._next_flags_look is None or now >= self._next_flags_look:
            room = min(limit - written, FLAGS_THERAPISTS_PER_RUN)
            more = await self._judge_flags(session, now, room, stats)
            # Look again at the next run while therapists are waiting, else in a minute.
            self._next_flags_look = None if more else now + FLAGS_LOOK_EVERY
        return []  # the rows due now are taken up with the other due rows

    async def _hand_over_events(self, session: AsyncSession, now: datetime, limit: int) -> int:
        events = await aq.undelivered_events_for_update(session, limit)
        rows = []
        for event in events:
            zone = zone_of(event.therapist_zone)
            urgent = rules.delivery_urgency(event.severity, event.occurred_at, now)
            rows.append(
                _row(
                    ALERT,
                    therapist_id=event.therapist_id,
                    subject_id=event.event_id,
                    local_date=event.occurred_at.astimezone(zone).date(),
                    key=alert_key(event.event_id),
                    due_at=rules.alert_due(urgent, now, zone),
                )
            )
        await oq.insert_rows(session, rows)
        await aq.mark_delivered(session, [event.event_id for event in events], now)
        return len(rows)

    async def _judge_flags(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> bool:
        """Judge the flags of up to ``limit`` therapists whose day's flags are due; whether
        more are waiting."""
        if limit <= 0:
            return True
        candidates = await aq.flag_candidates(session, FLAGS, now.date() - timedelta(days=2))
        due: dict[int, date] = {}
        for candidate in candidates:
            zone = zone_of(candidate.zone)
            today = now.astimezone(zone).date()
            judged = candidate.last_judged is not None and candidate.last_judged >= today
            if rules.flags_due(now, zone) and not judged:
                if len(due) == limit:
                    more = True
                    break
                due[candidate.therapist_id] = today
        else:
            more = False
        if not due:
            return more
        flagged = await _flags_of(session, list(due), now)
        rows = [
            _row(
                FLAGS,
                therapist_id=tid,
                local_date=today,
                key=FLAGS_KEY,
                due_at=now,
                status=DeliveryStatus.SCHEDULED if flagged.get(tid) else DeliveryStatus.OBSOLETE,
            )
            for tid, today in due.items()
        ]
        inserted = {row.delivery_id for row in await oq.insert_rows(session, rows)}
        if not inserted:
            return more
        # The notices of the therapists whose row this run wrote (another run wrote the rest).
        mine = await aq.therapists_of_rows(session, inserted)
        aq.add_notices(session, [pair for tid in mine for pair in flagged.get(tid, ())], now=now)
        for tid in mine:
            if not flagged.get(tid):
                stats.count(DeliveryStatus.OBSOLETE)
        return more

    # -- taking a row up --------------------------------------------------------------------

    def admit(self, row: Delivery, recipient: kind.Recipient, now: datetime) -> Admission:
        assert isinstance(recipient, Therapist), "alerts go to therapists"
        if not recipient.is_active:
            row.retry_at = None
            return Admission(DeliveryStatus.FAILED)
        zone = zone_of(recipient.timezone)
        if row.kind == FLAGS and rules.in_night(now.astimezone(zone).time()):
            row.due_at = rules.night_end_after(now, zone)  # a retry never lands in the night
            row.retry_at = None
            return Admission(DeliveryStatus.SCHEDULED)
        return Admission(DeliveryStatus.CLAIMED, _Due(row.kind, row.local_date, recipient.timezone))

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        alerts = [item for item in items if _due(item).row_kind in (ALERT, REPEAT)]
        flags = [item for item in items if _due(item).row_kind == FLAGS]
        return [*await self._prepare_alerts(session, alerts), *await _prepare_flags(session, flags)]

    async def _prepare_alerts(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        facts = await aq.alert_facts(
            session, {item.subject_id for item in items if item.subject_id is not None}
        )
        now = self.clock()
        prepared = []
        for item in items:
            found = facts.get(item.subject_id or 0)
            if found is None or found.therapist_id != item.therapist_id:
                continue  # left out: the patient left; the next run records it obsolete
            event = found.event
            repeat = _due(item).row_kind == REPEAT
            view = AlertView.of(event, found.patient_name, found.therapist_zone, repeat=repeat)
            then_repeat = not repeat and rules.repeats(
                rules.delivery_urgency(event.severity, event.occurred_at, now)
            )
            prepared.append(dataclasses.replace(item, variant=AlertVariant(view, then_repeat)))
        return prepared

    # -- showing and recording --------------------------------------------------------------

    def render(self, variant: Hashable, language: str) -> Screen:
        if isinstance(variant, AlertVariant):
            return rules.alert_screen(variant.view)
        assert isinstance(variant, FlagsVariant), variant
        return rules.flags_screen(variant.patients)

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """A critical alert sent: its one repeat, due :data:`REPEAT_AFTER` from now."""
        now = self.clock()
        repeats = []
        for item in sent:
            variant = item.variant
            if isinstance(variant, AlertVariant) and variant.then_repeat:
                view = variant.view
                repeats.append(
                    _row(
                        REPEAT,
                        therapist_id=item.therapist_id,
                        subject_id=view.event_id,
                        local_date=view.occurred_local.date(),
                        key=alert_key(view.event_id, repeat=True),
                        due_at=now + rules.REPEAT_AFTER,
                    )
                )
        await oq.insert_rows(session, repeats)


def _due(item: Outgoing) -> _Due:
    assert isinstance(item.variant, _Due), item.variant
    return item.variant


def _row(
    row_kind: str,
    *,
    therapist_id: int | None,
    local_date: date,
    key: str,
    due_at: datetime,
    subject_id: int | None = None,
    status: DeliveryStatus = DeliveryStatus.SCHEDULED,
) -> dict[str, Any]:
    return {
        "patient_id": None,
        "therapist_id": therapist_id,
        "subject_id": subject_id,
        "local_date": local_date,
        "slot_key": key,
        "kind": row_kind,
        "due_at": due_at,
        "status": status,
        "late": False,
        "drill_ids": "",
    }


async def _flags_of(
    session: AsyncSession, therapist_ids: list[int], now: datetime
) -> dict[int, list[tuple[int, Flag]]]:
    """Each therapist's patients to flag now, and why: silent, low adherence, each once per
    episode (see :mod:`bot.domain.alerts`). A fixed number of statements for all."""
    patients = await aq.patients_of(session, therapist_ids)
    if not patients:
        return {}
    todays = {p.patient_id: now.astimezone(zone_of(p.zone)).date() for p in patients}
    since = min(todays.values()) - timedelta(days=rules.SILENT_DAYS)
    reminders = await aq.reminder_days(session, todays, since)
    figures = await adherence_queries.adherence_for(session, list(todays), todays, weeks=1)
    notices = await aq.last_notices(session, list(todays))
    silent = {pid for pid, today in todays.items() if rules.silent(reminders.get(pid, ()), today)}
    answers = await aq.last_answers(
        session, [pid for pid in silent if (pid, Flag.SILENT) in notices]
    )
    flagged: dict[int, list[tuple[int, Flag]]] = defaultdict(list)
    for patient in patients:
        pid = patient.patient_id
        if pid in silent and not rules.silent_flagged_already(
            notices.get((pid, Flag.SILENT)), answers.get(pid)
        ):
            flagged[patient.therapist_id].append((pid, Flag.SILENT))
        since_day = rules.low_adherence_since(figures[pid].days, todays[pid])
        last = notices.get((pid, Flag.LOW_ADHERENCE))
        noticed = last is not None and last.astimezone(zone_of(patient.zone)).date()
        if since_day is not None and not (noticed and noticed >= since_day):
            flagged[patient.therapist_id].append((pid, Flag.LOW_ADHERENCE))
    return flagged


async def _prepare_flags(session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
    bounds: dict[int, tuple[datetime, datetime]] = {}
    for item in items:
        assert item.therapist_id is not None
        due = _due(item)
        zone = zone_of(due.zone)
        bounds[item.therapist_id] = (
            datetime.combine(due.local_date, time(0), zone),
            datetime.combine(due.local_date + timedelta(days=1), time(0), zone),
        )
    by_therapist: dict[int, dict[int, tuple[str, list[Flag]]]] = defaultdict(dict)
    for notice in await aq.notices_between(session, bounds):
        _, flags = by_therapist[notice.therapist_id].setdefault(
            notice.patient_id, (notice.name, [])
        )
        if notice.flag not in flags:
            flags.append(notice.flag)
    prepared = []
    for item in items:
        assert item.therapist_id is not None
        patients = tuple(
            FlaggedPatient(pid, name, tuple(flag for flag in Flag if flag in flags))
            for pid, (name, flags) in by_therapist.get(item.therapist_id, {}).items()
        )
        if patients:  # none left (they all left the therapist's care): failed, retried
            prepared.append(dataclasses.replace(item, variant=FlagsVariant(patients)))
    return prepared
