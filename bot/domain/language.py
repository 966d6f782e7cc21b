"""The patient's language: which one the bot speaks, and the /language choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain.screens import Choice, Reply, Scope, Screen, Text


def reply_language(
    chosen: str | None, app_language: str | None, resolve: Callable[[str | None], str]
) -> str:
    """The language of every reply: the patient's choice (/language), else their Telegram
    app's language, else the default; ``resolve`` maps a code onto one we have."""
    return resolve(chosen or app_language)


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


def language_chosen(
    code: str | None, available: Mapping[str, str], consented: bool, current: str
) -> tuple[Reply, str | None]:
    """The reply to a press on a language, and the language to store (if any).

    Only a patient who has consented has a record to store the choice in.
    """
    if code is None or code not in available:
        return Reply(screens=(Screen(body=(Text("common.button_expired"),)),)), None
    if not consented:
        return Reply(screens=(Screen(body=(Text("language.after_setup"),)),)), None
    reply = Reply(
        screens=(Screen(body=(Text("language.set", {"name": available[code]}),)),),
        replace_origin=True,
        language=code,
    )
    return reply, code
