"""The records of the weekly summary, for one therapist or many, in a fixed number of queries.

Whatever the number of patients: one query for the patients in care (open care links), one
for the check-ins (those adherence counts and the week's answers at once), two more for
adherence (:func:`db.adherence_queries.adherence_for`: the ledger and the answered morning
checks; the zones are known already) and one each for the week's morning checks, safety
events and goal ratings: seven statements per call, whether it is one therapist's summary or
a thousand therapists' at once (the benchmark). Rows are read as plain tuples
(:func:`db.adherence_queries.rows_of`). What the figures mean is decided by
:mod:`bot.domain.summary`; nothing here writes or commits.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.summary import (
    CheckinFact,
    EventFact,
    MorningFact,
    PatientWeek,
    RatingFact,
    Summary,
    summarise,
)
from db.adherence_queries import adherence_for, answers_since, checkins_for, id_in, rows_of
from db.models import (
    CareLink,
    CheckIn,
    Goal,
    GoalRating,
    MorningCheck,
    Patient,
    SafetyEvent,
    Therapist,
)

# Two weeks (this one and the one before) plus a day either side for the widest zones.
LOOK_BACK = timedelta(days=16)
# Adherence's weeks: the current one and the one before cover the summary's seven days.
ADHERENCE_WEEKS = 2


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who a summary is for: a therapist's id, name and zone."""

    id: int
    name: str
    timezone: str | None


@dataclass(frozen=True, slots=True)
class _InCare:
    therapist_id: int
    patient_id: int
    name: str
    zone: ZoneInfo
    pause_reason: str | None


def zone_of(name: str | None) -> ZoneInfo:
    """The zone a stored name stands for; UTC when empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def summary_for(session: AsyncSession, therapist: Recipient, at: datetime) -> Summary:
    """One therapist's summary for the week before ``at`` (see :mod:`bot.domain.summary`)."""
    return (await summaries_for(session, [therapist], at))[therapist.id]


async def summaries_for(
    session: AsyncSession, therapists: Sequence[Recipient], at: datetime
) -> dict[int, Summary]:
    """The summaries of ``therapists`` for the week before ``at``, in seven statements."""
    with _collector_paused():
        in_care = await _in_care(session, [therapist.id for therapist in therapists], at)
        weeks = await _weeks(session, in_care, at)
        by_therapist: dict[int, list[PatientWeek]] = defaultdict(list)
        for patient in in_care:
            by_therapist[patient.therapist_id].append(weeks[patient.patient_id])
        return {
            therapist.id: summarise(
                therapist.name,
                at.astimezone(zone_of(therapist.timezone)).date(),
                by_therapist.get(therapist.id, ()),
            )
            for therapist in therapists
        }


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the records and figures are built.

    They are many small values and no cycles (reference counting frees them all the same),
    but while they pile up the collector keeps walking the whole heap: for a thousand
    therapists' patients, a third of the time went to it. Collection resumes at the end
    (unless it was off before); another task running meanwhile only finds it later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _in_care(
    session: AsyncSession, therapist_ids: Collection[int], at: datetime
) -> list[_InCare]:
    """The patients in these therapists' care now (an open care link): as
    :func:`db.care_queries.patients_in_care_of` reads them, for many therapists at once."""
    if not therapist_ids:
        return []
    rows = await rows_of(
        session,
        select(
            CareLink.therapist_id,
            CareLink.patient_name,
            Patient.id,
            Patient.timezone,
            Patient.paused_at,
            Patient.paused_until,
            Patient.pause_reason,
        )
        .join(Patient, Patient.id == CareLink.patient_id)
        .where(id_in(session, CareLink.therapist_id, therapist_ids), CareLink.ended_at.is_(None)),
    )
    found = []
    for therapist_id, name, pid, zone, paused_at, paused_until, reason in rows:
        paused = paused_at is not None and (paused_until is None or paused_until > at)
        found.append(
            _InCare(therapist_id, pid, name, zone_of(zone), (reason or "other") if paused else None)
        )
    return found


async def _weeks(
    session: AsyncSession, in_care: Sequence[_InCare], at: datetime
) -> dict[int, PatientWeek]:
    if not in_care:
        return {}
    ids = [patient.patient_id for patient in in_care]
    zones = {patient.patient_id: patient.zone for patient in in_care}
    todays = {pid: at.astimezone(zone).date() for pid, zone in zones.items()}
    since = at - LOOK_BACK
    # One read of the check-ins: those adherence counts, and the week's with their answers.
    counted, begun = await checkins_for(
        session,
        ids,
        answers_since(todays.values(), ADHERENCE_WEEKS),
        zones,
        begun_since=since,
        columns=(CheckIn.pain_during, CheckIn.form_score),
    )
    adherence = await adherence_for(
        session, ids, todays, weeks=ADHERENCE_WEEKS, zones=zones, checkins=counted
    )
    checkins: dict[int, list[CheckinFact]] = defaultdict(list)
    for pid, local_date, pain, form in begun:
        checkins[pid].append(CheckinFact(local_date, pain, form))
    first_day = min(todays.values()) - LOOK_BACK
    mornings = await _mornings(session, ids, first_day)
    events = await _events(session, ids, since, zones)
    ratings = await _ratings(session, ids, zones)
    return {
        patient.patient_id: PatientWeek(
            patient_id=patient.patient_id,
            name=patient.name,
            today=todays[patient.patient_id],
            adherence=adherence[patient.patient_id],
            pause_reason=patient.pause_reason,
            checkins=tuple(checkins.get(patient.patient_id, ())),
            events=tuple(events.get(patient.patient_id, ())),
            mornings=tuple(mornings.get(patient.patient_id, ())),
            ratings=tuple(ratings.get(patient.patient_id, ())),
        )
        for patient in in_care
    }


def _local(when: datetime, zone: ZoneInfo | None) -> date:
    return when.astimezone(zone or UTC).date()


async def _mornings(
    session: AsyncSession, ids: Collection[int], since: date
) -> dict[int, list[MorningFact]]:
    rows = await rows_of(
        session,
        select(MorningCheck.patient_id, MorningCheck.local_date, MorningCheck.compared).where(
            id_in(session, MorningCheck.patient_id, ids), MorningCheck.local_date >= since
        ),
    )
    found: dict[int, list[MorningFact]] = defaultdict(list)
    for pid, local_date, compared in rows:
        found[pid].append(MorningFact(local_date, compared))
    return found


async def _events(
    session: AsyncSession, ids: Collection[int], since: datetime, zones: Mapping[int, ZoneInfo]
) -> dict[int, list[EventFact]]:
    rows = await rows_of(
        session,
        select(
            SafetyEvent.patient_id, SafetyEvent.occurred_at, SafetyEvent.severity, SafetyEvent.flag
        ).where(id_in(session, SafetyEvent.patient_id, ids), SafetyEvent.occurred_at >= since),
    )
    found: dict[int, list[EventFact]] = defaultdict(list)
    for pid, occurred_at, severity, flag in rows:
        found[pid].append(EventFact(_local(occurred_at, zones.get(pid)), severity, flag))
    return found


async def _ratings(
    session: AsyncSession, ids: Collection[int], zones: Mapping[int, ZoneInfo]
) -> dict[int, list[RatingFact]]:
    """Every rating of the patients' current goals (three goals, one rating a month each)."""
    rows = await rows_of(
        session,
        select(GoalRating.patient_id, GoalRating.goal_id, GoalRating.rated_at, GoalRating.score)
        .join(Goal, Goal.id == GoalRating.goal_id)
        .where(id_in(session, GoalRating.patient_id, ids), Goal.removed_at.is_(None))
        .order_by(GoalRating.id),
    )
    found: dict[int, list[RatingFact]] = defaultdict(list)
    for pid, goal_id, rated_at, score in rows:
        found[pid].append(RatingFact(goal_id, rated_at, _local(rated_at, zones.get(pid)), score))
    return found


async def due_therapists_for_update(
    session: AsyncSession, now: datetime, limit: int
) -> list[Therapist]:
    """Active therapists whose summary is due (or was never scheduled: ``next_summary_at``
    empty, as registration leaves it), locked; others' claims skip them."""
    rows = await session.scalars(
        select(Therapist)
        .where(
            Therapist.is_active.is_(True),
            or_(Therapist.next_summary_at.is_(None), Therapist.next_summary_at <= now),
        )
        .order_by(Therapist.next_summary_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(rows)
