"""``reed demo``: the real bot against a local emulation of Telegram, chatting in a terminal.

The only product module that imports the emulator (besides the benchmarks); `bot.cli` imports
it only for the demo.
"""

from __future__ import annotations

from collections.abc import AsyncIterable
from pathlib import Path
from typing import TextIO

from pydantic import AnyHttpUrl, SecretStr
from telegram import Update

from bot.app import build_application
from bot.context import SERVICES_KEY, ReedApplication
from bot.domain.reminders import make_due_now
from bot.services import Services
from bot.settings import Settings
from db import queries
from db.migrate import upgrade_to_head
from emulator import FakeTelegram, FakeUser
from emulator.server import EmulatorServer
from emulator.terminal import DemoCommand, TerminalChat

DEMO_TOKEN = "100000:LOCAL-DEMO"
DEMO_DATABASE_URL = "sqlite+aiosqlite:///reed-demo.db"
DEMO_FILES_DIR = Path("demo-files")
DEMO_PATIENT_ID = 424242


def demo_settings(settings: Settings, api_url: str) -> Settings:
    """The operator's settings, pointed at the local emulation and a demo database."""
    update: dict[str, object] = {
        "telegram_bot_token": SecretStr(DEMO_TOKEN),
        "telegram_api_url": AnyHttpUrl(api_url),
        "webhook_url": None,
    }
    if "database_url" not in settings.model_fields_set:
        update["database_url"] = DEMO_DATABASE_URL
    return settings.model_copy(update=update)


async def run_demo(
    settings: Settings,
    *,
    telegram: FakeTelegram | None = None,
    lines: AsyncIterable[str] | None = None,
    output: TextIO | None = None,
) -> None:
    """``reed demo``: the real bot against a local Telegram, chatting in this terminal.

    ``telegram``, ``lines`` and ``output`` let a test script the operator's side.
    """
    telegram = telegram or FakeTelegram(bot_token=DEMO_TOKEN)
    async with EmulatorServer(telegram) as server:
        settings = demo_settings(settings, server.url)
        await upgrade_to_head(settings.database_url)
        application = build_application(settings)
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(
                poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES
            )
            patient = FakeUser(id=DEMO_PATIENT_ID, first_name="Demo patient", language_code="en")
            remind_now = DemoCommand(
                "send today's reminder now, instead of waiting for its time",
                lambda: _remind_now(application),
            )
            chat = TerminalChat(
                telegram,
                patient,
                lines,
                output,
                files_dir=DEMO_FILES_DIR,
                extra_commands={"/remind-now": remind_now},
            )
            await chat.run()
            await application.updater.stop()
            await application.stop()


async def _remind_now(application: ReedApplication) -> str:
    """Make the demo patient's reminders due now and run the outbox once."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    async with services.db.transaction() as session:
        patient = await queries.patient_by_telegram_id(session, DEMO_PATIENT_ID)
        if patient is None or not make_due_now(patient, now):
            return "turn reminders on first (/start or /reminders)"
    stats = await services.outbox.run_once(application.bot)
    if stats.sent:
        return f"{stats.sent} reminder(s) sent"
    return "nothing sent: today's reminders at those times were already sent, or are paused"
