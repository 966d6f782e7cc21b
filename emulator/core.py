"""In-memory emulation of the Telegram Bot API.

`FakeTelegram` is the state machine behind every emulator transport: it keeps chats, messages,
files and pending updates, answers Bot API method calls with Telegram's response envelopes
(including Telegram's error texts for the mistakes a bot typically makes), and lets tests or a
terminal UI act as the humans on the other side (``user_sends_text``, ``user_presses`` …).

It knows nothing about HTTP: `emulator.request.EmulatorRequest` plugs it into PTB in-process
and `emulator.server.EmulatorServer` serves it over loopback HTTP.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import json
import math
import re
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, Literal, NamedTuple

from emulator.formatting import (
    PARSE_MODES,
    EntityParseError,
    FormattedText,
    parse_formatted_text,
    strip_formatted,
    utf16_len,
)

JSONDict = dict[str, Any]

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
# A live location shared "until I stop it" (Bot API live_period).
LIVE_PERIOD_FOREVER: Final = 0x7FFFFFFF
# The business connection of every simulated business message.
BUSINESS_CONNECTION_ID: Final = "EMU-business-connection-1"
# Telegram refuses to delete messages older than this ("can't be deleted for everyone").
DELETE_WINDOW: Final = timedelta(hours=48)

# Update types a bot receives when it never asked for specific ones (Bot API `allowed_updates`).
_DEFAULT_EXCLUDED_UPDATES: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# Keys whose values PTB sends JSON-encoded when it uses form parameters.
JSON_PARAMETERS: Final = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "menu_button",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
    }
)
_TOKEN_RE: Final = re.compile(r"\d+:[A-Za-z0-9_-]+")
_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_BOT_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
# A 1x1 transparent PNG, used as the picture a simulated user sends.
TINY_PNG: Final = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


# --------------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------------


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
class FloodLimits:
    """Bot API flood limits; sends beyond them are answered with 429 and ``retry_after``."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    group_per_minute: int = 20


@dataclass
class EmulatorStats:
    """Counters for assertions about the bot's traffic."""

    sent_messages: int = 0
    edited_messages: int = 0
    deleted_messages: int = 0
    too_many_requests: int = 0
    api_errors: int = 0
    calls: Counter[str] = field(default_factory=Counter)


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
    MESSAGE_DELETED = "message_deleted"
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
        verb = {
            BotEventKind.MESSAGE_SENT: "sent",
            BotEventKind.MESSAGE_EDITED: "edited",
            BotEventKind.MESSAGE_DELETED: "deleted",
        }[self.kind]
        line = f"#{self.seq} {verb} message {self.message_id} in chat {self.chat_id}"
        if self.message is not None:
            line += f": {_shorten(self.message.plain_text or self.message.kind)!r}"
            if self.message.buttons:
                line += " [" + " | ".join(self.message.buttons) + "]"
        return line


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# Errors and parameter decoding
# --------------------------------------------------------------------------------------------


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _bad_request(reason: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {reason}")


_NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_CHAT_NOT_FOUND: Final = "chat not found"


def decode_parameters(params: Mapping[str, Any]) -> JSONDict:
    """Decode the JSON-encoded nested objects in form-style parameters (reply_markup …).

    Values that are not valid JSON are kept as they are, so the API method can reject them.
    """
    decoded: JSONDict = {}
    for key, value in params.items():
        if key in JSON_PARAMETERS and isinstance(value, str):
            try:
                decoded[key] = json.loads(value)
            except ValueError:
                decoded[key] = value
        else:
            decoded[key] = value
    return decoded


class _Params:
    """Typed access to one call's parameters, failing the way Telegram does."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw = dict(raw)

    def raw(self, key: str) -> Any:
        return self._raw.get(key)

    def has(self, key: str) -> bool:
        return self._raw.get(key) not in (None, "")

    def get_str(self, key: str) -> str | None:
        value = self._raw.get(key)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise _bad_request(f'field "{key}" must be of type String')

    def get_int(self, key: str) -> int | None:
        value = self._raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise _bad_request(f'field "{key}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise _bad_request(f'field "{key}" must be of type Integer') from None

    def get_float(self, key: str) -> float | None:
        value = self._raw.get(key)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _bad_request(f'field "{key}" must be of type Float') from None

    def get_bool(self, key: str) -> bool:
        value = self._raw.get(key)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def get_json(self, key: str, invalid: str) -> Any:
        value = self._raw.get(key)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise _bad_request(invalid) from None
        return value

    def chat_id(self) -> int:
        value = self._raw.get("chat_id")
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        try:
            return self.get_int("chat_id") or 0
        except _ApiError:
            # "@channelusername": the emulator knows no public channels.
            raise _bad_request(_CHAT_NOT_FOUND) from None


# --------------------------------------------------------------------------------------------
# Reply markup
# --------------------------------------------------------------------------------------------

_INLINE_ACTIONS: Final = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
_URL_RE: Final = re.compile(r"(?:(?:https?|tg)://)?[^\s/:]+(?:[.:][^\s/]+)*(?:/\S*)?")
_MARKUP_JSON_ERROR: Final = "can't parse reply keyboard markup JSON object"


@dataclass(frozen=True)
class _Markup:
    kind: Literal["inline", "keyboard", "remove", "force_reply"]
    raw: JSONDict
    inline: list[list[InlineButton]] = field(default_factory=list)
    keyboard: list[list[JSONDict]] = field(default_factory=list)


def _parse_inline_keyboard(rows: Any) -> _Markup:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise _bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[InlineButton]] = []
    clean_rows: list[list[JSONDict]] = []
    for row in rows:
        parsed_row: list[InlineButton] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            actions = [key for key in _INLINE_ACTIONS if key in button]
            if not actions:
                raise _bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise _bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if "url" in button and (not isinstance(url, str) or not _URL_RE.fullmatch(url)):
                raise _bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            parsed_row.append(InlineButton(button["text"], data if data is not None else url))
        parsed.append(parsed_row)
        clean_rows.append([dict(button) for button in row])
    if sum(len(row) for row in parsed) > MAX_INLINE_BUTTONS:
        raise _bad_request("reply markup is too long")
    return _Markup("inline", {"inline_keyboard": clean_rows}, inline=parsed)


def _parse_reply_markup(params: _Params, *, inline_only: bool = False) -> _Markup | None:
    markup = params.get_json("reply_markup", _MARKUP_JSON_ERROR)
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad_request(_MARKUP_JSON_ERROR)
    if "inline_keyboard" in markup:
        return _parse_inline_keyboard(markup["inline_keyboard"])
    if inline_only:
        raise _bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad_request(_MARKUP_JSON_ERROR)
        keyboard = [
            [dict(b) if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows
        ]
        if any(
            not isinstance(b.get("text"), str) or not b["text"] for row in keyboard for b in row
        ):
            raise _bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return _Markup("keyboard", dict(markup), keyboard=keyboard)
    if markup.get("remove_keyboard"):
        return _Markup("remove", dict(markup))
    if markup.get("force_reply"):
        return _Markup("force_reply", dict(markup))
    raise _bad_request(_MARKUP_JSON_ERROR)


# --------------------------------------------------------------------------------------------
# Flood control
# --------------------------------------------------------------------------------------------


class _FloodControl:
    """Sliding one-second / one-minute windows of successful sends."""

    def __init__(self, limits: FloodLimits, monotonic: Callable[[], float]) -> None:
        self._limits = limits
        self._now = monotonic
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def acquire(self, chat_id: int, is_group: bool) -> int | None:
        """Record a send and return None, or return the seconds to wait (nothing recorded)."""
        now = self._now()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        history = self._per_chat.setdefault(chat_id, deque())
        while history and history[0] <= now - 60.0:
            history.popleft()
        waits: list[float] = []
        if len(self._global) >= self._limits.global_per_second:
            waits.append(self._global[0] + 1.0 - now)
        last_second = [t for t in history if t > now - 1.0]
        if len(last_second) >= self._limits.per_chat_per_second:
            waits.append(last_second[0] + 1.0 - now)
        if is_group and len(history) >= self._limits.group_per_minute:
            waits.append(history[0] + 60.0 - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._global.append(now)
        history.append(now)
        return None


# --------------------------------------------------------------------------------------------
# The emulator
# --------------------------------------------------------------------------------------------


@dataclass
class _ChatState:
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
    menu_button: JSONDict | None = None

    @property
    def is_group(self) -> bool:
        return self.api["type"] in ("group", "supergroup")


@dataclass
class _OpenCallback:
    user_id: int
    chat_id: int
    message_id: int
    payload: JSONDict
    answered: bool = False


_Handler = Callable[[_Params], Awaitable[Any]]


class FakeTelegram:
    """An in-memory Telegram Bot API with simulated users.

    Bot side: `call` (what the transports use). User side: the ``user_*`` methods and
    `group_message`, each of which enqueues one Bot API update and returns it. Observation:
    `messages` & co., `subscribe`, `wait_for`.

    Args:
        bot_token: the token the bot must use (``<bot id>:<secret>``).
        bot_username: the bot's @username (without "@").
        clock: returns the current time as an aware UTC datetime (message dates, the 48h
            deletion window). Defaults to the real time.
        flood_limits: enable 429 flood control; off when None.
        monotonic: returns seconds for the flood-control windows; defaults to time.monotonic.
        history_limit: messages kept per chat (the oldest are forgotten).
    """

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
        if not _TOKEN_RE.fullmatch(bot_token):
            raise ValueError(f"not a bot token: {bot_token!r} (expected '<digits>:<secret>')")
        self.bot_token = bot_token
        self.bot_username = bot_username
        self.bot_id = int(bot_token.split(":", 1)[0])
        self.bot_first_name = bot_first_name
        self.stats = EmulatorStats()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._flood = (
            _FloodControl(flood_limits, monotonic or time.monotonic) if flood_limits else None
        )
        self._history_limit = history_limit

        self._chats: dict[int, _ChatState] = {}
        self._users: dict[int, FakeUser] = {}
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._next_message_id = 1
        self._callbacks: OrderedDict[str, _OpenCallback] = OrderedDict()
        self._callback_counter = itertools.count(4_000_000_000_000_000_001)

        self._next_update_id = 1
        # Telegram forgets unconfirmed updates after a day; we bound the queue instead.
        self._pending: deque[JSONDict] = deque(maxlen=10_000)
        self._allowed_updates: frozenset[str] | None = None
        self._updates_changed = asyncio.Event()
        self._poll_generation = 0
        self._webhook_url = ""
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._default_menu_button: JSONDict | None = None

        self._events: deque[BotEvent] = deque(maxlen=2000)
        self._event_seq = 0
        self._events_changed = asyncio.Event()
        self._subscribers: list[asyncio.Queue[BotEvent]] = []
        self._user_action_seq = 0

        handlers: list[tuple[str, _Handler]] = [
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("deleteWebhook", self._delete_webhook),
            ("setWebhook", self._set_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("getFile", self._get_file),
            ("sendChatAction", self._send_chat_action),
            ("setChatMenuButton", self._set_chat_menu_button),
            ("getChatMenuButton", self._get_chat_menu_button),
            ("close", self._close),
            ("logOut", self._close),
            ("getChat", self._get_chat),
            ("leaveChat", self._leave_chat),
        ]
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler) for name, handler in handlers
        }

    # ---------------------------------------------------------------- bot-side entry points

    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object (what getMe returns)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _bot_sender(self) -> JSONDict:
        # Messages carry the plain User object, without getMe's capability flags.
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def token_error(self, token: str) -> JSONDict | None:
        """The response Telegram gives for a request made with ``token`` if it isn't ours.

        A well-formed but wrong token gets 401 Unauthorized; a malformed one 404 Not Found.
        """
        if token == self.bot_token:
            return None
        if _TOKEN_RE.fullmatch(token):
            return {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return {"ok": False, "error_code": 404, "description": "Not Found"}

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> JSONDict:
        """Run one Bot API method and return Telegram's response envelope.

        ``params`` may hold typed values (JSON bodies), strings with JSON-encoded nested
        objects (form bodies), and `UploadedFile` values for multipart uploads.
        Method names are case-insensitive; unknown ones get 404 "Not Found".
        """
        entry = self._methods.get(method.lower())
        if entry is None:
            self.stats.calls[method] += 1
            return {"ok": False, "error_code": 404, "description": "Not Found"}
        name, handler = entry
        self.stats.calls[name] += 1
        try:
            result = await handler(_Params(params or {}))
        except _ApiError as error:
            return self._error_response(name, params or {}, error)
        return {"ok": True, "result": result}

    def _error_response(self, method: str, params: Mapping[str, Any], error: _ApiError) -> JSONDict:
        self.stats.api_errors += 1
        if error.code == 429:
            self.stats.too_many_requests += 1
        try:
            chat_id = _Params(params).get_int("chat_id")
        except _ApiError:
            chat_id = None
        self._emit(BotEventKind.API_ERROR, chat_id=chat_id, text=error.description, method=method)
        response: JSONDict = {
            "ok": False,
            "error_code": error.code,
            "description": error.description,
        }
        if error.retry_after is not None:
            response["parameters"] = {"retry_after": error.retry_after}
        return response

    def file_bytes(self, file_path: str) -> bytes | None:
        """Content behind a getFile ``file_path`` (for ``/file/bot<token>/<path>``)."""
        stored = self._files_by_path.get(file_path)
        return stored.data if stored else None

    # ---------------------------------------------------------------- inspection

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Current state of the chat's messages (users' and bot's), oldest first."""
        state = self._chats.get(chat_id)
        return list(state.messages.values()) if state else []

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """Current state of the bot's messages in the chat, oldest first."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> StoredMessage:
        """The bot's most recent (not deleted) message in the chat.

        Raises:
            LookupError: if the bot has no message there.
        """
        for message in reversed(self.messages(chat_id)):
            if message.from_bot:
                return message
        raise LookupError(f"the bot has no messages in chat {chat_id}")

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        """One message's current state. Raises KeyError if unknown or deleted."""
        state = self._chats.get(chat_id)
        if state is None or message_id not in state.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return state.messages[message_id]

    def active_reply_keyboard(self, chat_id: int) -> list[list[JSONDict]] | None:
        """The reply keyboard the user currently sees in the chat, if any."""
        state = self._chats.get(chat_id)
        return state.reply_keyboard if state else None

    def has_left(self, chat_id: int) -> bool:
        """Whether the bot has left the group chat with leaveChat."""
        state = self._chats.get(chat_id)
        return bool(state and state.left)

    def is_blocked(self, user_id: int) -> bool:
        """Whether the user has blocked the bot."""
        state = self._chats.get(user_id)
        return bool(state and state.blocked)

    def my_commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands the bot registered with setMyCommands for that scope and language."""
        return list(self._commands.get(_commands_key(scope, language_code), []))

    def chat_menu_button(self, chat_id: int | None = None) -> JSONDict | None:
        """What setChatMenuButton stored for the chat (None: default)."""
        if chat_id is None:
            return self._default_menu_button
        state = self._chats.get(chat_id)
        return state.menu_button if state else None

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id."""
        return self._files.get(file_id)

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed by getUpdates' offset."""
        return len(self._pending)

    def pop_pending_updates(self) -> list[JSONDict]:
        """Take all pending updates (for tests that call ``Application.process_update``)."""
        updates = list(self._pending)
        self._pending.clear()
        return updates

    def unanswered_callback_queries(self) -> list[JSONDict]:
        """Callback queries (button presses) the bot has not answered yet."""
        return [c.payload for c in self._callbacks.values() if not c.answered]

    # ---------------------------------------------------------------- events

    @property
    def event_seq(self) -> int:
        """Sequence number of the latest bot event (0 before the first)."""
        return self._event_seq

    def events(self, since: int = 0) -> list[BotEvent]:
        """Remembered bot events with ``seq > since``, oldest first."""
        return [e for e in self._events if e.seq > since]

    def subscribe(self) -> asyncio.Queue[BotEvent]:
        """A queue that receives every future bot event. Call `unsubscribe` when done."""
        queue: asyncio.Queue[BotEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[BotEvent]) -> None:
        """Stop delivering events to ``queue``."""
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    def _emit(self, kind: BotEventKind, **fields: Any) -> BotEvent:
        self._event_seq += 1
        event = BotEvent(seq=self._event_seq, kind=kind, **fields)
        self._events.append(event)
        for queue in self._subscribers:
            queue.put_nowait(event)
        self._events_changed.set()
        self._events_changed = asyncio.Event()
        return event

    async def wait_for(
        self,
        predicate: Callable[[BotEvent], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors asyncio.wait_for's signature
        *,
        since: int | None = None,
    ) -> BotEvent:
        """Wait for a bot event matching ``predicate`` and return it.

        Only events after ``since`` count; by default that is the moment of the latest
        simulated user action, so "user does X, then wait for the bot's reaction" works even
        if the bot reacted before this call. To wait for a *further* matching event, pass
        ``since=previous_event.seq``.

        Raises:
            TimeoutError: listing what the bot did meanwhile (including failed API calls).
        """
        start = self._user_action_seq if since is None else since
        checked = start
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in self._events:
                if event.seq > checked:
                    checked = event.seq
                    if predicate(event):
                        return event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._describe_since(start, timeout))
            changed = self._events_changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    async def wait_for_bot_message(
        self,
        chat_id: int | None = None,
        *,
        contains: str | None = None,
        include_edits: bool = False,
        timeout: float = 5.0,  # noqa: ASYNC109 - same contract as wait_for
        since: int | None = None,
    ) -> StoredMessage:
        """Wait until the bot sends (or edits, if asked) a message matching the filters."""
        kinds = {BotEventKind.MESSAGE_SENT}
        if include_edits:
            kinds.add(BotEventKind.MESSAGE_EDITED)

        def matches(event: BotEvent) -> bool:
            return (
                event.kind in kinds
                and event.message is not None
                and (chat_id is None or event.chat_id == chat_id)
                and (contains is None or contains in event.message.plain_text)
            )

        event = await self.wait_for(matches, timeout, since=since)
        assert event.message is not None  # guaranteed by `matches`
        return event.message

    def _describe_since(self, start: int, timeout: float) -> str:
        events = self.events(start)
        header = f"no matching bot event within {timeout:g}s"
        if not events:
            return f"{header}; the bot did nothing since event #{start}"
        shown = events[-20:]
        lines = [e.describe() for e in shown]
        skipped = len(events) - len(shown)
        if skipped:
            lines.insert(0, f"... {skipped} earlier events")
        return f"{header}; since event #{start} the bot did:\n  " + "\n  ".join(lines)

    # ---------------------------------------------------------------- helpers

    def _now(self) -> datetime:
        return self._clock()

    def _timestamp(self) -> int:
        return int(self._now().timestamp())

    def _target_chat(self, params: _Params, *, sending: bool = True) -> _ChatState:
        state = self._chats.get(params.chat_id())
        if state is None:
            raise _bad_request(_CHAT_NOT_FOUND)
        if sending and state.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        if sending and state.left:
            raise _ApiError(403, f"Forbidden: bot is not a member of the {state.api['type']} chat")
        return state

    def _new_message_id(self, state: _ChatState) -> int:
        if state.own_sequence:
            message_id = state.next_local_id
            state.next_local_id += 1
        else:
            message_id = self._next_message_id
            self._next_message_id += 1
        return message_id

    def _store(self, state: _ChatState, message: StoredMessage) -> None:
        state.messages[message.message_id] = message
        while len(state.messages) > self._history_limit:
            state.messages.popitem(last=False)

    def _check_flood(self, state: _ChatState) -> None:
        if self._flood is None:
            return
        retry_after = self._flood.acquire(state.api["id"], state.is_group)
        if retry_after is not None:
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    @staticmethod
    def _parse_mode(params: _Params, key: str = "parse_mode") -> str | None:
        mode = params.get_str(key)
        if not mode:
            return None
        canonical = PARSE_MODES.get(mode.lower())
        if canonical is None:
            raise _bad_request("unsupported parse_mode")
        return canonical

    @staticmethod
    def _format(text: str, parse_mode: str | None) -> FormattedText:
        try:
            return parse_formatted_text(text, parse_mode)
        except EntityParseError as error:
            raise _bad_request(f"can't parse entities: {error}") from None

    def _formatted_text(self, params: _Params) -> tuple[str, str | None, FormattedText]:
        text = params.get_str("text")
        if not text:
            raise _bad_request("message text is empty")
        parse_mode = self._parse_mode(params)
        formatted = strip_formatted(self._format(text, parse_mode))
        if not formatted.text:
            raise _bad_request("message text is empty")
        if len(formatted.text) > MAX_TEXT_LENGTH:
            raise _bad_request("message is too long")
        return text, parse_mode, formatted

    def _formatted_caption(self, params: _Params) -> tuple[str | None, str | None, FormattedText]:
        caption = params.get_str("caption") or None
        parse_mode = self._parse_mode(params)
        formatted = strip_formatted(self._format(caption or "", parse_mode))
        if len(formatted.text) > MAX_CAPTION_LENGTH:
            raise _bad_request("message caption is too long")
        return caption, parse_mode, formatted

    def _reply_target(self, params: _Params, state: _ChatState) -> StoredMessage | None:
        reply = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
        reply_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            reply_id = _Params(reply).get_int("message_id")
            allow_missing = _Params(reply).get_bool("allow_sending_without_reply")
        if reply_id is None:
            return None
        target = state.messages.get(reply_id)
        if target is None and not allow_missing:
            raise _bad_request("message to be replied not found")
        return target

    def _message_api(
        self,
        message_id: int,
        state: _ChatState,
        sender: JSONDict,
        date: int,
        content: JSONDict,
    ) -> JSONDict:
        return {
            "message_id": message_id,
            "from": sender,
            "chat": dict(state.api),
            "date": date,
            **content,
        }

    def _bot_content(
        self,
        formatted: FormattedText,
        *,
        text_key: str,
        markup: _Markup | None,
        reply_to: StoredMessage | None,
    ) -> JSONDict:
        content: JSONDict = {}
        if reply_to is not None:
            content["reply_to_message"] = {
                k: v for k, v in reply_to.api.items() if k != "reply_to_message"
            }
        if formatted.text or text_key == "text":
            content[text_key] = formatted.text
            entities_key = "entities" if text_key == "text" else "caption_entities"
            if formatted.entities:
                content[entities_key] = formatted.entities
        if markup is not None and markup.kind == "inline":
            # Telegram echoes only inline keyboards back in the Message object.
            content["reply_markup"] = markup.raw
        return content

    def _store_bot_message(
        self,
        state: _ChatState,
        *,
        kind: str,
        content: JSONDict,
        markup: _Markup | None,
        text: str | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        photo: StoredFile | None = None,
        document: StoredFile | None = None,
    ) -> StoredMessage:
        self._check_flood(state)
        date = self._now()
        message_id = self._new_message_id(state)
        api = self._message_api(
            message_id, state, self._bot_sender(), int(date.timestamp()), content
        )
        if markup is not None and markup.kind == "keyboard":
            state.reply_keyboard = markup.keyboard
        elif markup is not None and markup.kind == "remove":
            state.reply_keyboard = None
        message = StoredMessage(
            message_id=message_id,
            chat_id=state.api["id"],
            from_bot=True,
            sender_id=self.bot_id,
            date=date,
            kind=kind,
            text=text,
            caption=caption,
            parse_mode=parse_mode,
            inline_keyboard=markup.inline if markup else [],
            reply_keyboard=markup.keyboard if markup else [],
            photo=photo,
            document=document,
            api=api,
        )
        self._store(state, message)
        self.stats.sent_messages += 1
        self._emit(
            BotEventKind.MESSAGE_SENT,
            chat_id=message.chat_id,
            message_id=message_id,
            message=message,
        )
        return message

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

    async def _input_file(self, params: _Params, key: str, folder: str) -> StoredFile:
        value = params.raw(key)
        if isinstance(value, str) and value.startswith("attach://"):
            value = params.raw(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile):
            return self._new_file(value.filename, value.content, value.mime_type, folder)
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is not None:
                return known
            if re.match(r"https?://", value):
                # We can't download it; remember the URL as the file's name.
                name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
                return self._new_file(name, b"", None, folder)
            raise _bad_request("wrong file identifier/HTTP URL specified")
        raise _bad_request(f"there is no {key} in the request")

    def _editable_message(
        self, params: _Params, not_found: str
    ) -> tuple[_ChatState, StoredMessage]:
        if params.has("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise _bad_request("message identifier is not specified")
        message = state.messages.get(message_id)
        if message is None:
            raise _bad_request(not_found)
        if not message.from_bot:
            raise _bad_request("message can't be edited")
        return state, message

    def _apply_edit(
        self, state: _ChatState, message: StoredMessage, api: JSONDict, **changes: Any
    ) -> StoredMessage:
        api["edit_date"] = self._timestamp()
        edited = replace(message, api=api, edited=message.edited + 1, **changes)
        state.messages[message.message_id] = edited
        self.stats.edited_messages += 1
        self._emit(
            BotEventKind.MESSAGE_EDITED,
            chat_id=edited.chat_id,
            message_id=edited.message_id,
            message=edited,
        )
        return edited

    # ---------------------------------------------------------------- API methods

    async def _get_me(self, params: _Params) -> JSONDict:
        return self.bot_user()

    async def _close(self, params: _Params) -> bool:
        return True

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        if offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            while len(self._pending) > -offset:
                self._pending.popleft()
            return
        while self._pending and self._pending[0]["update_id"] < offset:
            self._pending.popleft()

    def _notify_updates(self) -> None:
        self._updates_changed.set()
        self._updates_changed = asyncio.Event()

    async def _get_updates(self, params: _Params) -> list[JSONDict]:
        if self._webhook_url:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = params.get_int("offset")
        limit = min(max(params.get_int("limit") or 100, 1), 100)
        timeout = max(params.get_float("timeout") or 0.0, 0.0)
        allowed = params.get_json("allowed_updates", "can't parse allowed updates")
        if isinstance(allowed, list):
            # An empty list means "back to the default set" for Telegram.
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        self._confirm(offset)
        # A newer getUpdates terminates an older one that is still waiting, as in Telegram.
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify_updates()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if generation != self._poll_generation:
                raise _ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0:
                return list(itertools.islice(self._pending, limit))
            changed = self._updates_changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                pass

    async def _delete_webhook(self, params: _Params) -> bool:
        self._webhook_url = ""
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _set_webhook(self, params: _Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise _bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        # Webhook delivery is not emulated; the URL only makes getUpdates fail, as in Telegram.
        self._webhook_url = url
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: _Params) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _set_my_commands(self, params: _Params) -> bool:
        commands = params.get_json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise _bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad_request("too many commands specified")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        key = self._commands_key(params)
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    def _commands_key(self, params: _Params) -> tuple[str, str]:
        scope = params.get_json("scope", "can't parse BotCommandScope JSON object")
        if scope is not None and not isinstance(scope, dict):
            raise _bad_request("can't parse BotCommandScope JSON object")
        return _commands_key(scope, params.get_str("language_code") or "")

    async def _get_my_commands(self, params: _Params) -> list[JSONDict]:
        return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: _Params) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _send_message(self, params: _Params) -> JSONDict:
        state = self._target_chat(params)
        text, parse_mode, formatted = self._formatted_text(params)
        markup = _parse_reply_markup(params)
        reply_to = self._reply_target(params, state)
        content = self._bot_content(formatted, text_key="text", markup=markup, reply_to=reply_to)
        message = self._store_bot_message(
            state, kind="text", content=content, markup=markup, text=text, parse_mode=parse_mode
        )
        return message.api

    async def _send_photo(self, params: _Params) -> JSONDict:
        state = self._target_chat(params)
        caption, parse_mode, formatted = self._formatted_caption(params)
        markup = _parse_reply_markup(params)
        reply_to = self._reply_target(params, state)
        photo = await self._input_file(params, "photo", "photos")
        width, height = _image_size(photo.data)
        content = self._bot_content(formatted, text_key="caption", markup=markup, reply_to=reply_to)
        content["photo"] = [
            {
                "file_id": photo.file_id,
                "file_unique_id": photo.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(photo.data),
            }
        ]
        message = self._store_bot_message(
            state,
            kind="photo",
            content=content,
            markup=markup,
            caption=caption,
            parse_mode=parse_mode,
            photo=photo,
        )
        return message.api

    async def _send_document(self, params: _Params) -> JSONDict:
        state = self._target_chat(params)
        caption, parse_mode, formatted = self._formatted_caption(params)
        markup = _parse_reply_markup(params)
        reply_to = self._reply_target(params, state)
        document = await self._input_file(params, "document", "documents")
        content = self._bot_content(formatted, text_key="caption", markup=markup, reply_to=reply_to)
        content["document"] = {
            "file_id": document.file_id,
            "file_unique_id": document.file_unique_id,
            "file_name": document.filename,
            "file_size": len(document.data),
        }
        if document.mime_type:
            content["document"]["mime_type"] = document.mime_type
        message = self._store_bot_message(
            state,
            kind="document",
            content=content,
            markup=markup,
            caption=caption,
            parse_mode=parse_mode,
            document=document,
        )
        return message.api

    async def _edit_message_text(self, params: _Params) -> JSONDict:
        state, message = self._editable_message(params, "message to edit not found")
        text, parse_mode, formatted = self._formatted_text(params)
        if message.text is None:
            raise _bad_request("there is no text in the message to edit")
        markup = _parse_reply_markup(params, inline_only=True)
        new_markup = markup.raw if markup else None
        api = dict(message.api)
        if (
            api.get("text") == formatted.text
            and api.get("entities", []) == formatted.entities
            and api.get("reply_markup") == new_markup
        ):
            raise _bad_request(_NOT_MODIFIED)
        api["text"] = formatted.text
        api.pop("entities", None)
        if formatted.entities:
            api["entities"] = formatted.entities
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        api.pop("reply_markup", None)
        if new_markup is not None:
            api["reply_markup"] = new_markup
        edited = self._apply_edit(
            state,
            message,
            api,
            text=text,
            parse_mode=parse_mode,
            inline_keyboard=markup.inline if markup else [],
        )
        return edited.api

    async def _edit_message_caption(self, params: _Params) -> JSONDict:
        state, message = self._editable_message(params, "message to edit not found")
        if message.kind not in ("photo", "document"):
            raise _bad_request("there is no caption in the message to edit")
        caption, parse_mode, formatted = self._formatted_caption(params)
        markup = _parse_reply_markup(params, inline_only=True)
        new_markup = markup.raw if markup else None
        api = dict(message.api)
        if (
            api.get("caption", "") == formatted.text
            and api.get("caption_entities", []) == formatted.entities
            and api.get("reply_markup") == new_markup
        ):
            raise _bad_request(_NOT_MODIFIED)
        for key in ("caption", "caption_entities", "reply_markup"):
            api.pop(key, None)
        if formatted.text:
            api["caption"] = formatted.text
        if formatted.entities:
            api["caption_entities"] = formatted.entities
        if new_markup is not None:
            api["reply_markup"] = new_markup
        edited = self._apply_edit(
            state,
            message,
            api,
            caption=caption,
            parse_mode=parse_mode,
            inline_keyboard=markup.inline if markup else [],
        )
        return edited.api

    async def _edit_message_reply_markup(self, params: _Params) -> JSONDict:
        state, message = self._editable_message(params, "message to edit not found")
        markup = _parse_reply_markup(params, inline_only=True)
        new_markup = markup.raw if markup else None
        if message.api.get("reply_markup") == new_markup:
            raise _bad_request(_NOT_MODIFIED)
        api = dict(message.api)
        api.pop("reply_markup", None)
        if new_markup is not None:
            api["reply_markup"] = new_markup
        edited = self._apply_edit(
            state, message, api, inline_keyboard=markup.inline if markup else []
        )
        return edited.api

    async def _delete_message(self, params: _Params) -> bool:
        state = self._target_chat(params, sending=False)
        message_id = params.get_int("message_id")
        message = state.messages.get(message_id) if message_id is not None else None
        if message is None:
            raise _bad_request("message to delete not found")
        if self._now() - message.date > DELETE_WINDOW:
            raise _bad_request("message can't be deleted for everyone")
        del state.messages[message.message_id]
        self.stats.deleted_messages += 1
        self._emit(
            BotEventKind.MESSAGE_DELETED,
            chat_id=message.chat_id,
            message_id=message.message_id,
            message=message,
        )
        return True

    async def _answer_callback_query(self, params: _Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        callback = self._callbacks.get(query_id)
        if callback is None or callback.answered:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text") or None
        if text is not None and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        callback.answered = True
        self._emit(
            BotEventKind.CALLBACK_ANSWERED,
            chat_id=callback.chat_id,
            message_id=callback.message_id,
            text=text,
            show_alert=params.get_bool("show_alert"),
        )
        return True

    async def _get_file(self, params: _Params) -> JSONDict:
        stored = self._files.get(params.get_str("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        return stored.to_api()

    async def _send_chat_action(self, params: _Params) -> bool:
        self._target_chat(params)
        if params.get_str("action") not in _CHAT_ACTIONS:
            raise _bad_request("wrong parameter action in request")
        return True

    async def _set_chat_menu_button(self, params: _Params) -> bool:
        button = params.get_json("menu_button", "can't parse menu button JSON object")
        if button is not None and not isinstance(button, dict):
            raise _bad_request("can't parse menu button JSON object")
        if params.has("chat_id"):
            self._target_chat(params, sending=False).menu_button = button
        else:
            self._default_menu_button = button
        return True

    async def _get_chat_menu_button(self, params: _Params) -> JSONDict:
        button = (
            self._target_chat(params, sending=False).menu_button
            if params.has("chat_id")
            else self._default_menu_button
        )
        return button or {"type": "default"}

    async def _get_chat(self, params: _Params) -> JSONDict:
        state = self._target_chat(params, sending=False)
        return {
            **state.api,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _leave_chat(self, params: _Params) -> bool:
        state = self._target_chat(params)
        if not state.is_group:
            raise _bad_request("chat member status can't be changed in private chats")
        state.left = True
        # Telegram tells the bot about its own departure, as a my_chat_member update.
        payload = {
            "chat": dict(state.api),
            "from": self._bot_sender(),
            "date": self._timestamp(),
            "old_chat_member": self._chat_member("member"),
            "new_chat_member": self._chat_member("left"),
        }
        self._enqueue("my_chat_member", payload)
        return True

    # ---------------------------------------------------------------- user side

    def _enqueue(self, update_type: str, payload: JSONDict) -> JSONDict:
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
        # The bot's reaction to this action is what `wait_for` looks for by default.
        self._user_action_seq = self._event_seq
        return update

    def _private_state(self, user: FakeUser) -> _ChatState:
        self._users[user.id] = user
        state = self._chats.get(user.id)
        chat_api: JSONDict = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            chat_api["last_name"] = user.last_name
        if user.username:
            chat_api["username"] = user.username
        if state is None:
            state = self._chats[user.id] = _ChatState(api=chat_api)
        else:
            state.api = chat_api
        return state

    def _chat_state(self, user: FakeUser, chat: FakeChat | None) -> _ChatState:
        if chat is None:
            state = self._private_state(user)
            if state.blocked:
                raise ValueError(
                    f"user {user.id} has blocked the bot; call user_unblocks_bot() first"
                )
            return state
        if chat.type not in ("group", "supergroup"):
            raise ValueError(f"group chats have type 'group' or 'supergroup', not {chat.type!r}")
        self._users[user.id] = user
        group = self._chats.get(chat.id)
        if group is None:
            group = self._chats[chat.id] = _ChatState(
                api=chat.to_api(), own_sequence=chat.type == "supergroup"
            )
        if group.left:
            raise ValueError(f"the bot has left chat {chat.id}; it sees nothing written there")
        return group

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat | None,
        kind: str,
        content: JSONDict,
        **fields: Any,
    ) -> JSONDict:
        state = self._chat_state(user, chat)
        message = self._store_user_message(state, user, kind, content, **fields)
        return self._enqueue("message", message.api)

    def _store_user_message(
        self, state: _ChatState, user: FakeUser, kind: str, content: JSONDict, **fields: Any
    ) -> StoredMessage:
        date = self._now()
        message_id = self._new_message_id(state)
        api = self._message_api(message_id, state, user.to_api(), int(date.timestamp()), content)
        message = StoredMessage(
            message_id=message_id,
            chat_id=state.api["id"],
            from_bot=False,
            sender_id=user.id,
            date=date,
            kind=kind,
            api=api,
            **fields,
        )
        self._store(state, message)
        return message

    @staticmethod
    def _text_content(text: str) -> JSONDict:
        if not text.strip():
            raise ValueError("Telegram does not let users send empty messages")
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError("Telegram splits texts over 4096 characters; send shorter ones")
        content: JSONDict = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}
            ]
        return content

    def users_have_started(self, users: Iterable[FakeUser]) -> None:
        """These users opened a private chat with the bot earlier (no update is queued).

        For seeding many patients at once, e.g. in benchmarks, where going through /start for
        each would measure the wrong thing.
        """
        for user in users:
            self._private_state(user)

    def user_sends_text(self, user: FakeUser, text: str, chat: FakeChat | None = None) -> JSONDict:
        """The user sends ``text`` in their private chat (or in ``chat``, a group).

        A leading command ("/start abc") gets a ``bot_command`` entity, as in Telegram.
        """
        return self._user_message(user, chat, "text", self._text_content(text), text=text)

    def group_message(self, user: FakeUser, group_chat: FakeChat, text: str) -> JSONDict:
        """The user writes ``text`` in a group or supergroup the bot is in."""
        return self.user_sends_text(user, text, chat=group_chat)

    def user_sends_location(
        self,
        user: FakeUser,
        latitude: float,
        longitude: float,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user shares a location (e.g. via a request_location keyboard button)."""
        content = {"location": _location(latitude, longitude)}
        return self._user_message(user, chat, "location", content, location=(latitude, longitude))

    def user_shares_live_location(
        self,
        user: FakeUser,
        latitude: float,
        longitude: float,
        live_period: int = 900,
        *,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user starts sharing their live location for ``live_period`` seconds.

        Move it with `user_moves_live_location` while the period lasts.
        """
        if not (60 <= live_period <= 86400 or live_period == LIVE_PERIOD_FOREVER):
            raise ValueError(f"Telegram accepts live periods of 60 to 86400 s, not {live_period}")
        content = {"location": _location(latitude, longitude, live_period=live_period)}
        return self._user_message(user, chat, "location", content, location=(latitude, longitude))

    def user_moves_live_location(
        self,
        user: FakeUser,
        message_id: int,
        latitude: float,
        longitude: float,
        *,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user's live location moves: Telegram sends an ``edited_message`` per position."""
        state = self._chat_state(user, chat)
        message = self._own_message(state, user, message_id)
        location = message.api.get("location", {})
        live_period = location.get("live_period")
        if live_period is None:
            raise ValueError(f"message {message_id} is not a live location")
        if live_period != LIVE_PERIOD_FOREVER and self._now() >= message.date + timedelta(
            seconds=live_period
        ):
            raise ValueError(f"the live location in message {message_id} has expired")
        api = {
            **message.api,
            "location": _location(latitude, longitude, live_period=live_period),
            "edit_date": self._timestamp(),
        }
        state.messages[message_id] = replace(
            message, location=(latitude, longitude), api=api, edited=message.edited + 1
        )
        return self._enqueue("edited_message", api)

    def user_sends_business_message(self, user: FakeUser, text: str) -> JSONDict:
        """A message the user writes to a business account the bot is connected to.

        It arrives as a ``business_message`` update carrying a ``business_connection_id``,
        in the user's private chat.
        """
        state = self._private_state(user)
        content = {**self._text_content(text), "business_connection_id": BUSINESS_CONNECTION_ID}
        message = self._store_user_message(state, user, "text", content, text=text)
        return self._enqueue("business_message", message.api)

    def user_edits_business_message(self, user: FakeUser, message_id: int, text: str) -> JSONDict:
        """The user edits a business message → an ``edited_business_message`` update."""
        state = self._private_state(user)
        message = self._own_message(state, user, message_id)
        if "business_connection_id" not in message.api:
            raise ValueError(f"message {message_id} is not a business message")
        return self._enqueue("edited_business_message", self._edit_text(state, message, text))

    def user_sends_sticker(self, user: FakeUser, chat: FakeChat | None = None) -> JSONDict:
        """The user sends a (thumbs-up) sticker."""
        content = {
            "sticker": {
                "file_id": "EMU-sticker-thumbs-up",
                "file_unique_id": "EMUsticker1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        }
        return self._user_message(user, chat, "sticker", content)

    def user_sends_photo(
        self,
        user: FakeUser,
        data: bytes = TINY_PNG,
        caption: str | None = None,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user sends a picture; the bot can fetch it with getFile."""
        stored = self._new_file("photo.png", data, "image/png", "photos")
        width, height = _image_size(data)
        content: JSONDict = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(data),
                }
            ]
        }
        if caption:
            content["caption"] = caption
        return self._user_message(user, chat, "photo", content, photo=stored, caption=caption)

    def user_sends_contact(
        self,
        user: FakeUser,
        phone_number: str = "+15555550123",
        first_name: str | None = None,
        contact_user_id: int | None = None,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user shares a contact (by default their own, as a request_contact button does)."""
        contact: JSONDict = {
            "phone_number": phone_number,
            "first_name": first_name or user.first_name,
            "user_id": user.id if contact_user_id is None else contact_user_id,
        }
        return self._user_message(user, chat, "contact", {"contact": contact})

    def user_edits_message(
        self,
        user: FakeUser,
        message_id: int,
        new_text: str,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """The user edits one of their text messages → an ``edited_message`` update."""
        state = self._chat_state(user, chat)
        message = self._own_message(state, user, message_id)
        return self._enqueue("edited_message", self._edit_text(state, message, new_text))

    @staticmethod
    def _own_message(state: _ChatState, user: FakeUser, message_id: int) -> StoredMessage:
        message = state.messages.get(message_id)
        if message is None or message.from_bot or message.sender_id != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in that chat")
        return message

    def _edit_text(self, state: _ChatState, message: StoredMessage, new_text: str) -> JSONDict:
        if message.text is None:
            raise ValueError(f"message {message.message_id} has no text to edit")
        api = {
            **{k: v for k, v in message.api.items() if k not in ("text", "entities")},
            **self._text_content(new_text),
            "edit_date": self._timestamp(),
        }
        state.messages[message.message_id] = replace(
            message, text=new_text, api=api, edited=message.edited + 1
        )
        return api

    def _chat_member(self, status: str) -> JSONDict:
        member: JSONDict = {"user": self._bot_sender(), "status": status}
        if status == "kicked":
            member["until_date"] = 0  # 0: banned forever, which is what blocking means
        return member

    def _membership_update(self, user: FakeUser, old: str, new: str) -> JSONDict:
        state = self._private_state(user)
        state.blocked = new == "kicked"
        payload = {
            "chat": dict(state.api),
            "from": user.to_api(),
            "date": self._timestamp(),
            "old_chat_member": self._chat_member(old),
            "new_chat_member": self._chat_member(new),
        }
        return self._enqueue("my_chat_member", payload)

    def user_blocks_bot(self, user: FakeUser) -> JSONDict:
        """The user blocks the bot: a my_chat_member update; later sends get 403."""
        if self.is_blocked(user.id):
            raise ValueError(f"user {user.id} has already blocked the bot")
        return self._membership_update(user, "member", "kicked")

    def user_unblocks_bot(self, user: FakeUser) -> JSONDict:
        """The user unblocks the bot: a my_chat_member update (kicked → member)."""
        if not self.is_blocked(user.id):
            raise ValueError(f"user {user.id} has not blocked the bot")
        return self._membership_update(user, "kicked", "member")

    def _find_message(
        self, message_or_id: StoredMessage | int, chat_id: int | None
    ) -> StoredMessage:
        if isinstance(message_or_id, StoredMessage):
            chat_id, message_id = message_or_id.chat_id, message_or_id.message_id
        else:
            message_id = message_or_id
        candidates = [chat_id] if chat_id is not None else list(self._chats)
        for candidate in candidates:
            state = self._chats.get(candidate)
            if state is not None and message_id in state.messages:
                return state.messages[message_id]
        where = f"chat {chat_id}" if chat_id is not None else "any chat"
        raise LookupError(f"message {message_id} does not exist (any more) in {where}")

    def _presser(self, message: StoredMessage, user: FakeUser | None) -> FakeUser:
        if user is not None:
            return user
        known = self._users.get(message.chat_id)
        if known is None:
            raise ValueError("pass user= to press a button in a group chat")
        return known

    def _callback_update(
        self, user: FakeUser, chat_id: int, message: JSONDict, data: str
    ) -> JSONDict:
        query_id = str(next(self._callback_counter))
        payload: JSONDict = {
            "id": query_id,
            "from": user.to_api(),
            "message": message,
            # Telegram's chat_instance is an opaque per-chat identifier.
            "chat_instance": str(8_000_000_000_000_000 + abs(chat_id)),
            "data": data,
        }
        self._users[user.id] = user
        self._callbacks[query_id] = _OpenCallback(
            user.id, chat_id, int(message["message_id"]), payload
        )
        while len(self._callbacks) > 1000:
            self._callbacks.popitem(last=False)
        return self._enqueue("callback_query", payload)

    def user_presses(
        self,
        message_or_id: StoredMessage | int,
        button: str | int,
        *,
        user: FakeUser | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """The user taps a button of a bot message (its current state).

        ``button`` is the label (exact, else case-insensitive) or the 0-based index in reading
        order. Inline callback buttons produce a callback_query update; reply-keyboard buttons
        send their label as a text message (or the user's contact for request_contact).
        ``user`` defaults to the private chat's user.

        Raises:
            LookupError: the message or the button isn't there (any more).
            ValueError: the button sends no update (URL buttons, request_location: use
                `user_sends_location`).
        """
        message = self._find_message(message_or_id, chat_id)
        if not message.from_bot:
            raise ValueError("users can only press buttons on the bot's messages")
        if self.has_left(message.chat_id):
            raise ValueError(f"the bot has left chat {message.chat_id}; it sees no presses there")
        presser = self._presser(message, user)
        labels = message.buttons
        index = _button_index(labels, button)
        if index is None:
            raise LookupError(
                f"message {message.message_id} has no button {button!r}; it has {labels}"
            )
        if message.inline_keyboard:
            raw = [b for row in message.api["reply_markup"]["inline_keyboard"] for b in row][index]
            if "callback_data" not in raw:
                raise ValueError(
                    f"button {labels[index]!r} sends no update (it is not a callback button)"
                )
            return self._callback_update(
                presser, message.chat_id, message.api, raw["callback_data"]
            )
        raw = [b for row in message.reply_keyboard for b in row][index]
        group = self._group_of(message.chat_id)
        if raw.get("request_location"):
            raise ValueError(
                "a request_location button shares a location: use user_sends_location()"
            )
        if raw.get("request_contact"):
            return self.user_sends_contact(presser, chat=group)
        return self.user_sends_text(presser, str(raw["text"]), chat=group)

    def _group_of(self, chat_id: int) -> FakeChat | None:
        api = self._chats[chat_id].api
        if api["type"] == "private":
            return None
        return FakeChat(api["id"], api["type"], api.get("title", ""))

    def user_sends_callback_data(
        self,
        user: FakeUser,
        message_id: int,
        raw_data: str,
        chat: FakeChat | None = None,
    ) -> JSONDict:
        """A (possibly forged) callback_query with arbitrary data on any message id.

        If the message doesn't exist, the query carries an inaccessible message (date 0),
        as Telegram does for messages the bot can't see any more.
        """
        state = self._chat_state(user, chat)
        existing = state.messages.get(message_id)
        message = (
            existing.api
            if existing is not None
            else {"chat": dict(state.api), "message_id": message_id, "date": 0}
        )
        return self._callback_update(user, state.api["id"], message, raw_data)


def _commands_key(scope: JSONDict | None, language_code: str) -> tuple[str, str]:
    scope = scope or {"type": "default"}
    return json.dumps(scope, sort_keys=True), language_code


def _button_index(labels: list[str], button: str | int) -> int | None:
    if isinstance(button, int):
        return button if 0 <= button < len(labels) else None
    if button in labels:
        return labels.index(button)
    folded = [label.casefold() for label in labels]
    return folded.index(button.casefold()) if button.casefold() in folded else None


def _location(latitude: float, longitude: float, **extra: Any) -> JSONDict:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"not a location on Earth: {latitude}, {longitude}")
    return {"latitude": latitude, "longitude": longitude, **extra}


def _image_size(data: bytes) -> tuple[int, int]:
    # Width and height from a PNG header; other formats report 0x0.
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return 0, 0
