"""EmulatorServer over real HTTP on 127.0.0.1, with PTB's stock HTTPX transport."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, InvalidToken

from emulator import FakeTelegram, FakeUser
from emulator.server import EmulatorServer


@pytest.fixture
async def server(fake: FakeTelegram) -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer(fake) as running:
        yield running


@pytest.fixture
async def http(server: EmulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        yield client


class ObservedTelegram(FakeTelegram):
    """Tells the test when a getUpdates call has reached the emulator."""

    def __init__(self) -> None:
        super().__init__()
        self.polling = asyncio.Event()

    async def call(self, method: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if method.lower() == "getupdates" and params and params.get("timeout") not in (None, "0"):
            self.polling.set()
        return await super().call(method, params)


def ptb_bot(server: EmulatorServer, token: str | None = None) -> Bot:
    return Bot(
        token or server.telegram.bot_token,
        base_url=f"{server.url}/bot",
        base_file_url=f"{server.url}/file/bot",
    )


async def test_ptb_bot_over_http(server: EmulatorServer, fake: FakeTelegram, ann: FakeUser) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    async with ptb_bot(server) as bot:
        assert bot.username == "reed_coach_bot"  # getMe during initialize
        fake.user_sends_text(ann, "/start")
        updates = await bot.get_updates(timeout=0)
        assert len(updates) == 1
        assert updates[0].message is not None
        assert updates[0].message.text == "/start"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Begin", callback_data="begin")]])
        message = await bot.send_message(
            ann.id, "<i>Hello</i>", parse_mode="HTML", reply_markup=markup
        )
        assert message.text == "Hello"
        assert message.reply_markup == markup
        with pytest.raises(BadRequest, match="Message is too long"):
            await bot.send_message(ann.id, "x" * 5000)
        assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert fake.last_bot_message(ann.id).inline_keyboard == [[("Begin", "begin")]]


async def test_uploads_and_downloads(
    server: EmulatorServer, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "hi")
    async with ptb_bot(server) as bot:
        sent = await bot.send_photo(
            ann.id, b"\x89PNG\r\n\x1a\nrest", filename="chart.png", caption="Week 1"
        )
        stored = fake.last_bot_message(ann.id)
        assert stored.photo is not None
        assert stored.photo.data == b"\x89PNG\r\n\x1a\nrest"
        assert stored.photo.filename == "chart.png"
        file = await bot.get_file(sent.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == b"\x89PNG\r\n\x1a\nrest"


async def test_long_poll_does_not_block_other_requests(ann: FakeUser) -> None:
    fake = ObservedTelegram()
    fake.user_sends_text(ann, "hi")
    async with EmulatorServer(fake) as server, ptb_bot(server) as bot:
        poll = asyncio.create_task(bot.get_updates(offset=2, timeout=20))
        await asyncio.wait_for(fake.polling.wait(), timeout=5)
        # While the poll waits on the server, other requests still get answers.
        await bot.send_message(ann.id, "meanwhile")
        await bot.send_message(ann.id, "and again")
        assert not poll.done()
        fake.user_sends_text(ann, "wake up")
        updates = await asyncio.wait_for(poll, timeout=5)
        assert [u.message.text for u in updates if u.message] == ["wake up"]


async def test_wrong_tokens(server: EmulatorServer, http: httpx.AsyncClient) -> None:
    unauthorized = await http.get("/bot999:WRONG/getMe")
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    malformed = await http.get("/botnonsense/getMe")
    assert malformed.status_code == 404
    assert malformed.json()["description"] == "Not Found"
    assert (await http.get("/nowhere")).status_code == 404
    with pytest.raises(InvalidToken):
        async with ptb_bot(server, token="999:WRONG"):
            pass


async def test_request_encodings(
    server: EmulatorServer, http: httpx.AsyncClient, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "hi")
    token = fake.bot_token
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    as_json = await http.post(
        f"/bot{token}/sendMessage", json={"chat_id": ann.id, "text": "json", "reply_markup": markup}
    )
    as_form = await http.post(
        f"/bot{token}/sendMessage",
        data={"chat_id": str(ann.id), "text": "form", "reply_markup": json.dumps(markup)},
    )
    as_query = await http.get(
        f"/bot{token}/sendmessage", params={"chat_id": ann.id, "text": "query"}
    )
    for response in (as_json, as_form, as_query):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
    assert [m.plain_text for m in fake.bot_messages(ann.id)] == ["json", "form", "query"]
    assert fake.bot_messages(ann.id)[1].inline_keyboard == [[("A", "a")]]
    multipart = await http.post(
        f"/bot{token}/sendDocument",
        data={"chat_id": str(ann.id), "caption": "plan"},
        files={"document": ("plan.txt", b"walk 10 min", "text/plain")},
    )
    assert multipart.json()["result"]["document"]["file_name"] == "plan.txt"
    blocked = await http.post(f"/bot{token}/sendMessage", json={"chat_id": 5, "text": "x"})
    assert blocked.status_code == 400
    assert blocked.json()["description"] == "Bad Request: chat not found"
    unknown = await http.post(f"/bot{token}/frobnicate")
    assert unknown.status_code == 404
    assert (await http.get(f"/file/bot{token}/documents/missing.txt")).status_code == 404


async def test_stop_ends_waiting_long_polls() -> None:
    fake = ObservedTelegram()
    server = EmulatorServer(fake)
    await server.start()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        poll = asyncio.create_task(
            http.get(f"/bot{fake.bot_token}/getUpdates", params={"timeout": 30})
        )
        await asyncio.wait_for(fake.polling.wait(), timeout=5)
        await asyncio.wait_for(server.stop(), timeout=5)
        with pytest.raises(httpx.RemoteProtocolError):
            await asyncio.wait_for(poll, timeout=5)
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
