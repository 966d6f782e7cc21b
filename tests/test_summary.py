"""The weekly summary's rules over plain values: a realistic week whose figures are worked out
by hand below, the order (attention first, most severe first), paused patients, splitting
between rows, CSV escaping, the week's boundaries and the weekly time across DST."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import pytest

from bot.domain.adherence import LedgerRow, Records, adherence
from bot.domain.screens import Scope
from bot.domain.summary import (
    CHANGE_SCHEDULE,
    TELEGRAM_LIMIT,
    CheckinFact,
    EventFact,
    MorningFact,
    PatientWeek,
    RatingFact,
    Reason,
    Summary,
    change,
    csv_bytes,
    csv_cell,
    figures_of,
    message_parts,
    next_summary_at,
    number,
    percent,
    schedule_screen,
    split_rows,
    summarise,
    summary_rows,
    week_of,
)
from content.loader import load_content
from content.messages import Messages

# The summary of Monday 9 March 2026: the week is Monday 2 to Sunday 8 March, the week
# before it 23 February to 1 March.
TODAY = date(2026, 3, 9)
WEEK = [date(2026, 3, 2) + timedelta(days=n) for n in range(7)]
BEFORE = date(2026, 2, 25)  # a day of the week before


@cache
def messages(language: str = "en") -> Messages:
    return load_content().messages.for_language(language)


def ledger(*outcomes: str) -> tuple[LedgerRow, ...]:
    """One 07:30 reminder a day of the week, Monday first: "done", "skipped", "sent" (not
    answered) or "paused"."""
    rows = []
    for day, outcome in zip(WEEK, outcomes, strict=False):
        status = "paused" if outcome == "paused" else "sent"
        response = outcome if outcome in ("done", "skipped") else None
        rows.append(LedgerRow(day, "07:30", "reminder", status, response))
    return tuple(rows)


def week(
    patient_id: int,
    name: str,
    rows: tuple[LedgerRow, ...],
    *,
    pause: str | None = None,
    checkins: tuple[CheckinFact, ...] = (),
    events: tuple[EventFact, ...] = (),
    mornings: tuple[MorningFact, ...] = (),
    ratings: tuple[RatingFact, ...] = (),
    today: date = TODAY,
) -> PatientWeek:
    return PatientWeek(
        patient_id=patient_id,
        name=name,
        today=today,
        adherence=adherence(Records(ledger=rows), today, weeks=2),
        pause_reason=pause,
        checkins=checkins,
        events=events,
        mornings=mornings,
        ratings=ratings,
    )


def rating(goal: int, day: date, score: int) -> RatingFact:
    return RatingFact(goal, datetime.combine(day, time(12), UTC), day, score)


# Anna is improving: 6 of 7 done (skipped Thursday), pain down from 4.5 to 2.0 on average.
ANNA = week(
    1,
    "Anna",
    ledger("done", "done", "done", "skipped", "done", "done", "done"),
    checkins=(
        CheckinFact(WEEK[0], 2, "good"),
        CheckinFact(WEEK[2], 3, "partial"),
        CheckinFact(WEEK[6], 1, None),
        CheckinFact(BEFORE, 4, "good"),
        CheckinFact(BEFORE, 5, "good"),
    ),
    # Goal 1 from 3 to 6 (+3); goal 2 rated once (no change yet); a rating after the week
    # (on the day of the summary) does not count.
    ratings=(
        rating(1, date(2026, 2, 1), 3),
        rating(1, WEEK[1], 6),
        rating(2, WEEK[1], 5),
        rating(1, TODAY, 9),
    ),
)
# Bernd is getting worse: a red flag on Friday, a pain rule on Wednesday, silent since Friday.
BERND = week(
    2,
    "Bernd",
    ledger("done", "done", "done", "sent", "sent", "sent", "sent"),
    checkins=(
        CheckinFact(WEEK[1], 6, "poor"),
        CheckinFact(WEEK[2], 8, "good"),
        CheckinFact(BEFORE, 3, "good"),
    ),
    events=(
        EventFact(WEEK[4], "emergency_services", "chest_pain"),
        EventFact(WEEK[2], "high", "pain_high"),
        EventFact(BEFORE, "emergency_services", "chest_pain"),  # the week before: not this one
    ),
)
# Clara paused for travel on Wednesday; before that she had not done Monday's or Tuesday's.
CLARA = week(
    3,
    "Clara",
    ledger("sent", "sent", "paused", "paused", "paused", "paused", "paused"),
    pause="travel",
)
# Dora did everything, but two mornings were worse than before the drill.
DORA = week(
    4,
    "Dora",
    ledger(*["done"] * 7),
    mornings=(
        MorningFact(WEEK[1], "worse"),
        MorningFact(WEEK[2], "worse"),
        MorningFact(WEEK[4], "same"),
    ),
    events=(EventFact(WEEK[2], "low", "worse_mornings"),),
)
# Emil stopped answering on Friday: 4 of 7 (57 %), not low, but silent.
EMIL = week(5, "Emil", ledger("done", "done", "done", "done", "sent", "sent", "sent"))


def test_a_realistic_week_worked_out_by_hand() -> None:
    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA, DORA, EMIL])

    assert (summary.week_start, summary.week_end) == (WEEK[0], WEEK[6])
    # Attention first, most severe first: the red flag, the worse mornings, the silence.
    assert [p.name for p in summary.attention] == ["Bernd", "Dora", "Emil"]
    # Then everyone else by name, paused ones last.
    assert [p.name for p in summary.others] == ["Anna", "Clara"]

    anna = summary.others[0]
    assert (anna.done, anna.prescribed, anna.adherence) == (6, 7, 86)  # 6/7 = 85.7 %
    assert anna.streak == 3  # Friday to Sunday; the skipped Thursday broke it
    assert anna.pain_mean == pytest.approx(2.0)  # (2 + 3 + 1) / 3
    assert anna.pain_max == 3
    assert anna.pain_mean_change == pytest.approx(-2.5)  # 2.0 - (4 + 5) / 2
    assert anna.pain_max_change == -2  # 3 - 5
    assert anna.form_issues == 1  # the partial one
    assert anna.goal_change == pytest.approx(3.0)  # goal 1: 6 - 3; goal 2 rated once
    assert anna.days_with_data_30 == 7  # six done and one skipped
    assert anna.reasons == ()

    b = summary.attention[0]
    assert (b.done, b.prescribed, b.adherence) == (3, 7, 43)  # 3/7 = 42.9 %
    assert b.streak == 0  # Sunday went unanswered
    assert b.pain_mean == pytest.approx(7.0)
    assert b.pain_max == 8
    assert b.pain_mean_change == pytest.approx(4.0)
    assert b.pain_max_change == 5
    assert b.form_issues == 1
    assert b.goal_change is None
    assert b.reasons == (
        (Reason.RED_FLAG, 1),
        (Reason.PAIN, 1),
        (Reason.SILENT, 1),
        (Reason.LOW_ADHERENCE, 1),
    )

    clara = summary.others[1]
    assert clara.paused
    assert clara.pause_reason == "travel"
    assert (clara.done, clara.prescribed) == (0, 2)  # 0 % of what fell due before the pause,
    assert clara.reasons == ()  # but paused: neither silent nor non-adherent

    dora = summary.attention[1]
    assert dora.adherence == 100
    assert dora.streak == 7
    assert dora.reasons == ((Reason.WORSE_MORNINGS, 2),)  # two mornings, one rule's event

    emil = summary.attention[2]
    assert emil.adherence == 57  # 4/7 = 57.1 %: not below 50 %
    assert emil.reasons == ((Reason.SILENT, 1),)
    assert emil.pain_mean is None
    assert emil.pain_mean_change is None


def test_the_message_shows_attention_first_and_paused_with_its_reason() -> None:
    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA, DORA, EMIL])
    [text] = message_parts(summary, messages())
    assert "5 patients, 3 needing attention" in text
    assert text.index("Needing attention") < text.index("Bernd") < text.index("Dora")
    assert text.index("Emil") < text.index("Everyone else") < text.index("Anna")
    assert "🚩 red flag reported (1×)" in text
    assert "adherence below 50 % (43%)" in text
    assert "<b>Clara</b>: ⏸ paused (Travel)" in text
    assert "<b>Anna</b>: 86% · 3d · 2.0 (−2.5) / 3 (−2) · 1 · +3.0 · 7/30" in text
    german = message_parts(summary, messages("de"))[0]
    assert "Handlungsbedarf" in german
    assert "pausiert (Reise)" in german


def test_a_paused_patient_with_a_red_flag_still_comes_first() -> None:
    flagged = week(
        6,
        "Fritz",
        ledger(*["paused"] * 7),
        pause="illness",
        events=(EventFact(WEEK[3], "same_day_care", "numbness"),),
    )
    summary = summarise("T", TODAY, [flagged])
    [fritz] = summary.attention
    assert fritz.reasons == ((Reason.RED_FLAG, 1),)
    assert "paused: Illness" in message_parts(summary, messages())[0]


def test_adherence_below_half_is_the_boundary() -> None:
    half = week(7, "Half", ledger("done", "sent", "done", "sent", "paused", "paused", "paused"))
    below = week(8, "Below", ledger("done", "sent", "sent", "done", "sent", "paused", "paused"))
    assert Reason.LOW_ADHERENCE not in dict(figures_of(half).reasons)  # 2/4 = 50 %
    assert Reason.LOW_ADHERENCE in dict(figures_of(below).reasons)  # 2/5 = 40 %


def test_silence_needs_three_unanswered_days_with_reminders() -> None:
    two = week(9, "Two", ledger("done", "done", "done", "done", "done", "sent", "sent"))
    three = week(10, "Three", ledger("done", "done", "done", "done", "sent", "sent", "sent"))
    nothing_due = week(11, "Idle", ledger("done", "done", "done", "done"))
    assert Reason.SILENT not in dict(figures_of(two).reasons)
    assert Reason.SILENT in dict(figures_of(three).reasons)
    assert Reason.SILENT not in dict(figures_of(nothing_due).reasons)


def test_the_alerts_notices_count_even_when_the_ledger_does_not_show_it() -> None:
    noticed = week(
        12,
        "Notice",
        ledger(*["done"] * 7),
        events=(
            EventFact(WEEK[6], "notice", "silent"),
            EventFact(WEEK[6], "notice", "low_adherence"),
        ),
    )
    assert [reason for reason, _ in figures_of(noticed).reasons] == [
        Reason.SILENT,
        Reason.LOW_ADHERENCE,
    ]


def test_the_week_is_the_seven_local_dates_before_today() -> None:
    assert week_of(TODAY) == (date(2026, 3, 2), date(2026, 3, 8))
    # A patient in Los Angeles at Monday 08:00 in Berlin is still living Sunday the 8th.
    sunday = week(
        13,
        "LA",
        (),
        today=date(2026, 3, 8),
        checkins=(
            CheckinFact(date(2026, 3, 1), 5, None),  # Sunday the 1st: in their week
            CheckinFact(date(2026, 3, 8), 9, None),  # Sunday the 8th: not over, not in it
        ),
    )
    figures = figures_of(sunday)
    assert (figures.week_start, figures.week_end) == (date(2026, 3, 1), date(2026, 3, 7))
    assert figures.pain_max == 5


def test_an_empty_care_list_says_so() -> None:
    summary = summarise("T", TODAY, [])
    [text] = message_parts(summary, messages())
    assert "No patients are in your care yet" in text


# -- splitting --------------------------------------------------------------------------------


def test_rows_are_never_split_and_parts_fit_the_limit() -> None:
    rows = [f"row {n} " + "x" * (n % 50) for n in range(400)]
    parts = split_rows(rows, limit=300)
    assert all(len(part) <= 300 for part in parts)
    assert "\n".join(parts).split("\n") == rows  # every row whole, in order
    assert len(parts) > 1


def test_a_part_holds_exactly_the_limit() -> None:
    assert split_rows(["a" * 5, "b" * 4], limit=10) == ["aaaaa\nbbbb"]  # 5 + 1 + 4 = 10
    assert split_rows(["a" * 5, "b" * 5], limit=10) == ["aaaaa", "bbbbb"]  # 11 > 10


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    assert split_rows(["🚩" * 3, "ab"], limit=8) == ["🚩🚩🚩", "ab"]  # 6 + 1 + 2 = 9 units


def test_a_row_longer_than_a_message_is_cut_not_lost() -> None:
    [part] = split_rows(["y" * 20], limit=10)
    assert part == "y" * 10


def test_a_long_summary_splits_between_patients() -> None:
    many = [week(100 + n, f"Patient {n:03d} " + "ä" * 60, ledger(*["done"] * 7)) for n in range(90)]
    summary = summarise("T", TODAY, many)
    parts = message_parts(summary, messages())
    assert len(parts) > 1
    assert all(len(part.encode("utf-16-le")) // 2 <= TELEGRAM_LIMIT for part in parts)
    names = [line for part in parts for line in part.split("\n") if "Patient" in line]
    assert len(names) == 90  # each patient's row whole, in one part


# -- the CSV ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Anna", "Anna"),
        ("-1", "-1"),  # a number stays a number
        ("-0.5", "-0.5"),
        ("-1\n", "'-1\n"),  # a number, then a line break, is no plain number
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cells_a_spreadsheet_would_run_are_escaped(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_the_csv_has_a_header_and_a_row_per_patient_with_names_escaped() -> None:
    evil = week(20, "=cmd|' /C calc'!A0", ledger(*["done"] * 7))
    summary = summarise("T", TODAY, [ANNA, evil, CLARA])
    rows = list(csv.reader(io.StringIO(csv_bytes(summary, messages()).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Patient", "Status", "Reasons", "Adherence %"]
    by_name = {row[0]: row for row in rows[1:]}
    assert "'=cmd|' /C calc'!A0" in by_name
    assert by_name["Anna"][3:9] == ["86", "6", "7", "3", "2.0", "-2.5"]
    assert by_name["Clara"][1] == "paused"
    assert by_name["Clara"][14] == "Travel"


# -- when it comes ----------------------------------------------------------------------------


def test_the_weekly_time_is_monday_0800_local_across_dst() -> None:
    berlin = "Europe/Berlin"
    # Monday 23 March 2026 08:00 CET is 07:00 UTC; after the spring change (29 March) the
    # next Monday 08:00 CEST is 06:00 UTC.
    first = next_summary_at(0, time(8), berlin, datetime(2026, 3, 20, tzinfo=UTC))
    assert first == datetime(2026, 3, 23, 7, 0, tzinfo=UTC)
    second = next_summary_at(0, time(8), berlin, first)
    assert second == datetime(2026, 3, 30, 6, 0, tzinfo=UTC)
    # Exactly at the time: the next one is a week later (strictly after).
    assert next_summary_at(0, time(8), berlin, second) == datetime(2026, 4, 6, 6, tzinfo=UTC)
    # A minute before: this one.
    just_before = second - timedelta(minutes=1)
    assert next_summary_at(0, time(8), berlin, just_before) == second


def test_a_weekday_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_summary_at(7, time(8), "UTC", datetime(2026, 3, 1, tzinfo=UTC))


def test_summary_is_hashable_for_the_outbox() -> None:
    summary = summarise("T", TODAY, [ANNA, CLARA])
    assert isinstance(summary, Summary)
    hash(summary)


# -- the files --------------------------------------------------------------------------------


def test_the_chart_and_the_one_page_pdf_are_drawn_in_the_readers_language() -> None:
    from bot.charts.summary import draw_summary_chart  # noqa: PLC0415
    from bot.documents.summary_pdf import draw_summary_pdf  # noqa: PLC0415

    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA])
    assert draw_summary_chart(summary, messages("de")).startswith(b"\x89PNG")
    latin = draw_summary_pdf(summary, messages("de"), TODAY)
    assert latin.startswith(b"%PDF")
    assert b"/Count 1" in latin  # one page
    assert b"DejaVu" not in latin  # Latin-1 words: the reader's own Helvetica
    cyrillic = summarise("Д-р Иванова", TODAY, [ANNA])
    other = draw_summary_pdf(cyrillic, messages(), TODAY)
    assert b"DejaVu" in other  # embedded, so the names print


# -- found missing by mutation testing ----------------------------------------------------------

# Ida has nothing prescribed this week (no reminders at all): no percentage, no silence.
IDA = week(14, "Ida", ())


def test_the_message_reads_row_by_row_with_the_headings_on_their_own_lines() -> None:
    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA, DORA, EMIL, IDA])
    assert summary_rows(summary, messages()) == [
        "📋 <b>Weekly summary for Dr. Ana Ruiz</b>, 02.03.–08.03.2026: 6 patients, 3 needing"
        " attention.",
        "⚠️ <b>Needing attention</b>\n• <b>Bernd</b>: 🚩 red flag reported (1×), pain rule fired"
        " (1×), silent: no reminder answered for 3 days, adherence below 50 % (43%)\n  43% done"
        " · streak 0 · pain Ø 7.0 (+4.0), max 8 (+5) · form issues 1 · goals – · data 3/30",
        "• <b>Dora</b>: worse next morning (2×)\n  100% done · streak 7 · pain Ø – (–), max – (–)"
        " · form issues 0 · goals – · data 7/30",
        "• <b>Emil</b>: silent: no reminder answered for 3 days\n  57% done · streak 0 · pain Ø –"
        " (–), max – (–) · form issues 0 · goals – · data 4/30",
        "✅ <b>Everyone else</b> (done · streak · pain Ø/max · form · goals · data)\n<b>Anna</b>:"
        " 86% · 3d · 2.0 (−2.5) / 3 (−2) · 1 · +3.0 · 7/30",
        "<b>Ida</b>: – · 0d · – (–) / – (–) · 0 · – · 0/30",
        "<b>Clara</b>: ⏸ paused (Travel)",
        "<i>Done: sessions done of those the reminders asked for in the week. Pain: mean (Ø) and"
        " highest during drills, change against the week before. Form: check-ins with form"
        " issues. Goals: change of the goal scores since the first rating. Data: days with"
        " answers in the last 30.</i>",
    ]


def test_the_csv_in_full_blank_where_there_is_no_figure() -> None:
    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA, DORA, IDA])
    raw = csv_bytes(summary, messages())
    assert raw.startswith(b"\xef\xbb\xbfPatient,Status,")  # the byte-order mark, then the header
    assert raw.decode("utf-8-sig").split("\r\n") == [
        "Patient,Status,Reasons,Adherence %,Sessions done,Sessions prescribed,Streak (days),"
        "Mean pain,Mean pain change,Highest pain,Highest pain change,Form issues,"
        "Goal score change,Days with data (30),Pause reason,Week start,Week end",
        "Bernd,needs attention,🚩 red flag reported (1×); pain rule fired (1×); silent: no"
        " reminder answered for 3 days; adherence below 50 % (43%),43,3,7,0,7.0,4.0,8,5,1,,3,,"
        "2026-03-02,2026-03-08",
        "Dora,needs attention,worse next morning (2×),100,7,7,7,,,,,0,,7,,2026-03-02,2026-03-08",
        "Anna,ok,,86,6,7,3,2.0,-2.5,3,-2,1,3.0,7,,2026-03-02,2026-03-08",
        "Ida,ok,,,0,0,0,,,,,0,,0,,2026-03-02,2026-03-08",
        "Clara,paused,,0,0,2,0,,,,,0,,0,Travel,2026-03-02,2026-03-08",
        "",
    ]
    german = csv_bytes(summary, messages("de")).decode("utf-8-sig").split("\r\n")
    assert german[0].startswith("Person,Status,Gründe,Therapietreue %,")
    assert [line.split(",")[1] for line in german[1:-1]] == [
        "Handlungsbedarf",
        "Handlungsbedarf",
        "in Ordnung",
        "in Ordnung",
        "pausiert",
    ]


def test_the_day_before_the_week_belongs_to_the_week_before() -> None:
    sunday_before = WEEK[0] - timedelta(days=1)
    patient = week(
        15,
        "Gina",
        (),
        checkins=(CheckinFact(WEEK[0], 4, None), CheckinFact(sunday_before, 6, None)),
    )
    figures = figures_of(patient)
    assert figures.pain_mean_change == pytest.approx(-2.0)  # 4 against 6
    assert figures.pain_max_change == -2
    assert figures.patient_id == 15


def test_patients_of_the_same_name_keep_a_stable_order_by_id() -> None:
    first, second = week(31, "Anna", ledger(*["done"] * 7)), week(30, "anna", ledger())
    summary = summarise("T", TODAY, [first, second])
    assert [p.patient_id for p in summary.others] == [30, 31]
    flagged = (EventFact(WEEK[1], "high", "pain_high"),)
    one = week(41, "Otto", ledger(*["done"] * 7), events=flagged)
    two = week(40, "otto", ledger(*["done"] * 7), events=flagged)
    assert [p.patient_id for p in summarise("T", TODAY, [one, two]).attention] == [40, 41]


def test_a_rating_on_the_weeks_last_day_counts() -> None:
    patient = week(16, "Hans", (), ratings=(rating(1, date(2026, 2, 1), 2), rating(1, WEEK[6], 7)))
    assert figures_of(patient).goal_change == pytest.approx(5.0)


def test_each_pain_rule_and_red_flag_of_the_week_is_counted() -> None:
    patient = week(
        17,
        "Ines",
        ledger(*["done"] * 7),
        events=(
            EventFact(BEFORE, "high", "pain_high"),  # the week before, listed first
            EventFact(WEEK[1], "high", "pain_high"),
            EventFact(WEEK[3], "critical", "pain_severe"),
            EventFact(WEEK[4], "emergency_services", "chest_pain"),
            EventFact(WEEK[5], "contact_therapist", "calf"),
        ),
    )
    assert figures_of(patient).reasons == ((Reason.RED_FLAG, 2), (Reason.PAIN, 2))
    text = message_parts(summarise("T", TODAY, [patient]), messages())[0]
    assert "🚩 red flag reported (2×), pain rule fired (2×)" in text


def test_a_notice_is_never_mistaken_for_a_red_flag() -> None:
    patient = week(
        18,
        "Jana",
        ledger(*["done"] * 7),
        events=(
            EventFact(WEEK[5], "low", "silent"),  # a silence stored at another severity
            EventFact(WEEK[6], "notice", "some_new_notice"),  # a notice this summary ignores
        ),
    )
    assert figures_of(patient).reasons == ((Reason.SILENT, 1),)


def row(day: date, status: str = "sent", response: str | None = None) -> LedgerRow:
    return LedgerRow(day, "07:30", "reminder", status, response)


def test_todays_unanswered_reminder_alone_is_no_silence() -> None:
    rows = (*ledger("done", "done", "done", "done"), row(TODAY))
    assert Reason.SILENT not in dict(figures_of(week(19, "Kai", rows)).reasons)


def test_an_answer_on_the_summarys_own_day_ends_the_silence() -> None:
    # Silent Friday to Sunday, then Monday's 07:30 reminder done before the 08:00 summary.
    silent = (*ledger("done", "done", "done", "done", "sent", "sent", "sent"), row(TODAY))
    answered = (*silent[:-1], row(TODAY, response="done"))
    assert Reason.SILENT in dict(figures_of(week(30, "Ida", silent)).reasons)
    assert Reason.SILENT not in dict(figures_of(week(31, "Ida", answered)).reasons)


def test_a_skip_is_an_answer_so_no_silence() -> None:
    rows = ledger("done", "done", "done", "done", "done", "skipped", "sent")
    assert Reason.SILENT not in dict(figures_of(week(21, "Lea", rows)).reasons)


def test_a_single_unanswered_reminder_over_three_days_is_silence() -> None:
    rows = (*ledger("done", "done", "done", "done"), row(WEEK[4]))
    assert Reason.SILENT in dict(figures_of(week(22, "Max", rows)).reasons)


def test_among_equally_severe_the_one_with_more_happening_comes_first() -> None:
    aaron = week(23, "Aaron", ledger(*["done"] * 7), events=(EventFact(WEEK[1], "high", "calf"),))
    zoe = week(
        24,
        "Zoe",
        ledger(*["done"] * 7),
        events=(EventFact(WEEK[1], "high", "calf"), EventFact(WEEK[2], "high", "pain_high")),
    )
    summary = summarise("T", TODAY, [aaron, zoe])
    assert [p.name for p in summary.attention] == ["Zoe", "Aaron"]


def test_every_weekday_from_monday_to_sunday_can_be_chosen() -> None:
    after = datetime(2026, 3, 20, tzinfo=UTC)  # a Friday
    sunday = next_summary_at(6, time(8), "UTC", after)
    assert sunday == datetime(2026, 3, 22, 8, 0, tzinfo=UTC)
    assert next_summary_at(0, time(8), "UTC", after) == datetime(2026, 3, 23, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="no such weekday: 7"):
        next_summary_at(7, time(8), "UTC", after)
    with pytest.raises(ValueError, match="no such weekday: -1"):
        next_summary_at(-1, time(8), "UTC", after)


@pytest.mark.parametrize(
    ("value", "decimals", "shown"),
    [
        (None, 1, "–"),
        (0.0, 1, "±0.0"),
        (-0.04, 1, "±0.0"),  # rounds to no change, not to "−0.0"
        (0.5, 1, "+0.5"),
        (1.0, 1, "+1.0"),
        (-2.5, 1, "−2.5"),
        (3, 0, "+3"),
        (-2, 0, "−2"),
        (0, 0, "±0"),
    ],
)
def test_a_change_is_signed_and_no_change_is_plus_minus(
    value: float | None, decimals: int, shown: str
) -> None:
    assert change(value, decimals) == shown


def test_figures_show_a_dash_for_none_and_a_true_minus() -> None:
    assert number(None) == "–"
    assert number(2) == "2.0"
    assert number(7, 0) == "7"
    assert number(-0.5) == "−0.5"
    assert percent(None) == "–"
    assert percent(0) == "0%"


def test_a_message_holds_a_part_up_to_the_limit_after_a_split() -> None:
    # After the first part, "bbbbb\ncccc" is exactly 10.
    assert split_rows(["aaaaa", "bbbbb", "cccc"], limit=10) == ["aaaaa", "bbbbb\ncccc"]


def test_the_smallest_limit_is_one_character() -> None:
    assert split_rows(["a", "b"], limit=1) == ["a", "b"]
    with pytest.raises(ValueError, match=r"^a message holds at least one character$"):
        split_rows(["a"], limit=0)


def test_an_emoji_is_never_cut_in_half() -> None:
    assert split_rows(["a🚩"], limit=2) == ["a"]
    assert split_rows(["🚩"], limit=1) == [""]  # nothing of it fits


def test_the_summary_is_split_at_the_limit_asked_for() -> None:
    summary = summarise("Dr. Ana Ruiz", TODAY, [ANNA, BERND, CLARA, DORA, EMIL])
    parts = message_parts(summary, messages(), limit=400)
    assert len(parts) > 1
    assert all(len(part) <= 400 for part in parts)


def test_the_schedule_message_says_when_in_words_and_offers_to_change_it() -> None:
    shown = schedule_screen(6, time(18, 30), "Asia/Tokyo")
    assert messages().plain(shown.body[0]) == (
        "Your summary comes every Sunday at 18:30 (Asia/Tokyo)."
    )
    assert messages("de").plain(shown.body[0]).startswith("Ihre Zusammenfassung kommt")
    [[change]] = shown.choices
    assert (messages().plain(change.label), change.action, change.scope) == (
        "🗓 Change day/time",
        CHANGE_SCHEDULE,
        Scope.THERAPIST,
    )
