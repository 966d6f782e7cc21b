"""`reed run` killed with SIGKILL in the middle of a reminder wave, then started again.

The outbox's guarantee (see ``bot/outbox/engine.py``): nothing claimed is lost, and a killed
process can have sent at most two groups of ``REMINDER_SEND_CONCURRENCY`` reminders it did not
record (one being recorded while the next is sent); the next process sends those again once
their claim lease has run out.

Both processes are real ``python -m bot run`` subprocesses polling an emulated Bot API on
loopback, on the real clock. The test waits on the emulator's events, never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.bench.seeding import Cohort, seed_cohort
from bot.outbox import duplicate_bound
from db.engine import Database
from db.models import Delivery, Patient
from emulator import BotEvent, BotEventKind, FakeTelegram, FakeUser
from emulator.server import EmulatorServer
from tests.harness import TOKEN

logger = logging.getLogger(__name__)

COUNT = 5000
# Killed right after the 188th group of 8 went out (batches of 200 hold 25 whole groups), while
# it is being recorded and the next group is on its way: the worst case.
KILL_AFTER = 1504
SEND_CONCURRENCY = 8  # sends recorded together
LEASE_SECONDS = 2  # short, so the second process re-claims the dead one's claims quickly
START_TIMEOUT = 60.0  # the first process starts and sends KILL_AFTER reminders
FINISH_TIMEOUT = 120.0  # the second process starts and completes the wave


class Subprocess:
    """One ``python -m bot run``, its output collected as it comes (so the pipe never fills)."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        assert process.stdout is not None
        self._reader = asyncio.ensure_future(self._read(process.stdout))

    @classmethod
    async def start(cls, environment: Mapping[str, str], cwd: Path) -> Subprocess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env=dict(environment),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        return cls(process)

    async def _read(self, stream: asyncio.StreamReader) -> None:
        async for line in stream:
            self.lines.append(line.decode(errors="replace").rstrip())

    def output(self, last: int = 40) -> str:
        return "\n".join(self.lines[-last:])

    async def stopped(self, *, kill: bool) -> int:
        """Kill (SIGKILL) or terminate (SIGTERM, a graceful stop); the exit code."""
        if self.process.returncode is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
        code = await asyncio.wait_for(self.process.wait(), timeout=30)
        await asyncio.wait_for(self._reader, timeout=5)
        return code


async def count_sends_until(
    queue: asyncio.Queue[BotEvent],
    sends: Counter[int],
    done: Callable[[], bool],
    bot: Subprocess,
    timeout: float,  # noqa: ASYNC109 - a bound on the whole wait, like asyncio.wait_for's
) -> None:
    """Count each sent message per chat as the emulator reports it, until ``done()``.

    Fails at once if the bot process exits meanwhile instead of waiting out the timeout.
    """

    async def count() -> None:
        while not done():
            event = await queue.get()
            if event.kind is BotEventKind.MESSAGE_SENT and event.chat_id is not None:
                sends[event.chat_id] += 1

    counting = asyncio.ensure_future(count())
    exited = asyncio.ensure_future(bot.process.wait())
    try:
        finished, _ = await asyncio.wait(
            {counting, exited}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        counting.cancel()
        exited.cancel()
    if counting in finished:
        counting.result()
        return
    why = (
        f"the bot exited with {bot.process.returncode}"
        if exited in finished
        else f"timed out after {timeout:g}s"
    )
    raise AssertionError(
        f"{why}; {sum(sends.values())} messages in {len(sends)} chats so far\n{bot.output()}"
    )


def drain(queue: asyncio.Queue[BotEvent], sends: Counter[int]) -> None:
    """Count the events already queued, without waiting for more."""
    while not queue.empty():
        event = queue.get_nowait()
        if event.kind is BotEventKind.MESSAGE_SENT and event.chat_id is not None:
            sends[event.chat_id] += 1


async def test_a_dispatcher_killed_mid_wave_loses_no_reminder_and_repeats_at_most_one_group(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    now = datetime.now(UTC)  # the subprocesses run on the real clock
    cohort = Cohort(count=COUNT)
    await seed_cohort(database, cohort, now - timedelta(days=1), due_at=now - timedelta(minutes=1))
    telegram = FakeTelegram(bot_token=TOKEN)
    telegram.users_have_started(FakeUser(id=i, first_name="P") for i in cohort.telegram_ids)
    sends: Counter[int] = Counter()
    queue = telegram.subscribe()
    running: list[Subprocess] = []
    async with EmulatorServer(telegram) as server:
        environment = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": server.url,
            "DATABASE_URL": database_url,
            "LOG_LEVEL": "INFO",
            "REMINDER_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
            "REMINDER_POLL_SECONDS": "0.5",
            "REMINDER_SEND_CONCURRENCY": str(SEND_CONCURRENCY),
            "TELEGRAM_RATE_LIMIT": "0",
        }
        for name in ("WEBHOOK_URL", "REMINDER_BATCH_SIZE", "REMINDER_GRACE_MINUTES"):
            environment.pop(name, None)
        try:
            first = await Subprocess.start(environment, tmp_path)
            running.append(first)
            await count_sends_until(
                queue, sends, lambda: sum(sends.values()) >= KILL_AFTER, first, START_TIMEOUT
            )
            assert await first.stopped(kill=True) == -9
            drain(queue, sends)  # what reached Telegram before the process died
            sent_by_first = sum(sends.values())
            assert len(sends) < COUNT, "the first process finished the wave before it was killed"

            second = await Subprocess.start(environment, tmp_path)
            running.append(second)
            await count_sends_until(
                queue, sends, lambda: len(sends) == COUNT, second, FINISH_TIMEOUT
            )
            # A graceful stop waits for the outbox's current run, which records its sends.
            assert await second.stopped(kill=False) == 0, second.output()
        finally:
            telegram.unsubscribe(queue)
            for bot in running:
                if bot.process.returncode is None:
                    with contextlib.suppress(ProcessLookupError):
                        bot.process.kill()
                    await bot.process.wait()

    per_chat = Counter(len(telegram.bot_messages(chat_id)) for chat_id in cohort.telegram_ids)
    duplicates = per_chat[2]
    summary = (
        f"first process sent {sent_by_first} before SIGKILL; messages per chat: "
        f"{dict(sorted(per_chat.items()))}; {duplicates} chats got their reminder twice"
    )
    logger.info(summary)
    assert per_chat[0] == 0, f"reminders lost: {summary}"
    assert duplicates <= duplicate_bound(SEND_CONCURRENCY), (
        f"more duplicates than the bound: {summary}"
    )
    assert set(per_chat) <= {1, 2}, f"a chat got its reminder three times or more: {summary}"
    async with database.transaction() as session:
        statuses = await session.execute(
            select(Delivery.status, func.count())
            .join(Patient, Patient.id == Delivery.patient_id)
            .where(
                Patient.telegram_user_id.between(cohort.telegram_ids[0], cohort.telegram_ids[-1])
            )
            .group_by(Delivery.status)
        )
        assert dict(statuses.all()) == {"sent": COUNT}, summary
