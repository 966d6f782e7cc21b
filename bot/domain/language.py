"""The patient's choice of language (/language)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.screens import Choice, Reply, Scope, Screen, Text
from db.models import Patient


def language_menu(names: Mapping[str, str], current: str) -> Reply:
    """One button per language, each labelled in its own language."""
    rows = tuple(
        (
            Choice(
                Text("buttons.chosen", {"label": name}) if code == current else name,
                "language",
                code,
                scope=Scope.LIBRARY,
            ),
        )
        for code, name in sorted(names.items())
    )
    return Reply(screens=(Screen(body=(Text("language.pick"),), choices=rows),))


def choose_language(patient: Patient | None, code: str, available: Mapping[str, str]) -> Reply:
    """Store the language; only a patient who has consented has a record to store it in."""
    if code not in available:
        return Reply(screens=(Screen(body=(Text("common.button_expired"),)),))
    if patient is None:
        return Reply(screens=(Screen(body=(Text("language.after_setup"),)),))
    patient.language = code
    return Reply(
        screens=(Screen(body=(Text("language.set", {"name": available[code]}),)),),
        replace_origin=True,
        language=code,
    )
