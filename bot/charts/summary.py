"""The weekly summary's chart: each patient's adherence beside their mean pain, as one PNG.

Patients are rows in the summary's order (those needing attention first); the left panel shows
the share of sessions done this week, the right one the mean pain during drills this week as a
bar and the week before as a dot. A paused patient's row is hatched. matplotlib is imported
when the first chart is drawn (in the worker thread that draws it), not with this module: the
summary's other files and the bot's start-up do not pay for it. As for /progress, each call
builds its own Figure and never touches pyplot's global state.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.domain.summary import Summary
from content.messages import Messages, Text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_PX = 900
ROW_PX = 34
BASE_PX = 200
DPI = 100
LEFT_PX = 170  # the names
MAX_ROWS = 40  # a longer list is cut (the CSV and the message have everyone)
NAME_CHARS = 18

DONE_COLOUR = "#0072B2"
ATTENTION_COLOUR = "#D55E00"
PAIN_COLOUR = "#E69F00"
LAST_WEEK_COLOUR = "#444444"
PAUSED_COLOUR = "#BBBBBB"
GRID_COLOUR = "#DDDDDD"
TITLE_SIZE = 17
TICK_SIZE = 13


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"


def draw_summary_chart(summary: Summary, messages: Messages) -> bytes:
    """The chart as PNG bytes, its words in ``messages``' language."""
    import matplotlib  # noqa: PLC0415 - half a second to import: only when a chart is drawn

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    patients = summary.patients[:MAX_ROWS]
    rows = max(1, len(patients))
    height = BASE_PX + ROW_PX * rows
    figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    done_axes, pain_axes = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    # Fixed margins in pixels: a constrained layout would take longer than the drawing.
    figure.subplots_adjust(
        left=LEFT_PX / WIDTH_PX,
        right=1 - 20 / WIDTH_PX,
        top=1 - 60 / height,
        bottom=110 / height,
        wspace=0.08,
    )
    positions = list(range(rows))
    labels = [_short(p.name) for p in patients] or [""]

    done = [0 if p.paused else (p.adherence or 0) for p in patients] or [0]
    colours = [
        PAUSED_COLOUR if p.paused else ATTENTION_COLOUR if p.needs_attention else DONE_COLOUR
        for p in patients
    ] or [DONE_COLOUR]
    paused = [100 if p.paused else 0 for p in patients] or [0]
    done_axes.barh(
        positions, paused, height=0.7, color="white", edgecolor=PAUSED_COLOUR, hatch="//"
    )
    done_axes.barh(positions, done, height=0.7, color=colours)
    for index, p in enumerate(patients):
        shown = (
            messages.plain(Text("weekly.chart.paused"))
            if p.paused
            else (f"{p.adherence}%" if p.adherence is not None else "–")
        )
        done_axes.text(min(done[index], 100) + 1, index, shown, va="center", fontsize=TICK_SIZE - 2)
    done_axes.set_xlim(0, 115)
    done_axes.set_yticks(positions, labels, fontsize=TICK_SIZE)
    done_axes.invert_yaxis()  # the summary's first patient on top
    _style(done_axes, messages.plain(Text("weekly.chart.adherence_title")))

    this_week = [p.pain_mean if p.pain_mean is not None else 0 for p in patients] or [0]
    pain_axes.barh(positions, this_week, height=0.6, color=PAIN_COLOUR)
    before = [
        (p.pain_mean - p.pain_mean_change, index)
        for index, p in enumerate(patients)
        if p.pain_mean is not None and p.pain_mean_change is not None
    ]
    if before:
        pain_axes.scatter(
            [value for value, _ in before],
            [index for _, index in before],
            color=LAST_WEEK_COLOUR,
            s=60,
            zorder=3,
        )
    pain_axes.set_xlim(0, 10)
    _style(pain_axes, messages.plain(Text("weekly.chart.pain_title")))
    figure.legend(
        handles=[
            Patch(color=DONE_COLOUR, label=messages.plain(Text("weekly.status.ok"))),
            Patch(color=ATTENTION_COLOUR, label=messages.plain(Text("weekly.chart.attention"))),
            Patch(color=PAIN_COLOUR, label=messages.plain(Text("weekly.chart.this_week"))),
            Patch(color=LAST_WEEK_COLOUR, label=messages.plain(Text("weekly.chart.last_week"))),
        ],
        loc="lower center",
        ncols=4,
        fontsize=TICK_SIZE - 2,
        frameon=False,
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _style(axes: Axes, title: str) -> None:
    axes.set_title(title, fontsize=TITLE_SIZE, loc="left")
    axes.tick_params(axis="x", labelsize=TICK_SIZE - 2)
    axes.grid(axis="x", color=GRID_COLOUR)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
