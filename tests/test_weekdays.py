"""Which weekdays a reminder is on: Monday is 0 and Sunday 6, as in ``date.weekday()``."""

from __future__ import annotations

import pytest

from bot.domain.weekdays import ALL_DAYS, WORKING_DAYS, from_mask, includes, to_mask


def test_each_day_is_its_own_bit_monday_first() -> None:
    assert to_mask([0]) == 0b0000001
    assert to_mask([6]) == 0b1000000
    assert to_mask(WORKING_DAYS) == 0b0011111
    assert to_mask(ALL_DAYS) == 0b1111111


def test_no_days_chosen_is_an_empty_mask() -> None:
    assert to_mask([]) == 0
    assert from_mask(0) == frozenset()


def test_sunday_is_accepted_and_the_day_after_it_refused() -> None:
    assert includes(to_mask([6]), 6)
    for day in (7, -1):
        with pytest.raises(ValueError, match=f"weekday out of range: {day}"):
            to_mask([0, day])


@pytest.mark.parametrize(
    "days", [frozenset(), frozenset({0}), frozenset({6}), WORKING_DAYS, ALL_DAYS]
)
def test_the_days_read_back_are_the_days_chosen(days: frozenset[int]) -> None:
    assert from_mask(to_mask(days)) == days


def test_bits_beyond_sunday_name_no_day() -> None:
    assert from_mask(0b10000000 | to_mask([2])) == frozenset({2})
