"""A local emulation of the Telegram Bot API.

- `emulator.core`: `FakeTelegram`, the in-memory Bot API plus simulated users.
- `emulator.request`: `EmulatorRequest`, PTB's transport to a FakeTelegram in-process.
- `emulator.server`: `EmulatorServer`, the same FakeTelegram over loopback HTTP.
- `emulator.terminal`: `TerminalChat`, a terminal chat UI for ``reed demo``.
"""

from emulator.core import (
    BotEvent,
    BotEventKind,
    FakeChat,
    FakeTelegram,
    FakeUser,
    FloodLimits,
    InlineButton,
    StoredFile,
    StoredMessage,
    UploadedFile,
)
from emulator.request import EmulatorRequest, RecordedCall

__all__ = [
    "BotEvent",
    "BotEventKind",
    "EmulatorRequest",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FloodLimits",
    "InlineButton",
    "RecordedCall",
    "StoredFile",
    "StoredMessage",
    "UploadedFile",
]
