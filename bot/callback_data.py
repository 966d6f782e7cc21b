"""Inline-button data: a small typed codec within Telegram's 64-byte limit.

Every button's data is ``<prefix>|<field>|...``: the prefix names the payload type, then come
the payload's fixed fields and any number of arguments. No field may contain the separator,
so an argument such as a time (``07:30``) or a pair of them travels as it is, one argument
each, and no rule ever splits a string of its own.

Button data comes back from the client, so it is untrusted: :func:`decode_callback` reads
anything (forged, truncated, from an older version, not valid UTF-8) as ``None`` rather than
raise, and the typed readers on :class:`Args` refuse values outside what the caller allows.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass
from datetime import time
from typing import ClassVar, Self

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"
# Ids and revisions are PostgreSQL integers: at most 2**31 - 1, written in ASCII digits only
# (``str.isdigit`` also accepts '²' and other digits ``int`` refuses).
MAX_ID = 2**31 - 1
_NUMBER = re.compile(r"0|[1-9][0-9]{0,9}")
_ACTION = re.compile(r"[a-z][a-z0-9_]{0,31}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def read_id(field: str) -> int | None:
    """A non-negative id or revision written by :func:`encode`, else ``None``."""
    if _NUMBER.fullmatch(field) is None:
        return None
    value = int(field)
    return value if value <= MAX_ID else None


@dataclass(frozen=True)
class Args:
    """A button's arguments, read back as the types the rule expects.

    Each reader returns ``None`` for a missing or unexpected value, which the rule treats as
    a button it did not write.
    """

    values: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.values)

    def text(self, index: int, allowed: Container[str] | None = None) -> str | None:
        if index >= len(self.values):
            return None
        value = self.values[index]
        return value if allowed is None or value in allowed else None

    def number(self, index: int, allowed: Container[int]) -> int | None:
        value = self.text(index)
        number = read_id(value) if value is not None else None
        return number if number is not None and number in allowed else None

    def time_of_day(self, index: int) -> time | None:
        value = self.text(index)
        match = _TIME.fullmatch(value) if value is not None else None
        return time(int(match[1]), int(match[2])) if match else None


def _encode(prefix: str, fixed: tuple[str, ...], args: tuple[str, ...]) -> str:
    for field in (*fixed, *args):
        if SEPARATOR in field:
            raise ValueError(f"a callback field may not contain {SEPARATOR!r}: {field!r}")
    data = SEPARATOR.join((prefix, *fixed, *args))
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def _action(field: str) -> str | None:
    return field if _ACTION.fullmatch(field) else None


@dataclass(frozen=True)
class _Aimed:
    """A payload aimed at one revision or one row: ``<prefix>|<target>|<action>|<args>...``."""

    PREFIX: ClassVar[str]

    target: int
    action: str
    args: Args = Args()

    def encode(self) -> str:
        return _encode(self.PREFIX, (str(self.target), self.action), self.args.values)

    @classmethod
    def decode(cls, fields: list[str]) -> Self | None:
        if len(fields) < 2:
            return None
        target, action = read_id(fields[0]), _action(fields[1])
        if target is None or action is None:
            return None
        return cls(target, action, Args(tuple(fields[2:])))


@dataclass(frozen=True)
class FlowButton(_Aimed):
    """A button of a conversation step, valid only while the conversation is at ``revision``."""

    PREFIX: ClassVar[str] = "c"

    @property
    def revision(self) -> int:
        return self.target


@dataclass(frozen=True)
class _Named:
    """A payload that names what it acts on: ``<prefix>|<action>|<args>...``."""

    PREFIX: ClassVar[str]

    action: str
    args: Args = Args()

    def encode(self) -> str:
        return _encode(self.PREFIX, (self.action,), self.args.values)

    @classmethod
    def decode(cls, fields: list[str]) -> Self | None:
        action = _action(fields[0]) if fields else None
        return cls(action, Args(tuple(fields[1:]))) if action is not None else None


@dataclass(frozen=True)
class LibraryButton(_Named):
    """A button for browsing lessons and drills: an action and what it opens."""

    PREFIX: ClassVar[str] = "l"


@dataclass(frozen=True)
class SafetyButton(_Named):
    """A button of the safety screen or of a safety hold: an action and what it names.

    Valid at any time, as its effect depends only on the sender's stored state: a red flag
    chosen from an old screen still counts, and no button but the confirmed "cleared" ends a
    hold.
    """

    PREFIX: ClassVar[str] = "s"


@dataclass(frozen=True)
class TherapistButton(_Named):
    """A button of the therapist side: an action and what it names (a patient's id, an
    alert's event id, ...). Its arguments are claims, never permissions: every rule checks on
    the server that what they name belongs to the sender (:meth:`bot.turns.Turn.in_my_care`).
    """

    PREFIX: ClassVar[str] = "t"


@dataclass(frozen=True)
class ReminderButton(_Aimed):
    """A button on a reminder: which ledger row it answers, and how."""

    PREFIX: ClassVar[str] = "r"

    @property
    def delivery_id(self) -> int:
        return self.target


Payload = FlowButton | LibraryButton | ReminderButton | SafetyButton | TherapistButton
_TYPES: dict[
    str,
    type[FlowButton]
    | type[LibraryButton]
    | type[ReminderButton]
    | type[SafetyButton]
    | type[TherapistButton],
] = {
    FlowButton.PREFIX: FlowButton,
    LibraryButton.PREFIX: LibraryButton,
    ReminderButton.PREFIX: ReminderButton,
    SafetyButton.PREFIX: SafetyButton,
    TherapistButton.PREFIX: TherapistButton,
}


def pattern(payload_type: type[Payload]) -> str:
    """The regular expression that routes this payload type's presses to its handler."""
    return f"^{re.escape(payload_type.PREFIX + SEPARATOR)}"


def decode_callback(data: object) -> Payload | None:
    """Read button data; ``None`` for anything we did not write."""
    if not isinstance(data, str) or not data:
        return None
    try:
        size = len(data.encode())
    except UnicodeEncodeError:  # a lone surrogate: not text Telegram could have carried
        return None
    if size > MAX_CALLBACK_BYTES or not data.isprintable():
        return None
    prefix, _, rest = data.partition(SEPARATOR)
    payload_type = _TYPES.get(prefix)
    if payload_type is None or not _:
        return None
    return payload_type.decode(rest.split(SEPARATOR))
