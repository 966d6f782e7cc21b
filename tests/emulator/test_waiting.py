"""Long polling and event waiting: driven by tasks and events, never by sleeping."""

from __future__ import annotations

import asyncio

import pytest

from emulator import BotEventKind, FakeTelegram, FakeUser


async def yield_to_loop() -> None:
    """Let other tasks run until they block (a scheduling yield, not a wait for time)."""
    for _ in range(3):
        await asyncio.sleep(0)


async def test_long_poll_returns_as_soon_as_a_user_writes(
    fake: FakeTelegram, ann: FakeUser
) -> None:
    poll = asyncio.create_task(fake.call("getUpdates", {"timeout": 30}))
    await yield_to_loop()
    assert not poll.done()  # nothing pending: it is waiting
    fake.user_sends_text(ann, "good morning")
    response = await asyncio.wait_for(poll, timeout=2)  # an upper bound; it returns at once
    assert [u["message"]["text"] for u in response["result"]] == ["good morning"]


async def test_long_poll_returns_pending_updates_immediately(
    fake: FakeTelegram, ann: FakeUser
) -> None:
    fake.user_sends_text(ann, "waiting already")
    response = await asyncio.wait_for(fake.call("getUpdates", {"timeout": 30}), timeout=2)
    assert len(response["result"]) == 1


async def test_long_poll_times_out_empty(fake: FakeTelegram) -> None:
    assert await fake.call("getUpdates", {"timeout": 0}) == {"ok": True, "result": []}
    assert await fake.call("getUpdates", {"timeout": "0.01"}) == {"ok": True, "result": []}


async def test_newer_get_updates_terminates_the_waiting_one(fake: FakeTelegram) -> None:
    older = asyncio.create_task(fake.call("getUpdates", {"timeout": 30}))
    await yield_to_loop()
    newer = asyncio.create_task(fake.call("getUpdates", {"timeout": 30}))
    response = await asyncio.wait_for(older, timeout=2)
    assert response["error_code"] == 409
    assert "terminated by other getUpdates request" in response["description"]
    newer.cancel()
    with pytest.raises(asyncio.CancelledError):
        await newer


async def test_subscribe_receives_bot_events(fake: FakeTelegram, ann: FakeUser) -> None:
    queue = fake.subscribe()
    fake.user_sends_text(ann, "hi")
    sent = (await fake.call("sendMessage", {"chat_id": ann.id, "text": "Hello"}))["result"]
    await fake.call(
        "editMessageText", {"chat_id": ann.id, "message_id": sent["message_id"], "text": "Hello!"}
    )
    await fake.call("sendMessage", {"chat_id": ann.id, "text": ""})
    events = [queue.get_nowait() for _ in range(queue.qsize())]
    assert [e.kind for e in events] == [
        BotEventKind.MESSAGE_SENT,
        BotEventKind.MESSAGE_EDITED,
        BotEventKind.API_ERROR,
    ]
    assert events[1].message is not None
    assert events[1].message.plain_text == "Hello!"
    assert events[0].message is not None
    assert events[0].message.plain_text == "Hello"  # events carry snapshots
    assert events[2].text == "Bad Request: message text is empty"
    fake.unsubscribe(queue)
    await fake.call("sendMessage", {"chat_id": ann.id, "text": "more"})
    assert queue.empty()


async def test_wait_for_sees_a_reply_from_another_task(fake: FakeTelegram, ann: FakeUser) -> None:
    async def tiny_bot() -> None:
        response = await fake.call("getUpdates", {"timeout": 30})
        update = response["result"][0]
        await fake.call("sendMessage", {"chat_id": update["message"]["chat"]["id"], "text": "pong"})

    bot = asyncio.create_task(tiny_bot())
    fake.user_sends_text(ann, "ping")
    message = await fake.wait_for_bot_message(ann.id, contains="pong", timeout=2)
    assert message.plain_text == "pong"
    await bot


async def test_wait_for_counts_reactions_before_the_call(fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "hi")
    await fake.call("sendMessage", {"chat_id": ann.id, "text": "already answered"})
    event = await fake.wait_for(lambda e: e.kind is BotEventKind.MESSAGE_SENT, timeout=1)
    assert event.message is not None
    assert event.message.plain_text == "already answered"
    # A further wait needs `since`, otherwise it would find the same event again.
    waiter = asyncio.create_task(
        fake.wait_for(lambda e: e.kind is BotEventKind.MESSAGE_SENT, timeout=2, since=event.seq)
    )
    await yield_to_loop()
    assert not waiter.done()
    await fake.call("sendMessage", {"chat_id": ann.id, "text": "second"})
    second = await waiter
    assert second.message is not None
    assert second.message.plain_text == "second"


async def test_wait_for_timeout_lists_what_the_bot_did(fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "hi")
    await fake.call(
        "sendMessage",
        {
            "chat_id": ann.id,
            "text": "Choose",
            "reply_markup": {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]},
        },
    )
    await fake.call("sendMessage", {"chat_id": ann.id, "text": "<b>broken", "parse_mode": "HTML"})
    with pytest.raises(TimeoutError) as caught:
        await fake.wait_for(lambda e: e.kind is BotEventKind.CALLBACK_ANSWERED, timeout=0.01)
    report = str(caught.value)
    assert "no matching bot event within 0.01s" in report
    assert "sent message 2 in chat 1001: 'Choose' [Yes]" in report
    assert "sendMessage failed: Bad Request: can't parse entities" in report


async def test_wait_for_timeout_when_the_bot_did_nothing(fake: FakeTelegram, ann: FakeUser) -> None:
    fake.user_sends_text(ann, "hi")
    with pytest.raises(TimeoutError, match="the bot did nothing"):
        await fake.wait_for(lambda e: True, timeout=0)
