"""A translated lessons, drills, taxonomy or check-ins file: the same ids and the same
non-text fields (doses, quiz answers, red-flag severities) as English; only words change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from content.problems import ContentProblem

# Fields a translation rewrites; everything else must match English exactly.
TRANSLATED_FIELDS = frozenset(
    {
        "label",
        "description",
        "title",
        "body",
        "takeaway",
        "text",
        "question",
        "feedback",
        "name",
        "steps",
        "cues",
        "safety",
        "why",
        "red_flag_intro",
        "red_flag_pick",
        "emergency_fallback",
        "heading",
        "message",
        "safety_notice",
        "screen",
        "search_synonyms",
    }
)


# Optional texts a translation rewrites, but must give exactly where English gives one.
TRANSLATED_WHERE_ENGLISH_HAS_ONE = frozenset({"easier_tip", "harder_tip"})
# Lists a translation rewrites item by item: as many items as English, so that no drill's
# own stop rule is lost in translation.
TRANSLATED_ITEM_BY_ITEM = frozenset({"safety"})


def check_translation(file: str, english: BaseModel, local: BaseModel) -> Iterator[ContentProblem]:
    """The problems of ``local`` (at ``file``) against the English file it translates."""
    yield from _diff(file, "", _skeleton(english.model_dump()), _skeleton(local.model_dump()))


def _skeleton(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _shape(k, v)
            for k, v in value.items()
            if k not in TRANSLATED_FIELDS or k in TRANSLATED_ITEM_BY_ITEM
        }
    if isinstance(value, list | tuple):
        return [_skeleton(item) for item in value]
    return value


def _diff(file: str, path: str, english: Any, local: Any) -> Iterator[ContentProblem]:
    if _is_id_list(english) and _is_id_list(local):
        english_ids = [item["id"] for item in english]
        local_ids = [item["id"] for item in local]
        for missing in english_ids:
            if missing not in local_ids:
                yield ContentProblem(file, path, f"missing id {missing!r} that English defines")
        for index, extra in enumerate(local_ids):
            if extra not in english_ids:
                yield ContentProblem(file, f"{path}[{index}].id", f"id {extra!r} is not in English")
        by_id = {item["id"]: item for item in english}
        for index, item in enumerate(local):
            if item["id"] in by_id:
                yield from _diff(file, f"{path}[{index}]", by_id[item["id"]], item)
    elif isinstance(english, dict) and isinstance(local, dict):
        for key in english:
            if key in local:
                yield from _diff(file, f"{path}.{key}" if path else key, english[key], local[key])
    elif english != local and path.rpartition(".")[2] in TRANSLATED_WHERE_ENGLISH_HAS_ONE:
        yield ContentProblem(
            file,
            path,
            "English has this text: translate it" if english else "English has none: leave it out",
        )
    elif english != local and path.rpartition(".")[2] in TRANSLATED_ITEM_BY_ITEM:
        yield ContentProblem(
            file, path, f"English has {english} items here, this has {local}: translate each one"
        )
    elif english != local:
        yield ContentProblem(file, path, f"must match English ({english!r}), found {local!r}")


def _shape(key: str, value: Any) -> Any:
    """What of a field must match English: whether a tip is given, how many items a list
    translated item by item has, or (for any other field) its skeleton."""
    if key in TRANSLATED_WHERE_ENGLISH_HAS_ONE:
        return value is not None
    if key in TRANSLATED_ITEM_BY_ITEM:
        return len(value) if isinstance(value, list | tuple) else value
    return _skeleton(value)


def _is_id_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "id" in item for item in value)
    )
