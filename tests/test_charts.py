"""The /progress chart is a PNG a phone can show, whatever the patient has reported."""

from __future__ import annotations

import struct
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.charts import ProgressFigure
from bot.charts.progress import HEIGHT_PX, WIDTH_PX, draw_progress

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

FOUR_WEEKS = 28
LABELS = dict(
    sessions_title="Sessions per day",
    sessions_label="Done",
    planned_label="Planned",
    pain_title="Pain (0–10)",
    pain_label="After drills",
    morning_label="In the morning",
    plan_change_label="Plan changed",
    no_pain="No pain scores yet",
)


def figure(
    sessions: list[int],
    pain: list[int | None],
    morning: list[int | None] | None = None,
    plan_changes: tuple[int, ...] = (),
) -> ProgressFigure:
    days = len(sessions)
    return ProgressFigure(
        day_labels=tuple(f"{day + 1} Mar" for day in range(days)),
        sessions=tuple(sessions),
        planned=tuple(max(2, done) for done in sessions),
        pain=tuple(pain),
        morning_pain=tuple(morning or [None] * days),
        plan_changes=plan_changes,
        **LABELS,
    )


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's header chunk."""
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def typical() -> ProgressFigure:
    sessions = [2, 1, 0, 2, 2, 0, 0] * 4
    pain = [3, 2, None, 4, 3, None, None] * 4
    morning = [None, 2, 1, None, 2, 2, None] * 4
    return figure(sessions, pain, morning, plan_changes=(13,))


def test_typical_four_weeks_is_a_phone_sized_png() -> None:
    png = draw_progress(typical())
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX) == (1000, 1100)
    assert 10_000 < len(png) < 1_000_000  # a real picture, small enough to send at once


def test_a_single_day_is_drawn() -> None:
    png = draw_progress(figure([1], [2]))
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX)


def test_no_pain_reported_at_all_still_draws_the_sessions() -> None:
    without_pain = draw_progress(figure([1, 0, 2] * 9 + [1], [None] * FOUR_WEEKS))
    assert png_size(without_pain) == (WIDTH_PX, HEIGHT_PX)
    with_pain = draw_progress(figure([1, 0, 2] * 9 + [1], [3] * FOUR_WEEKS))
    assert without_pain != with_pain  # the pain panel says there is nothing yet instead


def test_the_same_data_draws_the_same_picture_in_parallel_threads() -> None:
    """Each chart has its own figure: drawing several at once in threads changes nothing."""
    charts = [typical(), figure([1], [None]), figure([0] * FOUR_WEEKS, [5] * FOUR_WEEKS)]
    alone = [draw_progress(chart) for chart in charts]
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(draw_progress, charts * 3))
    assert together == alone * 3


@pytest.mark.parametrize(
    ("sessions", "pain", "plan_changes"),
    [
        ([], [], ()),  # no day at all
        ([1, 2], [None], ()),  # a series one day short
        ([1, 2], [None, None], (2,)),  # a plan change after the last day
    ],
)
def test_inconsistent_data_is_refused(
    sessions: list[int], pain: list[int | None], plan_changes: tuple[int, ...]
) -> None:
    with pytest.raises(ValueError, match=r"day|plan"):
        figure(sessions, pain, [None] * len(sessions), plan_changes)
