"""The next-morning pain check of the pain-monitoring model: pain after exercise should have
settled by the next morning.

After a day on which the patient did their drills (pressed Done), the next morning one
message asks how much pain they have now (0-10) and whether that is better, the same or worse
than before yesterday's drill: two taps on one message, each stored as it is given; once both
are in, the message turns into a short summary without buttons. The comparison goes through
the pain rules (:func:`bot.domain.pain_rules.next_morning`): "worse" two mornings in a row
stops yesterday's drills, stores a safety event for the therapist and tells the patient to
contact them.

**When.** At the patient's first reminder time that morning (or :data:`DEFAULT_TIME` local
when they have no reminder that weekday), moved to the end of their quiet hours when it falls
in them. It is an outbox row (:mod:`bot.outbox.morning` sends it) whose idempotency key is
(patient, morning, :data:`SLOT_KEY`): one message per morning, however many drills or Done
presses the day before.

**Whom.** Not a paused, blocked or inactive patient (:func:`admission`). A patient on a safety
hold *is* asked: they have not been cleared, the check asks about pain and offers no drill,
and whether their pain is settling is what their therapist needs to know.

The rules are plain functions of plain values; :func:`schedule_morning_check` and
:class:`MorningAnswers` are the thin layers that read and store what they decide.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import pain_rules
from bot.domain.pain_rules import Advice, Morning, Verdict
from bot.domain.reminder_rules import (
    Recipient,
    in_quiet_hours,
    is_paused,
    outside_quiet_hours,
    past_grace,
)
from bot.domain.safety import PAIN_SCALE
from bot.domain.safety_screens import SafetyScreens
from bot.domain.schedule import local_occurrence
from bot.domain.screens import Choice, Markup, Reply, Scope, Screen, Text
from bot.domain.weekdays import includes
from content.catalog import Catalog
from db import morning_queries as mq
from db import outbox_queries as oq
from db import plan_queries
from db.models import Delivery, DeliveryStatus, MorningCheck, Patient, SafetyEvent

# The ledger row's ``kind`` and ``slot_key``: reminders' keys are times ("07:30"), so this
# one never collides with them.
ROW_KIND = "morning"
SLOT_KEY = "morning"
# When the check goes out on a morning the patient has no reminder.
DEFAULT_TIME = time(9, 0)
# Where a safety event from this check was reported (``SafetyEvent.source``).
EVENT_SOURCE = "morning"
# The check-in questions (content/locales/*/checkins.yaml) this check asks.
PAIN_QUESTION = "morning_pain"
COMPARED_QUESTION = "morning_vs_usual"
# Pain buttons per row: 0-5 and 6-10, large enough to hit on a phone.
PAIN_PER_ROW = 6
# A pain score this high this morning is followed by the red-flag screen, as every high pain
# answer is (issue 9); the morning rule of pain_rules reads only the comparison.
HIGH_MORNING_PAIN = pain_rules.STOP_PAIN


# -- when ------------------------------------------------------------------------------------


def check_time(morning: date, reminders: Iterable[tuple[time, int]]) -> time:
    """The local time of the check on ``morning``: the earliest of the patient's reminder
    times (each with its weekday mask) that falls on that weekday, else :data:`DEFAULT_TIME`."""
    on_the_day = [at for at, mask in reminders if includes(mask, morning.weekday())]
    return min(on_the_day, default=DEFAULT_TIME)


def morning_check_due(
    drill_day: date,
    reminders: Iterable[tuple[time, int]],
    zone: ZoneInfo,
    quiet_start: time | None,
    quiet_end: time | None,
) -> tuple[date, datetime]:
    """The morning after ``drill_day`` and the instant (UTC) its check is due: the
    :func:`check_time` that morning (the first valid minute after it when clocks spring forward
    over it), or the end of the quiet hours it falls in."""
    morning = drill_day + timedelta(days=1)
    due = local_occurrence(morning, check_time(morning, reminders), zone)
    return morning, outside_quiet_hours(due, zone, quiet_start, quiet_end)


def admission(
    patient: Recipient,
    *,
    active: bool,
    zone: ZoneInfo,
    due_at: datetime,
    now: datetime,
    grace: timedelta,
) -> tuple[DeliveryStatus, datetime]:
    """What becomes of a due check: sent (``CLAIMED``), not sent (why), or ``SCHEDULED`` again
    at the returned instant, the end of the quiet hours ``now`` falls in (the quiet hours may
    have changed since it was scheduled, or a retry may land in them).

    A safety hold does not keep it back (see the module's docstring).
    """
    if not active:
        return DeliveryStatus.FAILED, due_at
    if past_grace(due_at, now, grace):
        return DeliveryStatus.MISSED, due_at
    if is_paused(patient.paused_at, patient.paused_until, now):
        return DeliveryStatus.PAUSED, due_at
    if in_quiet_hours(now.astimezone(zone).time(), patient.quiet_start, patient.quiet_end):
        return DeliveryStatus.SCHEDULED, outside_quiet_hours(
            now, zone, patient.quiet_start, patient.quiet_end
        )
    return DeliveryStatus.CLAIMED, due_at


def open_for_answers(sent_at: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """A check is answered on the local day it was sent: "pain this morning" given days later
    would say nothing about the morning, and would count as a morning in a row."""
    return now.astimezone(zone).date() == sent_at.astimezone(zone).date()


# -- answers ---------------------------------------------------------------------------------


class Part(StrEnum):
    """The two questions, as the buttons' action names them."""

    PAIN = "pain"
    COMPARED = "compared"


@dataclass(frozen=True)
class Answers:
    pain: int | None = None
    compared: Morning | None = None

    @property
    def complete(self) -> bool:
        return self.pain is not None and self.compared is not None


_SCORES = {str(score): score for score in PAIN_SCALE}


def read_answer(action: str, arg: str) -> Answers | None:
    """A button's answer, as the one part it answers; ``None`` for data we did not write."""
    if action == Part.PAIN and arg in _SCORES:
        return Answers(pain=_SCORES[arg])
    if action == Part.COMPARED and arg in set(Morning):
        return Answers(compared=Morning(arg))
    return None


@dataclass(frozen=True)
class Outcome:
    """What one answer leads to."""

    answers: Answers
    # The pain rules' verdict, once the comparison is known.
    verdict: Verdict | None
    # This answer stops yesterday's drills (store the event and the stops, tell the patient).
    stop: bool
    # Show the red-flag screen after it (once per check).
    red_flag_screen: bool


def answer(given: Answers, new: Answers, previous: str | None) -> Outcome | None:
    """Add ``new`` (one part, from :func:`read_answer`) to the answers ``given`` so far, with
    ``previous`` the comparison of the patient's previous answered morning check.

    ``None`` when that part is answered already: the first answer stands, so a double tap or
    a replayed button changes nothing.
    """
    if new.pain is not None and given.pain is not None:
        return None
    if new.compared is not None and given.compared is not None:
        return None
    answers = Answers(
        pain=given.pain if new.pain is None else new.pain,
        compared=given.compared or new.compared,
    )
    verdict = (
        None if answers.compared is None else pain_rules.next_morning(answers.compared, previous)
    )
    if new.compared is not None:
        assert verdict is not None
        stop = verdict.advice == Advice.STOP
        return Outcome(answers, verdict, stop=stop, red_flag_screen=verdict.screen_red_flags)
    # A pain score: the red flags after a high one, unless the comparison showed them already.
    shown = verdict is not None and verdict.screen_red_flags
    high = new.pain is not None and new.pain >= HIGH_MORNING_PAIN
    return Outcome(answers, verdict, stop=False, red_flag_screen=high and not shown)


# -- screens ---------------------------------------------------------------------------------


def _choice(label: str, part: Part, value: str) -> Choice:
    return Choice(label, part, value, scope=Scope.REMINDER)


def _pain_line(catalog: Catalog, answers: Answers) -> Text | Markup:
    if answers.pain is not None:
        return Text("morning.pain_answered", {"pain": answers.pain})
    return Markup(catalog.render_checkin_prompt(PAIN_QUESTION))


def _compared_line(catalog: Catalog, answers: Answers) -> Text | Markup:
    question = catalog.checkin_question(COMPARED_QUESTION)
    if answers.compared is None:
        return Markup(html.escape(question.text, quote=False))
    label = next(option.label for option in question.options if option.id == answers.compared)
    return Text("morning.compared_answered", {"answer": label})


def question_screen(catalog: Catalog, answers: Answers = Answers()) -> Screen:
    """The check: pain now (0-10, with the scale's anchors) and how it compares with before
    yesterday's drill; a part answered shows its answer instead of its buttons."""
    choices: list[tuple[Choice, ...]] = []
    if answers.pain is None:
        scores = [_choice(str(score), Part.PAIN, str(score)) for score in PAIN_SCALE]
        choices += [
            tuple(scores[start : start + PAIN_PER_ROW])
            for start in range(0, len(scores), PAIN_PER_ROW)
        ]
    if answers.compared is None:
        options = catalog.checkin_question(COMPARED_QUESTION).options
        choices.append(tuple(_choice(option.label, Part.COMPARED, option.id) for option in options))
    return Screen(
        body=(_pain_line(catalog, answers), _compared_line(catalog, answers)),
        choices=tuple(choices),
    )


def summary_screen(catalog: Catalog, answers: Answers, verdict: Verdict) -> Screen:
    """The check as it stays in the chat once both parts are answered: no buttons."""
    return Screen(
        body=(
            Text("morning.summary_title"),
            _pain_line(catalog, answers),
            _compared_line(catalog, answers),
            Text(f"morning.advice.{verdict.advice}"),
        )
    )


def stop_screen(catalog: Catalog, drill_ids: Iterable[str]) -> Screen:
    """Pause these drills and contact the therapist: said plainly, on its own message."""
    known = {drill.id for drill in catalog.drills}
    names = tuple(catalog.drill(drill_id).name for drill_id in drill_ids if drill_id in known)
    drills: object = names if names else Text("morning.your_drills")
    return Screen(body=(Text("morning.stop", {"drills": drills}),))


# -- reading and storing ---------------------------------------------------------------------


async def schedule_morning_check(
    session: AsyncSession, patient: Patient, now: datetime, drill_day: date | None = None
) -> datetime | None:
    """Put the check of the morning after ``drill_day`` (default: the patient's local date at
    ``now``) in the outbox; call it whenever the patient reports a drill done.

    Returns when it is due, or ``None`` when nothing was added: that morning's check is in the
    outbox already (the ledger's key), or the patient has no time zone to place it in.
    """
    if patient.timezone is None:
        return None
    zone = ZoneInfo(patient.timezone)
    day = drill_day or now.astimezone(zone).date()
    # Without reminders, their old times mean nothing: the check goes out at DEFAULT_TIME.
    reminders = await mq.reminder_times(session, patient.id) if patient.reminders_opt_in else []
    morning, due = morning_check_due(day, reminders, zone, patient.quiet_start, patient.quiet_end)
    inserted = await oq.insert_rows(
        session,
        [
            {
                "patient_id": patient.id,
                "local_date": morning,
                "slot_key": SLOT_KEY,
                "kind": ROW_KIND,
                "due_at": due,
                "status": DeliveryStatus.SCHEDULED,
                "late": False,
                "drill_ids": "",
            }
        ],
    )
    return due if inserted else None


def drill_day(morning: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The day before ``morning`` in the patient's zone, as [start, end) instants: the drills
    done then are the ones a "worse" morning stops (23 or 25 hours long on a DST day)."""
    return (
        local_occurrence(morning - timedelta(days=1), time(0), zone),
        local_occurrence(morning, time(0), zone),
    )


class MorningAnswers:
    """What a press on a morning check's button does. The caller has checked that the ledger
    row belongs to the patient who pressed (:func:`db.reminder_queries.delivery_of_patient`)
    and holds its lock, so presses on one check are answered one at a time."""

    def __init__(self, catalog_for: Callable[[str | None], Catalog], safety: SafetyScreens) -> None:
        self.catalog_for = catalog_for
        self.safety = safety

    async def press(
        self,
        session: AsyncSession,
        patient: Patient,
        delivery: Delivery,
        action: str,
        arg: str,
        now: datetime,
    ) -> Reply:
        language = patient.language

        def notice(key: str) -> Reply:
            return Reply(toast=Text(key), language=language)

        new = read_answer(action, arg)
        if new is None:
            return notice("common.button_expired")
        zone = ZoneInfo(patient.timezone or "UTC")
        if not open_for_answers(delivery.sent_at or delivery.due_at, now, zone):
            return notice("morning.closed")
        check = await mq.morning_check_for_update(
            session, patient.id, delivery.local_date, delivery.id
        )
        given = Answers(check.pain, Morning(check.compared) if check.compared else None)
        if given.complete:
            return notice("morning.already_answered")
        previous = await mq.previous_comparison(session, patient.id, delivery.local_date)
        outcome = answer(given, new, previous)
        if outcome is None:
            return notice("morning.part_answered")
        self._store(check, outcome.answers, now)
        catalog = self.catalog_for(language)
        screens: list[Screen] = []
        if outcome.answers.complete:
            assert outcome.verdict is not None
            screens.append(summary_screen(catalog, outcome.answers, outcome.verdict))
        else:
            screens.append(question_screen(catalog, outcome.answers))
        if outcome.stop:
            assert outcome.verdict is not None
            stopped = await self._stop(
                session, patient, delivery.local_date, zone, outcome.verdict, now
            )
            screens.append(stop_screen(catalog, stopped))
        if outcome.red_flag_screen:
            screens.append(self.safety.screen(catalog.locale, patient.timezone))
        return Reply(
            screens=tuple(screens), replace_origin=True, language=language, subject=delivery.id
        )

    @staticmethod
    def _store(check: MorningCheck, answers: Answers, now: datetime) -> None:
        check.pain = answers.pain
        check.compared = answers.compared
        if answers.complete:
            check.answered_at = now

    @staticmethod
    async def _stop(
        session: AsyncSession,
        patient: Patient,
        morning: date,
        zone: ZoneInfo,
        verdict: Verdict,
        now: datetime,
    ) -> list[str]:
        """Store the safety event and stop the drills done the day before ``morning``;
        returns those drills."""
        assert verdict.level is not None, "a stop is always reported to the therapist"
        session.add(
            SafetyEvent(
                patient_id=patient.id,
                occurred_at=now,
                severity=verdict.level.value,
                flag=verdict.reason,
                source=EVENT_SOURCE,
            )
        )
        drills = await mq.drills_done_between(session, patient.id, *drill_day(morning, zone))
        for drill_id in drills:
            await plan_queries.stop_drill(session, patient.id, drill_id, verdict.reason, now)
        return drills
