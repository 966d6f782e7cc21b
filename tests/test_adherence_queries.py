"""Adherence read from the database (SQLite and PostgreSQL): ledger rows, drill sessions,
check-ins and morning checks written as the bot writes them, the figures a patient or
therapist sees read back through ``adherence_of`` and ``adherence_for``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, event, or_, select

from bot.domain.adherence import CheckinRecord
from bot.domain.schedule import local_occurrence
from db import adherence_queries
from db.adherence_queries import adherence_for, adherence_of
from db.engine import Database
from db.models import CheckIn, Delivery, DrillSession, MorningCheck, Patient

MONDAY = date(2026, 3, 2)
MON, TUE, WED, THU, FRI, SAT, SUN = (MONDAY + timedelta(days=n) for n in range(7))
CREATED = datetime(2026, 1, 1, tzinfo=UTC)


class Ledger:
    """Writes a patient's rows the way the reminder engine and the answers to it do."""

    def __init__(self, session: Any, patient: Patient) -> None:
        self.session = session
        self.patient = patient
        self.zone = ZoneInfo(patient.timezone or "UTC")

    async def row(
        self,
        day: date,
        slot_key: str = "07:30",
        *,
        kind: str = "reminder",
        status: str = "sent",
        response: str | None = None,
        reason: str | None = None,
    ) -> Delivery:
        hours, minutes = slot_key.partition("~")[0].split(":")
        delivery = Delivery(
            patient_id=self.patient.id,
            local_date=day,
            slot_key=slot_key,
            kind=kind,
            due_at=local_occurrence(day, time(int(hours), int(minutes)), self.zone),
            status=status,
            response=response,
            skip_reason=reason,
        )
        self.session.add(delivery)
        await self.session.flush()
        return delivery

    async def done(self, day: date, slot_key: str = "07:30") -> Delivery:
        """A reminder answered Done: its drill sessions are stored with it."""
        delivery = await self.row(day, slot_key, response="done")
        await self.drill(delivery, delivery.due_at + timedelta(minutes=5))
        return delivery

    async def drill(self, delivery: Delivery | None, at: datetime) -> DrillSession:
        drill = DrillSession(
            patient_id=self.patient.id,
            delivery_id=delivery.id if delivery else None,
            drill_id="wall_sit",
            completed_at=at,
        )
        self.session.add(drill)
        await self.session.flush()
        return drill

    async def checkin(self, drill: DrillSession, started: datetime, *, completed: bool) -> None:
        self.session.add(
            CheckIn(
                patient_id=self.patient.id,
                drill_session_id=drill.id,
                drill_id=drill.drill_id,
                started_at=started,
                completed_at=started + timedelta(minutes=1) if completed else None,
                form={},
            )
        )

    def morning(self, day: date, *, answered: bool) -> None:
        asked = local_occurrence(day, time(7, 30), self.zone)
        self.session.add(
            MorningCheck(
                patient_id=self.patient.id,
                local_date=day,
                answered_at=asked + timedelta(minutes=3) if answered else None,
            )
        )


async def new_patient(session: Any, user_id: int, zone: str = "Europe/Berlin") -> Ledger:
    patient = Patient(telegram_user_id=user_id, chat_id=user_id, created_at=CREATED, timezone=zone)
    session.add(patient)
    await session.flush()
    return Ledger(session, patient)


async def test_a_week_read_back_from_the_ledger(database: Database) -> None:
    async with database.transaction() as session:
        ana = await new_patient(session, 1)
        await ana.done(MON)
        await ana.row(TUE, response="snoozed")
        await ana.row(TUE, "07:30~1", kind="snooze", response="snoozed")
        await ana.row(TUE, "07:30~2", kind="snooze", response="done")
        await ana.row(WED, response="skipped", reason="sore")
        await ana.row(THU, status="thinned")
        await ana.row(FRI, status="paused")
        await ana.row(SAT, status="paused")
        await ana.done(SUN)
        # Not reminders, and not Ana's: none of these count.
        await ana.row(THU, "09:00", kind="morning_check", response="done")
        ben = await new_patient(session, 2)
        await ben.done(THU)

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, ana.patient.id, SUN)

    week = result.this_week
    assert (week.done, week.prescribed, week.rate) == (3, 5, 0.6)
    assert (week.active_days, week.paused_days) == (3, 2)
    assert dict(week.skips) == {"sore": 1}
    assert (result.current_streak, result.best_streak) == (1, 2)
    assert result.days_with_data_30 == 4
    assert [day.done for day in result.days[-7:]] == [1, 1, 0, 0, 0, 0, 1]


async def test_check_ins_count_in_the_week_of_their_reminder(database: Database) -> None:
    async with database.transaction() as session:
        kenji = await new_patient(session, 3, zone="Asia/Tokyo")
        # Monday 07:30 in Tokyo is Sunday 22:30 UTC: the check-in belongs to Monday's week.
        monday = await kenji.done(MON)
        drill = await kenji.drill(monday, monday.due_at + timedelta(minutes=5))
        await kenji.checkin(drill, monday.due_at + timedelta(minutes=6), completed=True)
        # A drill done without a reminder, at 08:00 Tuesday in Tokyo (Monday 23:00 UTC).
        own = await kenji.drill(None, datetime(2026, 3, 2, 23, 0, tzinfo=UTC))
        await kenji.checkin(own, datetime(2026, 3, 2, 23, 1, tzinfo=UTC), completed=False)
        # Sunday of the week before, 23:00 in Tokyo, left half-way.
        sunday = await kenji.done(MON - timedelta(days=1), "23:00")
        late = await kenji.drill(sunday, sunday.due_at + timedelta(minutes=50))
        await kenji.checkin(late, sunday.due_at + timedelta(minutes=55), completed=False)

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, kenji.patient.id, WED)

    assert [(w.checkins_started, w.checkins_completed) for w in result.weeks[-2:]] == [
        (1, 0),
        (2, 1),
    ]
    assert result.days_with_data_30 == 3  # Sunday, Monday, Tuesday


async def test_morning_checks_answered_are_data(database: Database) -> None:
    async with database.transaction() as session:
        ana = await new_patient(session, 1)
        ana.morning(TUE, answered=True)
        ana.morning(WED, answered=False)
        ana.morning(MON - timedelta(days=30), answered=True)  # before the window

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, ana.patient.id, WED)

    assert result.days_with_data_30 == 1
    assert result.has_data
    assert result.this_week.prescribed == 0


async def test_a_dst_week_in_berlin(database: Database) -> None:
    # The last week of October 2026: clocks go back on Sunday the 25th.
    monday = date(2026, 10, 19)
    async with database.transaction() as session:
        ana = await new_patient(session, 1)
        for offset in range(7):
            await ana.done(monday + timedelta(days=offset), "02:30")
            await ana.done(monday + timedelta(days=offset))

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, ana.patient.id, monday + timedelta(days=6))

    week = result.this_week
    assert (week.start, week.done, week.prescribed, week.active_days) == (monday, 14, 14, 7)
    assert result.current_streak == 7


async def test_a_move_across_zones_keeps_the_dates_the_ledger_stored(database: Database) -> None:
    async with database.transaction() as session:
        ana = await new_patient(session, 1, zone="Asia/Tokyo")
        for day in (MON, TUE, WED, THU):
            await ana.done(day)
        await ana.done(THU, "19:00")
        await ana.done(FRI)  # Friday morning in Tokyo, the day before she flies
        ana.patient.timezone = "America/New_York"  # where it is Thursday again

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, ana.patient.id, THU)

    assert (result.this_week.done, result.this_week.prescribed) == (6, 6)
    assert result.current_streak == 5


async def test_many_patients_in_four_statements(database: Database) -> None:
    async with database.transaction() as session:
        ana = await new_patient(session, 1)
        await ana.done(MON)
        await ana.done(TUE)
        ben = await new_patient(session, 2, zone="Pacific/Auckland")
        await ben.row(TUE, response="skipped", reason="time")
        await ben.done(WED)
        # A drill done without a reminder at 12:00 UTC on Wednesday: Thursday 01:00 in Auckland.
        drill = await ben.drill(None, datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
        await ben.checkin(drill, datetime(2026, 3, 4, 12, 1, tzinfo=UTC), completed=True)
    ids = [ana.patient.id, ben.patient.id, 999]

    async with database.transaction(read_only=True) as session:
        with counted_statements(database) as statements:
            todays = {ana.patient.id: TUE, ben.patient.id: THU, 999: THU}
            result = await adherence_for(session, ids, todays)

    assert len(statements) == 4
    assert (result[ana.patient.id].this_week.done, result[ana.patient.id].current_streak) == (2, 2)
    ben_week = result[ben.patient.id].this_week
    assert (ben_week.done, ben_week.prescribed, dict(ben_week.skips)) == (1, 2, {"time": 1})
    assert (ben_week.checkins_started, ben_week.checkins_completed) == (1, 1)
    assert result[ben.patient.id].days_with_data_30 == 3  # Tuesday, Wednesday, Thursday
    assert result[999].this_week.prescribed == 0
    assert not result[999].has_data


async def test_one_date_for_all_and_no_patients(database: Database) -> None:
    async with database.transaction() as session:
        ana = await new_patient(session, 1)
        await ana.done(SUN)

    async with database.transaction(read_only=True) as session:
        assert await adherence_for(session, [], SUN) == {}
        result = await adherence_for(session, [ana.patient.id], SUN, weeks=2)

    assert len(result[ana.patient.id].weeks) == 2
    assert result[ana.patient.id].this_week.done == 1


@contextmanager
def counted_statements(database: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


async def test_a_check_in_whose_reminder_row_is_gone_counts_on_its_own_date(
    database: Database,
) -> None:
    async with database.transaction() as session:
        lena = await new_patient(session, 4)
        tuesday = await lena.done(TUE)
        drill = await lena.drill(tuesday, tuesday.due_at + timedelta(minutes=5))
        # Begun on Tuesday 23:30 in Berlin, the reminder's Tuesday; then the ledger row goes.
        await lena.checkin(drill, datetime(2026, 3, 3, 22, 30, tzinfo=UTC), completed=True)
    async with database.transaction() as session:
        await session.delete(tuesday)

    async with database.transaction(read_only=True) as session:
        result = await adherence_of(session, lena.patient.id, SUN)

    assert (result.this_week.checkins_started, result.this_week.checkins_completed) == (1, 1)
    assert result.days_with_data_30 == 1  # Tuesday: the check-in, the reminder being gone


async def test_check_ins_read_as_the_outer_join_read_them(database: Database) -> None:
    """The loader's two indexed queries select and date the check-ins exactly as the single
    outer join with an OR it replaced (kept here as the reference)."""
    async with database.transaction() as session:
        kenji = await new_patient(session, 5, zone="Asia/Tokyo")
        for day in (MON, WED):
            reminder = await kenji.done(day)
            drill = await kenji.drill(reminder, reminder.due_at + timedelta(minutes=5))
            await kenji.checkin(drill, reminder.due_at + timedelta(minutes=6), completed=True)
        # Long ago: a reminder before the window, and a drill done without one.
        old = await kenji.done(MON - timedelta(days=60))
        drill = await kenji.drill(old, old.due_at + timedelta(minutes=5))
        await kenji.checkin(drill, old.due_at + timedelta(minutes=6), completed=True)
        drill = await kenji.drill(None, datetime(2026, 1, 2, 3, 0, tzinfo=UTC))
        await kenji.checkin(drill, datetime(2026, 1, 2, 3, 1, tzinfo=UTC), completed=True)
        # Without a reminder: Thursday 01:00 in Tokyo, left half-way; and a reminder answered
        # late (its Friday, begun on Saturday).
        drill = await kenji.drill(None, datetime(2026, 3, 4, 16, 0, tzinfo=UTC))
        await kenji.checkin(drill, datetime(2026, 3, 4, 16, 1, tzinfo=UTC), completed=False)
        friday = await kenji.done(FRI)
        drill = await kenji.drill(friday, datetime(2026, 3, 7, 1, 0, tzinfo=UTC))
        await kenji.checkin(drill, datetime(2026, 3, 7, 1, 1, tzinfo=UTC), completed=False)
        ana = await new_patient(session, 6)
        await ana.checkin(
            await ana.drill(None, datetime(2026, 3, 3, 9, tzinfo=UTC)),
            datetime(2026, 3, 3, 9, 1, tzinfo=UTC),
            completed=True,
        )
    ids = [kenji.patient.id, ana.patient.id]
    since = MON - timedelta(days=30)
    zones = {kenji.patient.id: ZoneInfo("Asia/Tokyo"), ana.patient.id: ZoneInfo("Europe/Berlin")}

    async with database.transaction(read_only=True) as session:
        read, _ = await adherence_queries.checkins_for(session, ids, since, zones)
        reference = await _checkins_by_outer_join(session, ids, since, zones)

    assert {pid: _sorted(found) for pid, found in read.items()} == reference
    assert [(r.local_date, r.completed) for r in _sorted(read[kenji.patient.id])] == [
        (MON, True),
        (WED, True),
        (THU, False),
        (FRI, False),
    ]


async def _checkins_by_outer_join(
    session: Any, ids: list[int], since: date, zones: dict[int, ZoneInfo]
) -> dict[int, list[CheckinRecord]]:
    earliest = datetime.combine(since, time(0), UTC) - timedelta(hours=14)
    result = await session.execute(
        select(CheckIn.patient_id, Delivery.local_date, CheckIn.started_at, CheckIn.completed_at)
        .join(DrillSession, DrillSession.id == CheckIn.drill_session_id)
        .outerjoin(Delivery, Delivery.id == DrillSession.delivery_id)
        .where(
            CheckIn.patient_id.in_(ids),
            or_(
                Delivery.local_date >= since,
                and_(Delivery.id.is_(None), CheckIn.started_at >= earliest),
            ),
        )
    )
    found: dict[int, list[CheckinRecord]] = {}
    for pid, local_date, started_at, completed_at in result:
        day = local_date or started_at.astimezone(zones[pid]).date()
        found.setdefault(pid, []).append(CheckinRecord(day, completed=completed_at is not None))
    return {pid: _sorted(records) for pid, records in found.items()}


def _sorted(records: list[CheckinRecord]) -> list[CheckinRecord]:
    return sorted(records, key=lambda record: (record.local_date, record.completed))


async def test_zones_known_already_spare_a_statement(database: Database) -> None:
    async with database.transaction() as session:
        ben = await new_patient(session, 7, zone="Pacific/Auckland")
        await ben.done(WED)
        drill = await ben.drill(None, datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
        await ben.checkin(drill, datetime(2026, 3, 4, 12, 1, tzinfo=UTC), completed=True)
    ids = [ben.patient.id]

    async with database.transaction(read_only=True) as session:
        looked_up = await adherence_for(session, ids, THU)
        with counted_statements(database) as statements:
            given = await adherence_for(
                session, ids, THU, zones={ben.patient.id: ZoneInfo("Pacific/Auckland")}
            )

    assert len(statements) == 3
    assert given == looked_up
    assert given[ben.patient.id].days_with_data_30 == 2  # Wednesday; Thursday in Auckland
