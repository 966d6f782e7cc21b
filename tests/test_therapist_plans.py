"""The rules of a therapist's plan over plain values: dose bounds and steps, what a save
changed and how the patient reads it, the editor's draft, and the days-a-week rule at its
boundaries (the Nth day of practice, the week's edge on Monday, a day already practised)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain import therapist_plans as rules
from bot.domain.therapist_plans import Change, ChangeKind, Measure, PlanDose, PlanSnapshot
from bot.outbox.plan_news import changes_of, news_screen, payload_of
from content.loader import load_content
from content.messages import Text

CONTENT = load_content()
EN = CONTENT.messages.for_language("en")
DE = CONTENT.messages.for_language("de")

# A Monday, and the days of its week.
MON, TUE, WED, THU, FRI, SAT, SUN = (date(2026, 3, day) for day in range(2, 9))
NEXT_MON = date(2026, 3, 9)


def plan(*drills: str, days: int | None = None, per: int = 2, **doses: PlanDose) -> PlanSnapshot:
    return PlanSnapshot(tuple(drills), doses, days, per)


# -- doses ---------------------------------------------------------------------------------------


def test_the_catalogue_dose_is_dosed_by_reps_first_else_by_its_hold() -> None:
    catalog = CONTENT.catalog("en")
    assert PlanDose.of(catalog.drill("glute_set").dose) == PlanDose(2, 10, Measure.REPS)
    assert PlanDose.of(catalog.drill("tandem_stance").dose) == PlanDose(3, 20, Measure.HOLD)


@pytest.mark.parametrize(
    ("dose", "field", "by", "after"),
    [
        (PlanDose(1, 10, Measure.REPS), "sets", -1, PlanDose(1, 10, Measure.REPS)),
        (PlanDose(2, 10, Measure.REPS), "sets", -1, PlanDose(1, 10, Measure.REPS)),
        (PlanDose(9, 10, Measure.REPS), "sets", 1, PlanDose(10, 10, Measure.REPS)),
        (PlanDose(10, 10, Measure.REPS), "sets", 1, PlanDose(10, 10, Measure.REPS)),
        (PlanDose(2, 48, Measure.REPS), "count", 5, PlanDose(2, 50, Measure.REPS)),
        (PlanDose(2, 3, Measure.REPS), "count", -5, PlanDose(2, 1, Measure.REPS)),
        (PlanDose(2, 2, Measure.REPS), "count", -1, PlanDose(2, 1, Measure.REPS)),
        (PlanDose(3, 115, Measure.HOLD), "count", 5, PlanDose(3, 120, Measure.HOLD)),
        (PlanDose(3, 120, Measure.HOLD), "count", 15, PlanDose(3, 120, Measure.HOLD)),
        (PlanDose(3, 5, Measure.HOLD), "count", -5, PlanDose(3, 1, Measure.HOLD)),
        (PlanDose(3, 6, Measure.HOLD), "count", -5, PlanDose(3, 1, Measure.HOLD)),
        (PlanDose(3, 20, Measure.HOLD), "count", 5, PlanDose(3, 25, Measure.HOLD)),
    ],
)
def test_a_dose_moves_by_its_step_and_stays_within_the_catalogues_bounds(
    dose: PlanDose, field: str, by: int, after: PlanDose
) -> None:
    assert dose.moved(field, by) == after


@pytest.mark.parametrize(
    ("stored", "read"),
    [
        ({"sets": 3, "reps": 10}, PlanDose(3, 10, Measure.REPS)),
        ({"sets": 3, "hold_seconds": 30}, PlanDose(3, 30, Measure.HOLD)),
        ({"sets": 10, "reps": 50}, PlanDose(10, 50, Measure.REPS)),
        ({"sets": 1, "hold_seconds": 1}, PlanDose(1, 1, Measure.HOLD)),
        ({"sets": 11, "reps": 10}, None),
        ({"sets": 0, "reps": 10}, None),
        ({"sets": 3, "reps": 51}, None),
        ({"sets": 3, "hold_seconds": 121}, None),
        ({"sets": 3, "reps": 0}, None),
        ({"sets": 3, "reps": True}, None),
        ({"sets": 3, "reps": "10"}, None),
        ({"sets": 3, "reps": 10, "hold_seconds": 5}, None),
        ({"sets": 3}, None),
        ("3x10", None),
    ],
)
def test_a_stored_dose_is_read_only_within_bounds(stored: object, read: PlanDose | None) -> None:
    assert PlanDose.from_json(stored) == read
    if read is not None:
        assert read.as_json() == stored


def test_a_plans_doses_leave_out_what_cannot_be_read() -> None:
    stored = {"a": {"sets": 2, "reps": 8}, "b": {"sets": 99, "reps": 8}, "c": None}
    assert rules.doses_from_json(stored) == {"a": PlanDose(2, 8, Measure.REPS)}
    assert rules.doses_from_json(None) == {}


def test_only_doses_that_differ_from_the_catalogue_are_stored() -> None:
    catalogue = {"a": PlanDose(2, 10, Measure.REPS), "b": PlanDose(3, 20, Measure.HOLD)}
    doses = {
        "a": PlanDose(2, 10, Measure.REPS),  # as the catalogue: not stored
        "b": PlanDose(3, 25, Measure.HOLD),
        "gone": PlanDose(1, 5, Measure.REPS),  # left the catalogue: kept
        "removed": PlanDose(1, 5, Measure.REPS),  # not in the plan: dropped
    }
    kept = rules.stored_doses(("a", "b", "gone"), doses, catalogue.get)
    assert kept == {"b": PlanDose(3, 25, Measure.HOLD), "gone": PlanDose(1, 5, Measure.REPS)}


@pytest.mark.parametrize(
    ("dose", "per_side", "english", "german"),
    [
        (PlanDose(3, 10, Measure.REPS), False, "3 × 10", "3 × 10"),
        (PlanDose(3, 30, Measure.HOLD), False, "3 × 30 s", "3 × 30 s"),
        (PlanDose(3, 30, Measure.HOLD), True, "3 × 30 s each side", "3 × 30 s pro Seite"),
    ],
)
def test_a_dose_in_words(dose: PlanDose, per_side: bool, english: str, german: str) -> None:
    assert EN.plain(rules.dose_text(dose, per_side)) == english
    assert DE.plain(rules.dose_text(dose, per_side)) == german


def test_a_dose_is_for_both_sides_unless_said() -> None:
    assert EN.plain(rules.dose_text(PlanDose(3, 10, Measure.REPS))) == "3 × 10"


# -- the editor's draft --------------------------------------------------------------------------


def test_a_drill_is_added_once_and_never_past_the_limit() -> None:
    assert rules.add_drill(plan("a"), "b").drills == ("a", "b")
    assert rules.add_drill(plan("a", "b"), "a").drills == ("a", "b")
    full = plan(*(f"d{index}" for index in range(rules.MAX_DRILLS)))
    assert rules.add_drill(full, "new") == full
    almost = plan(*(f"d{index}" for index in range(rules.MAX_DRILLS - 1)))
    assert len(rules.add_drill(almost, "new").drills) == rules.MAX_DRILLS


def test_removing_a_drill_removes_its_dose() -> None:
    dosed = plan("a", "b", a=PlanDose(2, 8, Measure.REPS), b=PlanDose(1, 5, Measure.HOLD))
    removed = rules.remove_drill(dosed, "a")
    assert removed.drills == ("b",)
    assert removed.doses == {"b": PlanDose(1, 5, Measure.HOLD)}


def test_a_plan_needs_a_drill_to_be_saved() -> None:
    assert not rules.can_save(plan())
    assert rules.can_save(plan("a"))
    assert rules.can_save(plan(*(f"d{index}" for index in range(rules.MAX_DRILLS))))
    assert not rules.can_save(plan(*(f"d{index}" for index in range(rules.MAX_DRILLS + 1))))


def test_a_draft_survives_the_conversation_row_and_a_malformed_one_is_refused() -> None:
    draft = plan("a", "b", days=4, per=3, a=PlanDose(2, 8, Measure.REPS))
    assert PlanSnapshot.from_json(draft.as_json()) == draft
    every_day = plan("a", days=None, per=1)
    assert PlanSnapshot.from_json(every_day.as_json()) == every_day
    for broken, field in (
        ({**draft.as_json(), "days": 0}, "days"),
        ({**draft.as_json(), "days": 8}, "days"),
        ({**draft.as_json(), "per": 0}, "per"),
        ({**draft.as_json(), "per": 6}, "per"),
        ({**draft.as_json(), "per": None}, "per"),
        ({**draft.as_json(), "drills": "a,b"}, "drills"),
        ({**draft.as_json(), "drills": [1]}, "drills"),
    ):
        with pytest.raises(ValueError, match=rf"^{field}$"):  # names what is broken
            PlanSnapshot.from_json(broken)


def test_setting_a_dose_changes_that_drill_only() -> None:
    draft = plan("a", "b", b=PlanDose(1, 5, Measure.HOLD))
    dosed = rules.set_dose(draft, "a", PlanDose(4, 12, Measure.REPS))
    assert dosed.drills == ("a", "b")
    assert dosed.doses == {"a": PlanDose(4, 12, Measure.REPS), "b": PlanDose(1, 5, Measure.HOLD)}
    assert draft.doses == {"b": PlanDose(1, 5, Measure.HOLD)}  # the draft before is kept


# -- what changed --------------------------------------------------------------------------------


def test_the_change_list_names_additions_removals_doses_days_and_drills_per_reminder() -> None:
    before = plan("belly", "glute", "tandem", days=None, per=2)
    after = plan(
        "tandem",
        "clam",
        "belly",
        days=4,
        per=3,
        tandem=PlanDose(3, 30, Measure.HOLD),
        clam=PlanDose(2, 12, Measure.REPS),
    )
    assert rules.changes(before, after) == (
        Change(ChangeKind.ADDED, "clam", PlanDose(2, 12, Measure.REPS)),
        Change(ChangeKind.REMOVED, "glute"),
        Change(ChangeKind.DOSE, "tandem", PlanDose(3, 30, Measure.HOLD)),
        Change(ChangeKind.DAYS, number=4),
        Change(ChangeKind.PER_REMINDER, number=3),
    )


def test_moving_drills_around_is_no_change_and_back_to_every_day_is_one() -> None:
    assert rules.changes(plan("a", "b"), plan("b", "a")) == ()
    assert rules.changes(plan("a", days=3), plan("a", days=None)) == (
        Change(ChangeKind.DAYS, number=None),
    )
    back_to_card = rules.changes(plan("a", a=PlanDose(2, 8, Measure.REPS)), plan("a"))
    assert back_to_card == (Change(ChangeKind.DOSE, "a", None),)


def test_the_patient_reads_what_changed_in_plain_words() -> None:
    catalog = CONTENT.catalog("en")
    found = (
        Change(ChangeKind.ADDED, "tandem_stance", PlanDose(3, 30, Measure.HOLD)),
        Change(ChangeKind.ADDED, "clamshell"),  # the catalogue's dose
        Change(ChangeKind.REMOVED, "glute_set"),
        Change(ChangeKind.DOSE, "belly_breathing", PlanDose(3, 8, Measure.REPS)),
        Change(ChangeKind.DAYS, number=4),
    )
    message = news_screen(catalog, changes_of(payload_of(found)))
    assert [EN.plain(part) for part in message.body if isinstance(part, Text)] == [
        "🗓 Your therapist changed your plan: added Heel-to-toe stance (3 × 30 s each side), "
        "added Side-lying clamshell (2 × 10 each side), removed Lying glute squeeze, "
        "Low belly breathing is now 3 × 8, 4 days a week.",
        "Your next reminder follows the new plan.",
    ]
    german = news_screen(CONTENT.catalog("de"), (Change(ChangeKind.DAYS, number=1),))
    assert DE.plain(german.body[0]) == (
        "🗓 Ihre Therapeutin oder Ihr Therapeut hat Ihren Plan geändert: 1 Tag pro Woche."
    )


def test_drills_per_reminder_and_back_to_every_day_in_the_patients_words() -> None:
    catalog = CONTENT.catalog("en")
    found = (Change(ChangeKind.DAYS, number=None), Change(ChangeKind.PER_REMINDER, number=3))
    assert [EN.plain(line) for line in rules.describe(catalog, found)] == [
        "drills on every reminder day",
        "3 per reminder",
    ]
    assert DE.plain(rules.describe(CONTENT.catalog("de"), found)[1]) == "3 pro Erinnerung"


def test_a_drill_that_left_the_catalogue_is_named_by_its_id() -> None:
    found = (
        Change(ChangeKind.ADDED, "old_drill", PlanDose(2, 8, Measure.REPS)),
        Change(ChangeKind.ADDED, "older_drill"),
        Change(ChangeKind.REMOVED, "gone_drill"),
    )
    assert [EN.plain(line) for line in rules.describe(CONTENT.catalog("en"), found)] == [
        "added old_drill (2 × 8)",
        "added older_drill (as on the drill card)",
        "removed gone_drill",
    ]


def test_a_change_that_makes_no_sense_is_left_out_of_the_message() -> None:
    def name(drill_id: str) -> str:
        return drill_id

    def dose(change: Change) -> Text:
        return Text("plans.dose_catalogue")

    nonsense = (
        Change(ChangeKind.ADDED, None, number=3),  # no drill
        Change(ChangeKind.REMOVED, None, number=3),
        Change(ChangeKind.DOSE, None, PlanDose(2, 8, Measure.REPS), number=3),
        Change(ChangeKind.PER_REMINDER, number=None),  # no number
    )
    assert rules.change_lines(nonsense, name, dose) == ()
    days_with_a_drill = Change(ChangeKind.DAYS, "a", number=4)  # the drill says nothing
    assert [EN.plain(line) for line in rules.change_lines((days_with_a_drill,), name, dose)] == [
        "4 days a week"
    ]


def test_a_stored_change_keeps_only_a_drill_id_and_a_whole_number() -> None:
    stored = {"kind": "removed", "drill": 5, "dose": None, "number": "4"}
    assert Change.from_json(stored) == Change(ChangeKind.REMOVED, None, None, None)
    stored = {"kind": "days", "drill": None, "dose": None, "number": 4}
    assert Change.from_json(stored) == Change(ChangeKind.DAYS, number=4)


def test_a_stored_change_list_keeps_only_what_it_can_read() -> None:
    stored = payload_of((Change(ChangeKind.REMOVED, "glute_set"),))
    stored["changes"] = [*stored["changes"], {"kind": "exploded"}, "junk"]  # type: ignore[misc]
    assert changes_of(stored) == (Change(ChangeKind.REMOVED, "glute_set"),)
    assert changes_of(None) == ()
    assert changes_of({"changes": "no"}) == ()


# -- days a week ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "practised", "today", "rest"),
    [
        (None, {MON, TUE, WED, THU, FRI, SAT}, SUN, False),  # no number of days: never rest
        (2, set(), WED, False),
        (2, {MON}, WED, False),  # one day of two: not yet
        (2, {MON, TUE}, WED, True),  # two days of two: the rest of the week is rest
        (2, {MON, TUE}, SUN, True),
        (2, {MON, TUE, WED}, WED, False),  # practised today already: today is no rest day
        (3, {MON, TUE}, WED, False),
        (3, {MON, TUE, WED}, THU, True),
        (7, {MON, TUE, WED, THU, FRI, SAT}, SUN, False),
        (1, {SUN}, NEXT_MON, False),  # last week's practice counts for last week only
        (1, {date(2026, 3, 1)}, MON, False),  # the Sunday before
        (1, {MON}, TUE, True),
        (1, {NEXT_MON}, SUN, False),  # a later date (a clock moved back) is not this week
    ],
)
def test_rest_once_the_weeks_days_of_practice_are_done(
    days: int | None, practised: set[date], today: date, rest: bool
) -> None:
    assert rules.rest_day(days, practised, today) is rest


def test_days_of_practice_are_the_patients_local_dates() -> None:
    # 23:30 UTC on Monday is already Tuesday in Berlin, still Monday in New York.
    late_monday = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)
    assert rules.practised_days([late_monday], ZoneInfo("Europe/Berlin")) == {TUE}
    assert rules.practised_days([late_monday], ZoneInfo("America/New_York")) == {MON}


def test_days_a_week_in_words() -> None:
    assert EN.plain(rules.days_text(None)) == "every reminder day"
    assert EN.plain(rules.days_text(1)) == "1 day a week"
    assert EN.plain(rules.days_text(4)) == "4 days a week"
    assert DE.plain(rules.days_text(4)) == "4 Tage pro Woche"
