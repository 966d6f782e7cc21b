"""Progress survives restarts and instance changes; failures are apologised for, not leaked."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram import Update

from emulator import FakeTelegram, FakeUser
from tests.conftest import _fixed_zone
from tests.harness import Bot, FrozenClock, PatientChat, texts


async def test_resume_after_restart_and_on_another_instance(
    telegram: FakeTelegram, database_url: str, clock: FrozenClock
) -> None:
    first = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    await first.start()
    ana = PatientChat(telegram, FakeUser(id=6001, first_name="Ana"), first)
    await ana.send("/start")
    await ana.press("✅ I agree")
    await ana.press("Europe")
    await ana.press("Lisbon")
    await ana.press("✅ Yes, remind me")
    await ana.press("Mon–Fri")
    await first.stop()  # the process goes away; nothing is kept in memory

    second = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    third = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    await second.start()
    await third.start()
    try:
        ana.bot = second
        # The buttons of the message sent by the first process still work on the second.
        await ana.press("Next »")
        assert "At what time" in ana.last.plain_text
        ana.bot = third
        await ana.send("6:45")
        ana.bot = second
        finished = await ana.press("Done ✔")
        summary = texts(finished)
        assert "Europe/Lisbon" in summary
        assert "weekdays (Mon–Fri) at 06:45" in summary
    finally:
        await second.stop()
        await third.stop()


async def test_a_failing_update_is_apologised_for_and_the_bot_keeps_going(
    patient: PatientChat,
    bot: Bot,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def explode(_turn: object, text: str) -> None:
        raise RuntimeError(f"could not handle {text!r}")  # the exception quotes the patient

    monkeypatch.setattr(bot.services.conversations, "text", explode)
    await patient.send("/start")
    await patient.press("✅ I agree")
    with caplog.at_level(logging.ERROR):
        reply = await patient.send("my knee hurts a lot")
    assert "something went wrong on my side" in texts(reply)
    assert "RuntimeError" in caplog.text
    assert "my knee hurts" not in caplog.text
    assert "a lot" not in caplog.text

    monkeypatch.undo()
    after = await patient.send("Europe/Madrid")
    assert "Europe/Madrid" in texts(after)


async def test_two_instances_receiving_a_new_users_first_updates_at_once(
    telegram: FakeTelegram, database_url: str, clock: FrozenClock
) -> None:
    first = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    second = Bot(telegram, database_url, clock, locate_zone=_fixed_zone)
    await first.start()
    await second.start()
    try:
        ana = FakeUser(id=6101, first_name="Ana")
        telegram.user_sends_text(ana, "/start")
        telegram.user_sends_text(ana, "/start")
        one, two = (
            Update.de_json(data, first.application.bot) for data in telegram.pop_pending_updates()
        )
        await asyncio.gather(
            first.application.process_update(one), second.application.process_update(two)
        )
        shown = texts(telegram.bot_messages(ana.id))
        assert "went wrong" not in shown
        assert shown.count("Consent version") == 2
    finally:
        await first.stop()
        await second.stop()


async def test_a_button_press_delivered_twice_is_answered_once_and_not_an_error(
    patient: PatientChat, bot: Bot, telegram: FakeTelegram
) -> None:
    await patient.send("/start")
    press = telegram.user_presses(patient.last.message_id, "✅ I agree", chat_id=patient.chat_id)
    await bot.deliver_pending()
    # Telegram redelivers the update (a webhook retry): answering the press again fails.
    await bot.application.process_update(Update.de_json(press, bot.application.bot))
    shown = texts(telegram.bot_messages(patient.chat_id))
    assert "went wrong" not in shown
    assert "from an earlier message" in shown
