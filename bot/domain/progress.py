"""What a patient's progress looks like: this week's sessions, the streak, and the chart of
the last days (sessions, pain after drills, morning pain, plan changes) as plain data the
renderer draws."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from bot.domain.adherence import Adherence, DayAdherence
from bot.domain.screens import ProgressChart, Screen, Text, screen

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


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
