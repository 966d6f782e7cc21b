"""When a failed attempt is tried again: exponential back-off over plain values."""

from __future__ import annotations

from datetime import datetime, timedelta

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 8


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after the ``attempts``-th failed attempt (1, 2, 4 ... minutes, at
    most an hour); ``None`` once ``MAX_ATTEMPTS`` have failed."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay: timedelta = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY_DELAY)
    return now + delay


def cause_of(error: BaseException) -> str:
    """What the ledger and the logs keep of an error: its type, never its text (which can
    quote a patient's data)."""
    return type(error).__name__[:64]
