"""Reads and writes of the patient's goals (the Patient-Specific Functional Scale).

A goal that is removed keeps its row and its ratings (``removed_at`` is set): the therapist's
record of what was rated stays whole. Nothing here commits: the caller's unit of work does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Goal, GoalRating


async def current_goals(
    session: AsyncSession, patient_id: int
) -> list[tuple[Goal, list[GoalRating]]]:
    """The patient's goals not removed, oldest first, each with its ratings, oldest first."""
    goals = list(
        await session.scalars(
            select(Goal)
            .where(Goal.patient_id == patient_id, Goal.removed_at.is_(None))
            .order_by(Goal.created_at, Goal.id)
        )
    )
    if not goals:
        return []
    ratings: dict[int, list[GoalRating]] = {goal.id: [] for goal in goals}
    rows = await session.scalars(
        select(GoalRating)
        .where(GoalRating.goal_id.in_(ratings))
        .order_by(GoalRating.rated_at, GoalRating.id)
    )
    for rating in rows:
        ratings[rating.goal_id].append(rating)
    return [(goal, ratings[goal.id]) for goal in goals]


async def count_current_goals(session: AsyncSession, patient_id: int) -> int:
    result = await session.scalar(
        select(func.count())
        .select_from(Goal)
        .where(Goal.patient_id == patient_id, Goal.removed_at.is_(None))
    )
    return int(result or 0)


async def current_goal(session: AsyncSession, patient_id: int, goal_id: int) -> Goal | None:
    """One of the patient's goals not removed; ``None`` for another patient's or a removed one."""
    result = await session.execute(
        select(Goal).where(
            Goal.id == goal_id, Goal.patient_id == patient_id, Goal.removed_at.is_(None)
        )
    )
    return result.scalar_one_or_none()


async def add_goal(session: AsyncSession, patient_id: int, activity: str, now: datetime) -> Goal:
    goal = Goal(patient_id=patient_id, activity=activity, created_at=now)
    session.add(goal)
    await session.flush()
    return goal


def add_rating(session: AsyncSession, goal: Goal, score: int, now: datetime) -> None:
    session.add(GoalRating(goal_id=goal.id, patient_id=goal.patient_id, score=score, rated_at=now))
