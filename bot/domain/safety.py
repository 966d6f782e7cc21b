"""Clinical safety rules: which red flag wins, what the patient is told, how pain is rated.

The words live in ``content/`` (``checkins.yaml``: the flags, their severities and the fixed
wording of each severity); the decisions live here, over plain data, so a reader finds them
by name and a test can state them without a chat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum

from content.loader import Content
from content.models import Checkins, RedFlag
from content.problems import ContentProblem

__all__ = [
    "PAIN_QUESTIONS",
    "PAIN_SCALE",
    "Severity",
    "most_severe",
    "pain_scale_problems",
    "safety_message",
]


class Severity(StrEnum):
    """Where a positive red flag sends the patient, most severe first.

    The order is the rule: when several flags are positive, the earliest tier wins. The values
    are the severities ``checkins.yaml`` gives its flags.
    """

    EMERGENCY_SERVICES = "emergency_services"
    EMERGENCY_DEPARTMENT = "emergency_department"
    CONTACT_THERAPIST = "contact_therapist"


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


def safety_message(checkins: Checkins, positive_flag_ids: Iterable[str]) -> str | None:
    """The fixed wording for the most severe of the flags answered 'yes'; None if none was.

    Only that one message is sent: the most urgent instruction must not be diluted by milder
    ones. Unknown ids are ignored (a flag removed from the content since it was asked).
    """
    positive = set(positive_flag_ids)
    severity = most_severe(flag for flag in checkins.red_flags if flag.id in positive)
    return None if severity is None else checkins.safety_messages.for_severity(severity)


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
