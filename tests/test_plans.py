"""Which drills a reminder carries: the plan in turn, each reminder after the one before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.plans import StarterPlanForEveryone, drills_for_reminder, reminder_drills

PLAN = ("bridge", "clamshell", "heel_slide", "quad_set", "straight_leg_raise")
DAY = date(2026, 3, 3)


@dataclass(frozen=True)
class GivenPlan:
    drill_ids: tuple[str, ...]
    drills_per_reminder: int


def reminders(days: int, slots_per_day: int, per_reminder: int) -> list[tuple[str, ...]]:
    """Every reminder's drills over ``days`` days, in the order the patient receives them."""
    return [
        drills_for_reminder(PLAN, per_reminder, DAY + timedelta(days=n), slot, slots_per_day)
        for n in range(days)
        for slot in range(slots_per_day)
    ]


def in_turn(shown: list[tuple[str, ...]]) -> bool:
    """Whether the drills shown, one reminder after another, walk through the plan in order."""
    drills = [drill for reminder in shown for drill in reminder]
    first = PLAN.index(drills[0])
    return drills == [PLAN[(first + n) % len(PLAN)] for n in range(len(drills))]


def test_the_second_reminder_of_a_day_shows_the_drills_after_the_first() -> None:
    first, second, third = reminders(1, slots_per_day=3, per_reminder=2)
    assert first == ("quad_set", "straight_leg_raise")
    assert second == ("bridge", "clamshell")
    assert third == ("heel_slide", "quad_set")


def test_reminders_walk_through_the_plan_in_turn_across_slots_and_days() -> None:
    for slots_per_day in (1, 2, 3):
        for per_reminder in (1, 2, 3):
            assert in_turn(reminders(4, slots_per_day, per_reminder))


def test_a_plan_shorter_than_a_reminder_is_shown_whole_and_no_plan_shows_nothing() -> None:
    assert sorted(drills_for_reminder(PLAN[:2], 3, DAY, 0, 1)) == sorted(PLAN[:2])
    assert drills_for_reminder((), 3, DAY, 0, 1) == ()


def test_a_reminder_shows_as_many_drills_as_its_plan_asks_continuing_the_plan() -> None:
    plan = GivenPlan(PLAN, drills_per_reminder=3)
    shown = [reminder_drills(plan, DAY, slot, 2) for slot in range(2)]
    assert [len(drills) for drills in shown] == [3, 3]
    assert shown == [drills_for_reminder(PLAN, 3, DAY, slot, 2) for slot in range(2)]
    assert in_turn(shown)


async def test_until_therapists_write_plans_every_patient_follows_the_starter_plan() -> None:
    starter = GivenPlan(PLAN, drills_per_reminder=2)
    async with AsyncSession() as session:
        plans = await StarterPlanForEveryone(starter).plans_for(session, [3, 5])
    assert plans == {3: starter, 5: starter}
