"""locales/<lang>/search.yaml: words written the way search reads a question."""

from __future__ import annotations

from collections.abc import Iterator

from content.models import SearchWords
from content.problems import ContentProblem
from content.reading import Parsed


def check_search_words(words: Parsed[SearchWords]) -> Iterator[ContentProblem]:
    """Search lower-cases a question and drops apostrophes before it compares words."""
    file, model = words.file, words.model
    unreadable = sorted(
        word for word in model.stop_words if word != word.lower() or "'" in word or "’" in word
    )
    if unreadable:
        yield ContentProblem(
            file,
            "stop_words",
            f"write stop words in lower case without apostrophes: {unreadable[0]!r}",
        )
    for s_index, step in enumerate(model.stemming.steps):
        for r_index, rule in enumerate(step):
            at = f"stemming.steps[{s_index}][{r_index}]"
            for field, text in (("ending", rule.ending), ("replace", rule.replace)):
                if text != text.lower():
                    yield ContentProblem(file, f"{at}.{field}", "write endings in lower case")
