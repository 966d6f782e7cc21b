"""``/progress``: this week's sessions, the streak, and a chart of the last four weeks.

The figures are the one adherence definition's (:mod:`bot.domain.adherence`, read by
:mod:`db.adherence_queries`); the pain trend comes from the check-ins and morning checks, the
plan's changes from the changes the patient accepted (:mod:`db.progress_queries`). This module
only says what to show: the chart travels as plain data on the screen
(:class:`~bot.domain.screens.ProgressChart`) and the renderer draws it after the commit.

``/progress`` asks nothing itself, so it is a flow without steps: the conversation the patient
may be in (a check-in half done, say) is left as it is. Below the progress come the patient's
own goals (:mod:`bot.flows.goals`): their latest scores and change, and the offer to name them
on the first /progress (or to rate them again when four weeks have passed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.adherence import Adherence, DayAdherence
from bot.domain.screens import ProgressChart, Reply, Screen, Text, screen
from bot.flows import goals
from bot.flows.engine import Ctx, Flow
from bot.flows.summary import ONBOARDING
from bot.turns import Turn
from db.adherence_queries import adherence_of
from db.models import Patient
from db.progress_queries import (
    PainReport,
    checkin_pain,
    morning_pain,
    plan_changes_accepted,
)

PROGRESS = "progress"

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    patient, turn = ctx.patient, ctx.turn
    if patient is None or patient.onboarded_at is None:
        if turn.conversation is not None and turn.conversation.flow == ONBOARDING:
            return ctx.resume("settings.finish_setup_first")
        return ctx.say("common.start_first")
    return ctx.reply(await progress_of(turn, patient), *await _goals(ctx))


async def _goals(ctx: Ctx) -> tuple[Screen, ...]:
    """The patient's goals with their change, and the offer to name them (the first time) or
    rate them again (every four weeks) when it is due.

    The offer's buttons open the goals conversation from an idle one: in the middle of another
    conversation (a check-in half done) it waits for the next /progress.
    """
    lines = await goals.current_lines(ctx)
    shown = (Screen(body=lines),) if lines else ()
    offer = None if ctx.engine.is_active(ctx.turn) else await goals.due_offer(ctx)
    return (*shown, offer) if offer is not None else shown


FLOW = Flow(name=PROGRESS, steps={}, cancelled="cancel.nothing", command=PROGRESS, enter=_enter)


async def progress_of(turn: Turn, patient: Patient) -> Screen:
    """The patient's progress on the turn's day, in their zone: the figures of the one
    adherence definition over a chart of the last four weeks (the days since they joined, if
    fewer), with the pain they reported and the plan changes they accepted."""
    found = await load_progress(turn.session, patient, turn.now)
    return progress_screen(
        found.figures, found.pain, found.mornings, found.plan_changed, found.first_day
    )


@dataclass(frozen=True)
class Progress:
    """What /progress (and a therapist's view of the patient's record) draws: the adherence
    figures, the highest pain and the morning pain of each day, the days the plan changed,
    from ``first_day`` (the last four weeks, or the days since the patient joined)."""

    figures: Adherence
    pain: Mapping[date, int]
    mornings: Mapping[date, int]
    plan_changed: Collection[date]
    first_day: date


async def load_progress(session: AsyncSession, patient: Patient, now: datetime) -> Progress:
    """The patient's progress on ``now``'s day in their zone (see :class:`Progress`)."""
    zone = zone_of(patient.timezone)
    today = now.astimezone(zone).date()
    figures = await adherence_of(session, patient.id, today)
    first_day = max(figures.days[0].date, patient.created_at.astimezone(zone).date())
    since = datetime.combine(first_day, time(0), zone).astimezone(UTC)
    pain = highest_by_day(await checkin_pain(session, patient.id, since), zone)
    mornings = await morning_pain(session, patient.id, first_day)
    changes = await plan_changes_accepted(session, patient.id, since)
    changed = {when.astimezone(zone).date() for when in changes}
    return Progress(figures, pain, mornings, changed, first_day)


def zone_of(name: str | None) -> ZoneInfo:
    """The patient's zone; UTC before they chose one (or for a name no longer known)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def highest_by_day(reports: Iterable[PainReport], zone: ZoneInfo) -> dict[date, int]:
    """The highest pain reported on each day: the day of the reminder the drill followed (as
    adherence dates a check-in), else the local day the check-in began."""
    highest: dict[date, int] = defaultdict(int)
    for report in reports:
        day = report.reminder_date or report.started_at.astimezone(zone).date()
        highest[day] = max(highest[day], report.pain)
    return dict(highest)


def progress_screen(
    figures: Adherence,
    pain: Mapping[date, int],
    mornings: Mapping[date, int],
    plan_changed: Collection[date],
    first_day: date,
) -> Screen:
    """This week's sessions and the streak over a chart of the days from ``first_day`` (the
    last four weeks at most); a friendly word instead when there is nothing to draw."""
    if not figures.has_data and not pain and not mornings:
        return screen("progress.empty")
    days = [day for day in figures.days if day.date >= first_day] or [figures.days[-1]]
    week = figures.this_week
    this_week = (
        Text("progress.this_week", {"done": week.done, "planned": week.prescribed})
        if week.prescribed
        else Text("progress.this_week_none_planned")
    )
    streak = Text(
        "progress.streak", {"current": figures.current_streak, "best": figures.best_streak}
    )
    return Screen(
        body=(Text("progress.title"), this_week, streak, Text("progress.chart_caption")),
        chart=progress_chart(days, pain, mornings, plan_changed),
    )


def progress_chart(
    days: list[DayAdherence],
    pain: Mapping[date, int],
    mornings: Mapping[date, int],
    plan_changed: Collection[date],
) -> ProgressChart:
    return ProgressChart(
        days=tuple(day_label(day.date) for day in days),
        sessions=tuple(day.done for day in days),
        planned=tuple(day.prescribed for day in days),
        pain=tuple(pain.get(day.date) for day in days),
        morning_pain=tuple(mornings.get(day.date) for day in days),
        plan_changes=tuple(index for index, day in enumerate(days) if day.date in plan_changed),
        sessions_title=Text("progress.chart.sessions"),
        sessions_label=Text("progress.chart.done"),
        planned_label=Text("progress.chart.planned"),
        pain_title=Text("progress.chart.pain"),
        pain_label=Text("progress.chart.after_drills"),
        morning_label=Text("progress.chart.mornings"),
        plan_change_label=Text("progress.chart.plan_changed"),
        no_pain=Text("progress.chart.no_pain"),
    )


def day_label(day: date) -> Text:
    """A short date in the reader's language: "2 Mar", "2. März"."""
    month = Text(f"progress.chart.months.{MONTHS[day.month - 1]}")
    return Text("progress.chart.day", {"day": day.day, "month": month})
