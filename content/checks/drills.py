"""drills/<method>.yaml: references, progressions both ways, an easier and a harder version,
the drill's own stop rules, doses, form questions, coverage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import PurePosixPath

from content.checks.common import BUTTON_LABEL_LIMIT, POLL_QUESTION_LIMIT, duplicate_ids, too_long
from content.models import Drill, DrillFile, LessonFile, Taxonomy
from content.problems import ContentProblem
from content.reading import Parsed

MIN_DRILLS_PER_METHOD = 2
MIN_DRILLS_PER_SIGN = 2


def check_drills(
    drill_files: Sequence[Parsed[DrillFile]],
    taxonomy: Parsed[Taxonomy],
    lessons: Parsed[LessonFile],
) -> Iterator[ContentProblem]:
    located = [
        (drill, parsed.file, f"drills[{index}]")
        for parsed in drill_files
        for index, drill in enumerate(parsed.model.drills)
    ]
    drills = {drill.id: drill for drill, _, _ in located}
    lesson_ids = {lesson.id for lesson in lessons.model.lessons}
    seen: dict[str, str] = {}
    for drill, file, at in located:
        if drill.id in seen:
            yield ContentProblem(
                file, f"{at}.id", f"duplicate drill id {drill.id!r} (also in {seen[drill.id]})"
            )
        seen.setdefault(drill.id, file)
        yield from _check_place(drill, file, at, taxonomy.model)
        yield from _check_references(drill, file, at, taxonomy.model)
        if drill.lesson not in lesson_ids:
            yield ContentProblem(file, f"{at}.lesson", f"unknown lesson {drill.lesson!r}")
        yield from _check_progression(drill, file, at, drills)
        yield from _check_versions(drill, file, at)
        yield from _check_stop_rules(drill, file, at)
        yield from too_long(file, f"{at}.name", drill.name, BUTTON_LABEL_LIMIT, "name")
        yield from _check_dose(drill, file, at)
        yield from _check_form_questions(drill, file, at)
    yield from _check_coverage(drills.values(), taxonomy)


def _check_place(drill: Drill, file: str, at: str, taxonomy: Taxonomy) -> Iterator[ContentProblem]:
    """A drill lives in the file named after its method."""
    methods = {method.id for method in taxonomy.methods}
    method_from_file = PurePosixPath(file).stem
    if method_from_file not in methods:
        yield ContentProblem(file, "", f"file name must be a method id, not {method_from_file!r}")
    if drill.method not in methods:
        yield ContentProblem(file, f"{at}.method", f"unknown method {drill.method!r}")
    elif drill.method != method_from_file:
        yield ContentProblem(
            file,
            f"{at}.method",
            f"drill of method {drill.method!r} belongs in drills/{drill.method}.yaml",
        )


def _check_references(
    drill: Drill, file: str, at: str, taxonomy: Taxonomy
) -> Iterator[ContentProblem]:
    known = {
        "signs": ("sign", {sign.id for sign in taxonomy.signs}),
        "regions": ("region", {region.id for region in taxonomy.regions}),
        "equipment": ("equipment", {kind.id for kind in taxonomy.equipment}),
    }
    for field, ids in (
        ("signs", drill.signs),
        ("regions", drill.regions),
        ("equipment", drill.equipment),
    ):
        kind, known_ids = known[field]
        for index, item in enumerate(ids):
            if item not in known_ids:
                yield ContentProblem(file, f"{at}.{field}[{index}]", f"unknown {kind} {item!r}")
        if len(set(ids)) != len(ids):
            yield ContentProblem(file, f"{at}.{field}", "lists the same id twice")
    if "none" in drill.equipment and len(drill.equipment) > 1:
        yield ContentProblem(
            file, f"{at}.equipment", "'none' cannot be combined with other equipment"
        )


def _check_progression(
    drill: Drill, file: str, at: str, drills: Mapping[str, Drill]
) -> Iterator[ContentProblem]:
    """An easier or harder drill exists and names this drill back."""
    for field, other_id, back in (
        ("easier", drill.easier, "harder"),
        ("harder", drill.harder, "easier"),
    ):
        if other_id is None:
            continue
        other = drills.get(other_id)
        if other is None:
            yield ContentProblem(file, f"{at}.{field}", f"unknown drill {other_id!r}")
        elif other_id == drill.id:
            yield ContentProblem(file, f"{at}.{field}", "a drill cannot progress to itself")
        elif getattr(other, back) != drill.id:
            yield ContentProblem(
                file,
                f"{at}.{field}",
                f"{other_id!r} must name {drill.id!r} as its {back} drill in return",
            )


def _check_versions(drill: Drill, file: str, at: str) -> Iterator[ContentProblem]:
    """Every card says how to make the drill easier and harder: a neighbour, or else a tip."""
    for direction, neighbour, tip in (
        ("easier", drill.easier, drill.easier_tip),
        ("harder", drill.harder, drill.harder_tip),
    ):
        if neighbour is None and tip is None:
            yield ContentProblem(
                file,
                f"{at}.{direction}",
                f"no {direction} version: set {direction} to a drill id, or give {direction}_tip",
            )
        elif neighbour is not None and tip is not None:
            yield ContentProblem(
                file,
                f"{at}.{direction}_tip",
                f"the card names the {direction} drill {neighbour!r}; give a drill or a tip, "
                "not both",
            )


def _check_stop_rules(drill: Drill, file: str, at: str) -> Iterator[ContentProblem]:
    """The shared stop rule (cards.yaml drill.stop_rule) is not enough on its own."""
    if not drill.safety:
        yield ContentProblem(
            file,
            f"{at}.safety",
            "a drill needs at least one stop rule of its own, after the shared one in cards.yaml",
        )


def _check_dose(drill: Drill, file: str, at: str) -> Iterator[ContentProblem]:
    dose = drill.dose
    numbers = [dose.sets, dose.reps, dose.hold_seconds]
    missing = [n for n in numbers if n is not None and str(n) not in dose.text]
    if missing:
        yield ContentProblem(
            file, f"{at}.dose.text", f"does not mention {missing[0]} from the dose"
        )


def _check_form_questions(drill: Drill, file: str, at: str) -> Iterator[ContentProblem]:
    """Every drill can be asked about after it is done, with buttons that fit."""
    if not drill.form_questions:
        yield ContentProblem(
            file, f"{at}.form_questions", "a drill needs at least one form question"
        )
    yield from duplicate_ids(
        file, f"{at}.form_questions", [q.id for q in drill.form_questions], "form question"
    )
    for q_index, question in enumerate(drill.form_questions):
        q_at = f"{at}.form_questions[{q_index}]"
        yield from too_long(file, f"{q_at}.text", question.text, POLL_QUESTION_LIMIT, "question")
        yield from duplicate_ids(
            file, f"{q_at}.options", [o.id for o in question.options], "option"
        )
        for o_index, option in enumerate(question.options):
            yield from too_long(
                file, f"{q_at}.options[{o_index}].label", option.label, BUTTON_LABEL_LIMIT, "label"
            )
        if not any(option.score == "good" for option in question.options):
            yield ContentProblem(file, f"{q_at}.options", "needs an option scored 'good'")


def _check_coverage(
    drills: Iterable[Drill], taxonomy: Parsed[Taxonomy]
) -> Iterator[ContentProblem]:
    """Every method and every sign offers a choice of drills."""
    method_counts: Counter[str] = Counter()
    sign_counts: Counter[str] = Counter()
    for drill in drills:
        method_counts[drill.method] += 1
        sign_counts.update(set(drill.signs))
    model = taxonomy.model
    for field, kind, ids, counts, least in (
        ("methods", "method", [m.id for m in model.methods], method_counts, MIN_DRILLS_PER_METHOD),
        ("signs", "sign", [s.id for s in model.signs], sign_counts, MIN_DRILLS_PER_SIGN),
    ):
        for index, item_id in enumerate(ids):
            if counts[item_id] < least:
                yield ContentProblem(
                    taxonomy.file,
                    f"{field}[{index}]",
                    f"{kind} {item_id!r} has {counts[item_id]} drill(s); at least {least} needed",
                )
