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
from bot.domain.screens import Text

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
