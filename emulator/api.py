"""The Bot API methods the emulator answers, with Telegram's checks and error texts.

The bot's side of `FakeTelegram`: `call` runs one method and returns Telegram's response
envelope. Implemented: getMe; getUpdates and the webhook methods; setMyCommands;
sendMessage, sendPhoto, sendDocument; editMessageText, editMessageCaption,
editMessageReplyMarkup; answerCallbackQuery; getFile; leaveChat.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import Any, Final, Literal

from emulator.objects import BotEventKind, JSONDict, StoredFile, StoredMessage, UploadedFile
from emulator.params import (
    CHAT_NOT_FOUND,
    NOT_MODIFIED,
    ApiError,
    Markup,
    Params,
    bad_request,
    bot_content,
    formatted_caption,
    formatted_text,
    parse_reply_markup,
)
from emulator.state import TOKEN_RE, ChatState, EmulatorState, commands_key, wait_until_set

_Handler = Callable[[Params], Awaitable[Any]]
_BOT_COMMAND_NAME_RE: Final = re.compile(r"[a-z0-9_]{1,32}")
_NOT_FOUND: Final = {"ok": False, "error_code": 404, "description": "Not Found"}


class BotApi(EmulatorState):
    """`FakeTelegram`'s bot side: the Bot API methods, as the transports call them."""

    def bot_user(self) -> JSONDict:
        """The bot's ``User`` object (what getMe returns)."""
        return {
            **self._bot_sender(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def token_error(self, token: str) -> JSONDict | None:
        """The response Telegram gives for a request made with ``token`` if it isn't ours.

        A well-formed but wrong token gets 401 Unauthorized; a malformed one 404 Not Found.
        """
        if token == self.bot_token:
            return None
        if TOKEN_RE.fullmatch(token):
            return {"ok": False, "error_code": 401, "description": "Unauthorized"}
        return dict(_NOT_FOUND)

    def file_bytes(self, file_path: str) -> bytes | None:
        """Content behind a getFile ``file_path`` (for ``/file/bot<token>/<path>``)."""
        stored = self._files_by_path.get(file_path)
        return stored.data if stored else None

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> JSONDict:
        """Run one Bot API method and return Telegram's response envelope.

        ``params`` may hold typed values (JSON bodies), strings with JSON-encoded nested
        objects (form bodies), and `UploadedFile` values for multipart uploads.
        Method names are case-insensitive; unknown ones get 404 "Not Found".
        """
        entry = self._methods.get(method.lower())
        if entry is None:
            self.stats.calls[method] += 1
            return dict(_NOT_FOUND)
        name, handler = entry
        self.stats.calls[name] += 1
        try:
            result = await handler(Params(params or {}))
        except ApiError as error:
            return self._error_response(name, params or {}, error)
        return {"ok": True, "result": result}

    @functools.cached_property
    def _methods(self) -> dict[str, tuple[str, _Handler]]:
        handlers: list[tuple[str, _Handler]] = [
            ("getMe", self._get_me),
            ("getUpdates", self._get_updates),
            ("deleteWebhook", self._delete_webhook),
            ("setWebhook", self._set_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("setMyCommands", self._set_my_commands),
            ("sendMessage", self._send_message),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("answerCallbackQuery", self._answer_callback_query),
            ("getFile", self._get_file),
            ("leaveChat", self._leave_chat),
        ]
        return {name.lower(): (name, handler) for name, handler in handlers}

    def _error_response(self, method: str, params: Mapping[str, Any], error: ApiError) -> JSONDict:
        self.stats.api_errors += 1
        if error.code == 429:
            self.stats.too_many_requests += 1
        try:
            chat_id = Params(params).get_int("chat_id")
        except ApiError:
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

    # ---------------------------------------------------------------- checks

    def _target_chat(self, params: Params, *, sending: bool = True) -> ChatState:
        state = self._chats.get(params.chat_id())
        if state is None:
            raise bad_request(CHAT_NOT_FOUND)
        if sending and state.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if sending and state.left:
            raise ApiError(403, f"Forbidden: bot is not a member of the {state.api['type']} chat")
        return state

    def _check_flood(self, state: ChatState) -> None:
        if self._flood is None:
            return
        retry_after = self._flood.acquire(state.api["id"], state.is_group)
        if retry_after is not None:
            raise ApiError(
                429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
            )

    def _reply_target(self, params: Params, state: ChatState) -> StoredMessage | None:
        reply = params.get_json("reply_parameters", "can't parse reply parameters JSON object")
        reply_id = params.get_int("reply_to_message_id")
        allow_missing = params.get_bool("allow_sending_without_reply")
        if isinstance(reply, dict):
            reply_id = Params(reply).get_int("message_id")
            allow_missing = Params(reply).get_bool("allow_sending_without_reply")
        if reply_id is None:
            return None
        target = state.messages.get(reply_id)
        if target is None and not allow_missing:
            raise bad_request("message to be replied not found")
        return target

    async def _input_file(self, params: Params, key: str, folder: str) -> StoredFile:
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
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {key} in the request")

    # ---------------------------------------------------------------- getMe, updates, webhook

    async def _get_me(self, params: Params) -> JSONDict:
        return self.bot_user()

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

    async def _get_updates(self, params: Params) -> list[JSONDict]:
        if self._webhook_url:
            raise ApiError(
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
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            remaining = deadline - loop.time()
            if self._pending or remaining <= 0:
                return list(itertools.islice(self._pending, limit))
            await wait_until_set(self._updates_changed, remaining)

    async def _delete_webhook(self, params: Params) -> bool:
        self._webhook_url = ""
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _set_webhook(self, params: Params) -> bool:
        url = params.get_str("url") or ""
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        # Webhook delivery is not emulated; the URL only makes getUpdates fail, as in Telegram.
        self._webhook_url = url
        if params.get_bool("drop_pending_updates"):
            self._pending.clear()
        return True

    async def _get_webhook_info(self, params: Params) -> JSONDict:
        info: JSONDict = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.get_json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_NAME_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        scope = params.get_json("scope", "can't parse BotCommandScope JSON object")
        if scope is not None and not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        key = commands_key(scope, params.get_str("language_code") or "")
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    # ---------------------------------------------------------------- sending

    def _store_bot_message(
        self,
        state: ChatState,
        *,
        kind: str,
        content: JSONDict,
        markup: Markup | None,
        text: str | None = None,
        caption: str | None = None,
        parse_mode: str | None = None,
        photo: StoredFile | None = None,
        document: StoredFile | None = None,
    ) -> StoredMessage:
        self._check_flood(state)
        if markup is not None and markup.kind == "keyboard":
            state.reply_keyboard = markup.keyboard
        elif markup is not None and markup.kind == "remove":
            state.reply_keyboard = None
        message = self._new_message(
            state,
            self._bot_sender(),
            kind,
            content,
            text=text,
            caption=caption,
            parse_mode=parse_mode,
            inline_keyboard=markup.inline if markup else [],
            reply_keyboard=markup.keyboard if markup else [],
            photo=photo,
            document=document,
        )
        self.stats.sent_messages += 1
        self._emit_message(BotEventKind.MESSAGE_SENT, message)
        return message

    async def _send_message(self, params: Params) -> JSONDict:
        state = self._target_chat(params)
        text, parse_mode, formatted = formatted_text(params)
        markup = parse_reply_markup(params)
        reply_to = self._reply_target(params, state)
        content = bot_content(formatted, text_key="text", markup=markup, reply_to=reply_to)
        message = self._store_bot_message(
            state, kind="text", content=content, markup=markup, text=text, parse_mode=parse_mode
        )
        return message.api

    async def _send_photo(self, params: Params) -> JSONDict:
        return await self._send_file(params, "photo", "photos")

    async def _send_document(self, params: Params) -> JSONDict:
        return await self._send_file(params, "document", "documents")

    async def _send_file(
        self, params: Params, kind: Literal["photo", "document"], folder: str
    ) -> JSONDict:
        state = self._target_chat(params)
        caption, parse_mode, formatted = formatted_caption(params)
        markup = parse_reply_markup(params)
        reply_to = self._reply_target(params, state)
        stored = await self._input_file(params, kind, folder)
        content = bot_content(formatted, text_key="caption", markup=markup, reply_to=reply_to)
        content[kind] = stored.as_photo() if kind == "photo" else stored.as_document()
        message = self._store_bot_message(
            state,
            kind=kind,
            content=content,
            markup=markup,
            caption=caption,
            parse_mode=parse_mode,
            photo=stored if kind == "photo" else None,
            document=stored if kind == "document" else None,
        )
        return message.api

    # ---------------------------------------------------------------- editing

    def _editable_message(self, params: Params) -> tuple[ChatState, StoredMessage]:
        if params.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        message_id = params.get_int("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = state.messages.get(message_id)
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return state, message

    def _edit(
        self,
        state: ChatState,
        message: StoredMessage,
        markup: Markup | None,
        fields: JSONDict,
        **changes: Any,
    ) -> JSONDict:
        """Replace ``fields`` and the inline keyboard of a bot message, as an edit does.

        Empty fields are removed; an edit without reply_markup removes the inline keyboard,
        as in Telegram. An edit that changes nothing fails with "message is not modified".
        """
        wanted = {**fields, "reply_markup": markup.raw if markup else None}
        new = {key: value for key, value in wanted.items() if value not in (None, "", [])}
        old = {key: message.api[key] for key in wanted if key in message.api}
        if new == old:
            raise bad_request(NOT_MODIFIED)
        api = {key: value for key, value in message.api.items() if key not in old}
        api.update(new, edit_date=self._timestamp())
        edited = replace(
            message,
            api=api,
            edited=message.edited + 1,
            inline_keyboard=markup.inline if markup else [],
            **changes,
        )
        state.messages[message.message_id] = edited
        self.stats.edited_messages += 1
        self._emit_message(BotEventKind.MESSAGE_EDITED, edited)
        return edited.api

    async def _edit_message_text(self, params: Params) -> JSONDict:
        state, message = self._editable_message(params)
        text, parse_mode, formatted = formatted_text(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        markup = parse_reply_markup(params, inline_only=True)
        fields = {"text": formatted.text, "entities": formatted.entities}
        return self._edit(state, message, markup, fields, text=text, parse_mode=parse_mode)

    async def _edit_message_caption(self, params: Params) -> JSONDict:
        state, message = self._editable_message(params)
        if message.kind not in ("photo", "document"):
            raise bad_request("there is no caption in the message to edit")
        caption, parse_mode, formatted = formatted_caption(params)
        markup = parse_reply_markup(params, inline_only=True)
        fields = {"caption": formatted.text, "caption_entities": formatted.entities}
        return self._edit(state, message, markup, fields, caption=caption, parse_mode=parse_mode)

    async def _edit_message_reply_markup(self, params: Params) -> JSONDict:
        state, message = self._editable_message(params)
        markup = parse_reply_markup(params, inline_only=True)
        return self._edit(state, message, markup, {})

    # ---------------------------------------------------------------- buttons, files, chats

    async def _answer_callback_query(self, params: Params) -> bool:
        query_id = params.get_str("callback_query_id") or ""
        callback = self._callbacks.get(query_id)
        if callback is None or callback.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get_str("text") or None
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        callback.answered = True
        self._emit(
            BotEventKind.CALLBACK_ANSWERED,
            chat_id=callback.chat_id,
            message_id=callback.message_id,
            text=text,
            show_alert=params.get_bool("show_alert"),
        )
        return True

    async def _get_file(self, params: Params) -> JSONDict:
        stored = self._files.get(params.get_str("file_id") or "")
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_api()

    async def _leave_chat(self, params: Params) -> bool:
        state = self._target_chat(params)
        if not state.is_group:
            raise bad_request("chat member status can't be changed in private chats")
        state.left = True
        # Telegram tells the bot about its own departure, as a my_chat_member update.
        payload = {
            "chat": dict(state.api),
            "from": self._bot_sender(),
            "date": self._timestamp(),
            "old_chat_member": self._chat_member("member"),
            "new_chat_member": self._chat_member("left"),
        }
        self._enqueue("my_chat_member", payload, by_user=False)
        return True
