"""The rules of therapist alerts and patient flags (bot.domain.alerts), at their boundaries:
the therapist's night, the repeat, stale events, silence and low adherence, once per episode;
and the words every stored flag and pain rule needs, in every language."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest

from bot.domain import alerts as rules
from bot.domain.adherence import DayAdherence
from bot.domain.alerts import (
    AlertView,
    Flag,
    FlaggedPatient,
    ReminderDay,
    Urgency,
)
from bot.domain.pain_rules import EventLevel, after_drill, next_morning
from bot.domain.screens import Scope, Screen, Text
from content.loader import load_content
from content.messages import Messages
from db.models import SafetyEvent

TOKYO = ZoneInfo("Asia/Tokyo")  # UTC+9, no DST
BERLIN = ZoneInfo("Europe/Berlin")


def tokyo(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A March 2026 instant given in Tokyo time."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=TOKYO).astimezone(UTC)


# -- urgency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("emergency_services", Urgency.CRITICAL),
        ("same_day_care", Urgency.CRITICAL),
        ("critical", Urgency.CRITICAL),
        ("contact_therapist", Urgency.HIGH),
        ("high", Urgency.HIGH),
        ("low", Urgency.LOW),
        ("something_new", Urgency.HIGH),  # unknown: at once, never held back
    ],
)
def test_urgency_of_each_severity(severity: str, expected: Urgency) -> None:
    assert rules.urgency(severity) == expected


def test_an_event_is_history_from_24_hours_old() -> None:
    now = tokyo(3, 12)
    just_fresh = now - rules.STALE_AFTER + timedelta(seconds=1)
    assert rules.delivery_urgency("critical", just_fresh, now) == Urgency.CRITICAL
    assert rules.delivery_urgency("critical", now - rules.STALE_AFTER, now) == Urgency.LOW
    assert rules.delivery_urgency("high", now - rules.STALE_AFTER, now) == Urgency.LOW


def test_only_critical_alerts_repeat() -> None:
    assert rules.repeats(Urgency.CRITICAL)
    assert not rules.repeats(Urgency.HIGH)
    assert not rules.repeats(Urgency.LOW)
    assert timedelta(minutes=30) == rules.REPEAT_AFTER


# -- the night -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "night"),
    [
        (time(20, 59, 59), False),
        (time(21, 0), True),
        (time(0, 0), True),
        (time(6, 59, 59), True),
        (time(7, 0), False),
        (time(12, 0), False),
    ],
)
def test_the_night_runs_from_21_to_7(local: time, night: bool) -> None:
    assert rules.in_night(local) is night


def test_the_night_ends_at_seven_the_same_morning_or_the_next() -> None:
    assert rules.night_end_after(tokyo(3, 3), TOKYO) == tokyo(3, 7)
    assert rules.night_end_after(tokyo(3, 23), TOKYO) == tokyo(4, 7)
    assert rules.night_end_after(tokyo(3, 21), TOKYO) == tokyo(4, 7)
    assert rules.night_end_after(tokyo(3, 7), TOKYO) == tokyo(3, 7)


def test_the_night_ends_at_seven_local_across_the_spring_change() -> None:
    # Berlin moves from UTC+1 to UTC+2 at 02:00 on 29 March 2026.
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    assert rules.night_end_after(before, BERLIN) == datetime(2026, 3, 29, 5, 0, tzinfo=UTC)


@pytest.mark.parametrize("urgent", [Urgency.CRITICAL, Urgency.HIGH])
def test_critical_and_high_alerts_go_at_once_at_night(urgent: Urgency) -> None:
    assert rules.alert_due(urgent, tokyo(3, 3), TOKYO) == tokyo(3, 3)


def test_a_low_alert_at_night_waits_for_its_end() -> None:
    assert rules.alert_due(Urgency.LOW, tokyo(3, 23), TOKYO) == tokyo(4, 7)
    assert rules.alert_due(Urgency.LOW, tokyo(3, 21), TOKYO) == tokyo(4, 7)
    assert rules.alert_due(Urgency.LOW, tokyo(4, 6, 59, 59), TOKYO) == tokyo(4, 7)


def test_a_low_alert_by_day_goes_at_once() -> None:
    assert rules.alert_due(Urgency.LOW, tokyo(3, 20, 59, 59), TOKYO) == tokyo(3, 20, 59, 59)
    assert rules.alert_due(Urgency.LOW, tokyo(4, 7), TOKYO) == tokyo(4, 7)


def test_the_night_is_the_therapists_not_the_patients() -> None:
    # 15:00 in Berlin is 23:00 in Tokyo.
    now = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
    assert rules.alert_due(Urgency.LOW, now, TOKYO) == tokyo(4, 7)
    assert rules.alert_due(Urgency.LOW, now, BERLIN) == now


@pytest.mark.parametrize(
    ("local", "due"),
    [
        (time(8, 59, 59), False),
        (time(9, 0), True),
        (time(20, 59, 59), True),
        (time(21, 0), False),
        (time(3, 0), False),
    ],
)
def test_flags_go_from_nine_until_the_night(local: time, due: bool) -> None:
    now = datetime.combine(date(2026, 3, 3), local, TOKYO)
    assert rules.flags_due(now, TOKYO) is due


def test_an_unknown_zone_is_utc() -> None:
    assert rules.zone_of(None) == ZoneInfo("UTC")
    assert rules.zone_of("Mars/Olympus") == ZoneInfo("UTC")
    assert rules.zone_of("Asia/Tokyo") == TOKYO


# -- silence ---------------------------------------------------------------------------------

FRIDAY = date(2026, 3, 6)


def days_before(count: int) -> date:
    return FRIDAY - timedelta(days=count)


def test_silent_when_reminders_went_out_over_three_days_and_none_was_answered() -> None:
    sent = [ReminderDay(days_before(back), sent=True, answered=False) for back in (1, 2, 3)]
    assert rules.silent(sent, FRIDAY)


def test_one_reminder_sent_three_days_back_is_enough() -> None:
    assert rules.silent([ReminderDay(days_before(3), sent=True, answered=False)], FRIDAY)


def test_a_reminder_four_days_back_is_outside_the_three_days() -> None:
    assert not rules.silent([ReminderDay(days_before(4), sent=True, answered=False)], FRIDAY)


def test_todays_reminder_alone_does_not_make_anyone_silent() -> None:
    assert not rules.silent([ReminderDay(FRIDAY, sent=True, answered=False)], FRIDAY)


@pytest.mark.parametrize("back", [0, 1, 3])
def test_any_answer_in_the_three_days_or_today_is_not_silence(back: int) -> None:
    rows = [
        ReminderDay(days_before(2), sent=True, answered=False),
        ReminderDay(days_before(back), sent=True, answered=True),
    ]
    assert not rules.silent(rows, FRIDAY)


def test_an_answer_four_days_back_does_not_end_the_silence() -> None:
    rows = [
        ReminderDay(days_before(4), sent=True, answered=True),
        ReminderDay(days_before(2), sent=True, answered=False),
    ]
    assert rules.silent(rows, FRIDAY)


def test_reminders_not_sent_paused_held_or_thinned_are_no_silence() -> None:
    rows = [ReminderDay(days_before(back), sent=False, answered=False) for back in (1, 2, 3)]
    assert not rules.silent(rows, FRIDAY)
    assert not rules.silent([], FRIDAY)


def test_a_silence_is_flagged_once_until_the_patient_answers() -> None:
    flagged = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    assert not rules.silent_flagged_already(None, None)
    assert not rules.silent_flagged_already(None, flagged)
    assert rules.silent_flagged_already(flagged, None)
    assert rules.silent_flagged_already(flagged, flagged - timedelta(seconds=1))
    assert not rules.silent_flagged_already(flagged, flagged + timedelta(seconds=1))


# -- low adherence ---------------------------------------------------------------------------


def day(on: date, done: int, prescribed: int) -> DayAdherence:
    return DayAdherence(on, done, prescribed, skipped=0, paused=False, held=False)


def week(done: list[int], prescribed: int = 1, today: date = FRIDAY) -> list[DayAdherence]:
    """The 7 days before ``today``, oldest first, with ``done`` sessions each."""
    return [
        day(today - timedelta(days=7 - index), count, prescribed)
        for index, count in enumerate(done)
    ]


def test_half_of_the_sessions_done_is_not_low() -> None:
    days = week([1, 0, 1, 0, 1, 0, 0], prescribed=1)  # 3 of 7: low
    assert rules.low_adherence(days, FRIDAY)
    days = week([1, 0, 1, 0, 1, 0, 1], prescribed=1)  # 4 of 7
    assert not rules.low_adherence(days, FRIDAY)
    days = week([1, 1, 0, 0, 0, 0, 0], prescribed=1)[:4]  # 2 of 4: exactly half
    assert not rules.low_adherence(days, FRIDAY)


def test_nothing_prescribed_is_not_low() -> None:
    assert not rules.low_adherence(week([0] * 7, prescribed=0), FRIDAY)
    assert not rules.low_adherence([], FRIDAY)


def test_today_and_the_eighth_day_back_do_not_count() -> None:
    days = [day(FRIDAY, 0, 5), day(FRIDAY - timedelta(days=8), 0, 5), day(days_before(1), 1, 1)]
    assert not rules.low_adherence(days, FRIDAY)
    days = [day(days_before(7), 0, 1), day(days_before(1), 1, 2)]
    assert rules.low_adherence(days, FRIDAY)  # 1 of 3


def test_the_low_episode_starts_on_the_first_low_day_of_the_run() -> None:
    # Two weeks all done, then nothing from Monday 2 March on.
    start = date(2026, 2, 16)
    days = [day(start + timedelta(days=offset), 1, 1) for offset in range(14)]
    days += [day(date(2026, 3, 2) + timedelta(days=offset), 0, 1) for offset in range(4)]
    # Low from Thursday 5 March (3 of the 7 days before it not done: 4 of 7 done, not low)...
    assert not rules.low_adherence(days, date(2026, 3, 5))
    assert rules.low_adherence(days, date(2026, 3, 6))  # 3 of 7 done
    assert rules.low_adherence_since(days, date(2026, 3, 6)) == date(2026, 3, 6)
    more = [*days, day(date(2026, 3, 6), 0, 1), day(date(2026, 3, 7), 0, 1)]
    assert rules.low_adherence_since(more, date(2026, 3, 8)) == date(2026, 3, 6)
    assert rules.low_adherence_since(days, date(2026, 3, 5)) is None


def test_an_episode_longer_than_the_days_known_starts_where_they_start() -> None:
    first = date(2026, 2, 1)
    days = [day(first + timedelta(days=offset), 0, 1) for offset in range(28)]
    today = first + timedelta(days=28)
    assert rules.low_adherence_since(days, today) == first + timedelta(days=7)


# -- what the therapist sees -----------------------------------------------------------------


def view(**changes: object) -> AlertView:
    values: dict[str, object] = {
        "event_id": 41,
        "patient_id": 7,
        "patient_name": "Ana K.",
        "flag": "chest_pain",
        "severity": "emergency_services",
        "source": "typed",
        "urgency": Urgency.CRITICAL,
        "occurred_local": datetime(2026, 3, 3, 3, 0, tzinfo=TOKYO),
    }
    values.update(changes)
    return AlertView(**values)  # type: ignore[arg-type]


def keys(body: tuple[object, ...]) -> list[str]:
    return [part.key for part in body if isinstance(part, Text)]


def test_an_alert_names_the_patient_the_flag_and_when_with_two_buttons() -> None:
    shown = rules.alert_screen(view())
    assert keys(shown.body) == [
        "alerts.heading.critical",
        "alerts.what.typed",
        "alerts.when",
        "alerts.told.emergency_services",
    ]
    heading, what = shown.body[0], shown.body[1]
    assert isinstance(heading, Text)
    assert heading.params["name"] == "Ana K."
    assert isinstance(what, Text)
    assert what.params["flag"] == Text("alerts.flag.chest_pain")
    [[acknowledge, open_record]] = shown.choices
    assert (acknowledge.action, acknowledge.args, acknowledge.scope) == (
        "al_ack",
        ("41",),
        Scope.THERAPIST,
    )
    assert (open_record.action, open_record.args, open_record.scope) == (
        "pt_open",
        ("7",),
        Scope.THERAPIST,
    )


def test_a_repeat_says_so_until_acknowledged() -> None:
    assert keys(rules.alert_screen(view(repeat=True)).body)[0] == "alerts.repeat"
    acknowledged = view(repeat=True, acknowledged_local=datetime(2026, 3, 3, 3, 5, tzinfo=TOKYO))
    shown = rules.alert_screen(acknowledged)
    assert "alerts.repeat" not in keys(shown.body)
    assert keys(shown.body)[-1] == "alerts.acknowledged"
    assert [[choice.action for choice in row] for row in shown.choices] == [["pt_open"]]


def test_an_unknown_source_is_worded_plainly() -> None:
    assert "alerts.what.other" in keys(rules.alert_screen(view(source="import")).body)


def test_the_days_flags_list_each_patient_with_a_button_to_their_record() -> None:
    shown = rules.flags_screen(
        [
            FlaggedPatient(1, "Ana K.", (Flag.SILENT, Flag.LOW_ADHERENCE)),
            FlaggedPatient(2, "Bo L.", (Flag.LOW_ADHERENCE,)),
        ]
    )
    assert keys(shown.body) == [
        "alerts.flags.title",
        "alerts.flags.patient",
        "alerts.flags.patient",
    ]
    assert [[(c.action, c.args) for c in row] for row in shown.choices] == [
        [("pt_open", ("1",))],
        [("pt_open", ("2",))],
    ]
    many = [FlaggedPatient(pid, f"P{pid}", (Flag.SILENT,)) for pid in range(30)]
    assert len(rules.flags_screen(many).choices) == rules.MAX_FLAG_BUTTONS


# -- the words -------------------------------------------------------------------------------


def stored_pain_flags() -> set[str]:
    """Every flag a pain rule stores with an event (check-ins: ``pain_<reason>``; mornings:
    the reason), found by running the rules over their whole range."""
    flags = set()
    for during in range(11):
        for now in (None, *range(11)):
            for baseline in (None, 0.0, 2.0):
                verdict = after_drill(during, now, baseline)
                if verdict.level is not None:
                    flags.add(f"pain_{verdict.reason}")
    for morning in ("better", "same", "worse"):
        for before in (None, "better", "same", "worse"):
            verdict = next_morning(morning, before)
            if verdict.level is not None:
                flags.add(verdict.reason)
    return flags


def test_every_red_flag_and_pain_rule_has_its_words_for_the_therapist() -> None:
    content = load_content()
    red_flags = {flag.id for flag in content.catalog("en").checkins.red_flags}
    for language in content.languages:
        messages = content.messages.for_language(language)
        for flag in red_flags | stored_pain_flags():
            assert messages.plain(Text(f"alerts.flag.{flag}")), (language, flag)
    assert {level.value for level in EventLevel} <= set(rules._URGENCY)


# -- what the therapist reads (found missing by mutation testing) ------------------------------


@cache
def messages(language: str = "en") -> Messages:
    return load_content().messages.for_language(language)


def read(screen: Screen, language: str = "en") -> tuple[list[str], list[list[str]]]:
    """A screen as the therapist reads it: the body's lines and the buttons' labels."""
    shown = messages(language)
    body = [shown.html(part) for part in screen.body if isinstance(part, Text)]
    buttons = [[shown.plain(choice.label) for choice in row] for row in screen.choices]
    return body, buttons


WEDNESDAY_0307 = datetime(2026, 3, 4, 3, 7, tzinfo=TOKYO)


def test_an_unacknowledged_repeat_reads_in_full_with_day_date_time_and_zone() -> None:
    body, buttons = read(rules.alert_screen(view(repeat=True, occurred_local=WEDNESDAY_0307)))
    assert body == [
        "⏰ <b>Not acknowledged yet</b>: this alert was first sent 30 minutes ago.",
        "🚨 <b>Critical: Ana K.</b>",
        "Red flag in a message they typed: <b>chest pain, pressure or tightness</b>.",
        "🕒 Wed 04.03.2026, 03:07 (JST)",
        "The bot told them to stop and call emergency services now.",
    ]
    assert buttons == [["✅ Acknowledge", "📋 Open record"]]
    german, german_buttons = read(rules.alert_screen(view(occurred_local=WEDNESDAY_0307)), "de")
    assert german[2] == "🕒 Mi 04.03.2026, 03:07 (JST)"
    assert german_buttons == [["✅ Bestätigen", "📋 Akte öffnen"]]


def test_an_acknowledged_alert_says_when_and_keeps_only_the_record_button() -> None:
    acknowledged = datetime(2026, 3, 4, 9, 5, tzinfo=TOKYO)
    shown = rules.alert_screen(view(repeat=True, acknowledged_local=acknowledged))
    body, buttons = read(shown)
    assert body[-1] == "✅ Acknowledged: Wed 04.03.2026, 09:05 (JST)"
    assert buttons == [["📋 Open record"]]
    [[open_record]] = shown.choices
    assert (open_record.action, open_record.args, open_record.scope) == (
        "pt_open",
        ("7",),
        Scope.THERAPIST,
    )


def test_the_days_flags_read_in_full_with_each_patients_button() -> None:
    shown = rules.flags_screen(
        [
            FlaggedPatient(1, "Ana <K>", (Flag.SILENT, Flag.LOW_ADHERENCE)),
            FlaggedPatient(2, "Bo L.", (Flag.LOW_ADHERENCE,)),
        ]
    )
    body, buttons = read(shown)
    assert body == [
        "📋 <b>Patients to look at</b> (flagged once, until things change)",
        "• <b>Ana &lt;K&gt;</b>: has not answered any reminder for 3 days, did less than 50% of"
        " their sessions in the last 7 days",
        "• <b>Bo L.</b>: did less than 50% of their sessions in the last 7 days",
    ]
    assert buttons == [["📋 Ana <K>"], ["📋 Bo L."]]
    assert {choice.scope for row in shown.choices for choice in row} == {Scope.THERAPIST}
    german, _ = read(shown, "de")
    assert german[1] == (
        "• <b>Ana &lt;K&gt;</b>: hat seit 3 Tagen auf keine Erinnerung geantwortet, hat in den"
        " letzten 7 Tagen weniger als 50 % der Einheiten gemacht"
    )


def test_an_alert_view_of_a_stored_event_is_in_the_therapists_zone() -> None:
    event = SafetyEvent(
        id=41,
        patient_id=7,
        occurred_at=datetime(2026, 3, 3, 18, 7, tzinfo=UTC),  # Wednesday 03:07 in Tokyo
        severity="same_day_care",
        flag="calf",
        source="screen",
        acknowledged_at=datetime(2026, 3, 4, 0, 5, tzinfo=UTC),
    )
    seen = AlertView.of(event, "Ana K.", "Asia/Tokyo")
    assert seen == AlertView(
        event_id=41,
        patient_id=7,
        patient_name="Ana K.",
        flag="calf",
        severity="same_day_care",
        source="screen",
        urgency=Urgency.CRITICAL,
        occurred_local=WEDNESDAY_0307,
        repeat=False,
        acknowledged_local=datetime(2026, 3, 4, 9, 5, tzinfo=TOKYO),
    )
    assert seen.occurred_local.tzname() == "JST"
    assert seen.acknowledged_local is not None
    assert seen.acknowledged_local.tzname() == "JST"
    assert AlertView.of(event, "Ana K.", "Asia/Tokyo", repeat=True).repeat
    event.acknowledged_at = None
    assert AlertView.of(event, "Ana K.", "Asia/Tokyo").acknowledged_local is None
    # No zone stored: UTC.
    assert AlertView.of(event, "Ana K.", None).occurred_local.tzname() == "UTC"


def test_a_low_alert_late_in_the_morning_waits_for_the_next_night_not_a_past_one() -> None:
    # 10:00 in Tokyo is 01:00 UTC the same date: the next night's end is tomorrow's 07:00.
    assert rules.night_end_after(tokyo(3, 10), TOKYO) == tokyo(4, 7)
    # 06:00 in Tokyo is 21:00 UTC the day before: the night ends an hour later, today.
    assert rules.night_end_after(tokyo(3, 6), TOKYO) == tokyo(3, 7)


def test_an_answer_at_the_very_instant_of_the_notice_starts_a_new_episode() -> None:
    at = datetime(2026, 3, 6, 0, 0, tzinfo=UTC)
    assert not rules.silent_flagged_already(at, at)


def test_one_session_prescribed_in_the_week_and_not_done_is_low() -> None:
    assert rules.low_adherence([day(days_before(3), 0, 1)], FRIDAY)
    assert not rules.low_adherence([day(days_before(3), 1, 1)], FRIDAY)
