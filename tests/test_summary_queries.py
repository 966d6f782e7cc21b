"""The summary's loader on the database: patients in care only (one who left is absent), each
patient's week in their own zone, and a fixed number of queries whatever the patients."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import event

from bot.bench.summaries import QueryCounter, _naive_one
from db import care_queries
from db import summary_queries as sq
from db.engine import Database
from db.models import CheckIn, Delivery, DrillSession, MorningCheck, Patient, Therapist

# Monday 9 March 2026, 08:00 in Berlin: 07:00 UTC, still Sunday 21:00 in Honolulu.
AT = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
LINKED = datetime(2026, 2, 1, tzinfo=UTC)


async def _therapist(database: Database, telegram_id: int = 7201) -> sq.Recipient:
    async with database.transaction() as session:
        therapist = Therapist(
            telegram_user_id=telegram_id,
            chat_id=telegram_id,
            name="Dr. Ana Ruiz",
            created_at=LINKED,
            timezone="Europe/Berlin",
        )
        session.add(therapist)
        await session.flush()
        return sq.Recipient(therapist.id, therapist.name, therapist.timezone)


async def _patient(
    database: Database, therapist: sq.Recipient, telegram_id: int, name: str, zone: str
) -> int:
    async with database.transaction() as session:
        patient = Patient(
            telegram_user_id=telegram_id, chat_id=telegram_id, created_at=LINKED, timezone=zone
        )
        session.add(patient)
        await session.flush()
        await care_queries.link_patient(session, patient.id, therapist.id, name, LINKED)
        return patient.id


async def _checkin(database: Database, patient_id: int, at: datetime, pain: int) -> None:
    async with database.transaction() as session:
        drill = DrillSession(patient_id=patient_id, drill_id="wall_slide", completed_at=at)
        session.add(drill)
        await session.flush()
        session.add(
            CheckIn(
                patient_id=patient_id,
                drill_session_id=drill.id,
                drill_id="wall_slide",
                started_at=at,
                pain_during=pain,
            )
        )


async def test_each_patients_week_is_read_in_their_own_zone(database: Database) -> None:
    therapist = await _therapist(database)
    lou = await _patient(database, therapist, 8201, "Lou", "Pacific/Honolulu")
    tokyo = await _patient(database, therapist, 8202, "Taro", "Asia/Tokyo")
    # Saturday 7 March 20:00 in Honolulu (in Lou's week) and Sunday 8 March 20:00 there
    # (Lou's Sunday is not over at the summary's instant: not in it).
    await _checkin(database, lou, datetime(2026, 3, 8, 6, 0, tzinfo=UTC), 3)
    await _checkin(database, lou, datetime(2026, 3, 9, 6, 0, tzinfo=UTC), 9)
    # Monday 2 March 00:30 in Tokyo is Sunday 1 March 15:30 UTC: in Taro's week.
    await _checkin(database, tokyo, datetime(2026, 3, 1, 15, 30, tzinfo=UTC), 6)
    # Sunday 1 March 23:30 in Tokyo: the week before.
    await _checkin(database, tokyo, datetime(2026, 3, 1, 14, 30, tzinfo=UTC), 2)

    async with database.transaction() as session:
        summary = await sq.summary_for(session, therapist, AT)

    by_name = {patient.name: patient for patient in summary.patients}
    lou_week, taro = by_name["Lou"], by_name["Taro"]
    assert (str(lou_week.week_start), str(lou_week.week_end)) == ("2026-03-01", "2026-03-07")
    assert lou_week.pain_max == 3
    assert (str(taro.week_start), str(taro.week_end)) == ("2026-03-02", "2026-03-08")
    assert taro.pain_max == 6
    assert taro.pain_max_change == 4  # against the 2 of the week before


async def test_a_patient_who_left_or_went_to_another_therapist_is_absent(
    database: Database,
) -> None:
    therapist = await _therapist(database)
    other = await _therapist(database, 7202)
    await _patient(database, therapist, 8211, "Stays", "Europe/Berlin")
    left = await _patient(database, therapist, 8212, "Left", "Europe/Berlin")
    moved = await _patient(database, therapist, 8213, "Moved", "Europe/Berlin")
    async with database.transaction() as session:
        await care_queries.end_link(session, left, "left", AT)
        await care_queries.link_patient(session, moved, other.id, "Moved", AT)
        summaries = await sq.summaries_for(session, [therapist, other], AT)
    assert [p.name for p in summaries[therapist.id].patients] == ["Stays"]
    assert [p.name for p in summaries[other.id].patients] == ["Moved"]


async def test_the_number_of_queries_does_not_grow_with_the_patients(database: Database) -> None:
    few = await _therapist(database, 7203)
    many = await _therapist(database, 7204)
    await _patient(database, few, 8220, "Only", "Europe/Berlin")
    for n in range(8):
        await _patient(database, many, 8230 + n, f"P{n}", "Asia/Tokyo")
    counter = QueryCounter(database)
    try:
        counts = []
        for therapist in (few, many):
            with counter.counting() as seen:
                async with database.transaction() as session:
                    await sq.summary_for(session, therapist, AT)
            counts.append(seen[0])
    finally:
        counter.close()
    assert counts[0] == counts[1]
    assert counts[0] <= 12  # the transaction's own statements included
    assert not event.contains(database.engine.sync_engine, "before_cursor_execute", counter._seen)


async def test_the_batched_read_gives_every_figure_the_per_patient_read_gives(
    database: Database,
) -> None:
    """Many therapists at once (plain rows, zones read once, the check-ins' two indexed
    queries) against each patient read with queries of their own, as a naive loop would."""
    therapists = [await _therapist(database, 7300 + n) for n in range(3)]
    zones = ("Europe/Berlin", "Pacific/Honolulu", "Asia/Tokyo", "America/Los_Angeles")
    for n in range(8):
        patient = await _patient(database, therapists[n % 3], 8300 + n, f"P{n}", zones[n % 4])
        async with database.transaction() as session:
            for day in range(1, 12):
                local_date = date(2026, 2, 26) + timedelta(days=day)
                due = datetime.combine(local_date, time(7, 30), UTC)
                answer = ("done", "skipped", None)[(n + day) % 3]
                delivery = Delivery(
                    patient_id=patient,
                    local_date=local_date,
                    slot_key="07:30",
                    kind="reminder",
                    due_at=due,
                    status="paused" if (n, day) == (5, 4) else "sent",
                    response=answer,
                    skip_reason="sore" if answer == "skipped" else None,
                )
                session.add(delivery)
                await session.flush()
                if answer == "done" or day % 4 == 0:
                    drill = DrillSession(
                        patient_id=patient,
                        delivery_id=delivery.id if answer == "done" else None,
                        drill_id="wall_slide",
                        completed_at=due + timedelta(minutes=5),
                    )
                    session.add(drill)
                    await session.flush()
                    session.add(
                        CheckIn(
                            patient_id=patient,
                            drill_session_id=drill.id,
                            drill_id="wall_slide",
                            started_at=due + timedelta(minutes=6),
                            completed_at=due + timedelta(minutes=8) if day % 2 else None,
                            pain_during=(n + day) % 8,
                            form_score=("good", "partial", "poor")[day % 3],
                        )
                    )
            session.add(
                MorningCheck(
                    patient_id=patient,
                    local_date=date(2026, 3, 5),
                    compared="worse" if n % 2 else "same",
                    answered_at=AT - timedelta(days=4),
                )
            )

    async with database.transaction(read_only=True) as session:
        batched = await sq.summaries_for(session, therapists, AT)
        one_by_one = {t.id: await _naive_one(session, t) for t in therapists}

    assert batched == one_by_one
    assert sum(len(summary.patients) for summary in batched.values()) == 8


async def test_the_garbage_collector_is_left_as_it_was(database: Database) -> None:
    therapist = await _therapist(database, 7310)
    await _patient(database, therapist, 8310, "Only", "Europe/Berlin")
    assert gc.isenabled()
    async with database.transaction(read_only=True) as session:
        await sq.summary_for(session, therapist, AT)
        assert gc.isenabled()
        gc.disable()
        try:
            await sq.summary_for(session, therapist, AT)
            assert not gc.isenabled()
        finally:
            gc.enable()
