"""What one emulated Telegram holds, and the steps both sides of it share.

`EmulatorState` is the base of `FakeTelegram`'s parts (`BotApi`, `SimulatedUsers`,
`Observation`): the chats and their messages, files, pending updates and the bot's events,
plus storing a message, queueing an update and reporting an event.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final

from emulator.flood import FloodControl, FloodLimits
from emulator.objects import (
    BotEvent,
    BotEventKind,
    EmulatorStats,
    FakeUser,
    JSONDict,
    StoredFile,
    StoredMessage,
)

TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
# Update types a bot receives when it never asked for specific ones (Bot API `allowed_updates`).
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)


def commands_key(scope: JSONDict | None, language_code: str) -> tuple[str, str]:
    """Where setMyCommands keeps a command list: its scope and language."""
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


async def wait_until_set(event: asyncio.Event, seconds: float) -> None:
    """Wait until ``event`` is set, or at most ``seconds``."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        pass


@dataclass
class ChatState:
    """One chat as Telegram holds it: its ``Chat`` object, messages, and the bot's standing."""

    api: JSONDict
    messages: OrderedDict[int, StoredMessage] = field(default_factory=OrderedDict)
    blocked: bool = False
    # The bot left this group with leaveChat: it can no longer send or receive there.
    left: bool = False
    # Private chats and basic groups share the bot's message-id sequence; supergroups
    # number their messages themselves (as in Telegram).
    own_sequence: bool = False
    next_local_id: int = 1
    reply_keyboard: list[list[JSONDict]] | None = None

    @property
    def is_group(self) -> bool:
        return self.api["type"] in ("group", "supergroup")


@dataclass
class OpenCallback:
    """A button press sent to the bot, until it answers it."""

    user_id: int
    chat_id: int
    message_id: int
    payload: JSONDict
    answered: bool = False


class EmulatorState:
    """The state of an emulated Telegram (see `FakeTelegram` for the arguments)."""

    def __init__(
        self,
        bot_token: str = "123456:TEST",
        bot_username: str = "reed_coach_bot",
        clock: Callable[[], datetime] | None = None,
        *,
        flood_limits: FloodLimits | None = None,
        monotonic: Callable[[], float] | None = None,
        bot_first_name: str = "ReEd Coach",
        history_limit: int = 1000,
    ) -> None:
        if not TOKEN_RE.fullmatch(bot_token):
            raise ValueError(f"not a bot token: {bot_token!r} (expected '<digits>:<secret>')")
        self.bot_token = bot_token
        self.bot_username = bot_username
        self.bot_id = int(bot_token.split(":", 1)[0])
        self.bot_first_name = bot_first_name
        self.stats = EmulatorStats()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._flood = (
            FloodControl(flood_limits, monotonic or time.monotonic) if flood_limits else None
        )
        self._history_limit = history_limit

        self._chats: dict[int, ChatState] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._next_message_id = 1
        self._callbacks: OrderedDict[str, OpenCallback] = OrderedDict()
        self._callback_counter = itertools.count(4_000_000_000_000_000_001)

        self._next_update_id = 1
        # Telegram forgets unconfirmed updates after a day; we bound the queue instead.
        self._pending: deque[JSONDict] = deque(maxlen=10_000)
        self._allowed_updates: frozenset[str] | None = None
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        self._webhook_url = ""
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

        self._events: deque[BotEvent] = deque(maxlen=2000)
        self._event_seq = 0
        self._events_changed = asyncio.Event()
        self._subscribers: list[asyncio.Queue[BotEvent]] = []
        self._user_action_seq = 0

    def _now(self) -> datetime:
        return self._clock()

    def _timestamp(self) -> int:
        return int(self._now().timestamp())

    def _bot_sender(self) -> JSONDict:
        # Messages carry the plain User object, without getMe's capability flags.
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _chat_member(self, status: str) -> JSONDict:
        """The bot as a ``ChatMember`` with ``status`` (for my_chat_member updates)."""
        member: JSONDict = {"user": self._bot_sender(), "status": status}
        if status == "kicked":
            member["until_date"] = 0  # 0: banned forever, which is what blocking means
        return member

    # ---------------------------------------------------------------- messages and files

    def _new_message_id(self, state: ChatState) -> int:
        if state.own_sequence:
            message_id = state.next_local_id
            state.next_local_id += 1
        else:
            message_id = self._next_message_id
            self._next_message_id += 1
        return message_id

    def _new_message(
        self, state: ChatState, sender: JSONDict, kind: str, content: JSONDict, **fields: Any
    ) -> StoredMessage:
        """Add a message from ``sender`` (a ``User`` object) to the chat, dated now."""
        date = self._now()
        message_id = self._new_message_id(state)
        api = {
            "message_id": message_id,
            "from": sender,
            "chat": dict(state.api),
            "date": int(date.timestamp()),
            **content,
        }
        message = StoredMessage(
            message_id=message_id,
            chat_id=state.api["id"],
            from_bot=sender["id"] == self.bot_id,
            sender_id=sender["id"],
            date=date,
            kind=kind,
            api=api,
            **fields,
        )
        self._store(state, message)
        return message

    def _store(self, state: ChatState, message: StoredMessage) -> None:
        state.messages[message.message_id] = message
        while len(state.messages) > self._history_limit:
            state.messages.popitem(last=False)

    def _new_file(
        self, filename: str, data: bytes, mime_type: str | None, folder: str
    ) -> StoredFile:
        number = next(self._file_counter)
        suffix = ""
        if "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1][:10]
        stored = StoredFile(
            file_id=f"EMU-{folder}-{number:06d}",
            file_unique_id=f"EMU{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            filename=filename,
            data=data,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ---------------------------------------------------------------- updates and events

    def _notify_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    def _enqueue(self, update_type: str, payload: JSONDict, *, by_user: bool = True) -> JSONDict:
        """Queue one update for the bot (unless its allowed_updates exclude it); return it."""
        update = {"update_id": self._next_update_id, update_type: copy.deepcopy(payload)}
        self._next_update_id += 1
        allowed = self._allowed_updates
        wanted = (
            update_type in allowed
            if allowed is not None
            else update_type not in _DEFAULT_EXCLUDED_UPDATES
        )
        if wanted:
            self._pending.append(update)
            self._notify_updates()
        if by_user:
            # The bot's reaction to this action is what `wait_for` looks for by default.
            self._user_action_seq = self._event_seq
        return update

    def _emit_message(self, kind: BotEventKind, message: StoredMessage) -> BotEvent:
        return self._emit(
            kind, chat_id=message.chat_id, message_id=message.message_id, message=message
        )

    def _emit(self, kind: BotEventKind, **fields: Any) -> BotEvent:
        """Report one action of the bot to `events`, subscribers and waiters."""
        self._event_seq += 1
        event = BotEvent(seq=self._event_seq, kind=kind, **fields)
        self._events.append(event)
        for queue in self._subscribers:
            queue.put_nowait(event)
        self._events_changed.set()
        self._events_changed = asyncio.Event()
        return event
