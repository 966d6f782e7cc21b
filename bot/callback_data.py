"""Inline-button data: a small typed codec within Telegram's 64-byte limit.

Every button's data is ``<prefix>:<field>:...``; the prefix names the payload type, and the
last field may itself contain ``:`` (a time such as ``07:30``). Anything that does not decode,
including forged data, decodes to ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"


class CallbackPayload(Protocol):
    PREFIX: ClassVar[str]

    def encode(self) -> str: ...


def _join(prefix: str, *fields: str) -> str:
    for field in fields[:-1]:
        if SEPARATOR in field:
            raise ValueError(f"only the last callback field may contain {SEPARATOR!r}: {field!r}")
    data = SEPARATOR.join((prefix, *fields))
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


@dataclass(frozen=True)
class FlowButton:
    """A button of a conversation step, valid only while the conversation is at ``revision``."""

    PREFIX: ClassVar[str] = "c"

    revision: int
    action: str
    arg: str = ""

    def encode(self) -> str:
        return _join(self.PREFIX, str(self.revision), self.action, self.arg)

    @classmethod
    def decode(cls, fields: list[str]) -> FlowButton | None:
        if len(fields) != 3 or not fields[0].isdigit() or not fields[1].isidentifier():
            return None
        return cls(revision=int(fields[0]), action=fields[1], arg=fields[2])


@dataclass(frozen=True)
class LibraryButton:
    """A button for browsing lessons and drills: an action and the id it acts on."""

    PREFIX: ClassVar[str] = "l"

    action: str
    arg: str = ""

    def encode(self) -> str:
        return _join(self.PREFIX, self.action, self.arg)

    @classmethod
    def decode(cls, fields: list[str]) -> LibraryButton | None:
        if len(fields) != 2 or not fields[0].isidentifier():
            return None
        return cls(action=fields[0], arg=fields[1])


@dataclass(frozen=True)
class ReminderButton:
    """A button on a reminder: which ledger row it answers, and how."""

    PREFIX: ClassVar[str] = "r"

    delivery_id: int
    action: str
    arg: str = ""

    def encode(self) -> str:
        return _join(self.PREFIX, str(self.delivery_id), self.action, self.arg)

    @classmethod
    def decode(cls, fields: list[str]) -> ReminderButton | None:
        if len(fields) != 3 or not fields[0].isdigit() or not fields[1].isidentifier():
            return None
        return cls(delivery_id=int(fields[0]), action=fields[1], arg=fields[2])


Payload = FlowButton | LibraryButton | ReminderButton
_TYPES: dict[str, type[FlowButton] | type[LibraryButton] | type[ReminderButton]] = {
    FlowButton.PREFIX: FlowButton,
    LibraryButton.PREFIX: LibraryButton,
    ReminderButton.PREFIX: ReminderButton,
}
_FIELD_COUNTS = {FlowButton.PREFIX: 3, LibraryButton.PREFIX: 2, ReminderButton.PREFIX: 3}


def decode_callback(data: str | None) -> Payload | None:
    """Read button data; ``None`` for anything we did not write."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    prefix, _, rest = data.partition(SEPARATOR)
    payload_type = _TYPES.get(prefix)
    if payload_type is None:
        return None
    fields = rest.split(SEPARATOR, _FIELD_COUNTS[prefix] - 1)
    return payload_type.decode(fields)
