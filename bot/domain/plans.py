"""Which drills a reminder carries: the patient's plan, or the starter plan until there is one."""

from __future__ import annotations

from datetime import date


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
