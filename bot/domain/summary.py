"""The therapist's weekly summary: its figures, its order and its words, over plain values.

Nothing here reads the database (:mod:`db.summary_queries` loads the plain records) or talks
to Telegram (:mod:`bot.outbox.summaries` and :mod:`bot.handlers.summaries` send it).

**The week** of a patient is the seven local dates (in the patient's zone) before the one
they are living at the summary's instant: a summary on Monday 08:00 in Berlin covers Monday
to Sunday for a patient in Berlin or in Tokyo, and Sunday to Saturday for one in Los Angeles
(whose Sunday is not over yet). Everything is dated in the patient's zone: check-ins and
safety events by the local date of their instant, morning checks by the morning they ask
about, the ledger by the date it stored. **The previous week** is the seven dates before.

**The figures** of a patient:

- adherence: sessions done over sessions prescribed in the week, as
  :mod:`bot.domain.adherence` counts them (``None`` when nothing was prescribed); the current
  streak and the days with data in the last 30 days are adherence's too;
- pain: the mean and the highest ``pain_during`` of the week's check-ins, and their change
  against the previous week's (``None`` when either week has no pain answer);
- form issues: the week's check-ins whose form was scored partial or poor;
- goal-score change: the mean over the patient's goals of the latest score minus the first
  (the PSFS change, :class:`bot.domain.goals.GoalScores`), counting ratings up to the week's
  end; goals rated once do not count.

**Needing attention**, most severe first (:class:`Reason`): a red flag reported in the week,
a pain rule that fired, a worse next morning, silence (no reminder answered in the last
``SILENT_DAYS`` days while reminders fell due) and adherence below 50 %. The alerts' "notice"
events (``silent``, ``low_adherence``) count as well, but the summary computes both from the
ledger itself, so it stands without them. A paused patient is shown as paused with the
pause's reason, never as silent or non-adherent; a red flag or pain rule still puts them first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import IntEnum
from statistics import fmean

from bot.domain import weekdays
from bot.domain.adherence import Adherence
from bot.domain.goals import scores_of
from bot.domain.local_times import format_time_of_day
from bot.domain.schedule import next_reminder_at
from bot.domain.screens import Choice, Scope, Screen
from content.messages import Messages, Text

__all__ = [
    "CHANGE_SCHEDULE",
    "SILENT_DAYS",
    "TELEGRAM_LIMIT",
    "CheckinFact",
    "EventFact",
    "MorningFact",
    "PatientFigures",
    "PatientWeek",
    "RatingFact",
    "Reason",
    "Summary",
    "csv_bytes",
    "csv_cell",
    "csv_rows",
    "figures_of",
    "message_parts",
    "next_summary_at",
    "schedule_screen",
    "split_rows",
    "summarise",
    "summary_rows",
    "week_of",
]

TELEGRAM_LIMIT = 4096  # characters (UTF-16 code units) in one message
SILENT_DAYS = 3
LOW_ADHERENCE = 0.5  # below this share of sessions done: needs attention
WEEK = 7
ISSUE_SCORES = frozenset({"partial", "poor"})
WORSE = "worse"
# Safety-event flags that are not red flags: the pain rules' ("pain_high"), the morning
# rule's, and the alerts' notices.
PAIN_PREFIX = "pain_"
WORSE_MORNINGS = "worse_mornings"
NOTICE_FLAGS = frozenset({"silent", "low_adherence"})
NOTICE = "notice"


class Reason(IntEnum):
    """Why a patient needs attention; the lower, the more severe."""

    RED_FLAG = 0
    PAIN = 1
    WORSE_MORNINGS = 2
    SILENT = 3
    LOW_ADHERENCE = 4

    @property
    def key(self) -> str:
        return f"weekly.reasons.{self.name.lower()}"


@dataclass(frozen=True, slots=True)
class CheckinFact:
    local_date: date  # the patient's date of ``started_at``
    pain_during: int | None
    form_score: str | None


@dataclass(frozen=True, slots=True)
class EventFact:
    local_date: date  # the patient's date of ``occurred_at``
    severity: str
    flag: str


@dataclass(frozen=True, slots=True)
class MorningFact:
    local_date: date
    compared: str | None


@dataclass(frozen=True, slots=True)
class RatingFact:
    goal_id: int
    rated_at: datetime
    local_date: date
    score: int


@dataclass(frozen=True)
class PatientWeek:
    """What the summary knows of one patient in a therapist's care."""

    patient_id: int
    name: str  # as the therapist knows them (the care link's name)
    today: date  # the patient's local date at the summary's instant
    adherence: Adherence  # on ``today``
    pause_reason: str | None = None  # set while paused ("other" when none was given)
    checkins: tuple[CheckinFact, ...] = ()
    events: tuple[EventFact, ...] = ()
    mornings: tuple[MorningFact, ...] = ()
    ratings: tuple[RatingFact, ...] = ()


@dataclass(frozen=True)
class PatientFigures:
    patient_id: int
    name: str
    week_start: date
    week_end: date
    pause_reason: str | None
    done: int
    prescribed: int
    streak: int
    pain_mean: float | None
    pain_max: int | None
    pain_mean_change: float | None
    pain_max_change: int | None
    form_issues: int
    goal_change: float | None
    days_with_data_30: int
    # Why they need attention, most severe first, with how many times it happened this week.
    reasons: tuple[tuple[Reason, int], ...] = ()

    @property
    def paused(self) -> bool:
        return self.pause_reason is not None

    @property
    def adherence(self) -> int | None:
        """Sessions done over prescribed as a whole percent (half up), None if none prescribed."""
        if not self.prescribed:
            return None
        return (200 * self.done + self.prescribed) // (2 * self.prescribed)

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)

    @property
    def severity(self) -> int:
        return min(reason for reason, _ in self.reasons) if self.reasons else len(Reason)


@dataclass(frozen=True)
class Summary:
    """One therapist's summary: those needing attention first (most severe first, then by
    name), then everyone else by name. ``week_start``/``week_end`` are the therapist's dates."""

    therapist_name: str
    week_start: date
    week_end: date
    attention: tuple[PatientFigures, ...]
    others: tuple[PatientFigures, ...]

    @property
    def patients(self) -> tuple[PatientFigures, ...]:
        return self.attention + self.others


def week_of(today: date) -> tuple[date, date]:
    """The week a summary covers for someone living ``today``: the seven dates before it."""
    return today - timedelta(days=WEEK), today - timedelta(days=1)


def _within(day: date, start: date, end: date) -> bool:
    return start <= day <= end


def figures_of(patient: PatientWeek) -> PatientFigures:
    """The figures of one patient (see the module's docstring)."""
    start, end = week_of(patient.today)
    before_start, before_end = start - timedelta(days=WEEK), start - timedelta(days=1)
    days = [day for day in patient.adherence.days if _within(day.date, start, end)]
    done = sum(day.done for day in days)
    prescribed = sum(day.prescribed for day in days)

    pains = [c.pain_during for c in patient.checkins if _within(c.local_date, start, end)]
    this_week = [pain for pain in pains if pain is not None]
    last_week = [
        c.pain_during
        for c in patient.checkins
        if c.pain_during is not None and _within(c.local_date, before_start, before_end)
    ]
    mean = fmean(this_week) if this_week else None
    highest = max(this_week) if this_week else None
    form_issues = sum(
        1
        for c in patient.checkins
        if _within(c.local_date, start, end) and c.form_score in ISSUE_SCORES
    )
    return PatientFigures(
        patient_id=patient.patient_id,
        name=patient.name,
        week_start=start,
        week_end=end,
        pause_reason=patient.pause_reason,
        done=done,
        prescribed=prescribed,
        streak=patient.adherence.current_streak,
        pain_mean=mean,
        pain_max=highest,
        pain_mean_change=mean - fmean(last_week) if mean is not None and last_week else None,
        pain_max_change=highest - max(last_week) if highest is not None and last_week else None,
        form_issues=form_issues,
        goal_change=_goal_change(patient.ratings, end),
        days_with_data_30=patient.adherence.days_with_data_30,
        reasons=_reasons(patient, start, end, done, prescribed),
    )


def _goal_change(ratings: Iterable[RatingFact], end: date) -> float | None:
    by_goal: dict[int, list[tuple[datetime, int]]] = {}
    for rating in ratings:
        if rating.local_date <= end:
            by_goal.setdefault(rating.goal_id, []).append((rating.rated_at, rating.score))
    changes = [
        change
        for goal_id, scores in by_goal.items()
        if (change := scores_of(goal_id, "", scores).change) is not None
    ]
    return fmean(changes) if changes else None


def _reasons(
    patient: PatientWeek, start: date, end: date, done: int, prescribed: int
) -> tuple[tuple[Reason, int], ...]:
    counts: dict[Reason, int] = {}

    def add(reason: Reason, times: int = 1) -> None:
        counts[reason] = counts.get(reason, 0) + times

    notices: set[str] = set()
    for event in patient.events:
        if not _within(event.local_date, start, end):
            continue
        if event.flag.startswith(PAIN_PREFIX):
            add(Reason.PAIN)
        elif event.flag == WORSE_MORNINGS:
            add(Reason.WORSE_MORNINGS)
        elif event.severity == NOTICE or event.flag in NOTICE_FLAGS:
            notices.add(event.flag)
        else:
            add(Reason.RED_FLAG)
    worse = sum(
        1
        for morning in patient.mornings
        if _within(morning.local_date, start, end) and morning.compared == WORSE
    )
    if worse:
        # The morning rule's event stands for the mornings that caused it: count mornings.
        counts[Reason.WORSE_MORNINGS] = worse
    if patient.pause_reason is None:
        if "silent" in notices or _silent(patient.adherence, patient.today):
            add(Reason.SILENT)
        if "low_adherence" in notices or (prescribed and done < LOW_ADHERENCE * prescribed):
            add(Reason.LOW_ADHERENCE)
    return tuple(sorted(counts.items()))


def _silent(adherence: Adherence, today: date) -> bool:
    """No reminder answered (done or skipped) on the last ``SILENT_DAYS`` days before today,
    while at least one fell due on them (paused and held ones do not count), and none answered
    today either: as the alerts judge it, an answer ends a silence at once."""
    first = today - timedelta(days=SILENT_DAYS)
    recent = [day for day in adherence.days if first <= day.date < today]
    prescribed = sum(day.prescribed for day in recent)
    answered = sum(day.done + day.skipped for day in adherence.days if first <= day.date <= today)
    return prescribed > 0 and answered == 0


def summarise(
    therapist_name: str, therapist_today: date, patients: Iterable[PatientWeek]
) -> Summary:
    """The summary of a therapist's patients; ``therapist_today`` is the therapist's local
    date at the summary's instant (it names the week in the header)."""
    figures = [figures_of(patient) for patient in patients]
    attention = sorted(
        (f for f in figures if f.needs_attention),
        key=lambda f: (f.severity, -sum(n for _, n in f.reasons), f.name.casefold(), f.patient_id),
    )
    others = sorted(
        (f for f in figures if not f.needs_attention),
        key=lambda f: (f.paused, f.name.casefold(), f.patient_id),
    )
    start, end = week_of(therapist_today)
    return Summary(therapist_name, start, end, tuple(attention), tuple(others))


def next_summary_at(weekday: int, at: time, zone_name: str, after: datetime) -> datetime:
    """The first instant strictly after ``after`` at which a summary on ``weekday`` (0 is
    Monday) at local time ``at`` in ``zone_name`` is due: a reminder's rules, DST included
    (:func:`bot.domain.schedule.next_reminder_at`: a time the clocks skip comes at the first
    minute after the jump, a time they repeat comes once)."""
    if not 0 <= weekday <= 6:
        raise ValueError(f"no such weekday: {weekday}")
    due = next_reminder_at(at, weekdays.to_mask((weekday,)), zone_name, after)
    assert due is not None, "a weekday is chosen, so there is a next one"
    return due


# -- words -----------------------------------------------------------------------------------

DASH = "–"
MINUS = "−"


def number(value: float | None, decimals: int = 1) -> str:
    """A figure as shown: one decimal, "–" for none."""
    if value is None:
        return DASH
    return f"{value:.{decimals}f}".replace("-", MINUS)


def change(value: float | None, decimals: int = 1) -> str:
    """A change as shown: "+0.5", "−1", "±0", "–" for none."""
    if value is None:
        return DASH
    shown = f"{abs(value):.{decimals}f}"
    if float(shown) == 0:
        return "±" + shown
    return ("+" if value > 0 else MINUS) + shown


def percent(value: int | None) -> str:
    return DASH if value is None else f"{value}%"


def _reason_words(figures: PatientFigures) -> tuple[Text, ...]:
    return tuple(
        Text(reason.key, {"count": times, "adherence": percent(figures.adherence)})
        for reason, times in figures.reasons
    )


def _row_params(figures: PatientFigures) -> dict[str, object]:
    return {
        "name": figures.name,
        "adherence": percent(figures.adherence),
        "streak": figures.streak,
        "pain_mean": number(figures.pain_mean),
        "pain_mean_change": change(figures.pain_mean_change),
        "pain_max": number(figures.pain_max, 0),
        "pain_max_change": change(figures.pain_max_change, 0),
        "form": figures.form_issues,
        "goals": change(figures.goal_change),
        "data": figures.days_with_data_30,
    }


def _row(figures: PatientFigures) -> Text:
    if figures.paused:
        return Text(
            "weekly.row_paused",
            {"name": figures.name, "reason": Text(f"pause.reasons.{figures.pause_reason}")},
        )
    return Text("weekly.row", _row_params(figures))


def _attention_row(figures: PatientFigures) -> Text:
    params = _row_params(figures)
    params["reasons"] = _reason_words(figures)
    if figures.paused:
        params["adherence"] = Text(f"pause.reasons.{figures.pause_reason}")
        return Text("weekly.attention_row_paused", params)
    return Text("weekly.attention_row", params)


def summary_rows(summary: Summary, messages: Messages) -> list[str]:
    """The summary as message rows (Telegram HTML), none to be split: a heading travels with
    the first row under it."""
    rows = [
        messages.html(
            Text(
                "weekly.header",
                {
                    "name": summary.therapist_name,
                    "start": summary.week_start.strftime("%d.%m."),
                    "end": summary.week_end.strftime("%d.%m.%Y"),
                    "count": len(summary.patients),
                    "attention": len(summary.attention),
                },
            )
        )
    ]
    if not summary.patients:
        rows.append(messages.html(Text("weekly.no_patients")))
        return rows
    if summary.attention:
        heading = messages.html(Text("weekly.attention_heading"))
        attention = [messages.html(_attention_row(f)) for f in summary.attention]
        rows.append(heading + "\n" + attention[0])
        rows.extend(attention[1:])
    if summary.others:
        heading = messages.html(Text("weekly.others_heading"))
        others = [messages.html(_row(f)) for f in summary.others]
        rows.append(heading + "\n" + others[0])
        rows.extend(others[1:])
    rows.append(messages.html(Text("weekly.legend")))
    return rows


def _length(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def split_rows(rows: Sequence[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Rows joined by newlines into as few messages as fit ``limit`` each, never splitting a
    row. A single row longer than ``limit`` (none the summary makes) is cut at the limit."""
    if limit < 1:
        raise ValueError("a message holds at least one character")
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for whole in rows:
        row = _cut(whole, limit) if _length(whole) > limit else whole
        extra = _length(row) + (1 if current else 0)
        if current and size + extra > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            extra = _length(row)
        current.append(row)
        size += extra
    if current:
        parts.append("\n".join(current))
    return parts


def _cut(row: str, limit: int) -> str:
    cut = row
    while _length(cut) > limit:
        cut = cut[: max(0, len(cut) - (_length(cut) - limit))]
    return cut


def message_parts(summary: Summary, messages: Messages, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """The summary's text as messages of at most ``limit`` characters each."""
    return split_rows(summary_rows(summary, messages), limit)


# -- the CSV file ----------------------------------------------------------------------------

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")

CSV_COLUMNS = (
    "name",
    "status",
    "reasons",
    "adherence",
    "done",
    "prescribed",
    "streak",
    "pain_mean",
    "pain_mean_change",
    "pain_max",
    "pain_max_change",
    "form_issues",
    "goal_change",
    "days_with_data_30",
    "pause_reason",
    "week_start",
    "week_end",
)


def csv_cell(value: object) -> str:
    """A value as a CSV cell a spreadsheet will not run: text starting with ``=``, ``+``,
    ``-``, ``@``, a tab or a carriage return gets a leading apostrophe. A plain number ("-1",
    "-0.5") stays a number: it cannot be a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def _plain(value: float | None, decimals: int = 1) -> str:
    return "" if value is None else f"{value:.{decimals}f}"


def csv_rows(summary: Summary, messages: Messages) -> list[list[str]]:
    """The CSV's rows, the header first (its words in ``messages``' language); every cell
    escaped with :func:`csv_cell`."""
    header = [messages.plain(Text(f"weekly.csv.{column}")) for column in CSV_COLUMNS]
    rows = [header]
    for figures in summary.patients:
        status = "attention" if figures.needs_attention else "paused" if figures.paused else "ok"
        reasons = "; ".join(messages.plain(text) for text in _reason_words(figures))
        pause = ""
        if figures.paused:
            pause = messages.plain(Text(f"pause.reasons.{figures.pause_reason}"))
        values: list[object] = [
            figures.name,
            messages.plain(Text(f"weekly.status.{status}")),
            reasons,
            "" if figures.adherence is None else figures.adherence,
            figures.done,
            figures.prescribed,
            figures.streak,
            _plain(figures.pain_mean),
            _plain(figures.pain_mean_change),
            _plain(figures.pain_max, 0),
            _plain(figures.pain_max_change, 0),
            figures.form_issues,
            _plain(figures.goal_change),
            figures.days_with_data_30,
            pause,
            figures.week_start.isoformat(),
            figures.week_end.isoformat(),
        ]
        rows.append([csv_cell(value) for value in values])
    return rows


def csv_bytes(summary: Summary, messages: Messages) -> bytes:
    """The CSV file: UTF-8 with a byte-order mark (so spreadsheets read umlauts right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(csv_rows(summary, messages))
    return buffer.getvalue().encode("utf-8-sig")


# -- when it comes -----------------------------------------------------------------------------

CHANGE_SCHEDULE = "sm_change"


def schedule_screen(weekday: int, at: time, zone: str) -> Screen:
    """When the weekly summary comes, with the button that changes it: the last message of
    the summary, weekly and on demand alike."""
    params = {
        "day": Text(f"weekly.weekdays.{weekday}"),
        "time": format_time_of_day(at),
        "zone": zone,
    }
    return Screen(
        body=(Text("weekly.schedule", params),),
        choices=((Choice(Text("weekly.change"), CHANGE_SCHEDULE, scope=Scope.THERAPIST),),),
    )
