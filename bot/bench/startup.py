"""Start-up probe, run in a child process by ``reed bench reminders``.

``ours``: the real application with its single outbox job. ``naive``: the same
application plus one PTB ``run_daily`` job per opted-in patient, the usual hobby-bot design.
Prints one JSON line once the application is running: seconds since the process started
(as the parent passes it) and peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import select

from bot.app import build_application, build_services
from bot.settings import get_settings
from db.models import Patient, ReminderSlot
from emulator import FakeTelegram
from emulator.request import EmulatorRequest

TOKEN = "100001:BENCH"


async def _noop(_context: object) -> None:
    """Stands in for a per-patient reminder callback."""


async def probe(mode: str, database_url: str, started: float) -> dict[str, float]:
    settings = get_settings(
        telegram_bot_token=SecretStr(TOKEN), database_url=database_url, _env_file=None
    )
    telegram = FakeTelegram(bot_token=TOKEN)
    services = build_services(settings)
    application = build_application(settings, services=services, request=EmulatorRequest(telegram))
    if mode == "naive":
        assert application.job_queue is not None
        async with services.db.transaction() as session:
            rows = await session.execute(
                select(Patient.id, Patient.timezone, ReminderSlot.local_time, ReminderSlot.weekdays)
                .join(ReminderSlot, ReminderSlot.patient_id == Patient.id)
                .where(Patient.reminders_opt_in.is_(True))
            )
            slots = list(rows)
        for patient_id, zone, local_time, mask in slots:
            days = tuple(day for day in range(7) if mask & (1 << day))
            application.job_queue.run_daily(
                _noop,
                local_time.replace(tzinfo=ZoneInfo(zone or "UTC")),
                days=tuple((day + 1) % 7 for day in days),  # PTB counts from Sunday = 0
                chat_id=patient_id,
            )
    await application.initialize()
    await application.start()
    ready = time.time() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    await application.stop()
    await application.shutdown()
    return {"startup_seconds": round(ready, 3), "peak_rss_mb": round(rss_mb, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["ours", "naive"])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--started", type=float, required=True, help="parent's time.time()")
    args = parser.parse_args()
    result = asyncio.run(probe(args.mode, args.database_url, args.started))
    sys.stdout.write(
        json.dumps({"mode": args.mode, "at": datetime.now(UTC).isoformat(), **result}) + "\n"
    )


if __name__ == "__main__":
    main()
