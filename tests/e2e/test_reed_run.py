"""`reed run`, as an operator starts it, onboards a patient through a Bot API server on loopback."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from emulator import FakeTelegram, FakeUser
from emulator.server import EmulatorServer
from tests.harness import TOKEN

REPO = Path(__file__).resolve().parents[2]


async def test_reed_run_polls_a_loopback_bot_api_and_onboards_a_patient(
    database_url: str, tmp_path: Path
) -> None:
    telegram = FakeTelegram(bot_token=TOKEN)
    async with EmulatorServer(telegram) as server:
        environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": server.url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "WARNING",
        }
        environment.pop("WEBHOOK_URL", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            ana = FakeUser(id=8001, first_name="Ana")
            telegram.user_sends_text(ana, "/start")
            consent = await telegram.wait_for_bot_message(
                ana.id, contains="Consent version", timeout=30
            )
            telegram.user_presses(consent, "✅ I agree")
            zone_prompt = await telegram.wait_for_bot_message(
                ana.id, contains="Which time zone", timeout=10
            )
            telegram.user_sends_text(ana, "Asia/Tokyo")
            reminders = await telegram.wait_for_bot_message(
                ana.id, contains="daily drill reminder", timeout=10
            )
            telegram.user_presses(reminders, "Not now")
            summary = await telegram.wait_for_bot_message(
                ana.id, contains="You're all set", timeout=10
            )
            assert "Asia/Tokyo" in summary.plain_text
            assert zone_prompt.buttons[0] == "📍 Share my location"
            # The command menu was registered at start-up, in each language, /safety among it.
            for language in ("", "en", "de"):
                menu = [item["command"] for item in telegram.my_commands(language_code=language)]
                assert "safety" in menu, language
        finally:
            process.terminate()
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        assert process.returncode == 0, output.decode()
