"""Sets of weekdays kept as a 7-bit mask: bit 0 is Monday, as in ``date.weekday()``."""

from __future__ import annotations

from collections.abc import Iterable

ALL_DAYS = frozenset(range(7))
WORKING_DAYS = frozenset(range(5))


def to_mask(days: Iterable[int]) -> int:
    mask = 0
    for day in days:
        if not 0 <= day <= 6:
            raise ValueError(f"weekday out of range: {day}")
        mask |= 1 << day
    return mask


def from_mask(mask: int) -> frozenset[int]:
    return frozenset(day for day in range(7) if mask & (1 << day))


def includes(mask: int, weekday: int) -> bool:
    return bool(mask & (1 << weekday))
