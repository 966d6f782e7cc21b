"""checkins.yaml: the questions the bot asks by id, scales, buttons, one flag per severity."""

from __future__ import annotations

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
    yield from too_long(file, "yes_label", model.yes_label, BUTTON_LABEL_LIMIT, "label")
    yield from too_long(file, "no_label", model.no_label, BUTTON_LABEL_LIMIT, "label")
    # Each severity has its wording (the model requires it) and a flag that leads to it.
    for severity in SEVERITIES:
        if not any(flag.severity == severity for flag in model.red_flags):
            yield ContentProblem(file, "red_flags", f"no red flag has severity {severity!r}")
