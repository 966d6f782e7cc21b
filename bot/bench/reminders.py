"""``reed bench reminders``: start-up, dispatch capacity and a rate-limited wave, with baselines.

Runs on the database ``DATABASE_URL`` names. Its patients use Telegram ids from
``BENCH_FIRST_ID`` up and are deleted before and after the run; nothing else is touched.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import delete, select, update
from telegram import Update

from bot.app import build_application, build_services
from bot.bench.seeding import Cohort, seed_cohort
from bot.settings import Settings
from db.engine import Database
from db.migrate import upgrade_to_head
from db.models import Patient, ReminderSlot
from emulator import BotEvent, BotEventKind, FakeTelegram, FakeUser, FloodLimits
from emulator.request import EmulatorRequest

BENCH_FIRST_ID = 9_000_000_000
TOKEN = "100001:BENCH"
CHATTER_FIRST_ID = 8_900_000_000


@dataclass
class Figures:
    database: str
    patients: int
    startup_seconds: float = 0.0
    startup_peak_rss_mb: float = 0.0
    naive_startup_seconds: float = 0.0
    naive_peak_rss_mb: float = 0.0
    capacity_wave: int = 0
    capacity_per_second: float = 0.0
    limited_wave: int = 0
    limited_sent_per_second: float = 0.0
    limited_429s: int = 0
    reply_latency_p95_seconds: float = 0.0
    reply_latency_max_seconds: float = 0.0
    replies_measured: int = 0
    notes: list[str] = field(default_factory=list)


def _cohort(patients: int) -> Cohort:
    return Cohort(count=patients, first_telegram_id=BENCH_FIRST_ID)


async def _remove_bench_patients(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(delete(Patient).where(Patient.telegram_user_id >= CHATTER_FIRST_ID))


async def _make_due(database: Database, cohort: Cohort, count: int, now: datetime) -> None:
    """Make the first ``count`` patients' slots due now; the rest stay due tomorrow."""
    async with database.transaction() as session:
        ids = select(Patient.id).where(
            Patient.telegram_user_id >= cohort.first_telegram_id,
            Patient.telegram_user_id < cohort.first_telegram_id + count,
        )
        await session.execute(
            update(ReminderSlot)
            .where(ReminderSlot.patient_id.in_(ids))
            .values(next_due_at=now - timedelta(seconds=1))
        )


def _settings(base: Settings, **overrides: Any) -> Settings:
    return base.model_copy(
        update={"telegram_bot_token": SecretStr(TOKEN), "webhook_url": None, **overrides}
    )


def _startup(mode: str, database_url: str) -> dict[str, float]:
    started = time.time()
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.bench.startup",
            mode,
            "--database-url",
            database_url,
            "--started",
            str(started),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    ).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


async def _capacity(base: Settings, database: Database, cohort: Cohort, wave: int) -> float:
    """Reminders claimed, sent and recorded per second, limiter off, in-process Telegram."""
    settings = _settings(
        base, telegram_rate_limit=0, reminder_send_concurrency=256, reminder_batch_size=1000
    )
    telegram = FakeTelegram(bot_token=TOKEN)
    telegram.users_have_started(FakeUser(id=i, first_name="P") for i in cohort.telegram_ids)
    services = build_services(settings)
    application = build_application(settings, services=services, request=EmulatorRequest(telegram))
    now = datetime.now(UTC)
    await _make_due(database, cohort, wave, now)
    async with application:
        started = time.perf_counter()
        stats = await services.outbox.run_once(application.bot)
        elapsed = time.perf_counter() - started
    if stats.sent != wave:
        raise RuntimeError(f"capacity wave sent {stats.sent} of {wave}: {stats}")
    return wave / elapsed


async def _limited_wave(  # noqa: PLR0915 - one scenario, read top to bottom
    base: Settings, database: Database, cohort: Cohort, wave: int, chatters: int, figures: Figures
) -> None:
    """A wave at 30/s against an emulator that enforces Telegram's limits, with people chatting."""
    settings = _settings(base, telegram_rate_limit=29.5, reminder_poll_seconds=1.0)
    telegram = FakeTelegram(
        bot_token=TOKEN, flood_limits=FloodLimits(global_per_second=30, per_chat_per_second=1)
    )
    telegram.users_have_started(FakeUser(id=i, first_name="P") for i in cohort.telegram_ids)
    people = [FakeUser(id=CHATTER_FIRST_ID + n, first_name="Chatty") for n in range(chatters)]
    services = build_services(settings)
    application = build_application(settings, services=services, request=EmulatorRequest(telegram))
    events = telegram.subscribe()
    reminder_times: list[float] = []
    latencies: list[float] = []
    waiting: dict[int, float] = {}
    done = asyncio.Event()
    chatter_ids = {person.id for person in people}

    async def watch() -> None:
        while True:
            event: BotEvent = await events.get()
            if event.kind != BotEventKind.MESSAGE_SENT or event.chat_id is None:
                continue
            if event.chat_id in chatter_ids:
                asked = waiting.pop(event.chat_id, None)
                if asked is not None:
                    latencies.append(time.perf_counter() - asked)
            else:
                reminder_times.append(time.perf_counter())
                if len(reminder_times) >= wave:
                    done.set()

    async def chat(person: FakeUser) -> None:
        while not done.is_set():
            telegram.user_sends_text(person, "/help")
            for data in telegram.pop_pending_updates():
                waiting[int(data["message"]["chat"]["id"])] = time.perf_counter()
                await application.update_queue.put(Update.de_json(data, application.bot))
            # A person reads the answer before writing again (and stays within 1 msg/s/chat).
            await asyncio.sleep(2.5)

    watcher = asyncio.create_task(watch())
    async with application:
        await _make_due(database, cohort, wave, datetime.now(UTC))
        await application.start()
        talkers = [asyncio.create_task(chat(person)) for person in people]
        try:
            await asyncio.wait_for(done.wait(), timeout=wave / 20 + 60)
        finally:
            for task in talkers:
                task.cancel()
            await application.stop()
    watcher.cancel()
    telegram.unsubscribe(events)
    span = reminder_times[-1] - reminder_times[0] if len(reminder_times) > 1 else 0.0
    figures.limited_wave = wave
    figures.limited_sent_per_second = round((len(reminder_times) - 1) / span, 2) if span else 0.0
    figures.limited_429s = telegram.stats.too_many_requests
    figures.replies_measured = len(latencies)
    if latencies:
        ordered = sorted(latencies)
        figures.reply_latency_p95_seconds = round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3)
        figures.reply_latency_max_seconds = round(ordered[-1], 3)
        figures.notes.append(f"median reply latency {statistics.median(ordered):.3f}s")


async def run(
    settings: Settings, patients: int, wave: int, limited_wave: int, chatters: int
) -> Figures:
    database = Database.from_url(settings.database_url)
    await upgrade_to_head(settings.database_url)
    figures = Figures(database=database.engine.dialect.name, patients=patients)
    cohort = _cohort(patients)
    try:
        await _remove_bench_patients(database)
        await seed_cohort(database, cohort, datetime.now(UTC))
        ours = await asyncio.to_thread(_startup, "ours", settings.database_url)
        naive = await asyncio.to_thread(_startup, "naive", settings.database_url)
        figures.startup_seconds = ours["startup_seconds"]
        figures.startup_peak_rss_mb = ours["peak_rss_mb"]
        figures.naive_startup_seconds = naive["startup_seconds"]
        figures.naive_peak_rss_mb = naive["peak_rss_mb"]
        figures.capacity_wave = min(wave, patients)
        figures.capacity_per_second = round(
            await _capacity(settings, database, cohort, figures.capacity_wave), 1
        )
        # The limited wave uses patients the capacity wave did not touch today.
        limited = Cohort(
            count=min(limited_wave, patients - figures.capacity_wave),
            first_telegram_id=cohort.first_telegram_id + figures.capacity_wave,
        )
        if limited.count > 0:
            await _limited_wave(settings, database, limited, limited.count, chatters, figures)
    finally:
        await _remove_bench_patients(database)
        await database.dispose()
    return figures


def report(figures: Figures, as_json: bool) -> str:
    if as_json:
        return json.dumps(asdict(figures))
    f = figures
    lines = [
        f"reed bench reminders on {f.database}, {f.patients:,} opted-in patients",
        f"  start-up to ready:  {f.startup_seconds:8.2f} s"
        f"   (naive, run_daily per patient: {f.naive_startup_seconds:.2f} s)",
        f"  peak RSS:           {f.startup_peak_rss_mb:8.1f} MB"
        f"  (naive: {f.naive_peak_rss_mb:.1f} MB)",
        f"  dispatch capacity:  {f.capacity_per_second:8.1f} reminders/s claimed, sent, recorded"
        f" (limiter off, {f.capacity_wave:,} reminders)",
        f"  limited wave:       {f.limited_sent_per_second:8.2f} sent/s"
        f" over {f.limited_wave:,} reminders, {f.limited_429s} x 429",
        f"  reply latency p95:  {f.reply_latency_p95_seconds:8.3f} s"
        f" (max {f.reply_latency_max_seconds:.3f} s, {f.replies_measured} replies during the wave)",
    ]
    lines += [f"  note: {note}" for note in f.notes]
    return "\n".join(lines)
