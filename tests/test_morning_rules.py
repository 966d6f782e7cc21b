"""The next-morning pain check's rules over plain values: when it is due, whether it goes
out, and what its answers lead to, each at its boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.callback_data import Args, ReminderButton
from bot.domain import weekdays
from bot.domain.morning_checks import (
    DEFAULT_TIME,
    HIGH_MORNING_PAIN,
    Answers,
    admission,
    answer,
    check_time,
    drill_day,
    morning_check_due,
    open_for_answers,
    question_screen,
    read_answer,
    stop_screen,
    summary_screen,
)
from bot.domain.pain_rules import Advice, Morning, next_morning
from bot.domain.reminder_rules import Recipient
from bot.domain.screens import Screen
from bot.rendering import body_of, labelled_choices, payload_of
from content.catalog import Catalog
from content.loader import load_content
from content.messages import Messages
from content.telegram_html import visible_text
from db.models import DeliveryStatus

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = weekdays.to_mask(weekdays.ALL_DAYS)
WORKING_DAYS = weekdays.to_mask(weekdays.WORKING_DAYS)
MONDAY = date(2026, 3, 2)
GRACE = timedelta(hours=2)
DUE = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # Tuesday 07:30 in Berlin


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def due_after(
    drill_day: date,
    reminders: list[tuple[time, int]],
    quiet: tuple[time | None, time | None] = (None, None),
) -> datetime:
    morning, due = morning_check_due(drill_day, reminders, BERLIN, *quiet)
    assert morning == drill_day + timedelta(days=1)
    return due


# -- when: the first reminder time of the morning ---------------------------------------------


def test_the_check_goes_out_at_the_first_reminder_time_of_the_next_morning() -> None:
    reminders = [(time(18, 0), EVERY_DAY), (time(7, 30), EVERY_DAY)]
    assert due_after(MONDAY, reminders) == utc("2026-03-03T06:30")  # 07:30 in Berlin


def test_only_reminders_on_that_weekday_count() -> None:
    tuesday = MONDAY + timedelta(days=1)
    reminders = [
        (time(6, 0), weekdays.to_mask({0})),  # Mondays only
        (time(8, 15), weekdays.to_mask({1})),  # Tuesdays only
    ]
    assert check_time(tuesday, reminders) == time(8, 15)


def test_without_a_reminder_that_weekday_it_goes_out_at_nine() -> None:
    friday = date(2026, 3, 6)
    assert check_time(friday + timedelta(days=1), [(time(7, 30), WORKING_DAYS)]) == DEFAULT_TIME
    assert due_after(friday, [(time(7, 30), WORKING_DAYS)]) == utc("2026-03-07T08:00")


def test_without_any_reminder_it_goes_out_at_nine() -> None:
    assert due_after(MONDAY, []) == utc("2026-03-03T08:00")


def test_the_morning_after_new_years_eve_is_new_years_day() -> None:
    morning, due = morning_check_due(date(2026, 12, 31), [], BERLIN, None, None)
    assert morning == date(2027, 1, 1)
    assert due == utc("2027-01-01T08:00")


# -- when: daylight-saving days ----------------------------------------------------------------


def test_on_the_spring_forward_morning_the_local_time_is_kept() -> None:
    # 2026-03-29: Berlin moves from UTC+1 to UTC+2 at 02:00.
    assert due_after(date(2026, 3, 28), [(time(7, 30), EVERY_DAY)]) == utc("2026-03-29T05:30")
    assert due_after(date(2026, 3, 28), []) == utc("2026-03-29T07:00")


def test_a_reminder_time_the_clocks_skip_is_due_when_they_jump() -> None:
    due = due_after(date(2026, 3, 28), [(time(2, 30), EVERY_DAY)])
    assert due == utc("2026-03-29T01:00")  # 03:00 summer time, the first minute after the gap


def test_a_reminder_time_that_happens_twice_is_due_at_the_first() -> None:
    # 2026-10-25: Berlin moves from UTC+2 back to UTC+1 at 03:00; 02:30 happens twice.
    assert due_after(date(2026, 10, 24), [(time(2, 30), EVERY_DAY)]) == utc("2026-10-25T00:30")
    assert due_after(date(2026, 10, 24), []) == utc("2026-10-25T08:00")


# -- when: quiet hours ---------------------------------------------------------------------------


def test_quiet_hours_ending_exactly_at_the_due_minute_do_not_move_it() -> None:
    quiet = (time(22, 0), time(7, 30))
    assert due_after(MONDAY, [(time(7, 30), EVERY_DAY)], quiet) == utc("2026-03-03T06:30")


def test_a_check_due_in_quiet_hours_moves_to_their_end() -> None:
    quiet = (time(22, 0), time(7, 31))
    assert due_after(MONDAY, [(time(7, 30), EVERY_DAY)], quiet) == utc("2026-03-03T06:31")
    late_sleeper = (time(6, 0), time(10, 0))  # not wrapping midnight; 09:00 falls in it
    assert due_after(MONDAY, [], late_sleeper) == utc("2026-03-03T09:00")


def test_quiet_hours_ending_on_a_spring_forward_morning_end_in_summer_time() -> None:
    quiet = (time(23, 0), time(8, 0))
    assert due_after(date(2026, 3, 28), [(time(7, 0), EVERY_DAY)], quiet) == utc("2026-03-29T06:00")


# -- whether it goes out ---------------------------------------------------------------------------


def recipient(
    paused: tuple[datetime | None, datetime | None] = (None, None),
    quiet: tuple[time | None, time | None] = (None, None),
    hold: str | None = None,
) -> Recipient:
    return Recipient(0, paused[0], paused[1], quiet[0], quiet[1], hold)


def admit(
    patient: Recipient, now: datetime, *, active: bool = True
) -> tuple[DeliveryStatus, datetime]:
    return admission(patient, active=active, zone=BERLIN, due_at=DUE, now=now, grace=GRACE)


def test_a_due_check_goes_out() -> None:
    assert admit(recipient(), DUE) == (DeliveryStatus.CLAIMED, DUE)


def test_a_blocked_or_inactive_patient_gets_nothing() -> None:
    assert admit(recipient(), DUE, active=False)[0] == DeliveryStatus.FAILED


def test_a_paused_patient_gets_nothing_until_the_pause_ends() -> None:
    open_pause = recipient(paused=(DUE - timedelta(days=1), None))
    assert admit(open_pause, DUE)[0] == DeliveryStatus.PAUSED
    until_now = recipient(paused=(DUE - timedelta(days=1), DUE))
    assert admit(until_now, DUE)[0] == DeliveryStatus.CLAIMED
    until_later = recipient(paused=(DUE - timedelta(days=1), DUE + timedelta(seconds=1)))
    assert admit(until_later, DUE)[0] == DeliveryStatus.PAUSED


def test_a_patient_on_a_safety_hold_is_still_asked_about_their_pain() -> None:
    assert admit(recipient(hold="contact_therapist"), DUE)[0] == DeliveryStatus.CLAIMED


def test_after_the_grace_window_it_is_missed() -> None:
    assert admit(recipient(), DUE + GRACE)[0] == DeliveryStatus.CLAIMED
    assert admit(recipient(), DUE + GRACE + timedelta(seconds=1))[0] == DeliveryStatus.MISSED


def test_a_check_taken_up_in_quiet_hours_waits_for_their_end() -> None:
    # The quiet hours changed after it was scheduled: 22:00-08:00 now.
    quiet = recipient(quiet=(time(22, 0), time(8, 0)))
    assert admit(quiet, DUE) == (DeliveryStatus.SCHEDULED, utc("2026-03-03T07:00"))
    assert admit(quiet, utc("2026-03-03T07:00")) == (DeliveryStatus.CLAIMED, DUE)


def test_answers_are_taken_on_the_local_day_it_was_sent() -> None:
    sent = DUE
    assert open_for_answers(sent, utc("2026-03-03T22:59"), BERLIN)  # 23:59 in Berlin
    assert not open_for_answers(sent, utc("2026-03-03T23:00"), BERLIN)  # midnight


def test_the_day_it_is_answered_on_is_the_patients_not_utcs() -> None:
    # 07:30 on Tuesday in Auckland (UTC+13) is still Monday in UTC.
    auckland = ZoneInfo("Pacific/Auckland")
    sent = utc("2026-03-02T18:30")
    assert open_for_answers(sent, utc("2026-03-03T08:00"), auckland)  # 21:00 Tuesday there
    assert not open_for_answers(sent, utc("2026-03-03T11:00"), auckland)  # 00:00 Wednesday


# -- answers ----------------------------------------------------------------------------------


@pytest.mark.parametrize("score", [0, 10])
def test_a_pain_button_reads_as_a_score_on_the_scale(score: int) -> None:
    assert read_answer("pain", str(score)) == Answers(pain=score)


@pytest.mark.parametrize("value", ["11", "-1", "05", "7.5", "ten", "", "٣"])
def test_a_pain_button_off_the_scale_is_not_ours(value: str) -> None:
    assert read_answer("pain", value) is None


def test_a_comparison_button_reads_as_better_same_or_worse() -> None:
    assert [read_answer("compared", value) for value in ("better", "same", "worse")] == [
        Answers(compared=Morning.BETTER),
        Answers(compared=Morning.SAME),
        Answers(compared=Morning.WORSE),
    ]
    assert read_answer("compared", "usual") is None
    assert read_answer("done", "") is None


def test_each_answer_is_kept_and_both_complete_the_check() -> None:
    first = answer(Answers(), Answers(pain=2), None)
    assert first is not None
    assert (first.answers, first.verdict, first.answers.complete) == (Answers(pain=2), None, False)
    second = answer(first.answers, Answers(compared=Morning.SAME), None)
    assert second is not None
    assert second.answers == Answers(pain=2, compared=Morning.SAME)
    assert second.answers.complete
    assert second.verdict == next_morning("same", None)


def test_a_part_answered_already_is_not_answered_again() -> None:
    given = Answers(pain=4, compared=None)
    assert answer(given, Answers(pain=4), None) is None
    assert answer(given, Answers(pain=5), None) is None
    compared = Answers(compared=Morning.BETTER)
    assert answer(compared, Answers(compared=Morning.WORSE), None) is None


def test_worse_once_means_easier_and_stops_nothing() -> None:
    outcome = answer(Answers(), Answers(compared=Morning.WORSE), "better")
    assert outcome is not None
    assert outcome.verdict is not None
    assert outcome.verdict.advice == Advice.EASIER
    assert (outcome.stop, outcome.red_flag_screen) == (False, False)


def test_worse_two_mornings_in_a_row_stops_and_shows_the_red_flags() -> None:
    outcome = answer(Answers(pain=3), Answers(compared=Morning.WORSE), "worse")
    assert outcome is not None
    assert outcome.verdict is not None
    assert outcome.verdict.advice == Advice.STOP
    assert (outcome.stop, outcome.red_flag_screen) == (True, True)


def test_a_high_pain_score_is_followed_by_the_red_flags() -> None:
    high = answer(Answers(), Answers(pain=HIGH_MORNING_PAIN), None)
    below = answer(Answers(), Answers(pain=HIGH_MORNING_PAIN - 1), None)
    assert high is not None
    assert below is not None
    assert (high.red_flag_screen, high.stop) == (True, False)
    assert below.red_flag_screen is False


def test_the_red_flags_are_shown_once_per_check() -> None:
    stopped = Answers(compared=Morning.WORSE)
    after_stop = answer(stopped, Answers(pain=9), "worse")
    assert after_stop is not None
    assert (after_stop.red_flag_screen, after_stop.stop) == (False, False)
    settled = answer(Answers(compared=Morning.SAME), Answers(pain=9), "worse")
    assert settled is not None
    assert settled.red_flag_screen is True


def test_pain_given_after_the_comparison_completes_the_check_with_its_advice() -> None:
    outcome = answer(Answers(compared=Morning.WORSE), Answers(pain=2), "same")
    assert outcome is not None
    assert outcome.answers == Answers(pain=2, compared=Morning.WORSE)
    assert outcome.verdict == next_morning("worse", "same")
    assert outcome.verdict is not None
    assert outcome.verdict.advice == Advice.EASIER


# -- screens ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_content().catalog("en")


@pytest.fixture(scope="module")
def english() -> Messages:
    return load_content().messages.for_language("en")


def shown(screen: Screen, messages: Messages) -> str:
    """The screen's text as the patient reads it (tags dropped)."""
    return visible_text(body_of(screen, messages))


def labels(screen_rows: tuple[tuple[object, ...], ...]) -> list[list[str]]:
    return [[str(getattr(choice, "label", "")) for choice in row] for row in screen_rows]


def test_the_check_asks_both_questions_on_one_message(catalog: Catalog) -> None:
    shown = question_screen(catalog)
    assert labels(shown.choices) == [
        ["0", "1", "2", "3", "4", "5"],
        ["6", "7", "8", "9", "10"],
        ["Better", "About the same", "Worse"],
    ]
    assert [(choice.action, choice.args) for choice in shown.choices[2]] == [
        ("compared", ("better",)),
        ("compared", ("same",)),
        ("compared", ("worse",)),
    ]


def test_the_check_reads_its_questions_and_the_pain_scales_anchors(
    catalog: Catalog, english: Messages
) -> None:
    assert shown(question_screen(catalog), english) == (
        "Good morning. How much pain do you have this morning?\n"
        "0 = No pain · 10 = Worst pain imaginable\n\n"
        "Compared with before yesterday's drill, is your pain…"
    )


def test_each_button_answers_this_check_with_its_value(catalog: Catalog, english: Messages) -> None:
    # The buttons answer the ledger row the message was sent for, not a conversation step.
    pressed = [
        [(label, payload_of(choice, revision=0, subject=42)) for label, choice in row]
        for row in labelled_choices(question_screen(catalog), english)
    ]
    seven = pressed[1][1]
    assert seven[0] == "7"
    assert seven[1] == ReminderButton(42, "pain", Args(("7",)))
    worse = pressed[2][2]
    assert worse == ("Worse", ReminderButton(42, "compared", Args(("worse",))))
    assert all(isinstance(payload, ReminderButton) for row in pressed for _, payload in row)


def test_an_answered_part_shows_its_answer(catalog: Catalog, english: Messages) -> None:
    pain = question_screen(catalog, Answers(pain=3))
    assert shown(pain, english) == (
        "Pain this morning: 3/10\n\nCompared with before yesterday's drill, is your pain…"
    )
    compared = question_screen(catalog, Answers(compared=Morning.SAME))
    assert shown(compared, english).endswith(
        "\n\nCompared with before yesterday's drill: About the same"
    )
    assert shown(compared, english).startswith("Good morning. How much pain")


def test_an_answered_part_keeps_only_the_other_parts_buttons(catalog: Catalog) -> None:
    assert labels(question_screen(catalog, Answers(pain=3)).choices) == [
        ["Better", "About the same", "Worse"]
    ]
    assert len(question_screen(catalog, Answers(compared=Morning.SAME)).choices) == 2


def test_the_summary_has_no_buttons(catalog: Catalog) -> None:
    verdict = next_morning("same", None)
    assert summary_screen(catalog, Answers(3, Morning.SAME), verdict).choices == ()


def test_the_summary_repeats_both_answers_and_the_advice(
    catalog: Catalog, english: Messages
) -> None:
    worse = summary_screen(catalog, Answers(6, Morning.WORSE), next_morning("worse", "same"))
    assert shown(worse, english) == (
        "🌅 Morning check saved. Thank you.\n\n"
        "Pain this morning: 6/10\n\n"
        "Compared with before yesterday's drill: Worse\n\n"
        "Your pain has not settled since yesterday's drill. Use the easier version next time. "
        "If it is worse again the morning after your next drill, I will ask you to pause it."
    )


def test_the_stop_names_yesterdays_drills(catalog: Catalog, english: Messages) -> None:
    drill = catalog.drills[0]
    named = shown(stop_screen(catalog, [drill.id, "no_longer_in_the_library"]), english)
    assert named.startswith(f"⛔ Please stop {drill.name} for now and contact your therapist")
    unknown = shown(stop_screen(catalog, ["no_longer_in_the_library"]), english)
    assert unknown.startswith("⛔ Please stop yesterday's drills for now")
    assert shown(stop_screen(catalog, []), english) == unknown


def test_the_drills_a_worse_morning_stops_are_those_of_the_whole_local_day_before() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start, end = drill_day(date(2026, 3, 3), berlin)
    assert start == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin
    assert end == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # Tuesday 00:00


def test_the_day_before_a_morning_after_the_spring_change_is_23_hours_long() -> None:
    start, end = drill_day(date(2026, 3, 30), ZoneInfo("Europe/Berlin"))
    assert end - start == timedelta(hours=23)
