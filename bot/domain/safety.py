"""Clinical safety rules: which red flag wins, what the patient is told, when drills may go
out, how pain is rated.

The words live in ``content/`` (``checkins.yaml``: the flags, each worded once, their tiers
and the fixed wording of each tier); the decisions live here, over plain data, so a reader
finds them by name and a test can state them without a chat. Every flag's text is placed
into its tier's message, the safety screen and the /safety notice by the functions below, so
the three always use the same words for the same flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from enum import StrEnum

from content.loader import Content
from content.models import Checkins, RedFlag
from content.problems import ContentProblem
from db.models import Patient

__all__ = [
    "PAIN_QUESTIONS",
    "PAIN_SCALE",
    "RESCREEN_AFTER",
    "Clearance",
    "Severity",
    "clearance",
    "drills_allowed",
    "hold_after",
    "most_severe",
    "pain_scale_problems",
    "pass_screen",
    "safety_message",
    "safety_notice",
    "screen_due",
    "screen_list",
]


class Severity(StrEnum):
    """Where a positive red flag sends the patient, most severe first.

    The order is the rule: when several flags are positive, the earliest tier wins. The values
    are the severities ``checkins.yaml`` gives its flags.
    """

    EMERGENCY_SERVICES = "emergency_services"
    SAME_DAY_CARE = "same_day_care"
    CONTACT_THERAPIST = "contact_therapist"


class Clearance(StrEnum):
    """Whether drills may reach a patient who has no plan from a therapist."""

    UNSCREENED = "unscreened"  # has not answered the safety screen yet: screen first
    CLEARED = "cleared"  # answered "none of these apply", or confirmed a therapist cleared them
    HELD = "held"  # reported a red flag: no drills until they confirm they were cleared


# The safety screen is asked again once the last answer is this old: symptoms change, and
# the list stays in front of the patient (the clinical review asks for at least weekly).
RESCREEN_AFTER = timedelta(days=7)


def screen_due(screened_at: datetime | None, now: datetime) -> bool:
    """Whether the safety screen must be answered (again) before the next drill."""
    return screened_at is None or now - screened_at >= RESCREEN_AFTER


def clearance(screened_at: datetime | None, hold: str | None, now: datetime) -> Clearance:
    """Where a patient stands, from what is stored: a hold outranks any screen answered."""
    if hold is not None:
        return Clearance.HELD
    return Clearance.UNSCREENED if screen_due(screened_at, now) else Clearance.CLEARED


def drills_allowed(standing: Clearance | None) -> bool:
    """Whether a drill card may be shown: to a patient who is cleared, and to someone who has
    not consented (nothing can be stored for them, and every card carries its stop rule)."""
    return standing in (None, Clearance.CLEARED)


def pass_screen(patient: Patient, now: datetime) -> bool:
    """ "None of these apply": drills may go out again. False, and nothing changes, for a
    patient on hold, whom only a confirmed clearance lets go."""
    if patient.safety_hold is not None:
        return False
    patient.safety_screened_at = now
    return True


# Pain is always rated on one 0-10 numeric rating scale, so answers stay comparable over time
# and across patients. The check-in issue adds its pain thresholds (when to stop, when to
# tell the therapist) here, as values on this scale.
PAIN_SCALE = range(0, 11)
# The check-in questions whose answer is a pain rating on PAIN_SCALE.
PAIN_QUESTIONS = ("pain_during", "pain_now", "morning_pain")


def most_severe(flags: Iterable[RedFlag]) -> Severity | None:
    """The most severe tier among these (positive) flags; None when there are none."""
    present = {Severity(flag.severity) for flag in flags}
    return next((severity for severity in Severity if severity in present), None)


def hold_after(current: str | None, reported: Severity) -> Severity:
    """The hold a newly reported flag leaves: the more severe of the one already held (a
    tier stored by an earlier version that no longer exists counts as the mildest) and it."""
    held = next((severity for severity in Severity if severity.value == current), None)
    return reported if held is None else min(held, reported, key=list(Severity).index)


def safety_message(
    checkins: Checkins, positive_flag_ids: Iterable[str], number: str | None
) -> str | None:
    """The fixed wording for the most severe of the flags reported; None if none was.

    Only that one message is sent: the most urgent instruction must not be diluted by milder
    ones. It names the flag that decided it (the first of its tier, in the content's order)
    and the patient's emergency number, or the general fallback when it is not known.
    Unknown ids are ignored (a flag removed from the content since it was offered).
    """
    positive = set(positive_flag_ids)
    flags = [flag for flag in checkins.red_flags if flag.id in positive]
    severity = most_severe(flags)
    if severity is None:
        return None
    deciding = next(flag for flag in flags if flag.severity == severity)
    message = checkins.tiers.of(severity).message
    return message.format(flag=deciding.text, number=_number(checkins, number))


def screen_list(
    checkins: Checkins, number: str | None
) -> tuple[tuple[str, tuple[RedFlag, ...]], ...]:
    """The flags as the safety screen and the notice list them: under each tier's heading,
    most severe tier first, in the content's order within a tier."""
    return tuple(
        (
            checkins.tiers.of(severity).heading.format(number=_number(checkins, number)),
            tuple(flag for flag in checkins.red_flags if flag.severity == severity),
        )
        for severity in Severity
    )


def safety_notice(checkins: Checkins, stop_rule: str, number: str | None) -> str:
    """The /safety notice (Telegram HTML): every flag under its tier, then the drills' stop rule."""
    parts = [checkins.safety_notice.intro]
    for heading, flags in screen_list(checkins, number):
        parts.append("\n".join([f"<b>{heading}</b>", *(f"• {flag.text}" for flag in flags)]))
    parts.append(f"<b>{checkins.safety_notice.during_drills}</b>\n{stop_rule}")
    return "\n\n".join(parts)


def _number(checkins: Checkins, number: str | None) -> str:
    return number if number is not None else checkins.emergency_fallback


def pain_scale_problems(content: Content) -> Iterator[ContentProblem]:
    """The content these rules rely on: every pain question is rated on PAIN_SCALE.

    Passed to ``content.loader.load_content(rules=...)`` so that content which would make the
    pain rules misread an answer stops the start, like any other content problem.
    """
    for catalog in content.catalogs.values():
        file = catalog.files.get("checkins.yaml", f"{catalog.locale}/checkins.yaml")
        questions = {question.id: question for question in catalog.checkins.questions}
        scale_ids = {questions[q].scale for q in PAIN_QUESTIONS if q in questions}
        if len(scale_ids) > 1:
            yield ContentProblem(file, "questions", "all pain questions must use the same scale")
        for scale_id in sorted(s for s in scale_ids if s is not None):
            scale = catalog.scale(scale_id)
            if scale.values != PAIN_SCALE:
                yield ContentProblem(
                    file,
                    "scales",
                    f"pain scale {scale_id!r} must run {PAIN_SCALE.start}-{PAIN_SCALE.stop - 1}",
                )
