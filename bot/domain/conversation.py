"""The plumbing of multi-step conversations: flows, steps, revisions and reply shapes.

A conversation is one database row per Telegram user (flow, step, revision, draft data). The
revision goes up whenever the question changes and travels in every button, so a press on an
older message is recognised as stale instead of acted on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.screens import Reply, Screen, Text, screen
from db.models import Conversation


class Flow(StrEnum):
    IDLE = "idle"
    ONBOARDING = "onboarding"
    SETTINGS = "settings"


class Step(StrEnum):
    NONE = "none"
    CONSENT = "consent"
    TIMEZONE = "timezone"
    CITY = "city"
    LOCATION = "location"
    REMINDERS = "reminders"
    DAYS = "days"
    TIMES = "times"
    MENU = "menu"
    REMINDER_MENU = "reminder_menu"
    PAUSE_REASON = "pause_reason"
    PAUSE_LENGTH = "pause_length"
    QUIET_HOURS = "quiet_hours"


@dataclass(frozen=True)
class TelegramUser:
    """Who sent the update, as far as the rules need to know."""

    id: int
    chat_id: int
    language_code: str | None = None


@dataclass(frozen=True)
class ButtonPress:
    revision: int
    action: str
    arg: str = ""


def goto(conversation: Conversation, flow: Flow, step: Step, now: datetime) -> None:
    conversation.flow = flow
    conversation.step = step
    touch(conversation, now, bump=True)


def advance(conversation: Conversation, step: Step, now: datetime) -> None:
    """Move to another step of the same flow."""
    conversation.step = step
    touch(conversation, now, bump=True)


def touch(conversation: Conversation, now: datetime, *, bump: bool = False) -> None:
    if bump:
        conversation.revision = (conversation.revision or 0) + 1
    conversation.updated_at = now


def say(key: str, *, toast: str | None = None, language: str | None = None) -> Reply:
    return Reply(screens=(screen(key),), toast=Text(toast) if toast else None, language=language)


def prepend_screen(shown: Screen, note: Text) -> Screen:
    return dataclasses.replace(shown, body=(note, *shown.body))


def prepend(reply: Reply, note: Text, *, remove_reply_keyboard: bool = False) -> Reply:
    """Put ``note`` above the reply's first message."""
    first = prepend_screen(reply.screens[0], note)
    if remove_reply_keyboard and not first.ask_location:
        first = dataclasses.replace(first, remove_reply_keyboard=True)
    return dataclasses.replace(reply, screens=(first, *reply.screens[1:]))


def in_place(reply: Reply) -> Reply:
    """Show the reply in place of the message whose button was pressed."""
    return dataclasses.replace(reply, replace_origin=True)


def with_origin(origin: Screen, reply: Reply) -> Reply:
    """Turn the pressed message into ``origin`` (without buttons), then send ``reply``."""
    return dataclasses.replace(reply, screens=(origin, *reply.screens), replace_origin=True)
