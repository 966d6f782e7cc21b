"""What a reminder looks like, and what it turns into when the patient answers it."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from bot.domain.safety_screens import SafetyScreens
from bot.domain.screens import Choice, Markup, Scope, Screen, Text
from bot.domain.therapist_plans import PlanDose, dose_text, doses_from_json
from content.catalog import Catalog

SKIP_REASONS = ("sore", "time", "unwell", "travel", "other")
NO_DOSES: Mapping[str, PlanDose] = MappingProxyType({})


def doses_payload(doses: Iterable[tuple[str, PlanDose]]) -> dict[str, Any] | None:
    """What a reminder's ledger row keeps of the therapist's doses it showed (``payload``),
    so that the reminder looks the same once answered; None when it showed the card's."""
    shown = {drill_id: dose.as_json() for drill_id, dose in doses}
    return {"doses": shown} if shown else None


def shown_doses(payload: object) -> Mapping[str, PlanDose]:
    """The doses a reminder's ledger row showed (see :func:`doses_payload`)."""
    if not isinstance(payload, Mapping):
        return NO_DOSES
    return doses_from_json(payload.get("doses"))


def _choice(label: str, action: str, arg: str = "") -> Choice:
    return Choice(Text(label), action, *((arg,) if arg else ()), scope=Scope.REMINDER)


def _known(catalog: Catalog, drill_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The drills that still exist (one removed from the content since is left out)."""
    known = {drill.id for drill in catalog.drills}
    return tuple(drill_id for drill_id in drill_ids if drill_id in known)


def drill_lines(
    catalog: Catalog, drill_ids: tuple[str, ...], doses: Mapping[str, PlanDose] = NO_DOSES
) -> tuple[Text | Markup, ...]:
    """A short card per drill (name, dose and why it matters), then the stop rule every drill
    shares; each drill's full card, with its own stop rules, is a button away. ``doses``:
    the therapist's dose of a drill, shown in place of the catalogue's."""
    drills = _known(catalog, drill_ids)
    if not drills:
        return ()
    labels = catalog.cards.drill
    stop = Markup(f"⛔ <b>{html.escape(labels.safety)}</b> {html.escape(labels.stop_rule)}")
    return (
        *(
            Text(
                "reminder.drill",
                {
                    "name": catalog.drill(drill_id).name,
                    "dose": _dose(catalog, drill_id, doses),
                    "why": catalog.drill(drill_id).why,
                },
            )
            for drill_id in drills
        ),
        stop,
    )


def card_choices(catalog: Catalog, drill_ids: tuple[str, ...]) -> tuple[tuple[Choice, ...], ...]:
    """A button per drill that opens its card: the steps, "Stop if", easier and harder."""
    return tuple(
        (Choice(f"📋 {catalog.drill(drill_id).name}", "drill", drill_id, scope=Scope.LIBRARY),)
        for drill_id in _known(catalog, drill_ids)
    )


def _dose(catalog: Catalog, drill_id: str, doses: Mapping[str, PlanDose]) -> Text | str:
    dose = catalog.drill(drill_id).dose
    if drill_id in doses:
        return dose_text(doses[drill_id], dose.per_side)
    return dose.text


def reminder_body(
    catalog: Catalog,
    drill_ids: tuple[str, ...],
    late: bool,
    doses: Mapping[str, PlanDose] = NO_DOSES,
) -> tuple[Text | Markup, ...]:
    title = Text("reminder.title_late" if late else "reminder.title")
    return (title, *drill_lines(catalog, drill_ids, doses))


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


def reminder_screen(
    catalog: Catalog,
    drill_ids: tuple[str, ...],
    late: bool,
    doses: Mapping[str, PlanDose] = NO_DOSES,
) -> Screen:
    return Screen(
        body=reminder_body(catalog, drill_ids, late, doses),
        choices=(*card_choices(catalog, drill_ids), *REMINDER_CHOICES),
    )


def safety_first_screen(safety: SafetyScreens, language: str, zone: str, late: bool) -> Screen:
    """A patient's reminder before they have answered the safety screen: the screen first;
    "none of these apply" turns it into the reminder with its drills."""
    title = Text("reminder.title_late" if late else "reminder.title")
    none = Choice(safety.none_label(language), "screened", scope=Scope.REMINDER)
    return safety.screen(language, zone, none=none, lead=(title,))


def still_there_screen() -> Screen:
    return Screen(body=(Text("reminder.still_there"),), choices=STILL_THERE_CHOICES)


def answered_screen(
    catalog: Catalog,
    drill_ids: tuple[str, ...],
    late: bool,
    *notes: Text,
    doses: Mapping[str, PlanDose] = NO_DOSES,
) -> Screen:
    """The reminder as it stays in the chat once answered: the card (with the doses it was
    sent with), the outcome, no buttons."""
    return Screen(body=(*reminder_body(catalog, drill_ids, late, doses), *notes))


def skip_reason_screen(
    catalog: Catalog,
    drill_ids: tuple[str, ...],
    late: bool,
    doses: Mapping[str, PlanDose] = NO_DOSES,
) -> Screen:
    rows = tuple(
        (_choice(f"buttons.skip_reason.{reason}", "skip_reason", reason),)
        for reason in SKIP_REASONS
    )
    return Screen(
        body=(*reminder_body(catalog, drill_ids, late, doses), Text("reminder.skip_why")),
        choices=(*rows, (_choice("buttons.skip_no_reason", "skip_reason", ""),)),
    )


def lesson_screen(catalog: Catalog, drill_ids: tuple[str, ...]) -> Screen | None:
    """The lesson behind the reminder's first drill: why it matters, at more length."""
    for drill_id in drill_ids:
        if drill_id in {drill.id for drill in catalog.drills}:
            return Screen(body=(Markup(catalog.render_lesson(catalog.drill(drill_id).lesson)),))
    return None
