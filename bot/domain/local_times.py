"""Reading the times of day patients type, such as ``7:30``, ``19:05`` or ``7pm``."""

from __future__ import annotations

import re
from datetime import time

# One time: hours, optional minutes (after ':', '.', 'h' or packed as 0730), optional am/pm.
_TIME = re.compile(
    r"""^(?P<hour>\d{1,2})
        (?:(?:[:.h]|\s*)(?P<minute>\d{2}))?
        \s*(?P<meridiem>a\.?m\.?|p\.?m\.?)?$""",
    re.IGNORECASE | re.VERBOSE,
)
_SEPARATORS = re.compile(r"\s*(?:,|;|\band\b|&|\s{2,}|/)\s*", re.IGNORECASE)
_NAMED = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}

MAX_TIMES_PER_DAY = 4


class TimeFormatError(ValueError):
    """The text is not a time of day; ``fragment`` is the part that could not be read."""

    def __init__(self, fragment: str) -> None:
        super().__init__(fragment)
        self.fragment = fragment


def parse_time_of_day(text: str) -> time:
    """Read one time of day. Raises :class:`TimeFormatError` for anything else (e.g. ``25:99``)."""
    cleaned = text.strip().lower()
    if cleaned in _NAMED:
        return _NAMED[cleaned]
    match = _TIME.match(cleaned)
    if match is None:
        raise TimeFormatError(text.strip())
    hour = int(match["hour"])
    minute = int(match["minute"] or 0)
    meridiem = (match["meridiem"] or "").replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            raise TimeFormatError(text.strip())
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimeFormatError(text.strip())
    return time(hour, minute)


def parse_times_of_day(text: str) -> list[time]:
    """Read one or more times separated by commas or 'and', sorted and without repeats."""
    parts = [part for part in _SEPARATORS.split(text.strip()) if part.strip()]
    if not parts:
        raise TimeFormatError(text.strip())
    return sorted({parse_time_of_day(part) for part in parts})


def format_time_of_day(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"
