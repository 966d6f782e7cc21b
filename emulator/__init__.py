"""A local emulation of the Telegram Bot API, for tests, benchmarks and the demo.

Not part of the product: only ``bot.demo``, ``bot.bench`` and the tests import it.

- `FakeTelegram` (`emulator.fake_telegram`): the in-memory Bot API plus simulated users,
  composed of `emulator.api` (the Bot API methods), `emulator.users` (the people on the
  other side) and `emulator.observe` (what the bot did, and waiting for it).
- `emulator.request`: `EmulatorRequest`, PTB's transport to a FakeTelegram in-process.
- `emulator.server`: `EmulatorServer`, the same FakeTelegram over loopback HTTP.
- `emulator.terminal`: `TerminalChat`, a terminal chat UI for ``reed demo``.
"""

from emulator.fake_telegram import FakeTelegram
from emulator.flood import FloodLimits
from emulator.objects import (
    BotEvent,
    BotEventKind,
    FakeChat,
    FakeUser,
    InlineButton,
    JSONDict,
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
    "JSONDict",
    "RecordedCall",
    "StoredFile",
    "StoredMessage",
    "UploadedFile",
]
