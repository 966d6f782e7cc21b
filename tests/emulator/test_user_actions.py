"""Leaving groups, live locations and business messages, as PTB sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.request import EmulatorRequest

GROUP = FakeChat(-4200, "group", "Rehab friends")


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    request = EmulatorRequest(fake)
    async with Bot(fake.bot_token, request=request, get_updates_request=request) as instance:
        yield instance


async def test_after_leaving_a_group_the_bot_cannot_send_there(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.group_message(ann, GROUP, "hello bot")
    sent = await bot.send_message(GROUP.id, "This bot only talks in private chats.")
    assert not fake.has_left(GROUP.id)

    assert await bot.leave_chat(GROUP.id) is True

    assert fake.has_left(GROUP.id)
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.send_message(GROUP.id, "still here?")
    with pytest.raises(Forbidden, match="bot is not a member of the group chat"):
        await bot.edit_message_text("edited", chat_id=GROUP.id, message_id=sent.message_id)
    with pytest.raises(ValueError, match="has left chat"):
        fake.group_message(ann, GROUP, "come back")
    # Telegram reports the departure to the bot itself.
    *_, departure = await bot.get_updates(timeout=0)
    assert departure.my_chat_member is not None
    assert departure.my_chat_member.chat.id == GROUP.id
    assert departure.my_chat_member.new_chat_member.status == "left"


async def test_a_bot_cannot_leave_a_private_chat(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "/start")
    with pytest.raises(BadRequest, match="private chats"):
        await bot.leave_chat(ann.id)
    assert not fake.has_left(ann.id)


async def test_live_location_moves_as_edited_messages() -> None:
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    clocked = FakeTelegram(clock=lambda: now)
    ann = FakeUser(1001, "Ann")
    shared = clocked.user_shares_live_location(ann, 52.52, 13.40, live_period=600)
    message_id = shared["message"]["message_id"]
    assert shared["message"]["location"] == {
        "latitude": 52.52,
        "longitude": 13.40,
        "live_period": 600,
    }

    now += timedelta(minutes=5)
    moved = clocked.user_moves_live_location(ann, message_id, 52.53, 13.41)

    assert moved["edited_message"]["message_id"] == message_id
    assert moved["edited_message"]["location"]["latitude"] == 52.53
    assert moved["edited_message"]["location"]["live_period"] == 600
    assert clocked.message(ann.id, message_id).location == (52.53, 13.41)
    now += timedelta(minutes=5)
    with pytest.raises(ValueError, match="expired"):
        clocked.user_moves_live_location(ann, message_id, 52.54, 13.42)
    with pytest.raises(ValueError, match="live periods"):
        clocked.user_shares_live_location(ann, 52.52, 13.40, live_period=30)


async def test_live_location_updates_parse_in_ptb(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    shared = fake.user_shares_live_location(ann, 48.1, 11.6)
    fake.user_moves_live_location(ann, shared["message"]["message_id"], 48.2, 11.7)
    start, move = await bot.get_updates(timeout=0)
    assert start.message is not None
    assert start.message.location is not None
    assert start.message.location.latitude == 48.1
    assert move.edited_message is not None
    assert move.edited_message.location is not None
    assert move.edited_message.location.latitude == 48.2
    assert move.edited_message.edit_date is not None


async def test_business_messages_and_their_edits(
    bot: Bot, fake: FakeTelegram, ann: FakeUser
) -> None:
    sent = fake.user_sends_business_message(ann, "Do you have an appointment on Friday?")
    fake.user_edits_business_message(ann, sent["business_message"]["message_id"], "Or Monday?")
    with pytest.raises(ValueError, match="not a business message"):
        fake.user_edits_business_message(
            ann, fake.user_sends_text(ann, "hi")["message"]["message_id"], "hey"
        )

    business, edit, _ = await bot.get_updates(timeout=0)
    assert business.business_message is not None
    assert business.business_message.business_connection_id
    assert business.business_message.chat.id == ann.id
    assert business.business_message.text == "Do you have an appointment on Friday?"
    assert edit.edited_business_message is not None
    assert edit.edited_business_message.text == "Or Monday?"
    assert (
        edit.edited_business_message.business_connection_id
        == business.business_message.business_connection_id
    )
