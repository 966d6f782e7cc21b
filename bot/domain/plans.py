"""Which drills a reminder carries: the patient's plan, or the starter plan until there is one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from content.catalog import Catalog

PLANS_FILE = Path(__file__).resolve().parents[2] / "content" / "plans.yaml"


@dataclass(frozen=True)
class StarterPlan:
    drill_ids: tuple[str, ...]
    drills_per_reminder: int

    @classmethod
    def load(cls, path: Path = PLANS_FILE) -> StarterPlan:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(tuple(data["starter"]), int(data["drills_per_reminder"]))

    def problems(self, catalog: Catalog) -> list[str]:
        """Drill ids the catalogue does not know, for `reed content check`."""
        known = {drill.id for drill in catalog.drills}
        return [
            f"plans.yaml: starter[{index}]: unknown drill {drill_id!r}"
            for index, drill_id in enumerate(self.drill_ids)
            if drill_id not in known
        ]


def drills_for_reminder(
    plan: tuple[str, ...], per_reminder: int, day: date, slot_index: int, slots_per_day: int
) -> tuple[str, ...]:
    """The drills of one reminder: the plan in turn, moving on with each reminder.

    Consecutive reminders show consecutive drills, so a patient works through the whole plan
    every ``len(plan) / per_reminder`` reminders.
    """
    if not plan:
        return ()
    count = min(per_reminder, len(plan))
    reminder_number = day.toordinal() * max(slots_per_day, 1) + slot_index
    start = (reminder_number * count) % len(plan)
    return tuple(plan[(start + offset) % len(plan)] for offset in range(count))
