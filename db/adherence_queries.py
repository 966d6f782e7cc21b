"""The records adherence is counted from, read for one patient or many in four statements.

What the figures mean is decided by :mod:`bot.domain.adherence`; this module only reads the
plain records it needs (the ledger's reminder rows back to the streaks' horizon, check-ins and
morning checks of the weeks shown) and hands them over. Nothing here writes or commits.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Executable,
    Integer,
    any_,
    bindparam,
    func,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from bot.domain.adherence import (
    REMINDER_KINDS,
    Adherence,
    CheckinRecord,
    LedgerRow,
    MorningCheckRecord,
    Records,
    adherence,
    ledger_start,
    window_start,
)
from db.models import CheckIn, Delivery, DrillSession, MorningCheck, Patient

# A local date begins at most this long before its UTC midnight (UTC+14).
_WIDEST_OFFSET = timedelta(hours=14)


async def adherence_of(
    session: AsyncSession, patient_id: int, today: date, weeks: int = 4
) -> Adherence:
    """The patient's adherence on ``today``, their local date (see :func:`adherence`)."""
    return (await adherence_for(session, [patient_id], today, weeks))[patient_id]


async def adherence_for(
    session: AsyncSession,
    patient_ids: Collection[int],
    today: date | Mapping[int, date],
    weeks: int = 4,
    zones: Mapping[int, ZoneInfo] | None = None,
    checkins: Mapping[int, Sequence[CheckinRecord]] | None = None,
) -> dict[int, Adherence]:
    """The adherence of each of ``patient_ids`` (a therapist's summary), in four statements
    whatever their number (one fewer each for the ``zones`` and the ``checkins`` given).

    ``today`` is one date for all, or each patient's own local date. A patient without any
    record (or without a row at all) gets empty figures. ``checkins``: the patients'
    check-ins as :func:`checkins_for` reads them (from :func:`answers_since`), when the caller
    read them already (a summary reads them with their answers).
    """
    if not patient_ids:
        return {}
    todays = today if isinstance(today, Mapping) else dict.fromkeys(patient_ids, today)
    # Most patients share their date: each date's window is worked out once.
    dates = set(todays[pid] for pid in patient_ids)
    records = await _records(
        session,
        patient_ids,
        ledger_since=min(ledger_start(day, weeks) for day in dates),
        answers_since=min(window_start(day, weeks) for day in dates),
        zones=zones,
        checkins=checkins,
    )
    empty = Records()
    return {pid: adherence(records.get(pid, empty), todays[pid], weeks) for pid in patient_ids}


async def _records(
    session: AsyncSession,
    patient_ids: Collection[int],
    ledger_since: date,
    answers_since: date,
    zones: Mapping[int, ZoneInfo] | None,
    checkins: Mapping[int, Sequence[CheckinRecord]] | None,
) -> dict[int, Records]:
    if zones is None:
        zones = await _zones(session, patient_ids)
    ledger = await _ledger(session, patient_ids, ledger_since)
    if checkins is None:
        checkins, _ = await checkins_for(session, patient_ids, answers_since, zones)
    mornings = await _morning_checks(session, patient_ids, answers_since)
    return {
        pid: Records(
            tuple(ledger.get(pid, ())), tuple(checkins.get(pid, ())), tuple(mornings.get(pid, ()))
        )
        for pid in patient_ids
    }


async def rows_of(session: AsyncSession, statement: Executable) -> Sequence[Any]:
    """``statement``'s rows as plain tuples, read at once on the session's connection: the
    ORM has nothing to add to a select of columns, and skipping it saves its work per row."""
    return (await (await session.connection()).execute(statement)).all()


def id_in(
    session: AsyncSession,
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    ids: Collection[int],
) -> ColumnElement[bool]:
    """``column IN ids`` with the ids in one parameter, not one each: rendering and sending
    thousands of parameters costs more than the query itself. PostgreSQL gets an array
    (``= ANY``), SQLite a JSON array it reads as a table (``json_each``)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    listed = func.json_each(json.dumps(list(ids))).table_valued("value")
    return column.in_(select(listed.c.value))


async def _zones(session: AsyncSession, patient_ids: Collection[int]) -> dict[int, ZoneInfo]:
    result = await rows_of(
        session, select(Patient.id, Patient.timezone).where(id_in(session, Patient.id, patient_ids))
    )
    return {pid: _zone(name) for pid, name in result}


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def _ledger(
    session: AsyncSession, patient_ids: Collection[int], since: date
) -> dict[int, list[LedgerRow]]:
    result = await rows_of(
        session,
        select(
            Delivery.patient_id,
            Delivery.local_date,
            Delivery.slot_key,
            Delivery.kind,
            Delivery.status,
            Delivery.response,
            Delivery.skip_reason,
        ).where(
            id_in(session, Delivery.patient_id, patient_ids),
            Delivery.local_date >= since,
            Delivery.kind.in_(sorted(REMINDER_KINDS)),
        ),
    )
    found: dict[int, list[LedgerRow]] = defaultdict(list)
    for pid, local_date, slot_key, kind, status, response, skip_reason in result:
        found[cast(int, pid)].append(
            LedgerRow(local_date, slot_key, kind, status, response, skip_reason)
        )
    return found


def answers_since(todays: Iterable[date], weeks: int) -> date:
    """The first local date whose check-ins (and morning checks) adherence reads for patients
    living ``todays``."""
    return min(window_start(day, weeks) for day in set(todays))


async def checkins_for(
    session: AsyncSession,
    patient_ids: Collection[int],
    since: date,
    zones: Mapping[int, ZoneInfo],
    begun_since: datetime | None = None,
    columns: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]] = (),
) -> tuple[dict[int, list[CheckinRecord]], list[tuple[Any, ...]]]:
    """The check-ins adherence counts from ``since``: dated by the local date of the reminder
    they follow; one after a drill done without a reminder by the local date it was begun on.

    With ``begun_since``, the same statement also reads every check-in begun since then with
    ``columns``: the second value holds them as ``(patient id, local date begun, *columns)``.
    """
    earliest = datetime.combine(since, time(0), UTC) - _WIDEST_OFFSET
    completed = CheckIn.completed_at.is_not(None)
    after_a_reminder = (
        select(CheckIn.patient_id, Delivery.local_date, CheckIn.started_at, completed, *columns)
        .join(DrillSession, DrillSession.id == CheckIn.drill_session_id)
        .join(Delivery, Delivery.id == DrillSession.delivery_id)
        .where(
            id_in(session, CheckIn.patient_id, patient_ids),
            Delivery.local_date >= since
            if begun_since is None
            else or_(Delivery.local_date >= since, CheckIn.started_at >= begun_since),
        )
    )
    # A drill done without a reminder (or whose reminder row is gone: the reference is then
    # null) is dated by the check-in's own start.
    without_one = (
        select(CheckIn.patient_id, null(), CheckIn.started_at, completed, *columns)
        .join(DrillSession, DrillSession.id == CheckIn.drill_session_id)
        .where(
            id_in(session, CheckIn.patient_id, patient_ids),
            CheckIn.started_at >= (earliest if begun_since is None else min(earliest, begun_since)),
            DrillSession.delivery_id.is_(None),
        )
    )
    rows = await rows_of(session, union_all(after_a_reminder, without_one))
    found: dict[int, list[CheckinRecord]] = defaultdict(list)
    begun: list[tuple[Any, ...]] = []
    for pid, local_date, started_at, is_completed, *more in rows:
        began = None
        if local_date is None and started_at >= earliest:
            began = started_at.astimezone(zones.get(pid, UTC)).date()
            found[pid].append(CheckinRecord(began, completed=is_completed))
        elif local_date is not None and local_date >= since:
            found[pid].append(CheckinRecord(local_date, completed=is_completed))
        if begun_since is not None and started_at >= begun_since:
            began = began or started_at.astimezone(zones.get(pid, UTC)).date()
            begun.append((pid, began, *more))
    return found, begun


async def _morning_checks(
    session: AsyncSession, patient_ids: Collection[int], since: date
) -> dict[int, list[MorningCheckRecord]]:
    result = await rows_of(
        session,
        select(
            MorningCheck.patient_id, MorningCheck.local_date, MorningCheck.answered_at.is_not(None)
        ).where(
            id_in(session, MorningCheck.patient_id, patient_ids), MorningCheck.local_date >= since
        ),
    )
    found: dict[int, list[MorningCheckRecord]] = defaultdict(list)
    for pid, local_date, answered in result:
        found[pid].append(MorningCheckRecord(local_date, answered=answered))
    return found
