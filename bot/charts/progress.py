"""The /progress chart: sessions per day above, the pain trend below, as one PNG.

Drawn for a phone: 1000 pixels wide (Telegram shows a photo at about 400 points, so the
fonts are large), two panels on one day axis, a few short date labels, and a dashed line
through both panels on each day the plan changed.

Each call builds its own :class:`~matplotlib.figure.Figure` and never touches pyplot, whose
global state is not thread-safe: charts can be drawn in worker threads side by side. Sizes and
colours are passed to each artist rather than set in ``rcParams``, which are global too.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display on a server: before anything below picks a backend

from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, MaxNLocator

from bot.charts import ProgressFigure

WIDTH_PX = 1000
HEIGHT_PX = 1100
DPI = 100

TITLE_SIZE = 32
TICK_SIZE = 24
LEGEND_SIZE = 24
NOTE_SIZE = 26

# Told apart by shape and line as well as colour (the Okabe-Ito colours).
SESSIONS_COLOUR = "#0072B2"
PLANNED_COLOUR = "#E3EEF7"
PAIN_COLOUR = "#D55E00"
MORNING_COLOUR = "#CC79A7"
PLAN_COLOUR = "#444444"
GRID_COLOUR = "#DDDDDD"

PAIN_MAX = 10
DAYS_PER_LABEL = 7  # one date label a week, the last one on the latest day
# Fewer days than this are drawn at the right of a week-wide axis, not as very wide bars.
MIN_DAYS_SHOWN = 7
NOTE_WIDTH = 32  # characters per line of the note in an empty pain panel


def draw_progress(chart: ProgressFigure) -> bytes:
    """The chart as PNG bytes."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    sessions_axes, pain_axes = figure.subplots(2, 1, sharex=True)
    days = len(chart.day_labels)
    positions = range(days)

    # The sessions planned as an outline, the ones done filling it.
    sessions_axes.bar(
        positions,
        chart.planned,
        width=0.7,
        color=PLANNED_COLOUR,
        edgecolor=SESSIONS_COLOUR,
        linewidth=[2 if planned else 0 for planned in chart.planned],  # no outline on nothing
    )
    sessions_axes.bar(positions, chart.sessions, width=0.7, color=SESSIONS_COLOUR)
    sessions_axes.set_ylim(0, max(1, *chart.sessions, *chart.planned) * 1.15)
    sessions_axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    _style(sessions_axes, chart.sessions_title)

    has_pain = _draw_pain(pain_axes, chart)
    _style(pain_axes, chart.pain_title)
    pain_axes.set_ylim(-0.5, PAIN_MAX + 0.5)
    pain_axes.yaxis.set_major_locator(FixedLocator(list(range(0, PAIN_MAX + 1, 2))))
    if not has_pain:
        pain_axes.text(
            0.5,
            0.5,
            textwrap.fill(chart.no_pain, NOTE_WIDTH),
            transform=pain_axes.transAxes,
            ha="center",
            va="center",
            fontsize=NOTE_SIZE,
            color="#555555",
            backgroundcolor="white",
        )

    for index in chart.plan_changes:
        for axes in (sessions_axes, pain_axes):
            axes.axvline(index, color=PLAN_COLOUR, linestyle="--", linewidth=3)
    if chart.plan_changes:
        # One legend entry for all the plan lines: an empty line drawn only for its label.
        pain_axes.plot(
            [], [], color=PLAN_COLOUR, linestyle="--", linewidth=3, label=chart.plan_change_label
        )

    labelled = list(range(days - 1, -1, -DAYS_PER_LABEL))[::-1]
    pain_axes.set_xticks(labelled, [chart.day_labels[index] for index in labelled])
    pain_axes.set_xticks(list(positions), minor=True)
    pain_axes.set_xlim(days - max(days, MIN_DAYS_SHOWN) - 0.6, days - 0.4)

    handles: list[Artist] = [
        Patch(facecolor=SESSIONS_COLOUR, label=chart.sessions_label),
        Patch(
            facecolor=PLANNED_COLOUR,
            edgecolor=SESSIONS_COLOUR,
            linewidth=2,
            label=chart.planned_label,
        ),
        *pain_axes.get_legend_handles_labels()[0],
    ]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=2,
        fontsize=LEGEND_SIZE,
        frameon=False,
    )

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _draw_pain(axes: Axes, chart: ProgressFigure) -> bool:
    """The pain lines; False when there is no score to draw."""
    drawn = False
    for series, colour, marker, style, label in (
        (chart.pain, PAIN_COLOUR, "o", "-", chart.pain_label),
        (chart.morning_pain, MORNING_COLOUR, "s", ":", chart.morning_label),
    ):
        if all(value is None for value in series):
            continue
        # Only the days with a score, joined: a trend across the days without one.
        reported = [(day, value) for day, value in enumerate(series) if value is not None]
        axes.plot(
            [day for day, _ in reported],
            [value for _, value in reported],
            color=colour,
            marker=marker,
            markersize=11,
            linestyle=style,
            linewidth=4,
            label=label,
        )
        drawn = True
    return drawn


def _style(axes: Axes, title: str) -> None:
    axes.set_title(title, fontsize=TITLE_SIZE, loc="left", pad=14)
    axes.tick_params(axis="both", which="major", labelsize=TICK_SIZE, length=8)
    axes.tick_params(axis="x", which="minor", length=4)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=1.5)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
