"""Chat with the bot in a terminal, as a patient would in the Telegram app (``reed demo``).

Bot messages are printed as they arrive, with their buttons numbered; the operator presses a
button by typing its number or label, and anything else is sent as a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import sys
import threading
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TextIO

from emulator.fake_telegram import FakeTelegram
from emulator.objects import (
    BotEvent,
    BotEventKind,
    FakeUser,
    JSONDict,
    StoredFile,
    StoredMessage,
)


@dataclass(frozen=True)
class DemoCommand:
    """A command the host application adds to the demo (e.g. "send my reminder now")."""

    help: str
    run: Callable[[], Awaitable[str]]


HELP: Final = """\
Demo commands:
  NUMBER or LABEL       press that button of the latest message with buttons
  /location LAT LON     share a location, e.g. /location 52.52 13.405
  /sticker              send a sticker
  /photo                send a picture
  /say TEXT             send TEXT as typed, even if it looks like a button
  /block, /unblock      block or unblock the bot
  /help-demo            this list
  /quit                 leave (Ctrl-D works too)
Anything else is sent to the bot as a message."""
_LOCATION_PROMPT: Final = "  latitude, longitude? (e.g. 52.52, 13.405; empty line cancels)"
_UNSAFE_FILENAME_CHARS: Final = re.compile(r"[^A-Za-z0-9._-]+")
# Emoji, symbols and punctuation around a button label.
_DECORATION: Final = re.compile(r"^[\W_]+|[\W_]+$")


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, without blocking the event loop.

    A daemon thread does the blocking reads, so a pending read never delays Ctrl-C or
    interpreter exit (a thread-pool read would).
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def deliver(line: str | None) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            loop.call_soon_threadsafe(queue.put_nowait, line)

    def read() -> None:
        for line in iter(sys.stdin.readline, ""):
            deliver(line)
        deliver(None)  # EOF

    threading.Thread(target=read, name="terminal-chat-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


class TerminalChat:
    """A terminal chat between ``user`` and the bot, both sides living in ``telegram``.

    Args:
        telegram: the emulator the bot is connected to.
        user: who the operator is; the chat is their private chat with the bot.
        lines: the operator's input lines (default: stdin). Scripts may await anything
            between lines, e.g. the bot's answer.
        output: where the chat is printed (default: stdout).
        files_dir: where photos and documents from the bot are saved.
        echo: also print each input line (useful when the input is not typed).
    """

    def __init__(
        self,
        telegram: FakeTelegram,
        user: FakeUser,
        lines: AsyncIterable[str] | None = None,
        output: TextIO | None = None,
        files_dir: str | Path = "demo-files",
        *,
        echo: bool = False,
        extra_commands: Mapping[str, DemoCommand] | None = None,
    ) -> None:
        self._telegram = telegram
        self._extra_commands = dict(extra_commands or {})
        self._user = user
        self._lines = lines
        self._out = output or sys.stdout
        self._files_dir = Path(files_dir)
        self._echo = echo
        self._awaiting_location = False

    async def run(self) -> None:
        """Chat until /quit or the end of input."""
        events = self._telegram.subscribe()
        printer = asyncio.create_task(self._print_events(events))
        self._write(
            f"Chatting with {self._telegram.bot_first_name} (@{self._telegram.bot_username}) "
            f"as {self._user.first_name}. Type /help-demo for demo commands."
        )
        lines = self._lines if self._lines is not None else stdin_lines()
        try:
            async for line in lines:
                if not await self._handle(line.strip()):
                    break
        finally:
            self._telegram.unsubscribe(events)
            # Show what the bot already did before leaving.
            await events.join()
            printer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await printer
            closer = getattr(lines, "aclose", None)
            if closer is not None:
                await closer()
        self._write("Bye.")

    # ------------------------------------------------------------------ output

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    async def _print_events(self, events: asyncio.Queue[BotEvent]) -> None:
        while True:
            event = await events.get()
            try:
                await self._show(event)
            except Exception as error:  # e.g. saving a file failed: say so, keep chatting
                self._write(f"  (demo: could not show {event.kind}: {error})")
            finally:
                events.task_done()

    async def _show(self, event: BotEvent) -> None:
        if event.chat_id not in (self._user.id, None):
            return
        if event.kind is BotEventKind.CALLBACK_ANSWERED:
            if event.text:
                self._write(f"  [{'alert' if event.show_alert else 'toast'}] {event.text}")
        elif event.kind is BotEventKind.API_ERROR:
            self._write(f"  (bot API error in {event.method}: {event.text})")
        elif event.message is not None:
            edited = event.kind is BotEventKind.MESSAGE_EDITED
            await self._show_message(event.message, edited=edited)

    async def _show_message(self, message: StoredMessage, *, edited: bool) -> None:
        name = self._telegram.bot_first_name + (" (edited)" if edited else "")
        lines: list[str] = []
        for kind, stored in (("photo", message.photo), ("document", message.document)):
            if stored is not None:
                path = await self._save(stored, message.message_id)
                lines.append(f"[{kind} {stored.filename}, saved to {path}]")
        if message.plain_text:
            lines.extend(message.plain_text.split("\n"))
        first, *rest = lines or [""]
        self._write(f"{name}: {first}")
        for line in rest:
            self._write(f"  {line}")
        for row in _button_rows(message):
            self._write("  " + row)

    async def _save(self, stored: StoredFile, message_id: int) -> Path:
        # The name comes from the bot: keep only its last component and tame characters.
        base_name = stored.filename.replace("\\", "/").rsplit("/", 1)[-1]
        safe_name = _UNSAFE_FILENAME_CHARS.sub("_", base_name).lstrip(".") or "file"
        path = self._files_dir / f"{message_id}-{safe_name}"

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(stored.data)

        await asyncio.to_thread(write)
        return path

    # ------------------------------------------------------------------ input

    async def _handle(self, line: str) -> bool:
        """Act on one input line; False ends the chat."""
        if self._echo:
            self._write(f"> {line}")
        if self._awaiting_location:
            self._location_answer(line)
            return True
        if not line:
            return True
        command, _, rest = line.partition(" ")
        command = command.lower()
        if command in ("/quit", "/exit"):
            return False
        extra = self._extra_commands.get(command)
        if extra is not None:
            self._write(f"  (demo: {await extra.run()})")
            return True
        try:
            self._dispatch(line, command, rest.strip())
        except (ValueError, LookupError) as error:
            self._write(f"  (demo: {error})")
        return True

    def _dispatch(self, line: str, command: str, rest: str) -> None:
        telegram, user = self._telegram, self._user
        if command == "/help-demo":
            self._write(HELP)
            for name, extra in sorted(self._extra_commands.items()):
                self._write(f"  {name:<21} {extra.help}")
        elif command == "/location":
            latitude, longitude = _coordinates(rest)
            telegram.user_sends_location(user, latitude, longitude)
        elif command == "/sticker":
            telegram.user_sends_sticker(user)
        elif command == "/photo":
            telegram.user_sends_photo(user)
        elif command == "/say" and rest:
            telegram.user_sends_text(user, rest)
        elif command == "/block":
            telegram.user_blocks_bot(user)
        elif command == "/unblock":
            telegram.user_unblocks_bot(user)
        elif not self._press(line):
            telegram.user_sends_text(user, line)

    def _buttons_message(self) -> StoredMessage | None:
        """The most recent bot message whose buttons the user can still see."""
        active = self._telegram.active_reply_keyboard(self._user.id)
        for message in reversed(self._telegram.bot_messages(self._user.id)):
            if message.inline_keyboard or (
                message.reply_keyboard and message.reply_keyboard == active
            ):
                return message
        return None

    def _press(self, line: str) -> bool:
        """Press the button ``line`` names (number or label); False if it names none."""
        message = self._buttons_message()
        if message is not None:
            labels = message.buttons
            index = _choose(labels, line)
            if index is not None:
                if message.inline_keyboard:
                    self._press_inline(message, index)
                else:
                    self._press_keyboard([b for row in message.reply_keyboard for b in row][index])
                return True
        # A persistent reply keyboard's labels still work after later messages.
        active = self._telegram.active_reply_keyboard(self._user.id) or []
        buttons = [b for row in active for b in row]
        index = _choose([str(b.get("text", "")) for b in buttons], line, numbers=False)
        if index is not None:
            self._press_keyboard(buttons[index])
            return True
        return False

    def _press_inline(self, message: StoredMessage, index: int) -> None:
        raw = [b for row in message.api["reply_markup"]["inline_keyboard"] for b in row][index]
        if "url" in raw:
            self._write(f"  (this button opens {raw['url']})")
        elif "callback_data" in raw:
            self._telegram.user_presses(message, index)
        else:
            self._write("  (the demo can't press this kind of button)")

    def _press_keyboard(self, button: JSONDict) -> None:
        if button.get("request_location"):
            self._awaiting_location = True
            self._write(_LOCATION_PROMPT)
        else:
            self._telegram.user_sends_text(self._user, str(button["text"]))

    def _location_answer(self, line: str) -> None:
        if not line:
            self._awaiting_location = False
            self._write("  (location not shared)")
            return
        try:
            latitude, longitude = _coordinates(line)
            self._telegram.user_sends_location(self._user, latitude, longitude)
        except ValueError as error:
            self._write(f"  ({error})")
            self._write(_LOCATION_PROMPT)
            return
        self._awaiting_location = False


def _choose(labels: list[str], line: str, *, numbers: bool = True) -> int | None:
    """Index of the button ``line`` names: a 1-based number or a label.

    Labels match in any case, and also without their decoration, so "i agree" presses
    "✅ I agree".
    """
    if numbers and line.isdigit() and 1 <= int(line) <= len(labels):
        return int(line) - 1
    for normalize in (str.casefold, _bare):
        wanted = normalize(line)
        for index, label in enumerate(labels):
            if wanted and normalize(label) == wanted:
                return index
    return None


def _bare(label: str) -> str:
    return _DECORATION.sub("", label.casefold())


def _coordinates(text: str) -> tuple[float, float]:
    parts = text.replace(",", " ").split()
    try:
        latitude, longitude = (float(part) for part in parts)
    except ValueError:
        raise ValueError("expected two numbers: latitude, longitude") from None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ValueError(f"not a location on Earth: {latitude}, {longitude}")
    return latitude, longitude


def _button_rows(message: StoredMessage) -> list[str]:
    rows: list[str] = []
    number = 1
    if message.inline_keyboard:
        for inline_row in message.inline_keyboard:
            cells = []
            for button in inline_row:
                cells.append(f"[{number}] {button.text}")
                number += 1
            rows.append("  ".join(cells))
        return rows
    for keyboard_row in message.reply_keyboard:
        cells = []
        for raw in keyboard_row:
            label = str(raw.get("text", ""))
            if raw.get("request_location"):
                label += " (shares your location)"
            cells.append(f"[{number}] {label}")
            number += 1
        rows.append("keyboard: " + "  ".join(cells))
    return rows
