"""The one problem type for everything under ``content/``, and the error that lists them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["ContentError", "ContentProblem"]


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong with the content: which file, which field, what is wrong.

    ``file`` is relative to the folder it was read from (``en/lessons.yaml``, ``plans.yaml``);
    ``field`` is the path inside it (``lessons[2].body``), empty for the file as a whole.
    """

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.field}: {self.message}"
            if self.field
            else f"{self.file}: {self.message}"
        )


class ContentError(ValueError):
    """The content is invalid; ``problems`` lists every problem found, not only the first."""

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems = list(problems)
        super().__init__(
            f"{len(self.problems)} content problem(s):\n"
            + "\n".join(f"  {problem}" for problem in self.problems)
        )
