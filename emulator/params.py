"""Reading a Bot API call's parameters, and refusing them the way Telegram does.

Typed access to the parameters (`Params`), reply markup, and text or captions with their
parse mode, each failing with Telegram's error text (`ApiError`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from emulator.formatting import (
    PARSE_MODES,
    EntityParseError,
    FormattedText,
    parse_formatted_text,
    strip_formatted,
)
from emulator.objects import InlineButton, JSONDict, StoredMessage

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_INLINE_BUTTONS: Final = 100
# Keys whose values PTB sends JSON-encoded when it uses form parameters.
JSON_PARAMETERS: Final = frozenset(
    {
        "reply_markup",
        "allowed_updates",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "entities",
        "caption_entities",
    }
)
NOT_MODIFIED: Final = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
CHAT_NOT_FOUND: Final = "chat not found"


class ApiError(Exception):
    """A Bot API call failed: Telegram's ``error_code``, ``description`` and ``retry_after``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(reason: str) -> ApiError:
    """Telegram's 400, "Bad Request: <reason>"."""
    return ApiError(400, f"Bad Request: {reason}")


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


class Params:
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
        raise bad_request(f'field "{key}" must be of type String')

    def get_int(self, key: str) -> int | None:
        value = self._raw.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise bad_request(f'field "{key}" must be of type Integer')
        if isinstance(value, int):
            return value
        try:
            return int(str(value).strip())
        except ValueError:
            raise bad_request(f'field "{key}" must be of type Integer') from None

    def get_float(self, key: str) -> float | None:
        value = self._raw.get(key)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f'field "{key}" must be of type Float') from None

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
                raise bad_request(invalid) from None
        return value

    def chat_id(self) -> int:
        value = self._raw.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        try:
            return self.get_int("chat_id") or 0
        except ApiError:
            # "@channelusername": the emulator knows no public channels.
            raise bad_request(CHAT_NOT_FOUND) from None


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
class Markup:
    """A message's reply_markup, checked: an inline or reply keyboard, or a removal."""

    kind: Literal["inline", "keyboard", "remove", "force_reply"]
    raw: JSONDict
    inline: list[list[InlineButton]] = field(default_factory=list)
    keyboard: list[list[JSONDict]] = field(default_factory=list)


def _parse_inline_keyboard(rows: Any) -> Markup:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    parsed: list[list[InlineButton]] = []
    clean_rows: list[list[JSONDict]] = []
    for row in rows:
        parsed_row: list[InlineButton] = []
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            actions = [key for key in _INLINE_ACTIONS if key in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if "callback_data" in button and (
                not isinstance(data, str)
                or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
            ):
                raise bad_request("BUTTON_DATA_INVALID")
            url = button.get("url")
            if "url" in button and (not isinstance(url, str) or not _URL_RE.fullmatch(url)):
                raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
            parsed_row.append(InlineButton(button["text"], data if data is not None else url))
        parsed.append(parsed_row)
        clean_rows.append([dict(button) for button in row])
    if sum(len(row) for row in parsed) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return Markup("inline", {"inline_keyboard": clean_rows}, inline=parsed)


def parse_reply_markup(params: Params, *, inline_only: bool = False) -> Markup | None:
    """The call's ``reply_markup``, if any (edits accept inline keyboards only)."""
    markup = params.get_json("reply_markup", _MARKUP_JSON_ERROR)
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad_request(_MARKUP_JSON_ERROR)
    if "inline_keyboard" in markup:
        return _parse_inline_keyboard(markup["inline_keyboard"])
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(_MARKUP_JSON_ERROR)
        keyboard = [
            [dict(b) if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows
        ]
        if any(
            not isinstance(b.get("text"), str) or not b["text"] for row in keyboard for b in row
        ):
            raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
        return Markup("keyboard", dict(markup), keyboard=keyboard)
    if markup.get("remove_keyboard"):
        return Markup("remove", dict(markup))
    if markup.get("force_reply"):
        return Markup("force_reply", dict(markup))
    raise bad_request(_MARKUP_JSON_ERROR)


# --------------------------------------------------------------------------------------------
# Text and captions
# --------------------------------------------------------------------------------------------


def _parse_mode(params: Params) -> str | None:
    mode = params.get_str("parse_mode")
    if not mode:
        return None
    canonical = PARSE_MODES.get(mode.lower())
    if canonical is None:
        raise bad_request("unsupported parse_mode")
    return canonical


def _visible(text: str, parse_mode: str | None) -> FormattedText:
    try:
        return strip_formatted(parse_formatted_text(text, parse_mode))
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None


def formatted_text(params: Params) -> tuple[str, str | None, FormattedText]:
    """The ``text`` as sent, its parse mode, and what the user sees (non-empty, not too long)."""
    text = params.get_str("text")
    if not text:
        raise bad_request("message text is empty")
    parse_mode = _parse_mode(params)
    formatted = _visible(text, parse_mode)
    if not formatted.text:
        raise bad_request("message text is empty")
    if len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, parse_mode, formatted


def formatted_caption(params: Params) -> tuple[str | None, str | None, FormattedText]:
    """The ``caption`` as sent (None if absent), its parse mode, and what the user sees."""
    caption = params.get_str("caption") or None
    parse_mode = _parse_mode(params)
    formatted = _visible(caption or "", parse_mode)
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return caption, parse_mode, formatted


def bot_content(
    formatted: FormattedText,
    *,
    text_key: Literal["text", "caption"],
    markup: Markup | None,
    reply_to: StoredMessage | None,
) -> JSONDict:
    """The fields of a bot message's ``Message`` object beyond its id, sender, chat and date."""
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
