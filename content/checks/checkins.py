"""checkins.yaml: the questions the bot asks by id, scales, buttons, and the red flags.

Each red flag is worded once and placed into its tier's message, the safety screen and the
/safety notice, so those cannot disagree; what is checked here is that every template places
it (and the emergency number where it must), and that the screen fits Telegram.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from content.checks.common import BUTTON_LABEL_LIMIT, duplicate_ids, too_long
from content.models import SEVERITIES, Checkins
from content.problems import ContentProblem
from content.reading import Parsed

# The bot asks these by id, so every locale must define them.
REQUIRED_CHECKIN_QUESTIONS = (
    "pain_during",
    "pain_now",
    "effort",
    "confidence",
    "morning_pain",
    "morning_vs_usual",
)


def check_checkins(checkins: Parsed[Checkins]) -> Iterator[ContentProblem]:
    file, model = checkins.file, checkins.model
    scales = {scale.id for scale in model.scales}
    yield from duplicate_ids(file, "scales", [s.id for s in model.scales], "scale")
    yield from duplicate_ids(file, "questions", [q.id for q in model.questions], "question")
    yield from duplicate_ids(file, "red_flags", [f.id for f in model.red_flags], "red flag")
    for index, scale in enumerate(model.scales):
        for a_index, anchor in enumerate(scale.anchors):
            yield from too_long(
                file,
                f"scales[{index}].anchors[{a_index}].label",
                anchor.label,
                BUTTON_LABEL_LIMIT,
                "anchor",
            )
    for index, question in enumerate(model.questions):
        at = f"questions[{index}]"
        if question.scale is not None and question.scale not in scales:
            yield ContentProblem(file, f"{at}.scale", f"unknown scale {question.scale!r}")
        yield from duplicate_ids(file, f"{at}.options", [o.id for o in question.options], "option")
        for o_index, option in enumerate(question.options):
            yield from too_long(
                file, f"{at}.options[{o_index}].label", option.label, BUTTON_LABEL_LIMIT, "label"
            )
    asked = {question.id for question in model.questions}
    for required in REQUIRED_CHECKIN_QUESTIONS:
        if required not in asked:
            yield ContentProblem(file, "questions", f"missing required question {required!r}")
    yield from _check_red_flags(file, model)


# The safety screen numbers its flags, one button per number, in rows of up to eight.
MAX_RED_FLAGS = 32
# A flag is a phrase in a list and in a sentence, not a paragraph.
RED_FLAG_TEXT_LIMIT = 160
# What each template must place, and all it may use.
_MESSAGE_FIELDS = {"flag", "number"}
_HEADING_FIELDS = {"number"}


def _check_red_flags(file: str, model: Checkins) -> Iterator[ContentProblem]:
    if len(model.red_flags) > MAX_RED_FLAGS:
        yield ContentProblem(file, "red_flags", f"more than {MAX_RED_FLAGS} red flags")
    for index, flag in enumerate(model.red_flags):
        yield from too_long(
            file, f"red_flags[{index}].text", flag.text, RED_FLAG_TEXT_LIMIT, "red flag"
        )
    screen = model.screen
    for name in ("none_label", "cleared_label", "confirm_label", "not_yet_label"):
        yield from too_long(
            file, f"screen.{name}", getattr(screen, name), BUTTON_LABEL_LIMIT, "label"
        )
    for severity in SEVERITIES:
        # Each severity has its wording (the model requires it) and a flag that leads to it.
        if not any(flag.severity == severity for flag in model.red_flags):
            yield ContentProblem(file, "red_flags", f"no red flag has severity {severity!r}")
        tier = model.tiers.of(severity)
        at = f"tiers.{severity}"
        yield from _placeholders(file, f"{at}.message", tier.message, {"flag"}, _MESSAGE_FIELDS)
        yield from _placeholders(file, f"{at}.heading", tier.heading, set(), _HEADING_FIELDS)
    # Whoever must call emergency services is told which number.
    services = model.tiers.emergency_services
    for field, text in (("message", services.message), ("heading", services.heading)):
        used = _fields_of(text)
        if used is not None and "number" not in used:
            yield ContentProblem(
                file, f"tiers.emergency_services.{field}", "must give the number: {number}"
            )


def _placeholders(
    file: str, field: str, text: str, required: set[str], allowed: set[str]
) -> Iterator[ContentProblem]:
    used = _fields_of(text)
    if used is None:
        yield ContentProblem(file, field, "broken placeholder: a lone '{' or '}'")
        return
    for name in sorted(required - used):
        yield ContentProblem(file, field, f"must place {{{name}}}")
    for name in sorted(used - allowed):
        yield ContentProblem(file, field, f"unknown placeholder {{{name}}}")


def _fields_of(text: str) -> set[str] | None:
    """The placeholders ``text`` uses; None when it cannot be formatted at all."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None
