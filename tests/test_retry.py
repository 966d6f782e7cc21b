"""The outbox's back-off and what it keeps of an error, over plain values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfoNotFoundError

from bot.outbox.retry import MAX_ATTEMPTS, cause_of, retry_at

NOW = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


def test_back_off_doubles_up_to_an_hour_then_gives_up() -> None:
    delays = [retry_at(attempt, NOW) for attempt in range(1, MAX_ATTEMPTS + 1)]
    assert [(d - NOW) / timedelta(minutes=1) for d in delays if d is not None] == [
        1,
        2,
        4,
        8,
        16,
        32,
        60,
    ]
    assert delays[-1] is None


def test_the_cause_kept_is_the_type_never_the_text() -> None:
    assert cause_of(ZoneInfoNotFoundError("No time zone found with key Mars/Olympus")) == (
        "ZoneInfoNotFoundError"
    )


def test_a_long_exception_name_is_cut_to_the_ledgers_64_characters() -> None:
    long_name = "E" * 65
    error_type = type(long_name, (Exception,), {})
    assert cause_of(error_type()) == "E" * 64
