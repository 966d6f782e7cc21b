"""The things the emulator keeps: users and chats, messages and files, the bot's events.

Plain immutable data. `FakeTelegram` creates them; tests read them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from emulator.formatting import EntityParseError, parse_formatted_text

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class FakeUser:
    """A human Telegram account. Their private chat with the bot has ``chat_id == id``."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str = "en"
    last_name: str | None = None

    def to_api(self) -> JSONDict:
        """The Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass(frozen=True)
class FakeChat:
    """A group chat (``type`` is ``"group"`` or ``"supergroup"``; ids are negative)."""

    id: int
    type: str
    title: str

    def to_api(self) -> JSONDict:
        """The Bot API ``Chat`` object."""
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded with a multipart request (what the transports hand to `call`)."""

    filename: str
    content: bytes
    mime_type: str | None = None


@dataclass(frozen=True)
class StoredFile:
    """A file known to the emulator: uploaded by the bot or sent by a simulated user."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str
    data: bytes
    mime_type: str | None = None

    def to_api(self) -> JSONDict:
        """The Bot API ``File`` object (as returned by getFile)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    def as_photo(self) -> list[JSONDict]:
        """The ``photo`` field of a message showing this file (one size: the original)."""
        width, height = _image_size(self.data)
        return [
            {
                "file_id": self.file_id,
                "file_unique_id": self.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(self.data),
            }
        ]

    def as_document(self) -> JSONDict:
        """The ``document`` field of a message carrying this file."""
        document: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.filename,
            "file_size": len(self.data),
        }
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document


def _image_size(data: bytes) -> tuple[int, int]:
    # Width and height from a PNG header; other formats report 0x0.
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0


class InlineButton(NamedTuple):
    """An inline keyboard button: its label and its callback_data (or url for URL buttons)."""

    text: str
    data: str | None


@dataclass(frozen=True)
class StoredMessage:
    """A snapshot of one message in a chat.

    Snapshots are immutable: an edit replaces the stored object, so re-read the message via
    `FakeTelegram.messages` & co. to see its current state.
    ``text``/``caption`` are exactly what was sent (markup included); `plain_text` is what
    the user sees.
    """

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: datetime
    kind: str
    text: str | None = None
    caption: str | None = None
    parse_mode: str | None = None
    inline_keyboard: list[list[InlineButton]] = field(default_factory=list)
    reply_keyboard: list[list[JSONDict]] = field(default_factory=list)
    photo: StoredFile | None = None
    document: StoredFile | None = None
    location: tuple[float, float] | None = None
    edited: int = 0
    api: JSONDict = field(default_factory=dict, repr=False, compare=False)

    @property
    def plain_text(self) -> str:
        """Text (or caption) with markup removed and HTML entities unescaped."""
        raw = self.text if self.text is not None else self.caption
        if raw is None:
            return ""
        try:
            return parse_formatted_text(raw, self.parse_mode).text.strip()
        except EntityParseError:
            return raw

    @property
    def buttons(self) -> list[str]:
        """Labels of all inline buttons, else of all reply-keyboard buttons, in reading order."""
        if self.inline_keyboard:
            return [button.text for row in self.inline_keyboard for button in row]
        return [str(button.get("text", "")) for row in self.reply_keyboard for button in row]


class BotEventKind(StrEnum):
    """What the bot did, as reported to subscribers."""

    MESSAGE_SENT = "message_sent"
    MESSAGE_EDITED = "message_edited"
    CALLBACK_ANSWERED = "callback_answered"
    # A Bot API call that failed (400/403/429…); handy when a test waits for a reply that
    # never came because Telegram rejected it.
    API_ERROR = "api_error"


@dataclass(frozen=True)
class BotEvent:
    """One observable action of the bot. ``seq`` increases by one per event."""

    seq: int
    kind: BotEventKind
    chat_id: int | None = None
    message_id: int | None = None
    message: StoredMessage | None = None
    text: str | None = None  # callback-answer text, or the error description
    show_alert: bool = False
    method: str | None = None

    def describe(self) -> str:
        """One line for humans (used in timeout messages)."""
        if self.kind is BotEventKind.CALLBACK_ANSWERED:
            alert = " as alert" if self.show_alert else ""
            return (
                f"#{self.seq} answered a button press in chat {self.chat_id}{alert}: {self.text!r}"
            )
        if self.kind is BotEventKind.API_ERROR:
            return f"#{self.seq} {self.method} failed: {self.text}"
        verb = "sent" if self.kind is BotEventKind.MESSAGE_SENT else "edited"
        line = f"#{self.seq} {verb} message {self.message_id} in chat {self.chat_id}"
        if self.message is not None:
            line += f": {_shorten(self.message.plain_text or self.message.kind)!r}"
            if self.message.buttons:
                line += " [" + " | ".join(self.message.buttons) + "]"
        return line


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class EmulatorStats:
    """Counters for assertions about the bot's traffic."""

    sent_messages: int = 0
    edited_messages: int = 0
    too_many_requests: int = 0
    api_errors: int = 0
    calls: Counter[str] = field(default_factory=Counter)
