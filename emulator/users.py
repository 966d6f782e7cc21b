"""The people on the other side: simulated users whose actions become Bot API updates.

Each ``user_*`` action changes the chat as Telegram would, queues the one update Telegram
would send the bot, and returns that update.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from typing import Any, Final

from emulator.formatting import utf16_len
from emulator.objects import FakeChat, FakeUser, JSONDict, StoredMessage
from emulator.params import MAX_TEXT_LENGTH
from emulator.state import ChatState, EmulatorState, OpenCallback

_COMMAND_RE: Final = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
# A 1x1 transparent PNG, used as the picture a simulated user sends.
TINY_PNG: Final = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
# A live location shared "until I stop it" (Bot API live_period).
LIVE_PERIOD_FOREVER: Final = 0x7FFFFFFF
# The business connection of every simulated business message.
BUSINESS_CONNECTION_ID: Final = "EMU-business-connection-1"


class SimulatedUsers(EmulatorState):
    """`FakeTelegram`'s user side: what people do in their chats with the bot."""

    def _private_state(self, user: FakeUser) -> ChatState:
        self._users[user.id] = user
        state = self._chats.get(user.id)
        chat_api: JSONDict = {"id": user.id, "type": "private", "first_name": user.first_name}
        if user.last_name:
            chat_api["last_name"] = user.last_name
        if user.username:
            chat_api["username"] = user.username
        if state is None:
            state = self._chats[user.id] = ChatState(api=chat_api)
        else:
            state.api = chat_api
        return state

    def _chat_state(self, user: FakeUser, chat: FakeChat | None) -> ChatState:
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
            group = self._chats[chat.id] = ChatState(
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
        message = self._new_message(state, user.to_api(), kind, content, **fields)
        return self._enqueue("message", message.api)

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
        message = self._new_message(state, user.to_api(), "text", content, text=text)
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
        content: JSONDict = {"photo": stored.as_photo()}
        if caption:
            content["caption"] = caption
        return self._user_message(user, chat, "photo", content, photo=stored, caption=caption)

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
    def _own_message(state: ChatState, user: FakeUser, message_id: int) -> StoredMessage:
        message = state.messages.get(message_id)
        if message is None or message.from_bot or message.sender_id != user.id:
            raise ValueError(f"user {user.id} has no message {message_id} in that chat")
        return message

    def _edit_text(self, state: ChatState, message: StoredMessage, new_text: str) -> JSONDict:
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
        if self._private_state(user).blocked:
            raise ValueError(f"user {user.id} has already blocked the bot")
        return self._membership_update(user, "member", "kicked")

    def user_unblocks_bot(self, user: FakeUser) -> JSONDict:
        """The user unblocks the bot: a my_chat_member update (kicked → member)."""
        if not self._private_state(user).blocked:
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
        self._callbacks[query_id] = OpenCallback(
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
        send their label as a text message.
        ``user`` defaults to the private chat's user.

        Raises:
            LookupError: the message or the button isn't there (any more).
            ValueError: the button sends no update (URL buttons), or one not emulated
                (request_contact); request_location: use `user_sends_location`.
        """
        message = self._find_message(message_or_id, chat_id)
        if not message.from_bot:
            raise ValueError("users can only press buttons on the bot's messages")
        if self._chats[message.chat_id].left:
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
            raise ValueError("a request_contact button shares a contact: not emulated")
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
