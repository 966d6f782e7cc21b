"""The plan store: each patient's plan as reminders read it, and the suggestions, decisions and
stops that change it; on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.pain_rules import Advice
from bot.domain.plans import PlainPlan, reminder_drills, without_stopped
from bot.domain.progression import ChangeStatus, Direction, Outcome
from db.checkin_queries import pain_scores_between
from db.engine import Database
from db.models import CheckIn, DrillSession, DrillStop, Patient, PatientPlan, PlanChange
from db.plan_queries import (
    PatientPlans,
    clear_stops,
    decide_change,
    is_locked,
    outcomes_for,
    stop_drill,
    suggest_change,
)
from db.queries import patient_by_telegram_id
from tests.e2e.test_reminders import TUESDAY_0730_BERLIN, onboard
from tests.harness import Bot, FrozenClock, PatientChat

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STARTER = PlainPlan(("belly_breathing", "glute_set", "tandem_stance"), drills_per_reminder=2)
LOOKUP = PatientPlans(STARTER)


async def new_patient(session: AsyncSession, telegram_user_id: int) -> int:
    patient = Patient(telegram_user_id=telegram_user_id, chat_id=telegram_user_id, created_at=NOW)
    session.add(patient)
    await session.flush()
    return patient.id


async def patients(database: Database, count: int) -> list[int]:
    async with database.transaction() as session:
        return [await new_patient(session, 7000 + n) for n in range(count)]


async def plan_of(database: Database, patient_id: int) -> tuple[str, ...]:
    async with database.transaction() as session:
        plans = await LOOKUP.plans_for(session, [patient_id])
    return tuple(plans[patient_id].drill_ids)


async def suggested(
    database: Database,
    patient_id: int,
    from_drill: str = "tandem_stance",
    to_drill: str | None = "single_leg_stance",
) -> int:
    async with database.transaction() as session:
        change = await suggest_change(
            session, patient_id, from_drill, to_drill, Direction.HARDER, "too_easy", NOW
        )
        return change.id


async def decided(
    database: Database, patient_id: int, change_id: int, *, accept: bool = True
) -> PlanChange | None:
    async with database.transaction() as session:
        return await decide_change(
            session, patient_id, change_id, accept, STARTER, NOW + timedelta(hours=1)
        )


async def changes(database: Database) -> list[PlanChange]:
    async with database.transaction() as session:
        return list(await session.scalars(select(PlanChange).order_by(PlanChange.id)))


async def own_plans(database: Database) -> list[PatientPlan]:
    async with database.transaction() as session:
        return list(await session.scalars(select(PatientPlan)))


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """The SQL statements the database runs inside the block."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(database.engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", record)


# --- the plan reminders read ---------------------------------------------------------------


def test_a_plan_without_stopped_drills_keeps_its_order_and_size() -> None:
    plan = PlainPlan(("a", "b", "c", "d"), drills_per_reminder=3)
    assert without_stopped(plan, {"c", "a"}) == PlainPlan(("b", "d"), 3)
    assert without_stopped(plan, set()) is plan
    assert without_stopped(plan, {"x"}) == plan
    assert without_stopped(plan, {"a", "b", "c", "d"}).drill_ids == ()


async def test_without_a_plan_of_their_own_a_patient_follows_the_starter_plan(
    database: Database,
) -> None:
    first, second = await patients(database, 2)
    async with database.transaction() as session:
        plans = await LOOKUP.plans_for(session, [first, second])
        assert await LOOKUP.plans_for(session, []) == {}
    assert plans == {first: STARTER, second: STARTER}


async def test_a_whole_batch_of_plans_takes_two_statements(database: Database) -> None:
    ids = await patients(database, 6)
    own, locked, stopped, both = ids[:4]
    async with database.transaction() as session:
        session.add(
            PatientPlan(patient_id=own, drill_ids="a,b", drills_per_reminder=1, updated_at=NOW)
        )
        session.add(
            PatientPlan(
                patient_id=locked, drill_ids="c", drills_per_reminder=1, locked=True, updated_at=NOW
            )
        )
        session.add(
            PatientPlan(patient_id=both, drill_ids="a,b,c", drills_per_reminder=2, updated_at=NOW)
        )
        await stop_drill(session, stopped, "glute_set", "high", NOW)
        await stop_drill(session, both, "b", "severe", NOW)
        await stop_drill(session, both, "c", "severe", NOW)
    async with database.transaction() as session:
        with statements(database) as seen:
            plans = await LOOKUP.plans_for(session, ids)
    assert len([sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]) == 2
    assert {patient_id: plan.drill_ids for patient_id, plan in plans.items()} == {
        own: ("a", "b"),
        locked: ("c",),
        stopped: ("belly_breathing", "tandem_stance"),
        both: ("a",),
        ids[4]: STARTER.drill_ids,
        ids[5]: STARTER.drill_ids,
    }
    assert plans[both].drills_per_reminder == 2


# --- accepting and declining a change ------------------------------------------------------


async def test_an_accepted_swap_reaches_the_next_reminders_drills(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    change = await decided(database, patient_id, await suggested(database, patient_id))
    assert change is not None
    assert change.status == ChangeStatus.ACCEPTED
    assert change.decided_at == NOW + timedelta(hours=1)
    assert await plan_of(database, patient_id) == (
        "belly_breathing",
        "glute_set",
        "single_leg_stance",
    )
    (plan,) = await own_plans(database)
    assert (plan.drills_per_reminder, plan.locked) == (2, False)
    async with database.transaction() as session:
        plans = await LOOKUP.plans_for(session, [patient_id])
    shown = {
        d for slot in range(3) for d in reminder_drills(plans[patient_id], NOW.date(), slot, 3)
    }
    assert shown == {"belly_breathing", "glute_set", "single_leg_stance"}


async def test_a_second_swap_changes_the_patients_own_plan(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    await decided(database, patient_id, await suggested(database, patient_id))
    second = await suggested(database, patient_id, "glute_set", "bridge")
    await decided(database, patient_id, second)
    assert await plan_of(database, patient_id) == ("belly_breathing", "bridge", "single_leg_stance")
    assert len(await own_plans(database)) == 1


async def test_declining_leaves_the_plan_as_it_was(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    change = await decided(
        database, patient_id, await suggested(database, patient_id), accept=False
    )
    assert change is not None
    assert change.status == ChangeStatus.DECLINED
    assert await plan_of(database, patient_id) == STARTER.drill_ids
    assert await own_plans(database) == []


async def test_a_locked_plan_is_never_changed(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    async with database.transaction() as session:
        session.add(
            PatientPlan(
                patient_id=patient_id,
                drill_ids="tandem_stance,glute_set",
                drills_per_reminder=1,
                locked=True,
                updated_at=NOW,
            )
        )
    async with database.transaction() as session:
        assert await is_locked(session, patient_id)
    change = await decided(database, patient_id, await suggested(database, patient_id))
    assert change is not None
    assert change.status == ChangeStatus.LOCKED  # the patient is told their therapist set it
    assert await plan_of(database, patient_id) == ("tandem_stance", "glute_set")
    (plan,) = await own_plans(database)
    assert plan.updated_at == NOW


async def test_a_plan_is_unlocked_until_a_therapist_locks_it(database: Database) -> None:
    first, second = await patients(database, 2)
    async with database.transaction() as session:
        session.add(
            PatientPlan(patient_id=second, drill_ids="a", drills_per_reminder=1, updated_at=NOW)
        )
    async with database.transaction() as session:
        assert not await is_locked(session, first)
        assert not await is_locked(session, second)


async def test_a_forged_change_of_another_patient_does_nothing(database: Database) -> None:
    owner, forger = await patients(database, 2)
    change_id = await suggested(database, owner)
    assert await decided(database, forger, change_id) is None
    assert await decided(database, forger, change_id + 1000) is None
    (change,) = await changes(database)
    assert (change.status, change.decided_at) == (ChangeStatus.SUGGESTED, None)
    assert await own_plans(database) == []
    assert await plan_of(database, owner) == STARTER.drill_ids


async def test_deciding_twice_does_nothing_the_second_time(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    change_id = await suggested(database, patient_id)
    assert await decided(database, patient_id, change_id, accept=False) is not None
    assert await decided(database, patient_id, change_id, accept=True) is None
    assert await decided(database, patient_id, change_id, accept=False) is None
    (change,) = await changes(database)
    assert change.status == ChangeStatus.DECLINED
    assert await plan_of(database, patient_id) == STARTER.drill_ids


async def test_accepting_a_tip_leaves_the_plan_as_it_was(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    change = await decided(
        database, patient_id, await suggested(database, patient_id, to_drill=None)
    )
    assert change is not None
    assert change.status == ChangeStatus.ACCEPTED
    assert await own_plans(database) == []


async def test_accepting_a_change_for_a_drill_that_left_the_plan_changes_nothing(
    database: Database,
) -> None:
    (patient_id,) = await patients(database, 1)
    change = await decided(database, patient_id, await suggested(database, patient_id, "bridge"))
    assert change is not None
    assert change.status == ChangeStatus.STALE
    assert await own_plans(database) == []


async def test_a_drill_has_one_open_suggestion_at_a_time(database: Database) -> None:
    patient_id, other = await patients(database, 2)
    first = await suggested(database, patient_id)
    assert await suggested(database, patient_id) == first
    assert await suggested(database, patient_id, to_drill="mirror_weight_shift") == first
    different_drill = await suggested(database, patient_id, "glute_set", "bridge")
    someone_else = await suggested(database, other)
    assert len({first, different_drill, someone_else}) == 3
    await decided(database, patient_id, first, accept=False)
    assert await suggested(database, patient_id) not in {first, different_drill, someone_else}


# --- stopped drills ------------------------------------------------------------------------


async def test_a_stopped_drill_leaves_the_reminders_until_the_stops_are_cleared(
    database: Database,
) -> None:
    patient_id, other = await patients(database, 2)
    async with database.transaction() as session:
        await stop_drill(session, patient_id, "glute_set", "high", NOW)
    assert await plan_of(database, patient_id) == ("belly_breathing", "tandem_stance")
    assert await plan_of(database, other) == STARTER.drill_ids
    async with database.transaction() as session:
        await clear_stops(session, patient_id, NOW + timedelta(days=1))
    assert await plan_of(database, patient_id) == STARTER.drill_ids


async def test_stopping_a_stopped_drill_again_keeps_the_first_stop(database: Database) -> None:
    (patient_id,) = await patients(database, 1)
    async with database.transaction() as session:
        await stop_drill(session, patient_id, "glute_set", "high", NOW)
        await stop_drill(session, patient_id, "glute_set", "severe", NOW + timedelta(hours=1))
    async with database.transaction() as session:
        await clear_stops(session, patient_id, NOW + timedelta(days=1))
        await stop_drill(
            session, patient_id, "glute_set", "worse_mornings", NOW + timedelta(days=2)
        )
    async with database.transaction() as session:
        stops = list(await session.scalars(select(DrillStop).order_by(DrillStop.id)))
    assert [(stop.reason, stop.cleared_at) for stop in stops] == [
        ("high", NOW + timedelta(days=1)),
        ("worse_mornings", None),
    ]
    assert await plan_of(database, patient_id) == ("belly_breathing", "tandem_stance")


# --- what the rules read -------------------------------------------------------------------


async def checkin(
    session: AsyncSession,
    patient_id: int,
    drill_id: str,
    at: datetime,
    *,
    completed: bool = True,
    pain_during: int | None = 1,
    pain_now: int | None = 0,
    effort: str | None = "too_easy",
    form_score: str | None = "good",
    advice: str | None = "fine",
) -> int:
    drill_session = DrillSession(patient_id=patient_id, drill_id=drill_id, completed_at=at)
    session.add(drill_session)
    await session.flush()
    row = CheckIn(
        patient_id=patient_id,
        drill_session_id=drill_session.id,
        drill_id=drill_id,
        started_at=at,
        completed_at=at + timedelta(minutes=1) if completed else None,
        pain_during=pain_during,
        pain_now=pain_now,
        form={},
        form_score=form_score,
        effort=effort,
        pain_advice=advice,
    )
    session.add(row)
    await session.flush()
    return row.id


async def test_outcomes_are_the_drills_completed_check_ins_oldest_first(database: Database) -> None:
    patient_id, other = await patients(database, 2)
    async with database.transaction() as session:
        await checkin(session, patient_id, "glute_set", NOW + timedelta(days=2), effort="too_hard")
        await checkin(session, patient_id, "glute_set", NOW, pain_during=2, pain_now=5)
        await checkin(session, patient_id, "glute_set", NOW + timedelta(days=1), completed=False)
        await checkin(session, patient_id, "bridge", NOW)
        await checkin(session, other, "glute_set", NOW)
        await checkin(
            session,
            patient_id,
            "glute_set",
            NOW + timedelta(days=3),
            pain_during=None,
            pain_now=None,
            effort=None,
            form_score=None,
            advice=None,
        )
        await checkin(session, patient_id, "glute_set", NOW + timedelta(days=4), advice="gone")
    async with database.transaction() as session:
        found = await outcomes_for(session, patient_id, "glute_set")
    assert found == [
        Outcome("too_easy", "good", 5, Advice.FINE),  # the higher of the two pains
        Outcome("too_hard", "good", 1, Advice.FINE),
        Outcome(None, None, None, None),
        Outcome("too_easy", "good", 1, None),  # advice no longer known
    ]


async def test_outcomes_start_again_after_the_drills_last_decided_change(
    database: Database,
) -> None:
    (patient_id,) = await patients(database, 1)
    async with database.transaction() as session:
        for day in range(3):
            await checkin(session, patient_id, "tandem_stance", NOW - timedelta(days=3 - day))
            await checkin(session, patient_id, "single_leg_stance", NOW - timedelta(days=3 - day))
    change_id = await suggested(database, patient_id)
    async with database.transaction() as session:
        # An open suggestion does not start the history again.
        assert len(await outcomes_for(session, patient_id, "tandem_stance")) == 3
    await decided(database, patient_id, change_id, accept=False)  # decided at NOW + 1 hour
    async with database.transaction() as session:
        assert await outcomes_for(session, patient_id, "tandem_stance") == []
        # The declined change is about tandem_stance, not the drill it would have brought in.
        assert len(await outcomes_for(session, patient_id, "single_leg_stance")) == 3
        # Completed as the change was decided: before it, not counted.
        await checkin(session, patient_id, "tandem_stance", NOW + timedelta(minutes=59))
        await checkin(session, patient_id, "tandem_stance", NOW + timedelta(hours=2))
    async with database.transaction() as session:
        assert len(await outcomes_for(session, patient_id, "tandem_stance")) == 1
    accepted = await suggested(database, patient_id)
    await decided(database, patient_id, accepted)
    async with database.transaction() as session:
        # Accepted: the drill it brought in starts a history of its own.
        assert await outcomes_for(session, patient_id, "single_leg_stance") == []


async def test_pain_scores_of_the_days_before_a_check_in_for_the_baseline(
    database: Database,
) -> None:
    patient_id, other = await patients(database, 2)
    week_ago = NOW - timedelta(days=7)
    async with database.transaction() as session:
        await checkin(session, patient_id, "a", week_ago - timedelta(seconds=1), pain_during=9)
        await checkin(session, patient_id, "a", week_ago, pain_during=4)
        await checkin(
            session, patient_id, "b", NOW - timedelta(days=1), pain_during=2, completed=False
        )
        await checkin(session, patient_id, "a", NOW - timedelta(days=2), pain_during=None)
        judged = await checkin(session, patient_id, "a", NOW, pain_during=8)
        await checkin(session, other, "a", NOW, pain_during=6)
    async with database.transaction() as session:
        # The check-in being judged began at NOW: its own score is not its baseline.
        assert await pain_scores_between(session, patient_id, week_ago, NOW) == [4, 2]
        assert await pain_scores_between(
            session, patient_id, week_ago, NOW + timedelta(seconds=1)
        ) == [4, 2, 8]
    assert judged


# --- end to end: what the patient sees -----------------------------------------------------


async def test_the_patients_reminder_shows_the_drill_they_accepted_and_not_a_stopped_one(
    patient: PatientChat, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    await onboard(patient)
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, patient.user.id)
        assert found is not None
        patient_id = found.id
        change = await suggest_change(
            session,
            patient_id,
            "tandem_stance",
            "mirror_weight_shift",
            Direction.EASIER,
            "pain",
            NOW,
        )
        await stop_drill(session, patient_id, "sit_to_stand_knee_line", "high", NOW)
    async with database.transaction() as session:
        await decide_change(session, patient_id, change.id, True, bot.services.plans.starter, NOW)
    patient.new_messages()
    clock.now = TUESDAY_0730_BERLIN
    await bot.dispatch()
    drills = [label for label in patient.last.buttons if label.startswith("📋")]
    # Tuesday's reminder showed tandem_stance and sit_to_stand_knee_line of the starter plan;
    # now the easier drill takes the first's place and the stopped one is left out.
    assert "📋 Mirror weight shift" in drills
    assert "📋 Heel-to-toe stance" not in drills
    assert "📋 Sit-to-stand with knees in line" not in drills
