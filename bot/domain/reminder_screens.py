"""What a reminder looks like, and what it turns into when the patient answers it."""

from __future__ import annotations

from bot.domain.screens import Choice, Markup, Scope, Screen, Text
from content.catalog import Catalog

SKIP_REASONS = ("sore", "time", "unwell", "travel", "other")


def _choice(label: str, action: str, arg: str = "") -> Choice:
    return Choice(Text(label), action, *((arg,) if arg else ()), scope=Scope.REMINDER)


def drill_lines(catalog: Catalog, drill_ids: tuple[str, ...]) -> tuple[Text, ...]:
    """A short card per drill: name, dose and why it matters. Drills since removed are left out."""
    known = {drill.id for drill in catalog.drills}
    return tuple(
        Text(
            "reminder.drill",
            {
                "name": catalog.drill(drill_id).name,
                "dose": catalog.drill(drill_id).dose.text,
                "why": catalog.drill(drill_id).why,
            },
        )
        for drill_id in drill_ids
        if drill_id in known
    )


def reminder_body(catalog: Catalog, drill_ids: tuple[str, ...], late: bool) -> tuple[Text, ...]:
    title = Text("reminder.title_late" if late else "reminder.title")
    return (title, *drill_lines(catalog, drill_ids))


REMINDER_CHOICES = (
    (_choice("buttons.reminder_done", "done"),),
    (_choice("buttons.snooze_30", "snooze", "30"), _choice("buttons.snooze_60", "snooze", "60")),
    (_choice("buttons.skip_today", "skip"), _choice("buttons.explain", "explain")),
)

STILL_THERE_CHOICES = (
    (_choice("buttons.still_here", "here"),),
    (_choice("buttons.pause_week", "pause_week"),),
    (_choice("buttons.stop_reminders", "stop"),),
)


def reminder_screen(catalog: Catalog, drill_ids: tuple[str, ...], late: bool) -> Screen:
    return Screen(body=reminder_body(catalog, drill_ids, late), choices=REMINDER_CHOICES)


def still_there_screen() -> Screen:
    return Screen(body=(Text("reminder.still_there"),), choices=STILL_THERE_CHOICES)


def answered_screen(
    catalog: Catalog, drill_ids: tuple[str, ...], late: bool, *notes: Text
) -> Screen:
    """The reminder as it stays in the chat once answered: the card, the outcome, no buttons."""
    return Screen(body=(*reminder_body(catalog, drill_ids, late), *notes))


def skip_reason_screen(catalog: Catalog, drill_ids: tuple[str, ...], late: bool) -> Screen:
    rows = tuple(
        (_choice(f"buttons.skip_reason.{reason}", "skip_reason", reason),)
        for reason in SKIP_REASONS
    )
    return Screen(
        body=(*reminder_body(catalog, drill_ids, late), Text("reminder.skip_why")),
        choices=(*rows, (_choice("buttons.skip_no_reason", "skip_reason", ""),)),
    )


def lesson_screen(catalog: Catalog, drill_ids: tuple[str, ...]) -> Screen | None:
    """The lesson behind the reminder's first drill: why it matters, at more length."""
    for drill_id in drill_ids:
        if drill_id in {drill.id for drill in catalog.drills}:
            return Screen(body=(Markup(catalog.render_lesson(catalog.drill(drill_id).lesson)),))
    return None
