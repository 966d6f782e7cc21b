"""What a typed time of day means: the rule behind "7:30", "19:05" and "7pm"."""

from __future__ import annotations

from datetime import time

import pytest

from bot.domain.local_times import (
    TimeFormatError,
    format_time_of_day,
    parse_time_of_day,
    parse_times_of_day,
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("19:05", time(19, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("7.30", time(7, 30)),
        ("7h30", time(7, 30)),
        ("0730", time(7, 30)),
        ("7 30", time(7, 30)),
        ("7", time(7, 0)),
        ("7pm", time(19, 0)),
        ("7 PM", time(19, 0)),
        ("7:15 p.m.", time(19, 15)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("1am", time(1, 0)),
        ("11:59pm", time(23, 59)),
        ("noon", time(12, 0)),
        ("Midnight", time(0, 0)),
        ("  8:00  ", time(8, 0)),
    ],
)
def test_a_typed_time_means_this_time_of_day(typed: str, meant: time) -> None:
    assert parse_time_of_day(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "24:00",
        "23:60",
        "25:99",
        "0pm",
        "13pm",
        "13am",
        "7:3",
        "7:300",
        "seven",
        "",
        "7:30 tomorrow",
    ],
)
def test_what_is_not_a_time_is_refused_with_the_words_that_were_not(typed: str) -> None:
    with pytest.raises(TimeFormatError) as refused:
        parse_time_of_day(typed)
    assert refused.value.fragment == typed.strip()
    assert str(refused.value) == typed.strip()


def test_several_times_come_sorted_and_once_each() -> None:
    assert parse_times_of_day("19:05, 7:30 and 7:30; 12pm") == [time(7, 30), time(12), time(19, 5)]
    assert parse_times_of_day("8 / 20") == [time(8), time(20)]


def test_one_bad_time_among_several_is_named() -> None:
    with pytest.raises(TimeFormatError) as refused:
        parse_times_of_day("7:30, 25:00")
    assert refused.value.fragment == "25:00"
    with pytest.raises(TimeFormatError) as refused:
        parse_times_of_day(" , ")
    assert refused.value.fragment == ","


def test_times_are_shown_with_two_digits() -> None:
    assert format_time_of_day(time(7, 5)) == "07:05"
    assert format_time_of_day(time(0, 0)) == "00:00"
