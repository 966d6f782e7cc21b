"""TerminalChat with scripted input against a tiny bot that long-polls the emulator."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from emulator import BotEventKind, FakeTelegram, FakeUser, UploadedFile
from emulator.terminal import TerminalChat

QUESTION = {
    "inline_keyboard": [
        [{"text": "Yes", "callback_data": "yes"}, {"text": "No", "callback_data": "no"}],
        [{"text": "Guide", "url": "https://example.com/guide"}],
    ]
}
WHERE = {
    "keyboard": [[{"text": "Share location", "request_location": True}], [{"text": "Skip"}]],
    "resize_keyboard": True,
}


async def answer(fake: FakeTelegram, update: dict[str, Any]) -> None:
    """The tiny bot's behaviour."""
    if "callback_query" in update:
        query = update["callback_query"]
        message = query["message"]
        await fake.call("answerCallbackQuery", {"callback_query_id": query["id"], "text": "Noted"})
        await fake.call(
            "editMessageText",
            {
                "chat_id": message["chat"]["id"],
                "message_id": message["message_id"],
                "text": f"You said <b>{query['data']}</b>",
                "parse_mode": "HTML",
            },
        )
        return
    message = update["message"]
    chat_id = message["chat"]["id"]
    text = message.get("text", "")
    if text == "/start":
        reply: dict[str, Any] = {
            "text": "<b>Welcome!</b>\nDid you do your exercises?",
            "parse_mode": "HTML",
            "reply_markup": QUESTION,
        }
    elif text == "/where":
        reply = {"text": "Where are you?", "reply_markup": WHERE}
    elif text == "/files":
        await fake.call(
            "sendDocument", {"chat_id": chat_id, "document": UploadedFile("../plan.txt", b"walk")}
        )
        reply = {"text": "That's your plan."}
    elif "location" in message:
        location = message["location"]
        reply = {
            "text": f"Got {location['latitude']}, {location['longitude']}",
            "reply_markup": {"remove_keyboard": True},
        }
    elif "sticker" in message:
        reply = {"text": "Nice sticker"}
    else:
        reply = {"text": f"echo: {text}"}
    await fake.call("sendMessage", {"chat_id": chat_id, **reply})


@pytest.fixture
async def tiny_bot(fake: FakeTelegram) -> AsyncIterator[list[dict[str, Any]]]:
    """Runs the tiny bot; yields the updates it has handled."""
    seen: list[dict[str, Any]] = []

    async def loop() -> None:
        offset = 0
        while True:
            response = await fake.call("getUpdates", {"offset": offset, "timeout": 30})
            for update in response["result"]:
                offset = update["update_id"] + 1
                seen.append(update)
                await answer(fake, update)

    task = asyncio.create_task(loop())
    yield seen
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def replied(
    fake: FakeTelegram, kind: BotEventKind = BotEventKind.MESSAGE_SENT
) -> Callable[[], Any]:
    """Awaitable factory: the bot's next reaction of that kind to the latest input."""
    return lambda: fake.wait_for(lambda e: e.kind is kind, timeout=5)


async def run_chat(
    fake: FakeTelegram, user: FakeUser, script: AsyncIterator[str], tmp_path: Path
) -> str:
    output = io.StringIO()
    chat = TerminalChat(fake, user, script, output, files_dir=tmp_path / "files", echo=True)
    await asyncio.wait_for(chat.run(), timeout=10)
    return output.getvalue()


async def test_buttons_are_numbered_and_pressed_by_number(
    fake: FakeTelegram, ann: FakeUser, tiny_bot: list[dict[str, Any]], tmp_path: Path
) -> None:
    async def script() -> AsyncIterator[str]:
        yield "/start"
        await replied(fake)()
        yield "3"  # a URL button: nothing is sent
        yield "2"
        await replied(fake, BotEventKind.MESSAGE_EDITED)()
        yield "1"  # the edit removed the keyboard, so this is just text
        await replied(fake)()
        yield "/quit"
        yield "never read"

    transcript = await run_chat(fake, ann, script(), tmp_path)
    assert (
        "ReEd Coach: Welcome!\n  Did you do your exercises?\n  [1] Yes  [2] No\n  [3] Guide\n"
        in transcript
    )
    assert "[toast] Noted" in transcript
    assert "ReEd Coach (edited): You said no\n" in transcript
    assert "(this button opens https://example.com/guide)" in transcript
    assert transcript.rstrip().endswith("Bye.")
    assert "never read" not in transcript
    assert "ReEd Coach: echo: 1" in transcript
    presses = [u["callback_query"]["data"] for u in tiny_bot if "callback_query" in u]
    assert presses == ["no"]


async def test_labels_text_and_demo_commands(
    fake: FakeTelegram, ann: FakeUser, tiny_bot: list[dict[str, Any]], tmp_path: Path
) -> None:
    async def script() -> AsyncIterator[str]:
        yield "/start"
        await replied(fake)()
        yield "YES!"  # a label, any case, decoration ignored
        await replied(fake, BotEventKind.MESSAGE_EDITED)()
        yield "how long should I rest?"
        await replied(fake)()
        yield "/sticker"
        await replied(fake)()
        yield "/help-demo"
        yield "/files"
        await fake.wait_for_bot_message(ann.id, contains="plan", timeout=5)
        # End of input also ends the chat.

    transcript = await run_chat(fake, ann, script(), tmp_path)
    assert "ReEd Coach (edited): You said yes" in transcript
    assert "ReEd Coach: echo: how long should I rest?" in transcript
    assert "ReEd Coach: Nice sticker" in transcript
    assert "/location LAT LON" in transcript
    saved = tmp_path / "files"
    files = list(saved.iterdir())
    assert [f.read_bytes() for f in files] == [b"walk"]
    assert files[0].name.endswith("-plan.txt")  # no path tricks from the filename
    assert f"saved to {files[0]}" in transcript


async def test_request_location_button_asks_for_coordinates(
    fake: FakeTelegram, ann: FakeUser, tiny_bot: list[dict[str, Any]], tmp_path: Path
) -> None:
    async def script() -> AsyncIterator[str]:
        yield "/where"
        await replied(fake)()
        yield "1"
        yield "somewhere nice"
        yield "52.52, 13.405"
        await replied(fake)()
        yield "/location 48.1 11.6"
        await replied(fake)()
        yield "/quit"

    transcript = await run_chat(fake, ann, script(), tmp_path)
    assert "keyboard: [1] Share location (shares your location)\n  keyboard: [2] Skip" in transcript
    assert transcript.count("latitude, longitude? (e.g. 52.52, 13.405") == 2
    assert "(expected two numbers: latitude, longitude)" in transcript
    assert "ReEd Coach: Got 52.52, 13.405" in transcript
    assert "ReEd Coach: Got 48.1, 11.6" in transcript
    locations = [u["message"]["location"] for u in tiny_bot if "location" in u.get("message", {})]
    assert locations == [
        {"latitude": 52.52, "longitude": 13.405},
        {"latitude": 48.1, "longitude": 11.6},
    ]


async def test_api_errors_and_other_chats(
    fake: FakeTelegram, ann: FakeUser, tmp_path: Path
) -> None:
    bob = FakeUser(2002, "Bob")
    fake.user_sends_text(bob, "hi")

    async def script() -> AsyncIterator[str]:
        yield "hello"
        await fake.call("sendMessage", {"chat_id": bob.id, "text": "for Bob only"})
        await fake.call("sendMessage", {"chat_id": ann.id, "text": "<b>oops", "parse_mode": "HTML"})
        yield "/quit"

    transcript = await run_chat(fake, ann, script(), tmp_path)
    assert "for Bob only" not in transcript
    assert "(bot API error in sendMessage: Bad Request: can't parse entities:" in transcript
