"""Charts drawn on the server as PNG images: plain values in, bytes out.

The drawing itself (:mod:`bot.charts.progress`) needs matplotlib, which takes about half a
second to import; this package's data types do not, so the renderer can describe a chart
without paying for it until the first chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ProgressFigure"]


@dataclass(frozen=True)
class ProgressFigure:
    """What the /progress chart shows, oldest day first, its words in the patient's language.

    ``sessions`` are the sessions done each day, ``planned`` those the reminders asked for;
    ``pain`` is the highest pain a check-in reported that day, ``morning_pain`` the next-morning
    check's score for that day (None: nothing reported); ``plan_changes`` are the indexes of
    the days on which the plan changed.
    """

    day_labels: tuple[str, ...]
    sessions: tuple[int, ...]
    planned: tuple[int, ...]
    pain: tuple[int | None, ...]
    morning_pain: tuple[int | None, ...]
    plan_changes: tuple[int, ...]
    sessions_title: str
    sessions_label: str
    planned_label: str
    pain_title: str
    pain_label: str
    morning_label: str
    plan_change_label: str
    no_pain: str

    def __post_init__(self) -> None:
        days = len(self.day_labels)
        if days == 0:
            raise ValueError("a chart needs at least one day")
        series = (self.sessions, self.planned, self.pain, self.morning_pain)
        if any(len(values) != days for values in series):
            raise ValueError("every series needs one value per day")
        if any(not 0 <= index < days for index in self.plan_changes):
            raise ValueError("a plan change outside the chart's days")
