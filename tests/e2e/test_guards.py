"""The guard in front of every feature: refused input is never acted on, whatever the reply does.

Through the real Application over the fake Telegram, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from telegram import Update
from telegram.error import TimedOut

from db.engine import Database
from db.models import Conversation, Patient
from emulator import FakeChat, FakeTelegram, StoredMessage
from emulator.request import RecordedCall
from tests.harness import Bot, PatientChat, texts

# A typed question long enough to be refused, which the bot would otherwise search and answer.
PASTE = ("Why does my knee cave in when I squat? " * 22)[:838]
GROUP = FakeChat(-100777, "group", "Rehab friends")


async def count(database: Database, model: type[object]) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def _too_many_requests() -> tuple[int, bytes]:
    body = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 5",
        "parameters": {"retry_after": 5},
    }
    return 429, json.dumps(body).encode()


def _timeout() -> tuple[int, bytes]:
    raise TimedOut


FAILURES: dict[str, Callable[[], tuple[int, bytes]]] = {
    "429": _too_many_requests,
    "timeout": _timeout,
}


def fail_next_send(bot: Bot, monkeypatch: pytest.MonkeyPatch, failure: str) -> list[str]:
    """Make the bot's next sendMessage fail (a 429 or a timeout); later sends go through.

    Returns the list the failed call is recorded in, so a test can check it happened.
    """
    real = bot.request.do_request
    failed: list[str] = []

    async def do_request(url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage") and not failed:
            failed.append(url)
            return FAILURES[failure]()
        return await real(url, *args, **kwargs)

    monkeypatch.setattr(bot.request, "do_request", do_request)
    return failed


async def delivered(patient: PatientChat) -> list[StoredMessage]:
    """Let the bot process what the patient just did; the messages it sent in reply."""
    await patient.bot.deliver_pending()
    return patient.new_messages()


def sends(bot: Bot) -> list[RecordedCall]:
    return bot.request.calls_to("sendMessage")


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_paste_is_not_acted_on_when_the_refusal_cannot_be_sent(
    patient: PatientChat,
    bot: Bot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    failure: str,
) -> None:
    failed = fail_next_send(bot, monkeypatch, failure)
    with caplog.at_level(logging.WARNING):
        seen = await patient.send(PASTE)
    assert failed, "the refusal was attempted"
    assert seen == []  # no search answer, no apology, nothing
    assert await count(database, Conversation) == 0
    assert await count(database, Patient) == 0
    # The failure is logged by its type, never with what the patient wrote.
    logged = caplog.text
    assert ("RetryAfter" if failure == "429" else "TimedOut") in logged
    assert "knee" not in logged

    # The bot carries on: the next message is answered as usual.
    assert "Send /start to begin" in texts(await patient.send("hello"))


@pytest.mark.parametrize("failure", FAILURES)
async def test_an_edit_is_not_acted_on_when_the_refusal_cannot_be_sent(
    patient: PatientChat,
    bot: Bot,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    await patient.send("hello")
    failed = fail_next_send(bot, monkeypatch, failure)
    edited = await patient.edit(patient.last_user_message_id(), "/start")
    assert failed
    assert edited == []  # the edit did not start a set-up
    assert await count(database, Conversation) == 0


async def test_a_paste_and_an_edit_are_refused(patient: PatientChat, database: Database) -> None:
    huge = await patient.send(PASTE)
    assert "too long" in texts(huge)
    assert len(huge) == 1
    await patient.send("hello")
    edited = await patient.edit(patient.last_user_message_id(), "/start")
    assert "edited messages" in texts(edited)
    assert len(edited) == 1
    assert await count(database, Conversation) == 0


async def test_the_bot_explains_once_and_leaves_a_group(
    patient: PatientChat, telegram: FakeTelegram, database: Database
) -> None:
    said = await patient.in_group(GROUP, "/start")
    assert len(said) == 1
    assert "only work in a private chat" in texts(said)
    assert telegram.has_left(GROUP.id)
    assert await count(database, Conversation) == 0
    # Leaving brings a my_chat_member update of its own, which changes nothing.
    await patient.bot.deliver_pending()
    assert len(telegram.bot_messages(GROUP.id)) == 1


async def test_the_bot_leaves_a_group_it_is_added_to(
    patient: PatientChat, bot: Bot, telegram: FakeTelegram
) -> None:
    await bot.application.process_update(bot_added_to_group(telegram, patient, GROUP))
    said = telegram.bot_messages(GROUP.id)
    assert len(said) == 1
    assert "only work in a private chat" in texts(said)
    assert telegram.has_left(GROUP.id)


async def test_the_bot_leaves_a_group_even_when_it_cannot_say_why(
    patient: PatientChat, bot: Bot, telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    fail_next_send(bot, monkeypatch, "429")
    await patient.in_group(GROUP, "/start")
    assert telegram.has_left(GROUP.id)
    assert telegram.bot_messages(GROUP.id) == []


async def test_a_live_location_is_answered_once(
    patient: PatientChat, bot: Bot, telegram: FakeTelegram
) -> None:
    await patient.bot.deliver_pending()
    before = len(sends(bot))
    telegram.user_shares_live_location(patient.user, 52.52, 13.40)
    shared = await delivered(patient)
    assert len(shared) == 1  # the feature's one answer to the share
    assert "only read text" not in texts(shared)
    shared_id = patient.last_user_message_id()
    for step in range(1, 4):
        telegram.user_moves_live_location(patient.user, shared_id, 52.52 + step / 1000, 13.40)
        moved = await delivered(patient)
        assert moved == []
    assert len(sends(bot)) == before + 1


async def test_business_messages_get_the_same_checks(
    patient: PatientChat, bot: Bot, telegram: FakeTelegram, database: Database
) -> None:
    telegram.user_sends_business_message(patient.user, PASTE)
    huge = await delivered(patient)
    assert "too long" in texts(huge)
    assert len(huge) == 1
    # The refusal goes back through the business connection the message came in on.
    refusal = sends(bot)[-1]
    assert refusal.params.get("business_connection_id")

    telegram.user_sends_business_message(patient.user, "hello")
    await delivered(patient)
    telegram.user_edits_business_message(patient.user, patient.last_user_message_id(), "/start")
    edited = await delivered(patient)
    assert "edited messages" in texts(edited)
    assert len(edited) == 1
    assert await count(database, Conversation) == 0


@pytest.mark.parametrize("failure", FAILURES)
async def test_a_business_paste_is_not_acted_on_when_the_refusal_cannot_be_sent(
    patient: PatientChat,
    bot: Bot,
    telegram: FakeTelegram,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    failed = fail_next_send(bot, monkeypatch, failure)
    telegram.user_sends_business_message(patient.user, PASTE)
    assert await delivered(patient) == []
    assert failed
    assert await count(database, Conversation) == 0


def bot_added_to_group(telegram: FakeTelegram, patient: PatientChat, group: FakeChat) -> Update:
    """The my_chat_member update Telegram sends when a member adds the bot to ``group``."""
    # A message in the group makes fake Telegram know the chat; the bot is not shown it.
    telegram.group_message(patient.user, group, "welcome, bot")
    telegram.pop_pending_updates()
    me = telegram.bot_user()
    data = {
        "update_id": 900_001,
        "my_chat_member": {
            "chat": group.to_api(),
            "from": patient.user.to_api(),
            "date": int(datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()),
            "old_chat_member": {"user": me, "status": "left"},
            "new_chat_member": {"user": me, "status": "member"},
        },
    }
    return Update.de_json(data, patient.bot.application.bot)
