"""What the bot wants to show, described without Telegram.

The coaching rules decide *what* to say (message keys and choices); the handlers decide
*how* (HTML, inline keyboards, edits). Keeping that line makes the rules testable on their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from content.messages import Markup, Messages, Text

__all__ = [
    "Attachment",
    "Choice",
    "Label",
    "Markup",
    "ProgressChart",
    "Reply",
    "Scope",
    "Screen",
    "Text",
    "in_place",
    "prepend",
    "screen",
    "with_origin",
]


class Scope(StrEnum):
    """Which part of the bot a button belongs to, so its press is routed back there."""

    FLOW = "flow"  # a step of a conversation; valid only at the conversation's revision
    LIBRARY = "library"  # browsing lessons and drills; valid while the content exists
    REMINDER = "reminder"  # answering one reminder; ``Reply.subject`` names it
    SAFETY = "safety"  # the safety screen and the hold it may start; valid at any time
    # the therapist side; what a button names is checked against the sender on the server
    THERAPIST = "therapist"


# A button label is a catalogue sentence, or a value shown verbatim (a city name, "07:30").
Label = Text | str


@dataclass(frozen=True, init=False)
class Choice:
    """An inline button: what it says, the action it triggers and that action's arguments.

    Arguments travel in the button's data one field each, through the typed codec of
    :mod:`bot.callback_data`; a rule reads them back with :class:`bot.callback_data.Args`.
    """

    label: Label
    action: str
    args: tuple[str, ...]
    scope: Scope

    def __init__(
        self, label: Label, action: str, *args: str | int, scope: Scope = Scope.FLOW
    ) -> None:
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "args", tuple(str(arg) for arg in args))
        object.__setattr__(self, "scope", scope)


@dataclass(frozen=True)
class ProgressChart:
    """The last days as a picture, oldest day first, for the renderer to draw.

    Each day has a short label, the sessions done and planned, the highest pain a check-in
    reported and the morning check's pain (None: nothing reported); ``plan_changes`` are the
    indexes of the days on which the plan changed. The words are drawn in the reply's language.
    """

    days: tuple[Label, ...]
    sessions: tuple[int, ...]
    planned: tuple[int, ...]
    pain: tuple[int | None, ...]
    morning_pain: tuple[int | None, ...]
    plan_changes: tuple[int, ...]
    sessions_title: Label
    sessions_label: Label
    planned_label: Label
    pain_title: Label
    pain_label: Label
    morning_label: Label
    plan_change_label: Label
    no_pain: Label


@dataclass(frozen=True)
class Screen:
    """One message: paragraphs, rows of inline choices, and reply-keyboard needs.

    A screen with a ``chart`` is sent as that picture, the paragraphs as its caption.
    """

    body: tuple[Text | Markup, ...]
    choices: tuple[tuple[Choice, ...], ...] = ()
    ask_location: bool = False
    remove_reply_keyboard: bool = False
    chart: ProgressChart | None = None
    # Files sent after the message, in order (a QR code, the summary's chart, CSV and PDF).
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """A file sent after a screen's text: a picture (``photo``) or a document.

    ``draw`` makes its bytes with the words of the reply's language; the renderer runs it in a
    worker thread, as a chart or a PDF takes a CPU for a moment the other chats need.
    """

    filename: str
    draw: Callable[[Messages], bytes]
    photo: bool = False
    caption: Text | None = None


@dataclass(frozen=True)
class Reply:
    """The answer to one update.

    ``replace_origin`` edits the message whose button was pressed into the first screen
    instead of sending it anew. ``toast`` is the short notice shown on a button press.
    ``revision`` is the conversation revision the choices belong to; ``subject`` the ledger
    row that reminder choices answer.
    """

    screens: tuple[Screen, ...] = ()
    replace_origin: bool = False
    toast: Text | None = None
    revision: int = 0
    language: str | None = None
    subject: int = 0


def screen(
    *keys: str | Text,
    choices: tuple[tuple[Choice, ...], ...] = (),
    ask_location: bool = False,
    remove_reply_keyboard: bool = False,
) -> Screen:
    """Shorthand for a screen whose paragraphs are catalogue keys without parameters."""
    body = tuple(Text(key) if isinstance(key, str) else key for key in keys)
    return Screen(
        body=body,
        choices=choices,
        ask_location=ask_location,
        remove_reply_keyboard=remove_reply_keyboard,
    )


def prepend(reply: Reply, note: Text, *, remove_reply_keyboard: bool = False) -> Reply:
    """Put ``note`` above the reply's first message."""
    first = dataclasses.replace(reply.screens[0], body=(note, *reply.screens[0].body))
    if remove_reply_keyboard and not first.ask_location:
        first = dataclasses.replace(first, remove_reply_keyboard=True)
    return dataclasses.replace(reply, screens=(first, *reply.screens[1:]))


def in_place(reply: Reply) -> Reply:
    """Show the reply in place of the message whose button was pressed."""
    return dataclasses.replace(reply, replace_origin=True)


def with_origin(origin: Screen, reply: Reply) -> Reply:
    """Turn the pressed message into ``origin`` (without buttons), then send ``reply``."""
    return dataclasses.replace(reply, screens=(origin, *reply.screens), replace_origin=True)
