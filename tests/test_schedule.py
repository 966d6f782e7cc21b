"""Due instants across daylight-saving changes, day boundaries and weekday choices."""

from __future__ import annotations

import time as time_module
from collections.abc import Iterator
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


BERLIN = "Europe/Berlin"
SPRING_FORWARD_NIGHT = datetime(2026, 3, 29, tzinfo=ZoneInfo(BERLIN))  # 02:00 CET -> 03:00 CEST
CLOCKS_JUMP_TO = utc("2026-03-29T01:00")  # 03:00 CEST, the first minute after the gap
FALL_BACK_NIGHT = datetime(2026, 10, 25, tzinfo=ZoneInfo(BERLIN))  # 03:00 CEST -> 02:00 CET


@pytest.mark.parametrize(
    "at",
    [
        time(2, 0),  # the first minute the clocks skip
        time(2, 31),
        time(2, 59),  # the last minute they skip
        time(3, 0),  # the first minute that exists again
        time(2, 59, 45),  # seconds do not carry past the jump
        time(2, 30, 0, 500),
    ],
    ids=str,
)
def test_every_time_inside_the_gap_is_due_exactly_when_the_gap_ends(at: time) -> None:
    assert next_reminder_at(at, EVERY_DAY, BERLIN, SPRING_FORWARD_NIGHT) == CLOCKS_JUMP_TO


@pytest.mark.parametrize("at", [time(2, 30), time(2, 30, fold=1)], ids=["fold 0", "fold 1"])
def test_a_time_that_happens_twice_is_due_at_its_first_occurrence(at: time) -> None:
    due = next_reminder_at(at, EVERY_DAY, BERLIN, FALL_BACK_NIGHT)
    assert due == utc("2026-10-25T00:30")
    assert local(due, BERLIN) == "2026-10-25 02:30 CEST"  # before the clocks go back


@pytest.fixture
def host_clock_in_kathmandu(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "Asia/Kathmandu")
        time_module.tzset()
        yield
    time_module.tzset()


@pytest.mark.usefixtures("host_clock_in_kathmandu")
def test_due_instants_are_utc_whatever_zone_the_host_clock_is_set_to() -> None:
    usual = next_reminder_at(time(7, 30), EVERY_DAY, BERLIN, utc("2026-03-02T00:00"))
    in_the_gap = next_reminder_at(time(2, 30), EVERY_DAY, BERLIN, SPRING_FORWARD_NIGHT)
    assert usual == utc("2026-03-02T06:30")
    assert in_the_gap == CLOCKS_JUMP_TO
    assert usual.tzinfo is UTC
    assert in_the_gap.tzinfo is UTC


def test_an_evening_reminder_west_of_utc_is_due_that_evening_though_utc_is_already_tomorrow() -> (
    None
):
    evening = utc("2026-03-03T05:00")  # 21:00 on 2 March in Los Angeles
    due = next_reminder_at(time(22, 0), EVERY_DAY, "America/Los_Angeles", evening)
    assert local(due, "America/Los_Angeles") == "2026-03-02 22:00 PST"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (6, "2026-03-08 07:30 CET"),  # date.weekday(): 6 is Sunday, the mask's top bit
        (0, "2026-03-09 07:30 CET"),  # Monday, bit 0; today's has passed: a week later
    ],
    ids=["only Sunday", "only Monday"],
)
def test_a_single_weekday_is_found_up_to_a_week_ahead(day: int, expected: str) -> None:
    monday_morning = utc("2026-03-02T08:00")  # 09:00 in Berlin, after today's 07:30
    due = next_reminder_at(time(7, 30), weekdays.to_mask({day}), BERLIN, monday_morning)
    assert local(due, BERLIN) == expected


MONDAY_0730 = utc("2026-03-02T06:30")
DAY = timedelta(days=1)


def test_occurrences_between_includes_its_start_and_excludes_its_end() -> None:
    dues = occurrences_between(
        time(7, 30), EVERY_DAY, BERLIN, MONDAY_0730, MONDAY_0730 + 2 * DAY, limit=10
    )
    assert dues == [MONDAY_0730, MONDAY_0730 + DAY]
    just_after = MONDAY_0730 + timedelta(microseconds=1)
    dues = occurrences_between(
        time(7, 30), EVERY_DAY, BERLIN, just_after, MONDAY_0730 + 2 * DAY, limit=10
    )
    assert dues == [MONDAY_0730 + DAY]


def test_occurrences_between_stops_at_its_limit_oldest_first() -> None:
    dues = occurrences_between(
        time(7, 30), EVERY_DAY, BERLIN, MONDAY_0730, MONDAY_0730 + 7 * DAY, limit=2
    )
    assert dues == [MONDAY_0730, MONDAY_0730 + DAY]
    assert (
        occurrences_between(time(7, 30), 0, BERLIN, MONDAY_0730, MONDAY_0730 + DAY, limit=2) == []
    )
