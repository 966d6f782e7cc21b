"""Due instants across daylight-saving changes, day boundaries and weekday choices."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import weekdays
from bot.domain.plans import drills_for_reminder
from bot.domain.reminder_rules import Fatigue, fatigue, in_quiet_hours
from bot.domain.schedule import next_reminder_at, occurrences_between

EVERY_DAY = weekdays.to_mask(weekdays.ALL_DAYS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(instant: datetime | None, zone: str) -> str:
    assert instant is not None
    return instant.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M %Z")


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        ("Europe/Berlin", "2026-03-28", "2026-03-30"),  # spring forward on 29 March
        ("Europe/Berlin", "2026-10-24", "2026-10-26"),  # fall back on 25 October
        ("America/New_York", "2026-03-07", "2026-03-09"),
        ("America/New_York", "2026-10-31", "2026-11-02"),
        ("Australia/Sydney", "2026-04-04", "2026-04-06"),  # autumn there: clocks go back
        ("Australia/Sydney", "2026-10-03", "2026-10-05"),
    ],
)
def test_wall_clock_time_is_kept_across_dst(zone: str, before: str, after: str) -> None:
    start = datetime.fromisoformat(f"{before}T12:00").replace(tzinfo=ZoneInfo(zone))
    dues = occurrences_between(
        time(7, 30), EVERY_DAY, zone, start, start + timedelta(days=3), limit=10
    )
    assert [due.astimezone(ZoneInfo(zone)).strftime("%H:%M") for due in dues] == ["07:30"] * 3
    assert dues[1].astimezone(ZoneInfo(zone)).date() == date.fromisoformat(after)


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Berlin", "2026-03-29", "2026-03-29 03:00 CEST"),
        ("America/New_York", "2026-03-08", "2026-03-08 03:00 EDT"),
        ("Australia/Sydney", "2026-10-04", "2026-10-04 03:00 AEDT"),
    ],
)
def test_a_time_skipped_by_spring_forward_is_due_once_at_the_first_valid_minute(
    zone: str, day: str, expected: str
) -> None:
    night_before = datetime.fromisoformat(f"{day}T00:00").replace(tzinfo=ZoneInfo(zone))
    due = next_reminder_at(time(2, 30), EVERY_DAY, zone, night_before)
    assert local(due, zone) == expected
    following = next_reminder_at(time(2, 30), EVERY_DAY, zone, due)  # type: ignore[arg-type]
    assert local(following, zone).startswith(
        str(date.fromisoformat(day) + timedelta(days=1)) + " 02:30"
    )


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("Europe/Berlin", "2026-10-25"),
        ("America/New_York", "2026-11-01"),
        ("Australia/Sydney", "2026-04-05"),
    ],
)
def test_a_time_that_happens_twice_at_fall_back_is_due_once(zone: str, day: str) -> None:
    start = datetime.fromisoformat(f"{day}T00:00").replace(tzinfo=ZoneInfo(zone))
    dues = occurrences_between(
        time(2, 30) if zone != "America/New_York" else time(1, 30),
        EVERY_DAY,
        zone,
        start,
        start + timedelta(hours=24),
        limit=5,
    )
    assert len(dues) == 1


def test_weekdays_and_the_day_boundary() -> None:
    weekdays_only = weekdays.to_mask(weekdays.WORKING_DAYS)
    friday_evening = utc("2026-03-06T20:00")  # 21:00 Friday in Berlin
    due = next_reminder_at(time(7, 30), weekdays_only, "Europe/Berlin", friday_evening)
    assert local(due, "Europe/Berlin") == "2026-03-09 07:30 CET"  # Monday
    # 23:30 in Auckland is 10:30 UTC the same day: the patient's date, not UTC's, counts.
    due = next_reminder_at(time(23, 30), EVERY_DAY, "Pacific/Auckland", utc("2026-03-02T00:00"))
    assert local(due, "Pacific/Auckland") == "2026-03-02 23:30 NZDT"
    assert next_reminder_at(time(7, 30), 0, "Europe/Berlin", friday_evening) is None


def test_quiet_hours_wrap_past_midnight() -> None:
    assert in_quiet_hours(time(23, 0), time(22, 0), time(7, 0))
    assert in_quiet_hours(time(6, 59), time(22, 0), time(7, 0))
    assert not in_quiet_hours(time(7, 0), time(22, 0), time(7, 0))
    assert not in_quiet_hours(time(12, 0), None, None)


def test_fatigue_thins_then_asks_then_goes_sparse() -> None:
    monday = date(2026, 3, 2)
    assert fatigue(2, 1, monday) == Fatigue.SEND
    assert fatigue(3, 0, monday) == Fatigue.SEND
    assert fatigue(3, 1, monday) == Fatigue.THIN
    assert fatigue(6, 0, monday) == Fatigue.STILL_THERE
    sparse = [fatigue(9, 0, monday + timedelta(days=n)) for n in range(6)]
    assert sparse.count(Fatigue.SEND) == 2


def test_the_starter_plan_rotates_through_every_drill() -> None:
    plan = ("a", "b", "c", "d", "e", "f")
    seen = [
        drill
        for day in range(3)
        for drill in drills_for_reminder(plan, 2, date(2026, 3, 2) + timedelta(days=day), 0, 1)
    ]
    assert sorted(seen) == sorted(plan)
