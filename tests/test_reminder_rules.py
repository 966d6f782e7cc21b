"""The reminder rules over plain values, at each boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.domain.reminder_rules import (
    LATE_AFTER,
    MAX_BACKFILL,
    Fatigue,
    Kind,
    Recipient,
    advance_from,
    decide_again,
    decide_occurrence,
    fatigue,
    in_quiet_hours,
    is_late,
    next_snooze_key,
    outside_quiet_hours,
    past_grace,
)
from db.models import DeliveryStatus

BERLIN = ZoneInfo("Europe/Berlin")
GRACE = timedelta(hours=2)
DUE = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)  # 07:30 in Berlin
DAY = date(2026, 3, 3)


def recipient(
    unanswered: int = 0,
    paused: tuple[datetime | None, datetime | None] = (None, None),
    quiet: tuple[time | None, time | None] = (None, None),
    hold: str | None = None,
) -> Recipient:
    return Recipient(unanswered, paused[0], paused[1], quiet[0], quiet[1], hold)


def occurrence(
    patient: Recipient, now: datetime, slot_index: int = 0, local_day: date = DAY
) -> tuple[DeliveryStatus, Kind]:
    return decide_occurrence(patient, DUE, slot_index, local_day, BERLIN, now, GRACE)


# -- late and grace ---------------------------------------------------------------------------


def test_late_only_after_five_minutes() -> None:
    assert not is_late(DUE, DUE + LATE_AFTER)
    assert is_late(DUE, DUE + LATE_AFTER + timedelta(seconds=1))


def test_exactly_at_the_grace_window_is_still_sent_late() -> None:
    assert not past_grace(DUE, DUE + GRACE, GRACE)
    assert occurrence(recipient(), DUE + GRACE) == (DeliveryStatus.CLAIMED, Kind.REMINDER)
    assert past_grace(DUE, DUE + GRACE + timedelta(microseconds=1), GRACE)
    assert occurrence(recipient(), DUE + GRACE + timedelta(seconds=1)) == (
        DeliveryStatus.MISSED,
        Kind.REMINDER,
    )


def test_backfill_jumps_to_the_horizon_after_a_long_downtime() -> None:
    now = DUE + timedelta(days=30)
    assert advance_from(DUE, now) == now - MAX_BACKFILL
    assert advance_from(DUE, DUE + timedelta(hours=1)) == DUE


# -- quiet hours --------------------------------------------------------------------------------


def test_quiet_hours_include_their_start_and_exclude_their_end() -> None:
    assert in_quiet_hours(time(22, 0), time(22, 0), time(7, 0))
    assert in_quiet_hours(time(6, 59), time(22, 0), time(7, 0))
    assert not in_quiet_hours(time(7, 0), time(22, 0), time(7, 0))
    assert in_quiet_hours(time(13, 0), time(13, 0), time(14, 0))
    assert not in_quiet_hours(time(14, 0), time(13, 0), time(14, 0))
    assert not in_quiet_hours(time(3, 0), None, None)
    assert not in_quiet_hours(time(3, 0), time(3, 0), time(3, 0))


def test_quiet_hours_with_only_one_end_set_hold_nothing_back() -> None:
    assert not in_quiet_hours(time(23, 0), time(22, 0), None)
    assert not in_quiet_hours(time(6, 0), None, time(7, 0))


def test_a_late_reminder_in_quiet_hours_is_held_back_an_on_time_one_is_not() -> None:
    # Quiet 07:00-08:00 Berlin; due 07:30. On time it is sent: the patient chose that time.
    quiet = recipient(quiet=(time(7, 0), time(8, 0)))
    assert occurrence(quiet, DUE) == (DeliveryStatus.CLAIMED, Kind.REMINDER)
    late_in_quiet = DUE + timedelta(minutes=20)  # 07:50 local
    assert occurrence(quiet, late_in_quiet) == (DeliveryStatus.QUIET, Kind.REMINDER)
    late_at_the_end = DUE + timedelta(minutes=30)  # 08:00 local: quiet hours are over
    assert occurrence(quiet, late_at_the_end) == (DeliveryStatus.CLAIMED, Kind.REMINDER)


def test_a_snooze_into_quiet_hours_waits_for_their_end() -> None:
    quiet_start, quiet_end = time(22, 0), time(7, 0)
    at_2230 = datetime(2026, 3, 3, 21, 30, tzinfo=UTC)
    assert outside_quiet_hours(at_2230, BERLIN, quiet_start, quiet_end) == datetime(
        2026, 3, 4, 6, 0, tzinfo=UTC
    )
    at_0600 = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)
    assert outside_quiet_hours(at_0600, BERLIN, quiet_start, quiet_end) == datetime(
        2026, 3, 4, 6, 0, tzinfo=UTC
    )
    at_the_end = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
    assert outside_quiet_hours(at_the_end, BERLIN, quiet_start, quiet_end) == at_the_end
    assert outside_quiet_hours(at_2230, BERLIN, None, None) == at_2230


def test_a_snooze_never_lands_inside_quiet_hours_whose_end_is_skipped_by_dst() -> None:
    # On 29 March 2026 Berlin's clocks jump from 02:00 to 03:00, so quiet hours ending at
    # 02:30 end at 03:00 that day. With a window that starts again at 02:45 (none of the
    # offered windows do), 03:00 is already the next night's quiet: wait for the next end.
    quiet_start, quiet_end = time(2, 45), time(2, 30)
    at_0300 = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert outside_quiet_hours(at_0300, BERLIN, quiet_start, quiet_end) == datetime(
        2026, 3, 30, 0, 30, tzinfo=UTC
    )


def test_a_reminder_is_snoozed_three_times_at_most() -> None:
    assert next_snooze_key("07:30") == "07:30~1"
    assert next_snooze_key("07:30~2") == "07:30~3"
    assert next_snooze_key("07:30~3") is None


# -- pause --------------------------------------------------------------------------------------


def test_a_pause_holds_until_its_end() -> None:
    until = DUE + timedelta(seconds=1)
    assert occurrence(recipient(paused=(DUE - timedelta(days=1), until)), DUE)[0] == (
        DeliveryStatus.PAUSED
    )
    assert occurrence(recipient(paused=(DUE - timedelta(days=1), DUE)), DUE)[0] == (
        DeliveryStatus.CLAIMED
    )
    assert occurrence(recipient(paused=(DUE, None)), DUE)[0] == DeliveryStatus.PAUSED


# -- safety hold --------------------------------------------------------------------------------


def test_a_recipient_is_read_field_by_field_from_a_patient_or_a_due_slot() -> None:
    row = SimpleNamespace(
        unanswered_reminders=4,
        paused_at=DUE - timedelta(days=1),
        paused_until=DUE + timedelta(days=1),
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
        safety_hold="same_day_care",
    )
    assert Recipient.of(row) == Recipient(
        4, row.paused_at, row.paused_until, time(22, 0), time(7, 0), "same_day_care"
    )


def test_a_red_flag_holds_every_reminder_until_the_patient_is_cleared() -> None:
    held = recipient(hold="contact_therapist")
    assert occurrence(held, DUE) == (DeliveryStatus.HELD, Kind.REMINDER)
    # Even the "still there?" a silent patient would get: nothing goes out during a hold.
    assert occurrence(recipient(6, hold="same_day_care"), DUE)[0] == DeliveryStatus.HELD
    assert occurrence(recipient(), DUE)[0] == DeliveryStatus.CLAIMED


def test_a_pause_and_a_missed_time_are_recorded_as_such_during_a_hold() -> None:
    paused_and_held = recipient(paused=(DUE, None), hold="emergency_services")
    assert occurrence(paused_and_held, DUE)[0] == DeliveryStatus.PAUSED
    late = DUE + GRACE + timedelta(seconds=1)
    assert occurrence(recipient(hold="contact_therapist"), late)[0] == DeliveryStatus.MISSED
    # A late one in quiet hours is held, not "quiet": the hold is what keeps it back.
    quiet = recipient(quiet=(time(7, 0), time(8, 0)), hold="contact_therapist")
    assert occurrence(quiet, DUE + timedelta(minutes=20))[0] == DeliveryStatus.HELD


def test_a_row_taken_up_again_during_a_hold_is_held() -> None:
    held = recipient(hold="same_day_care")
    assert again(held, now=DUE + timedelta(minutes=1)) == DeliveryStatus.HELD
    assert again(held, active=False, now=DUE) == DeliveryStatus.FAILED
    assert again(recipient(paused=(DUE, None), hold="same_day_care"), now=DUE) == (
        DeliveryStatus.PAUSED
    )
    quiet_held = recipient(quiet=(time(7, 0), time(8, 0)), hold="same_day_care")
    assert again(quiet_held, now=DUE + timedelta(minutes=20)) == DeliveryStatus.HELD


# -- fatigue ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unanswered", "first_slot", "second_slot"),
    [
        (2, Fatigue.SEND, Fatigue.SEND),
        (3, Fatigue.SEND, Fatigue.THIN),  # the 3rd unanswered: only the day's first slot
        (5, Fatigue.SEND, Fatigue.THIN),
        (6, Fatigue.STILL_THERE, Fatigue.THIN),  # the 6th: "Still there?"
    ],
)
def test_fatigue_thins_at_three_and_asks_at_six(
    unanswered: int, first_slot: Fatigue, second_slot: Fatigue
) -> None:
    assert fatigue(unanswered, 0, DAY) == first_slot
    assert fatigue(unanswered, 1, DAY) == second_slot


def test_after_still_there_one_reminder_every_third_day() -> None:
    sent = [fatigue(7, 0, DAY + timedelta(days=n)) == Fatigue.SEND for n in range(9)]
    assert sum(sent) == 3
    assert occurrence(recipient(unanswered=6), DUE) == (
        DeliveryStatus.CLAIMED,
        Kind.STILL_THERE,
    )
    assert occurrence(recipient(unanswered=3), DUE, slot_index=1)[0] == DeliveryStatus.THINNED


def test_after_still_there_the_sparse_reminder_goes_out_on_these_days() -> None:
    march = [date(2026, 3, n) for n in range(1, 13)]
    for unanswered in (7, 20):
        sent = [day.day for day in march if fatigue(unanswered, 0, day) == Fatigue.SEND]
        assert sent == [2, 5, 8, 11]
    assert fatigue(7, 1, date(2026, 3, 5)) == Fatigue.THIN  # only the day's first slot


def test_the_sparse_day_is_the_patients_own_day() -> None:
    # Due 07:30 Berlin on Thursday 5 March, a sparse day; Wednesday 4 March is not one.
    patient = recipient(unanswered=7)
    assert occurrence(patient, DUE, local_day=date(2026, 3, 5)) == (
        DeliveryStatus.CLAIMED,
        Kind.REMINDER,
    )
    assert occurrence(patient, DUE, local_day=date(2026, 3, 4)) == (
        DeliveryStatus.THINNED,
        Kind.REMINDER,
    )


# -- a row taken up again -----------------------------------------------------------------------


def again(
    patient: Recipient | None = None,
    *,
    active: bool = True,
    opted_in: bool = True,
    zone: str | None = "Europe/Berlin",
    now: datetime,
) -> DeliveryStatus:
    return decide_again(
        patient or recipient(),
        active=active,
        opted_in=opted_in,
        zone_name=zone,
        due_at=DUE,
        now=now,
        grace=GRACE,
    )


def test_a_row_taken_up_again() -> None:
    assert again(now=DUE + timedelta(minutes=1)) == DeliveryStatus.CLAIMED
    assert again(active=False, now=DUE) == DeliveryStatus.FAILED
    assert again(opted_in=False, now=DUE) == DeliveryStatus.MISSED
    assert again(now=DUE + GRACE + timedelta(seconds=1)) == DeliveryStatus.MISSED


def test_a_zone_the_server_cannot_load_raises_until_the_grace_window_has_passed() -> None:
    with pytest.raises(ZoneInfoNotFoundError):
        again(zone="Mars/Olympus", now=DUE + timedelta(minutes=1))
    assert again(zone="Mars/Olympus", now=DUE + GRACE + timedelta(seconds=1)) == (
        DeliveryStatus.MISSED
    )


def test_a_row_taken_up_again_waits_while_the_patient_is_paused_then_goes() -> None:
    # A snooze due during a pause is judged when it is taken up, not when it fell due.
    paused = recipient(paused=(DUE - timedelta(days=1), DUE + timedelta(minutes=10)))
    assert again(paused, now=DUE + timedelta(minutes=5)) == DeliveryStatus.PAUSED
    assert again(paused, now=DUE + timedelta(minutes=10)) == DeliveryStatus.CLAIMED
    open_pause = recipient(paused=(DUE - timedelta(days=1), None))
    assert again(open_pause, now=DUE + timedelta(hours=1)) == DeliveryStatus.PAUSED


def test_a_row_taken_up_again_late_in_quiet_hours_waits_on_time_it_goes() -> None:
    quiet = recipient(quiet=(time(7, 0), time(8, 0)))  # in Berlin; due 07:30 there
    assert again(quiet, now=DUE) == DeliveryStatus.CLAIMED
    assert again(quiet, now=DUE + timedelta(minutes=20)) == DeliveryStatus.QUIET  # 07:50
    assert again(quiet, now=DUE + timedelta(minutes=30)) == DeliveryStatus.CLAIMED  # 08:00


def test_a_patient_without_a_zone_has_quiet_hours_in_utc() -> None:
    quiet = recipient(quiet=(time(6, 0), time(7, 0)))
    late = DUE + timedelta(minutes=20)  # 06:50 UTC, 07:50 in Berlin
    assert again(quiet, zone=None, now=late) == DeliveryStatus.QUIET
    assert again(quiet, zone="Europe/Berlin", now=late) == DeliveryStatus.CLAIMED
