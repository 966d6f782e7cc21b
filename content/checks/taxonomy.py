"""taxonomy.yaml: unique ids, labels that fit a button, synonym groups worth having."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from content.checks.common import BUTTON_LABEL_LIMIT, duplicate_ids, too_long
from content.models import EquipmentKind, Method, Region, Section, Sign, Taxonomy, Topic
from content.problems import ContentProblem
from content.reading import Parsed


def check_taxonomy(taxonomy: Parsed[Taxonomy]) -> Iterator[ContentProblem]:
    file, model = taxonomy.file, taxonomy.model
    groups: Mapping[str, Sequence[Method | Sign | Region | EquipmentKind | Section | Topic]] = {
        "methods": model.methods,
        "signs": model.signs,
        "regions": model.regions,
        "equipment": model.equipment,
        "sections": model.sections,
        "topics": model.topics,
    }
    for field, items in groups.items():
        yield from duplicate_ids(file, field, [item.id for item in items], field.rstrip("s"))
        for index, item in enumerate(items):
            yield from too_long(
                file, f"{field}[{index}].label", item.label, BUTTON_LABEL_LIMIT, "label"
            )
    for index, group in enumerate(model.search_synonyms):
        if len(group) < 2:
            yield ContentProblem(
                file, f"search_synonyms[{index}]", "a group needs two or more words"
            )
