"""A local emulation of the Telegram Bot API.

- `bot.emulator.core`: `FakeTelegram`, the in-memory Bot API plus simulated users.
- `bot.emulator.request`: `EmulatorRequest`, PTB's transport to a FakeTelegram in-process.
- `bot.emulator.server`: `EmulatorServer`, the same FakeTelegram over loopback HTTP.
- `bot.emulator.terminal`: `TerminalChat`, a terminal chat UI for ``reed demo``.
"""

from bot.emulator.core import (
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
from bot.emulator.request import EmulatorRequest, RecordedCall

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
