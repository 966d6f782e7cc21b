"""Adherence at its edges: the figures a patient sees in /progress and a therapist in the
weekly summary, from ledger rows as the reminder engine writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.adherence import (
    DATA_DAYS,
    DAYS_SHOWN,
    NO_REASON,
    STREAK_HORIZON_DAYS,
    CheckinRecord,
    DayAdherence,
    LedgerRow,
    MorningCheckRecord,
    Occurrence,
    Outcome,
    Records,
    _empty_days,
    adherence,
    base_slot,
    ledger_start,
    occurrences,
    week_start,
    window_start,
)
from bot.domain.schedule import next_reminder_at
from bot.domain.weekdays import ALL_DAYS, to_mask


@pytest.fixture(autouse=True)
def fresh_empty_days() -> None:
    """Every test draws the empty days it shows itself: they are shared between calls."""
    _empty_days.cache_clear()


MONDAY = date(2026, 3, 2)
WEEK = [MONDAY + timedelta(days=offset) for offset in range(7)]
MON, TUE, WED, THU, FRI, SAT, SUN = WEEK


def reminder(
    day: date,
    slot: str = "07:30",
    status: str = "sent",
    response: str | None = None,
    reason: str | None = None,
) -> LedgerRow:
    return LedgerRow(day, slot, "reminder", status, response, reason)


def done(day: date, slot: str = "07:30") -> LedgerRow:
    return reminder(day, slot, response="done")


def snooze(day: date, number: int, status: str = "sent", response: str | None = None) -> LedgerRow:
    return LedgerRow(day, f"07:30~{number}", "snooze", status, response)


def records(
    *ledger: LedgerRow,
    checkins: tuple[CheckinRecord, ...] = (),
    mornings: tuple[MorningCheckRecord, ...] = (),
) -> Records:
    return Records(ledger, checkins, mornings)


# -- weeks ------------------------------------------------------------------------------------


def test_first_week_of_a_patient_who_joined_on_wednesday() -> None:
    # Wednesday to Saturday answered (Friday forgotten); Sunday's reminder is out, unanswered.
    ledger = records(done(WED), done(THU), reminder(FRI), done(SAT), reminder(SUN))

    result = adherence(ledger, today=SUN)

    week = result.this_week
    assert (week.start, week.end) == (MON, SUN)
    assert (week.done, week.prescribed, week.rate) == (3, 5, 0.6)
    assert week.active_days == 3
    # The weeks before joining: nothing prescribed is no rate at all, not 0 %.
    assert [w.start for w in result.weeks] == [MON - timedelta(weeks=n) for n in (3, 2, 1, 0)]
    assert [(w.prescribed, w.rate) for w in result.weeks[:3]] == [(0, None)] * 3
    # Saturday after the forgotten Friday; Sunday is not over yet.
    assert (result.current_streak, result.best_streak) == (1, 2)
    assert result.days_with_data_30 == 3


def test_mid_week_counts_what_fell_due_so_far() -> None:
    # Wednesday morning: the evening reminder has not fallen due, so it has no row yet.
    ledger = records(done(MON), done(MON, "19:00"), done(TUE), reminder(TUE, "19:00"), done(WED))

    result = adherence(ledger, today=WED)

    assert (result.this_week.done, result.this_week.prescribed) == (4, 5)
    assert result.this_week.rate == 0.8
    assert result.this_week.active_days == 3
    assert result.current_streak == 3
    assert len(result.days) == DAYS_SHOWN
    assert result.days[0].date == WED - timedelta(days=DAYS_SHOWN - 1)
    assert result.days[-1] == DayAdherence(WED, 1, 1, 0, paused=False, held=False)
    assert result.days[-2] == DayAdherence(TUE, 1, 2, 0, paused=False, held=False)


def test_plan_change_mid_week_adds_the_evening_from_thursday() -> None:
    mornings = [done(day) for day in WEEK]
    evenings = [done(THU, "19:00"), done(FRI, "19:00")]
    evenings += [reminder(day, "19:00") for day in (SAT, SUN)]

    week = adherence(records(*mornings, *evenings), today=SUN).this_week

    assert (week.done, week.prescribed) == (9, 11)
    assert week.rate == pytest.approx(9 / 11)
    assert week.active_days == 7
    by_day = adherence(records(*mornings, *evenings), today=SUN).days[-7:]
    assert [day.prescribed for day in by_day] == [1, 1, 1, 2, 2, 2, 2]
    assert [day.done for day in by_day] == [1, 1, 1, 2, 2, 1, 1]


def test_a_pause_over_the_weekend_is_not_missed_and_keeps_the_streak() -> None:
    # Paused on Friday after the morning session, resumed on Monday.
    before = [done(day) for day in (MON, TUE, WED, THU, FRI)]
    paused = [reminder(FRI, "19:00", status="paused")]
    paused += [
        reminder(day, slot, status="paused") for day in (SAT, SUN) for slot in ("07:30", "19:00")
    ]
    after = [done(MON + timedelta(weeks=1))]

    result = adherence(records(*before, *paused, *after), today=MON + timedelta(weeks=1))

    last_week = result.weeks[-2]
    assert (last_week.done, last_week.prescribed, last_week.rate) == (5, 5, 1.0)
    assert last_week.paused_days == 3  # Friday evening, Saturday, Sunday
    assert last_week.active_days == 5
    assert result.this_week.paused_days == 0
    assert (result.current_streak, result.best_streak) == (6, 6)
    assert [day.paused for day in result.days[-4:]] == [True, True, True, False]


def test_a_pause_caught_between_a_snooze_and_its_reminder_is_a_pause() -> None:
    ledger = records(reminder(MON, response="snoozed"), snooze(MON, 1, status="paused"), done(TUE))

    result = adherence(ledger, today=TUE)

    assert (result.this_week.prescribed, result.this_week.paused_days) == (1, 1)
    assert result.current_streak == 1


def test_reminders_held_by_a_safety_hold_are_not_prescribed() -> None:
    ledger = records(
        done(MON),
        reminder(TUE, status="held"),
        reminder(WED, response="snoozed"),
        snooze(WED, 1, status="held"),
        done(THU),
    )

    result = adherence(ledger, today=THU)

    week = result.this_week
    assert (week.done, week.prescribed, week.held_days, week.paused_days) == (2, 2, 2, 0)
    assert result.current_streak == 2


@pytest.mark.parametrize("status", ["missed", "thinned", "quiet", "failed", "claimed"])
def test_a_reminder_not_sent_for_another_reason_is_still_prescribed(status: str) -> None:
    result = adherence(records(done(MON), reminder(TUE, status=status), done(WED)), today=WED)

    assert (result.this_week.done, result.this_week.prescribed) == (2, 3)
    assert (result.current_streak, result.best_streak) == (1, 1)


# -- snoozes and skips ------------------------------------------------------------------------


def test_snoozed_twice_then_done_is_one_session_done() -> None:
    ledger = records(
        reminder(MON, response="snoozed"),
        snooze(MON, 1, response="snoozed"),
        snooze(MON, 2, response="done"),
    )

    week = adherence(ledger, today=MON).this_week

    assert (week.done, week.prescribed, week.active_days) == (1, 1, 1)


def test_a_snooze_still_to_come_leaves_the_session_open() -> None:
    ledger = records(reminder(MON, response="snoozed"), snooze(MON, 1, status="scheduled"))

    result = adherence(ledger, today=MON)

    assert (result.this_week.done, result.this_week.prescribed) == (0, 1)
    assert result.days_with_data_30 == 0  # "later" is not an answer


def test_skips_are_counted_by_reason_and_count_as_prescribed() -> None:
    ledger = records(
        reminder(MON, response="skipped", reason="sore"),
        reminder(TUE, response="skipped", reason="time"),
        reminder(WED, response="skipped", reason="sore"),
        reminder(THU, response="skipped"),
        reminder(FRI, response="snoozed"),
        snooze(FRI, 1, response="skipped"),
        done(SAT),
    )

    result = adherence(ledger, today=SAT)

    week = result.this_week
    assert dict(week.skips) == {"sore": 2, "time": 1, NO_REASON: 2}
    assert result.today == SAT
    assert week.skipped == 5
    assert (week.done, week.prescribed, week.active_days) == (1, 6, 1)
    assert result.days_with_data_30 == 6
    assert result.current_streak == 1
    assert [day.skipped for day in result.days[-6:]] == [1, 1, 1, 1, 1, 0]


def test_a_week_without_skips_has_none() -> None:
    assert dict(adherence(records(done(MON)), today=MON).this_week.skips) == {}


def test_skips_on_the_first_and_last_day_of_a_week_count_in_it() -> None:
    ledger = records(
        reminder(MON, response="skipped", reason="time"),
        reminder(SUN, response="skipped", reason="travel"),
        reminder(SUN + timedelta(days=1), response="skipped", reason="sore"),
    )

    weeks = adherence(ledger, today=SUN + timedelta(days=1), weeks=2).weeks

    assert dict(weeks[0].skips) == {"time": 1, "travel": 1}
    assert dict(weeks[1].skips) == {"sore": 1}


# -- time zones and clocks --------------------------------------------------------------------


def test_flying_west_over_the_date_line_counts_each_session_once() -> None:
    # In Tokyo until Friday morning, then New York, where it is Thursday again. The ledger
    # already holds Thursday's reminders and Friday's morning (its key keeps them unique), so
    # "today" in New York is a day behind the latest date the ledger holds.
    ledger = records(done(WED), done(THU), done(THU, "19:00"), done(FRI))

    result = adherence(ledger, today=THU)

    assert (result.this_week.done, result.this_week.prescribed) == (4, 4)
    assert result.current_streak == 3
    assert result.days[-1] == DayAdherence(THU, 2, 2, 0, paused=False, held=False)


def test_a_day_ahead_of_today_not_done_yet_breaks_nothing() -> None:
    ledger = records(done(WED), done(THU), reminder(FRI))

    assert adherence(ledger, today=THU).current_streak == 2


def test_flying_east_a_date_without_reminders_neither_breaks_nor_extends() -> None:
    # New York to Tokyo on Tuesday: the flight skips Wednesday's reminders altogether.
    ledger = records(done(MON), done(TUE), done(THU), done(FRI))

    result = adherence(ledger, today=FRI)

    assert (result.current_streak, result.best_streak) == (4, 4)
    assert (result.this_week.active_days, result.this_week.prescribed) == (4, 4)


def engine_ledger(
    zone_name: str, slots: tuple[time, ...], first: date, last: date
) -> list[LedgerRow]:
    """The reminder rows the engine writes from ``first`` to ``last``: each occurrence's local
    date is the date of its due instant in the patient's zone."""
    zone = ZoneInfo(zone_name)
    rows = []
    for at in slots:
        after = datetime.combine(first, time(0), zone).astimezone(UTC) - timedelta(minutes=1)
        while (due := next_reminder_at(at, to_mask(ALL_DAYS), zone_name, after)) is not None:
            local = due.astimezone(zone)
            if local.date() > last:
                break
            rows.append(done(local.date(), f"{at.hour:02d}:{at.minute:02d}"))
            after = due
    return rows


@pytest.mark.parametrize(
    "monday", [date(2026, 3, 23), date(2026, 10, 19)], ids=["spring_forward", "fall_back"]
)
def test_a_dst_week_in_berlin_has_seven_days_and_each_reminder_once(monday: date) -> None:
    # 02:30 does not exist on the spring Sunday and happens twice on the autumn one.
    sunday = monday + timedelta(days=6)
    ledger = engine_ledger("Europe/Berlin", (time(2, 30), time(7, 30)), monday, sunday)
    ledger.append(done(sunday, "02:30"))  # the repeated hour, were it ever written twice

    result = adherence(records(*ledger), today=sunday)

    week = result.this_week
    assert (week.start, week.end) == (monday, sunday)
    assert (week.done, week.prescribed, week.active_days) == (14, 14, 7)
    assert [day.done for day in result.days[-7:]] == [2] * 7
    assert [day.date for day in result.days[-8:]] == [monday - timedelta(days=n) for n in (1,)] + [
        monday + timedelta(days=n) for n in range(7)
    ]
    assert result.current_streak == 7


# -- streaks ----------------------------------------------------------------------------------


def test_today_not_done_yet_keeps_the_streak() -> None:
    ledger = records(done(MON), done(TUE), reminder(WED))

    result = adherence(ledger, today=WED)

    assert (result.current_streak, result.best_streak) == (2, 2)


def test_today_done_extends_the_streak() -> None:
    ledger = records(done(MON), done(TUE), reminder(WED), done(WED, "19:00"))

    assert adherence(ledger, today=WED).current_streak == 3


def test_a_missed_day_breaks_the_streak() -> None:
    ledger = records(done(MON), done(TUE), reminder(WED), done(THU))

    result = adherence(ledger, today=FRI)

    assert (result.current_streak, result.best_streak) == (1, 2)


def test_yesterday_missed_means_no_current_streak() -> None:
    ledger = records(done(MON), done(TUE), done(WED), reminder(THU), reminder(FRI))

    result = adherence(ledger, today=FRI)

    assert (result.current_streak, result.best_streak) == (0, 3)


def test_one_session_done_keeps_the_day() -> None:
    ledger = records(done(MON), reminder(TUE), done(TUE, "19:00"), done(WED))

    assert adherence(ledger, today=WED).current_streak == 3


def test_a_weekend_without_reminders_does_not_break_the_streak() -> None:
    weekdays = [done(day) for day in WEEK[:5]]
    weekdays += [done(day + timedelta(weeks=1)) for day in WEEK[:2]]

    result = adherence(records(*weekdays), today=TUE + timedelta(weeks=1))

    assert (result.current_streak, result.best_streak) == (7, 7)
    assert result.weeks[-2].active_days == 5


def test_the_best_streak_may_lie_before_the_weeks_shown() -> None:
    long_ago = MON - timedelta(weeks=10)
    old = [done(long_ago + timedelta(days=offset)) for offset in range(9)]
    ledger = records(*old, reminder(long_ago + timedelta(days=9)), done(MON))

    result = adherence(ledger, today=MON)

    assert (result.current_streak, result.best_streak) == (1, 9)
    assert result.weeks[0].prescribed == 0


def test_streaks_look_back_one_year_at_most() -> None:
    today = date(2026, 12, 31)
    first_counted = today - timedelta(days=STREAK_HORIZON_DAYS - 1)
    ledger = records(
        done(first_counted - timedelta(days=1)),
        done(first_counted),
        done(first_counted + timedelta(days=1)),
    )

    result = adherence(ledger, today=today)

    assert (result.current_streak, result.best_streak) == (2, 2)


def test_a_missed_day_older_than_a_year_does_not_break_the_streak() -> None:
    today = date(2026, 12, 31)
    first_counted = today - timedelta(days=STREAK_HORIZON_DAYS - 1)
    ledger = records(reminder(first_counted - timedelta(days=1)), done(first_counted), done(today))

    assert adherence(ledger, today=today).current_streak == 2


# -- days with data ---------------------------------------------------------------------------


def test_days_with_data_at_the_30_and_31_day_boundary() -> None:
    today = SUN + timedelta(weeks=6)
    thirty = today - timedelta(days=DATA_DAYS - 1)  # the 30th day back, today the first
    ledger = records(done(thirty - timedelta(days=1)), done(thirty))

    assert adherence(ledger, today=today).days_with_data_30 == 1


def test_every_kind_of_answer_is_data_and_a_day_counts_once() -> None:
    ledger = records(
        done(MON),
        done(MON, "19:00"),
        reminder(TUE, response="skipped", reason="travel"),
        reminder(WED, response="snoozed"),
        reminder(THU),
        checkins=(CheckinRecord(MON, completed=True), CheckinRecord(WED, completed=False)),
        mornings=(MorningCheckRecord(THU, answered=True), MorningCheckRecord(FRI, answered=False)),
    )

    result = adherence(ledger, today=FRI)

    assert result.days_with_data_30 == 4  # Monday, Tuesday, Wednesday, Thursday
    assert result.has_data


def test_a_future_answer_is_not_in_the_last_30_days() -> None:
    ledger = records(done(FRI), mornings=(MorningCheckRecord(FRI, answered=True),))

    assert adherence(ledger, today=THU).days_with_data_30 == 0


# -- check-ins --------------------------------------------------------------------------------


def test_check_ins_started_and_completed_per_week() -> None:
    checkins = (
        CheckinRecord(SUN - timedelta(weeks=1), completed=True),
        CheckinRecord(MON, completed=True),
        CheckinRecord(MON, completed=False),
        CheckinRecord(SUN, completed=True),
        CheckinRecord(MON + timedelta(weeks=1), completed=True),
    )

    result = adherence(records(checkins=checkins), today=SUN, weeks=2)

    assert [(w.checkins_started, w.checkins_completed) for w in result.weeks] == [(1, 1), (3, 2)]


# -- what the window shows --------------------------------------------------------------------


def test_no_records_is_no_data() -> None:
    result = adherence(Records(), today=WED)

    assert not result.has_data
    assert (result.current_streak, result.best_streak, result.days_with_data_30) == (0, 0, 0)
    assert len(result.weeks) == 4
    assert all(
        day == DayAdherence(day.date, 0, 0, 0, paused=False, held=False) for day in result.days
    )


def test_a_paused_fortnight_is_data_to_show() -> None:
    ledger = records(reminder(MON, status="paused"))

    assert adherence(ledger, today=WED).has_data


def test_records_older_than_the_window_are_no_data() -> None:
    today = SUN
    start = window_start(today, 4)
    assert not adherence(records(done(start - timedelta(days=1))), today=today).has_data
    assert adherence(records(done(start)), today=today).has_data
    old_checkin = (CheckinRecord(start - timedelta(days=1), completed=True),)
    assert not adherence(records(checkins=old_checkin), today=today).has_data
    assert adherence(records(checkins=(CheckinRecord(start, True),)), today=today).has_data


def test_a_reminder_unanswered_or_paused_at_the_window_edges_is_data_to_show() -> None:
    start = window_start(SUN, 4)
    assert adherence(records(reminder(start, status="paused")), today=SUN).has_data
    assert not adherence(records(reminder(start - timedelta(days=1))), today=SUN).has_data


def test_a_date_ahead_of_today_in_the_current_week_is_shown() -> None:
    assert adherence(records(done(SUN)), today=SAT).has_data
    assert adherence(records(reminder(SUN)), today=SAT).has_data
    answered = (MorningCheckRecord(SUN, answered=True),)
    assert adherence(records(mornings=answered), today=SAT).has_data
    assert not adherence(records(done(MON + timedelta(weeks=1))), today=SAT).has_data


def test_one_week() -> None:
    result = adherence(records(done(MON), done(MON - timedelta(days=1))), today=TUE, weeks=1)

    assert [w.start for w in result.weeks] == [MON]
    assert result.this_week.done == 1


def test_weeks_must_be_at_least_one() -> None:
    with pytest.raises(ValueError, match="weeks"):
        adherence(Records(), today=MON, weeks=0)


def test_the_windows_a_loader_reads() -> None:
    assert week_start(SUN) == MON
    assert week_start(MON) == MON
    # The last 30 days reach further back than four weeks; five weeks reach further still.
    assert window_start(SUN, 4) == SUN - timedelta(days=DATA_DAYS - 1)
    assert window_start(SUN, 5) == MON - timedelta(weeks=4)
    assert window_start(MON, 5) == MON - timedelta(days=DATA_DAYS - 1)
    assert ledger_start(SUN, 4) == SUN - timedelta(days=STREAK_HORIZON_DAYS - 1)
    assert ledger_start(SUN, 60) == MON - timedelta(weeks=59)


# -- sessions ---------------------------------------------------------------------------------


def test_occurrences_fold_snoozes_into_their_slot_and_leave_other_kinds_out() -> None:
    ledger = [
        reminder(MON, "19:00", status="paused"),
        snooze(MON, 1, response="done"),
        reminder(MON, response="snoozed"),
        LedgerRow(MON, "07:30", "still_there", "sent"),
        LedgerRow(TUE, "07:30", "still_there", "sent"),
        LedgerRow(TUE, "09:00", "morning_check", "sent", "done"),
        reminder(WED, response="skipped", reason="sore"),
        reminder(THU, status="held"),
    ]

    assert occurrences(ledger) == (
        Occurrence(MON, "07:30", Outcome.DONE),
        Occurrence(MON, "19:00", Outcome.PAUSED),
        Occurrence(TUE, "07:30", Outcome.NOT_DONE),
        Occurrence(WED, "07:30", Outcome.SKIPPED, "sore"),
        Occurrence(THU, "07:30", Outcome.HELD),
    )
    assert [item.prescribed for item in occurrences(ledger)] == [True, False, True, True, False]


def test_the_latest_snooze_decides_not_the_order_rows_come_in() -> None:
    ledger = [
        snooze(MON, 2, status="paused"),
        snooze(MON, 1, response="snoozed"),
        reminder(MON, response="snoozed"),
    ]
    assert occurrences(ledger) == (Occurrence(MON, "07:30", Outcome.PAUSED),)
    resumed = [reminder(TUE, status="paused"), snooze(TUE, 10, status="sent")]
    assert occurrences(resumed) == (Occurrence(TUE, "07:30", Outcome.NOT_DONE),)


def test_base_slot() -> None:
    assert base_slot("07:30~2") == "07:30"
    assert base_slot("07:30") == "07:30"
