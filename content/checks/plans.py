"""plans.yaml: the starter plan names drills that exist, each once."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from content.models import Plans
from content.problems import ContentProblem
from content.reading import Parsed


def check_plans(plans: Parsed[Plans], drill_ids: Collection[str]) -> Iterator[ContentProblem]:
    starter = plans.model.starter
    seen: set[str] = set()
    for index, drill_id in enumerate(starter.drill_ids):
        at = f"starter.drill_ids[{index}]"
        if drill_id not in drill_ids:
            yield ContentProblem(plans.file, at, f"unknown drill {drill_id!r}")
        elif drill_id in seen:
            yield ContentProblem(plans.file, at, f"lists drill {drill_id!r} twice")
        seen.add(drill_id)
    if starter.drills_per_reminder > len(starter.drill_ids):
        yield ContentProblem(
            plans.file,
            "starter.drills_per_reminder",
            f"{starter.drills_per_reminder} per reminder, but the plan has "
            f"{len(starter.drill_ids)} drill(s)",
        )
