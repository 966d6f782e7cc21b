"""The pure rules of the therapist's patient views, at their boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import patient_record as rules
from bot.domain.patient_record import (
    DayView,
    EventView,
    ListEntry,
    NoteProblem,
    PlanSource,
    PlanView,
    RecordView,
    Status,
)
from bot.domain.screens import Screen, Text
from content.loader import load_content

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def status(**changes: object) -> Status:
    values: dict[str, object] = {
        "is_active": True,
        "reminders_opt_in": True,
        "paused_at": None,
        "paused_until": None,
        "now": NOW,
    }
    values.update(changes)
    return rules.status_of(**values)  # type: ignore[arg-type]


def test_status_active_paused_off_blocked() -> None:
    assert status() is Status.ACTIVE
    assert status(reminders_opt_in=False) is Status.NO_REMINDERS
    assert status(paused_at=NOW - timedelta(days=1)) is Status.PAUSED
    assert status(is_active=False, paused_at=NOW) is Status.BLOCKED
    assert status(reminders_opt_in=False, paused_at=NOW) is Status.PAUSED


def test_a_pause_ends_at_its_end_instant() -> None:
    started = NOW - timedelta(days=3)
    assert status(paused_at=started, paused_until=NOW + timedelta(seconds=1)) is Status.PAUSED
    assert status(paused_at=started, paused_until=NOW) is Status.ACTIVE


def test_status_text_names_the_pause_reason() -> None:
    assert rules.status_text(Status.PAUSED, "travel") == Text(
        "patients.status.paused", {"reason": Text("pause.reasons.travel")}
    )
    assert rules.status_text(Status.PAUSED, None) == Text(
        "patients.status.paused", {"reason": Text("pause.reasons.other")}
    )
    assert rules.status_text(Status.ACTIVE, "travel") == Text("patients.status.active")


def test_matching_is_partial_and_ignores_case_and_spacing() -> None:
    names = [(1, "Lena Müller"), (2, "Marco  MÜLLNER"), (3, "Ana")]
    assert rules.matching(names, "müll") == [1, 2]
    assert rules.matching(names, "  LENA   müller ") == [1]
    assert rules.matching(names, "an") == [3]  # "Ana" only: no other name contains "an"
    assert rules.matching(names, "xavier") == []
    assert rules.matching(names, "   ") == []


def test_a_note_of_the_limit_passes_one_more_is_too_long() -> None:
    assert rules.note_problem("x" * rules.NOTE_LIMIT) is None
    assert rules.note_problem("x" * (rules.NOTE_LIMIT + 1)) is NoteProblem.TOO_LONG
    assert rules.note_problem("  " + "x" * rules.NOTE_LIMIT + "\n") is None  # trimmed first
    assert rules.note_problem(" \n ") is NoteProblem.EMPTY
    assert rules.note_problem("ok") is None


def entries(count: int) -> list[ListEntry]:
    return [ListEntry(i, f"Patient {i}", Status.ACTIVE) for i in range(1, count + 1)]


def test_the_list_has_a_button_each_up_to_the_limit() -> None:
    full = rules.list_screen(entries(rules.LIST_LIMIT))
    assert len(full.choices) == rules.LIST_LIMIT
    assert Text("patients.list_more", {"count": 1}) not in full.body
    over = rules.list_screen(entries(rules.LIST_LIMIT + 1))
    assert len(over.choices) == rules.LIST_LIMIT
    assert over.body[-1] == Text("patients.list_more", {"count": 1})
    assert rules.list_screen([]).body == (Text("patients.none"),)
    button = full.choices[0][0]
    assert (button.action, button.args, button.scope) == ("pt_open", ("1",), "therapist")


def record(**changes: object) -> RecordView:
    values: dict[str, object] = {
        "patient_id": 7,
        "name": "Lena",
        "linked_on": date(2026, 3, 1),
        "status": Status.ACTIVE,
        "pause_reason": None,
        "days": (DayView(date(2026, 3, 2), 0, 0, None, None, False),),
        "events": (),
        "plan": PlanView(PlanSource.STARTER, ("A", "B"), 1, False),
    }
    values.update(changes)
    return RecordView(**values)  # type: ignore[arg-type]


def actions(view: RecordView) -> list[tuple[str, tuple[str, ...]]]:
    return [(c.action, c.args) for row in rules.record_choices(view) for c in row]


def test_the_record_offers_resume_when_paused_and_unlock_when_locked() -> None:
    assert actions(record()) == [
        ("pl_open", ("7",)),
        ("pt_note", ("7",)),
        ("pt_pause", ("7",)),
        ("pt_lock", ("7",)),
        ("pt_discharge", ("7",)),
    ]
    locked_and_paused = record(
        status=Status.PAUSED, plan=PlanView(PlanSource.THERAPIST, ("A",), 1, True)
    )
    assert ("pt_resume", ("7",)) in actions(locked_and_paused)
    assert ("pt_unlock", ("7",)) in actions(locked_and_paused)
    assert ("pt_pause", ("7",)) not in actions(locked_and_paused)


def test_history_lines_count_the_window() -> None:
    days = (
        DayView(date(2026, 3, 1), 1, 2, 3, None, False),
        DayView(date(2026, 3, 2), 0, 2, None, 5, True),
        DayView(date(2026, 3, 3), 2, 2, 6, 2, False),
    )
    sessions, pain, mornings = rules.history_lines(days)
    assert sessions.params == {"done": 3, "planned": 6, "active": 2, "days": 3}
    assert pain.key == "patients.record.pain"
    assert (pain.params["highest"], pain.params["count"], pain.params["latest"]) == (6, 2, 6)
    assert mornings.params == {"count": 2, "highest": 5, "worse": 1}
    empty = (DayView(date(2026, 3, 1), 0, 0, None, None, False),)
    assert [line.key for line in rules.history_lines(empty)] == [
        "patients.record.no_sessions",
        "patients.record.no_pain",
        "patients.record.no_mornings",
    ]


def test_events_beyond_the_shown_ones_are_counted() -> None:
    event = EventView(NOW, "x", "high", False)
    shown = rules.event_lines((event,) * rules.EVENTS_SHOWN)
    assert len(shown) == 1 + rules.EVENTS_SHOWN
    more = rules.event_lines((event,) * (rules.EVENTS_SHOWN + 1))
    assert more[-1] == Text("patients.record.events_more", {"count": 1})
    assert rules.event_lines(()) == (Text("patients.record.no_events"),)


def test_event_labels() -> None:
    flags = {"chest_pain": "chest pain"}
    assert rules.event_label("chest_pain", flags) == Text(
        "patients.events.red_flag", {"flag": "chest pain"}
    )
    assert rules.event_label("pain_high", flags) == Text("patients.events.pain_high")
    assert rules.event_label("something_new", flags) == Text("patients.events.other")


def test_pause_reasons_are_offered_as_buttons_naming_the_patient() -> None:
    shown = rules.pause_reasons_screen(7, "Lena")
    offered = [c.args for row in shown.choices for c in row if c.action == "pt_pause"]
    assert offered == [("7", reason) for reason in rules.THERAPIST_PAUSE_REASONS]


# -- what the therapist reads and presses ---------------------------------------------------------


def T(key: str, **params: object) -> Text:  # noqa: N802 - reads like the Text it builds
    return Text(key, params)


def buttons(screen: Screen) -> list[list[tuple[object, str, tuple[str, ...]]]]:
    """Each row's buttons as (label, action, args); every one a therapist's button."""
    assert all(choice.scope == "therapist" for row in screen.choices for choice in row)
    return [
        [(choice.label, choice.action, choice.args) for choice in row] for row in screen.choices
    ]


def day(day: int, month: int = 3) -> Text:
    return T(
        "progress.chart.day",
        day=day,
        month=Text(f"progress.chart.months.{rules.MONTHS[month - 1]}"),
    )


def test_the_list_names_each_patient_with_their_status_and_a_button_in_order() -> None:
    shown = rules.list_screen(
        [
            ListEntry(3, "Lena Berg", Status.PAUSED, "flare_up"),
            ListEntry(5, "Marco", Status.BLOCKED),
            ListEntry(9, "Jo", Status.ACTIVE, "travel"),
        ]
    )
    assert shown.body == (
        T("patients.list_title", count=3),
        T(
            "patients.list_line",
            name="Lena Berg",
            status=T("patients.status.paused", reason=T("pause.reasons.flare_up")),
        ),
        T("patients.list_line", name="Marco", status=T("patients.status.blocked")),
        T("patients.list_line", name="Jo", status=T("patients.status.active")),
    )
    assert buttons(shown) == [
        [("Lena Berg", "pt_open", ("3",))],
        [("Marco", "pt_open", ("5",))],
        [("Jo", "pt_open", ("9",))],
    ]


def test_a_long_list_counts_everyone_and_says_how_to_find_the_rest() -> None:
    over = rules.list_screen(entries(rules.LIST_LIMIT + 2))
    assert over.body[0] == T("patients.list_title", count=rules.LIST_LIMIT + 2)
    assert over.body[-1] == T("patients.list_more", count=2)
    assert len(over.body) == 1 + rules.LIST_LIMIT + 1
    last = rules.LIST_LIMIT
    assert buttons(over)[-1] == [(f"Patient {last}", "pt_open", (str(last),))]


def test_several_matches_ask_which_one_with_a_button_each_up_to_the_limit() -> None:
    shown = rules.matches_screen("pat", entries(rules.LIST_LIMIT + 1))
    assert shown.body == (T("patients.several", query="pat"),)
    assert len(shown.choices) == rules.LIST_LIMIT
    assert buttons(shown)[:2] == [
        [("Patient 1", "pt_open", ("1",))],
        [("Patient 2", "pt_open", ("2",))],
    ]
    assert buttons(shown)[-1] == [
        (f"Patient {rules.LIST_LIMIT}", "pt_open", (str(rules.LIST_LIMIT),))
    ]


def test_a_moment_reads_day_month_and_time() -> None:
    assert rules.when_label(datetime(2026, 1, 5, 7, 3, tzinfo=UTC)) == T(
        "patients.when", date=day(5, 1), time="07:03"
    )
    assert rules.when_label(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == T(
        "patients.when", date=day(31, 12), time="23:59"
    )
    assert day(31, 12).params["month"] == Text("progress.chart.months.dec")
    assert EN.plain(rules.when_label(datetime(2026, 12, 31, 23, 59, tzinfo=UTC))) == "31 Dec, 23:59"


EN = load_content().messages.for_language("en")

PAIN_HIGH = T("patients.events.pain_high")
CHEST = T("patients.events.red_flag", flag="chest pain")
FULL = record(
    name="Lena Berg",
    linked_on=date(2026, 2, 20),
    status=Status.PAUSED,
    pause_reason="travel",
    days=(
        DayView(date(2026, 3, 1), 1, 2, 6, None, False),
        DayView(date(2026, 3, 2), 0, 2, None, 4, True),
        DayView(date(2026, 3, 3), 2, 2, 3, 2, False),
    ),
    events=(
        EventView(datetime(2026, 3, 3, 18, 5, tzinfo=UTC), PAIN_HIGH, "high", True),
        # a red flag's tier reads as its urgency
        EventView(datetime(2026, 3, 1, 8, 30, tzinfo=UTC), CHEST, "same_day_care", False),
    ),
    plan=PlanView(PlanSource.THERAPIST, ("Glute set", "Clamshell"), 1, True, days_per_week=3),
    last_note=(date(2026, 3, 2), True),
)


def test_the_record_shows_the_window_events_plan_and_last_note() -> None:
    chart = object()
    shown = rules.record_screen(FULL, chart)  # type: ignore[arg-type]
    assert shown.chart is chart
    assert shown.body == (
        T("patients.record.title", name="Lena Berg", since=day(20, 2)),
        T(
            "patients.record.status",
            status=T("patients.status.paused", reason=T("pause.reasons.travel")),
        ),
        T("patients.record.window", count=3),
        T("patients.record.sessions", done=3, planned=6, active=2, days=3),
        T("patients.record.pain", highest=6, count=2, latest=3, latest_on=day(3)),
        T("patients.record.mornings", count=2, highest=4, worse=1),
        T("patients.record.events_title", count=2),
        T(
            "patients.record.event_acknowledged",
            when=T("patients.when", date=day(3), time="18:05"),
            what=PAIN_HIGH,
            severity=T("patients.severity.high"),
        ),
        T(
            "patients.record.event",
            when=T("patients.when", date=day(1), time="08:30"),
            what=CHEST,
            severity=T("patients.severity.critical"),
        ),
        T(
            "patients.record.plan_locked",
            source=T("patients.plan_source.therapist"),
            drills="Glute set, Clamshell",
            count=2,
            per_reminder=1,
            days=T("patients.record.plan_days", days=3),
        ),
        T("patients.record.note_replied", on=day(2)),
    )
    assert buttons(shown) == [
        [
            (T("patients.buttons.plan"), "pl_open", ("7",)),
            (T("patients.buttons.note"), "pt_note", ("7",)),
        ],
        [
            (T("patients.buttons.resume"), "pt_resume", ("7",)),
            (T("patients.buttons.unlock"), "pt_unlock", ("7",)),
        ],
        [(T("patients.buttons.discharge"), "pt_discharge", ("7",))],
    ]
    assert all(EN.plain(line) for line in shown.body)  # every line is worded


def test_a_quiet_record_says_so_line_by_line() -> None:
    quiet = record(
        status=Status.BLOCKED,
        plan=PlanView(PlanSource.OWN, (), 2, False),
        last_note=(date(2026, 3, 1), False),
    )
    shown = rules.record_screen(quiet, None)
    assert shown.chart is None
    assert shown.body == (
        T("patients.record.title", name="Lena", since=day(1)),
        T("patients.record.status", status=T("patients.status.blocked")),
        T("patients.record.window", count=1),
        T("patients.record.no_sessions", days=1),
        T("patients.record.no_pain"),
        T("patients.record.no_mornings"),
        T("patients.record.no_events"),
        T(
            "patients.record.plan",
            source=T("patients.plan_source.own"),
            drills="–",
            count=0,
            per_reminder=2,
            days="",
        ),
        T("patients.record.note_sent", on=day(1)),
    )
    assert buttons(shown) == [
        [
            (T("patients.buttons.plan"), "pl_open", ("7",)),
            (T("patients.buttons.note"), "pt_note", ("7",)),
        ],
        [
            (T("patients.buttons.pause"), "pt_pause", ("7",)),
            (T("patients.buttons.lock"), "pt_lock", ("7",)),
        ],
        [(T("patients.buttons.discharge"), "pt_discharge", ("7",))],
    ]
    starter = rules.record_screen(record(), None)  # no note sent yet: no note line
    assert starter.body[-1] == T(
        "patients.record.plan",
        source=T("patients.plan_source.starter"),
        drills="A, B",
        count=2,
        per_reminder=1,
        days="",
    )


def test_the_latest_pain_is_the_last_day_that_reported_one() -> None:
    days = (
        DayView(date(2026, 3, 1), 1, 1, 2, None, False),
        DayView(date(2026, 3, 2), 1, 1, 7, None, False),
        DayView(date(2026, 3, 3), 1, 1, None, None, False),
        DayView(date(2026, 3, 4), 1, 1, 4, None, False),
        DayView(date(2026, 3, 5), 1, 1, None, None, False),
    )
    assert rules.history_lines(days)[1] == T(
        "patients.record.pain", highest=7, count=3, latest=4, latest_on=day(4)
    )


def test_drills_done_without_a_plan_still_count_and_mornings_may_only_say_worse() -> None:
    days = (
        DayView(date(2026, 3, 1), 2, 0, None, None, True),
        DayView(date(2026, 3, 2), 0, 0, None, None, True),
    )
    sessions, _, mornings = rules.history_lines(days)
    assert sessions == T("patients.record.sessions", done=2, planned=0, active=1, days=2)
    assert mornings == T("patients.record.mornings", count=2, highest="–", worse=2)


def test_the_newest_events_are_shown_and_the_earlier_ones_counted() -> None:
    events = tuple(
        EventView(datetime(2026, 3, 9 - index, 12, 0, tzinfo=UTC), "pain", "notice", False)
        for index in range(7)
    )
    notice = T("patients.severity.notice")
    assert rules.event_lines(events) == (
        T("patients.record.events_title", count=7),
        *(
            T(
                "patients.record.event",
                when=T("patients.when", date=day(9 - index), time="12:00"),
                what="pain",
                severity=notice,
            )
            for index in range(rules.EVENTS_SHOWN)
        ),
        T("patients.record.events_more", count=2),
    )


def test_pausing_asks_why_with_a_way_back() -> None:
    shown = rules.pause_reasons_screen(7, "Lena")
    assert shown.body == (T("patients.pause.ask", name="Lena"),)
    assert buttons(shown) == [
        [(T("pause.reasons.therapist"), "pt_pause", ("7", "therapist"))],
        [(T("pause.reasons.illness"), "pt_pause", ("7", "illness"))],
        [(T("pause.reasons.flare_up"), "pt_pause", ("7", "flare_up"))],
        [(T("pause.reasons.travel"), "pt_pause", ("7", "travel"))],
        [(T("patients.buttons.back"), "pt_open", ("7",))],
    ]


def test_discharging_is_confirmed_once_more_with_a_way_back() -> None:
    shown = rules.discharge_screen(7, "Lena")
    assert shown.body == (T("patients.discharge.ask", name="Lena"),)
    assert buttons(shown) == [
        [(T("patients.buttons.discharge_confirm"), "pt_discharge", ("7", "yes"))],
        [(T("patients.buttons.back"), "pt_open", ("7",))],
    ]
