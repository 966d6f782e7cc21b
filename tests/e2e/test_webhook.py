"""Webhook mode: Telegram's requests are served; requests without the secret are refused."""

from __future__ import annotations

import socket
from typing import Any

import httpx
from pydantic import SecretStr

from bot.app import build_application, build_services
from bot.runner import webhook_options
from bot.settings import Settings
from emulator import FakeTelegram, FakeUser
from emulator.request import EmulatorRequest
from tests.harness import TOKEN, FrozenClock


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_rejects_requests_without_the_secret(
    telegram: FakeTelegram, database_url: str, clock: FrozenClock
) -> None:
    port = free_port()
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=database_url,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SecretStr("s3cret-value"),
        webhook_listen="127.0.0.1",
        webhook_port=port,
        _env_file=None,
    )
    application = build_application(
        settings, services=build_services(settings, clock=clock), request=EmulatorRequest(telegram)
    )
    options: dict[str, Any] = webhook_options(settings)
    user = FakeUser(id=7001, first_name="Bo")
    update = telegram.user_sends_text(user, "/start")
    telegram.pop_pending_updates()  # delivered by webhook below, not by polling
    url = f"http://127.0.0.1:{port}/telegram"
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_webhook(**options)
        try:
            async with httpx.AsyncClient() as client:
                forged = await client.post(url, json=update)
                wrong = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
                )
                assert forged.status_code == 403
                assert wrong.status_code == 403
                real = await client.post(
                    url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-value"}
                )
                assert real.status_code == 200
            welcome = await telegram.wait_for_bot_message(user.id, contains="Welcome to ReEd Coach")
            assert welcome.buttons == ["✅ I agree", "No, thanks"]
            assert len(telegram.bot_messages(user.id)) == 1  # the forged requests did nothing
        finally:
            await application.updater.stop()
            await application.stop()
