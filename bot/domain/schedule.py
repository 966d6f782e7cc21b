"""When a reminder is next due: local wall-clock times in an IANA zone, turned into UTC instants.

The rules across daylight-saving changes:

* a time keeps its wall-clock meaning: 07:30 stays 07:30 local before and after a change;
* a time that does not exist that day (clocks spring forward over it) is due at the first
  valid minute after it, once;
* a time that happens twice (clocks fall back) is due once, at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import weekdays

# A weekday set repeats within a week; one more day covers "today, but the time has passed".
_SEARCH_DAYS = 8


def local_occurrence(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which wall-clock ``at`` happens on ``day`` in ``zone``."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first  # exists; fold=0 is the first of two occurrences when clocks fall back
    # The wall time falls in a gap. fold=1 reads it with the offset after the change, which
    # lands before the gap; walk forward to the minute the clocks jump to.
    candidate = wall.replace(tzinfo=zone, fold=1).astimezone(UTC).replace(second=0, microsecond=0)
    while candidate.astimezone(zone).replace(tzinfo=None) < wall:
        candidate += timedelta(minutes=1)
    return candidate


def next_reminder_at(
    at: time, weekday_mask: int, zone_name: str, after: datetime
) -> datetime | None:
    """The first instant strictly after ``after`` at which the reminder is due, in UTC.

    ``None`` when no weekday is chosen.
    """
    if weekday_mask == 0:
        return None
    zone = ZoneInfo(zone_name)
    start = after.astimezone(zone).date()
    for offset in range(_SEARCH_DAYS):
        day = start + timedelta(days=offset)
        if not weekdays.includes(weekday_mask, day.weekday()):
            continue
        due = local_occurrence(day, at, zone)
        if due > after:
            return due
    return None


def occurrences_between(
    at: time, weekday_mask: int, zone_name: str, start: datetime, end: datetime, *, limit: int
) -> list[datetime]:
    """Due instants in ``[start, end)``, at most ``limit`` of them (oldest first)."""
    found: list[datetime] = []
    due: datetime | None = start - timedelta(microseconds=1)
    while len(found) < limit:
        assert due is not None
        due = next_reminder_at(at, weekday_mask, zone_name, due)
        if due is None or due >= end:
            break
        found.append(due)
    return found
