"""The local demo: an operator completes onboarding as a patient by typing in the terminal."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.demo import DEMO_TOKEN, run_demo
from bot.settings import Settings
from emulator import FakeTelegram

PATIENT = 424242


async def test_operator_completes_onboarding_in_the_demo(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    telegram = FakeTelegram(bot_token=DEMO_TOKEN)

    async def operator() -> AsyncIterator[str]:
        """Types like a person: reads the bot's message, then answers it."""
        script = [
            (None, "/start"),
            ("Consent version", "1"),  # [1] ✅ I agree
            ("Which time zone", "europe"),  # a label works as well as a number
            ("Choose the city", "Berlin"),
            ("daily drill reminder", "1"),  # [1] ✅ Yes, remind me
            ("On which days", "Next »"),
            ("At what time", "7:30"),
            ("Chosen: 07:30", "Done ✔"),
            ("A quick safety check", "None of these apply to me"),  # after "You're all set"
            ("Thank you", "/remind-now"),
            ("Time for today's drills", "✅ Done"),
            ("Done. Nice work", "/quit"),
        ]
        for expected, typed in script:
            if expected is not None:
                await telegram.wait_for_bot_message(
                    PATIENT, contains=expected, include_edits=True, timeout=10
                )
            yield typed

    output = io.StringIO()
    settings = Settings(
        telegram_bot_token=SecretStr("1:unused"), database_url=database_url, _env_file=None
    )
    await run_demo(settings, telegram=telegram, lines=operator(), output=output)

    shown = output.getvalue()
    assert "[1] ✅ I agree" in shown
    assert "You're all set" in shown
    assert "Europe/Berlin" in shown
    assert "every day at 07:30" in shown
    assert "(demo: 1 reminder(s) sent)" in shown
    assert "Done. Nice work" in shown
    assert "A quick safety check before your drills" in shown
    assert "Stop if you have sharp pain" in shown
