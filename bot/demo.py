"""``reed demo``: the real bot against a local emulation of Telegram, chatting in a terminal.

The only product module that imports the emulator (besides the benchmarks); `bot.cli` imports
it only for the demo.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import TextIO

from pydantic import AnyHttpUrl, SecretStr
from telegram import Update

from bot.app import build_application
from bot.context import SERVICES_KEY, ReedApplication
from bot.demo_practice import PATIENTS, ZONE, seed_practice
from bot.domain.reminders import make_due_now
from bot.services import Services
from bot.settings import Settings
from bot.therapist_admin import issue_invite
from db import queries
from db.migrate import upgrade_to_head
from emulator import FakeTelegram, FakeUser
from emulator.server import EmulatorServer
from emulator.terminal import DemoCommand, TerminalChat, stdin_lines

DEMO_TOKEN = "100000:LOCAL-DEMO"
DEMO_DATABASE_URL = "sqlite+aiosqlite:///reed-demo.db"
DEMO_FILES_DIR = Path("demo-files")
DEMO_PATIENT_ID = 424242
DEMO_THERAPIST_ID = 434343


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
    role: str = "patient",
) -> None:
    """``reed demo``: the real bot against a local Telegram, chatting in this terminal.

    ``role`` "therapist" (``reed demo --as therapist``): the terminal becomes a therapist
    (an invite is made and opened) with three demo patients in their care.
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
            if role == "therapist":
                await _therapist_chat(application, telegram, lines, output).run()
                await application.updater.stop()
                await application.stop()
                return
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


def _therapist_chat(
    application: ReedApplication,
    telegram: FakeTelegram,
    lines: AsyncIterable[str] | None,
    output: TextIO | None,
) -> TerminalChat:
    """The terminal as a therapist: the first line opens a fresh therapist invite; once the
    bot has answered it, three demo patients are put in the therapist's care (see
    :mod:`bot.demo_practice`) and the outbox runs, so their alert arrives at once."""
    services: Services = application.bot_data[SERVICES_KEY]
    therapist = FakeUser(
        id=DEMO_THERAPIST_ID, first_name="Ana", last_name="Ruiz", language_code="en"
    )
    telegram.users_have_started(
        FakeUser(id=demo.telegram_id, first_name=demo.name) for demo in PATIENTS
    )

    def say(text: str) -> None:
        out = output or sys.stdout
        out.write(text + "\n")
        out.flush()

    async def script() -> AsyncIterator[str]:
        issued = await issue_invite(
            services.db,
            name="Dr. Ana Ruiz (demo)",
            days=1,
            timezone=ZONE,
            username=application.bot.username,
            clock=services.clock,
        )
        say(f"(demo: opening the therapist invite {issued.link})")
        yield "/start " + issued.link.split("?start=")[1]
        await telegram.wait_for_bot_message(DEMO_THERAPIST_ID, timeout=30)
        count = await seed_practice(services.db, DEMO_THERAPIST_ID, services.clock())
        await services.outbox.run_once(application.bot)
        say(
            f"(demo: {count} patients in your care, each with a week of reminders and "
            "check-ins; try /patients, /summary, /patient Jonas and /invite)"
        )
        async for line in lines if lines is not None else stdin_lines():
            yield line

    return TerminalChat(telegram, therapist, script(), output, files_dir=DEMO_FILES_DIR)
