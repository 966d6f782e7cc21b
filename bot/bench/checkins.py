"""``reed bench checkins``: check-in answers handled per second by one process.

Runs on the database ``DATABASE_URL`` names, against the local Telegram emulation in the same
process. Patients (Telegram ids from ``BENCH_FIRST_ID`` up, deleted before and after the run;
nothing else is touched) get a reminder and press Done, which opens the check-in; the answer
measured is the check-in's first one, pain during the drill (a 0-10 button). Each is handled
from end to end: the update parsed, its unit of work committed, the reply sent.

Three ways of processing updates are measured in the same run, each on patients of its own: a
bare echo handler (the ceiling: PTB and the emulation alone), the bot handling one update at a
time (PTB's default, the bot before :mod:`bot.updates`), and the bot with
:class:`bot.updates.PerChatUpdateProcessor`. They take turns over several rounds, so a change
in the machine's load meanwhile falls on all three.

The load is a closed loop: ``in_flight`` patients press at any moment, each pressing as soon as
their previous answer was handled. One patient in ``double_tap_every`` taps a second score on
the same message right after the first, as a double tap does. That is the order check: every
patient's presses are answered in the order pressed, and the score stored is the first tap's
(the second finds the question already answered).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr
from sqlalchemy import delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    SimpleUpdateProcessor,
)

from bot.app import build_application, build_services
from bot.bench.seeding import Cohort, seed_cohort
from bot.callback_data import FlowButton, ReminderButton, decode_callback
from bot.settings import Settings
from bot.updates import UPDATE_CONCURRENCY, PerChatUpdateProcessor
from db.engine import Database
from db.migrate import upgrade_to_head
from db.models import CheckIn, Conversation, Patient
from emulator import FakeTelegram, FakeUser, JSONDict, StoredMessage
from emulator.request import EmulatorRequest

# Below the reminder benchmark's ids (it removes everything from 8_900_000_000 up).
BENCH_FIRST_ID = 8_800_000_000
BENCH_END_ID = 8_900_000_000
TOKEN = "100001:BENCH"
# The first tap's score, and the double tap's.
ANSWER, DOUBLE_TAP = 3, 5
# The ceiling first, then the bot one update at a time, then chats side by side.
PROCESSINGS = ("echo", "sequential", "per-chat")
# A button of the message a patient looks at, recognised by its callback data.
ButtonPick = Callable[[str], bool]


@dataclass(frozen=True)
class Options:
    patients: int = 3_000  # per way of processing
    in_flight: int = 64
    concurrency: int = UPDATE_CONCURRENCY
    double_tap_every: int = 5  # 0: nobody double taps
    rounds: int = 3


@dataclass
class Run:
    """One way of processing updates, measured over every round."""

    processing: str
    answers: int = 0
    double_taps: int = 0
    seconds: float = 0.0
    answers_per_second: float = 0.0
    latency_p50_ms: float = 0.0
    latency_p99_ms: float = 0.0
    # Patients whose presses were all answered, in the order pressed.
    replies_in_order: int = 0
    # Patients whose stored score is their first tap's (None: the echo stores nothing).
    stored_in_order: int | None = None
    api_errors: int = 0

    @property
    def order_kept(self) -> bool:
        stored = self.stored_in_order is None or self.stored_in_order == self.answers
        return self.replies_in_order == self.answers and stored


@dataclass
class Figures:
    database: str
    patients_per_way: int
    in_flight: int
    concurrency: int
    double_tap_every: int
    rounds: int
    runs: list[Run] = field(default_factory=list)

    @property
    def order_kept(self) -> bool:
        return all(run.order_kept for run in self.runs)


# -- what the patients press -----------------------------------------------------------------


def _reminder_done(data: str) -> bool:
    pressed = decode_callback(data)
    return isinstance(pressed, ReminderButton) and pressed.action == "done"


def _pain_during(score: int) -> ButtonPick:
    def pick(data: str) -> bool:
        pressed = decode_callback(data)
        return (
            isinstance(pressed, FlowButton)
            and pressed.action == "pd"
            and pressed.args.text(1) == str(score)
        )

    return pick


async def _first_taps_stored(session: AsyncSession, cohort: Cohort) -> int:
    """Patients whose check-in holds their first tap's score and not the double tap's."""
    other = aliased(CheckIn)
    stored = await session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .join(Patient, Patient.id == CheckIn.patient_id)
        .where(
            Patient.telegram_user_id.between(cohort.first_telegram_id, cohort.telegram_ids[-1]),
            CheckIn.pain_during == ANSWER,
            ~exists().where(
                other.patient_id == CheckIn.patient_id, other.pain_during == DOUBLE_TAP
            ),
        )
    )
    return int(stored or 0)


class _Timed(BaseUpdateProcessor):
    """The processor under test, telling when each update has been handled to the end."""

    def __init__(self, inner: BaseUpdateProcessor, handled: Callable[[object], None]) -> None:
        super().__init__(inner.max_concurrent_updates)
        self.inner = inner
        self.handled = handled

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await self.inner.process_update(update, coroutine)
        finally:
            self.handled(update)

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()


class _Presses:
    """Patients pressing buttons through the emulation, and when each press was handled."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.application: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._waiting: dict[int, asyncio.Future[float]] = {}

    def handled(self, update: object) -> None:
        if isinstance(update, Update):
            waiting = self._waiting.pop(update.update_id, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(time.perf_counter())

    def _on_screen(self, chat_id: int) -> StoredMessage:
        for message in reversed(self.telegram.bot_messages(chat_id)):
            if message.inline_keyboard:
                return message
        raise LookupError(f"chat {chat_id} shows no buttons")

    def press(self, chat_id: int, *picks: ButtonPick) -> list[JSONDict]:
        """Tap the buttons ``picks`` choose on the chat's latest message with buttons, one
        after the other, on the message as it is now (a double tap hits it twice)."""
        message = self._on_screen(chat_id)
        buttons = [button for row in message.inline_keyboard for button in row]
        presses = []
        for pick in picks:
            index = next(
                (i for i, button in enumerate(buttons) if button.data and pick(button.data)), None
            )
            if index is None:
                raise LookupError(f"chat {chat_id}: no such button among {message.buttons}")
            presses.append(self.telegram.user_presses(message, index, chat_id=chat_id))
        self.telegram.pop_pending_updates()  # handed to the application directly, below
        return presses

    async def send(self, presses: Sequence[JSONDict]) -> list[tuple[float, asyncio.Future[float]]]:
        """Hand the presses to the application: for each, when it was sent and a future of
        when it was handled."""
        assert self.application is not None
        loop = asyncio.get_running_loop()
        sent = []
        for data in presses:
            started = time.perf_counter()
            handled: asyncio.Future[float] = loop.create_future()
            self._waiting[int(data["update_id"])] = handled
            await self.application.update_queue.put(Update.de_json(data, self.application.bot))
            sent.append((started, handled))
        return sent


def _taker(chats: Sequence[int]) -> Callable[[], int | None]:
    remaining: Iterator[int] = iter(chats)
    return lambda: next(remaining, None)


@dataclass
class _Round:
    """What one round of one way of processing measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    # Each patient's button presses (callback query ids), in the order pressed.
    pressed: dict[int, list[str]] = field(default_factory=dict)


async def _measure(presses: _Presses, chats: Sequence[int], options: Options) -> _Round:
    """Every patient answers once (a double tapper twice), ``in_flight`` at a time."""
    take = _taker(chats)
    measured = _Round()
    answer, double_tap = _pain_during(ANSWER), _pain_during(DOUBLE_TAP)

    async def patient() -> None:
        while (chat := take()) is not None:
            every = options.double_tap_every
            taps = presses.press(
                chat, *((answer, double_tap) if every and chat % every == 0 else (answer,))
            )
            measured.pressed[chat] = [tap["callback_query"]["id"] for tap in taps]
            sent = await presses.send(taps)
            handled = [await future for _, future in sent]
            measured.latencies.append(handled[0] - sent[0][0])

    started = time.perf_counter()
    await asyncio.gather(*(patient() for _ in range(options.in_flight)))
    measured.seconds = time.perf_counter() - started
    return measured


def _replies_in_order(request: EmulatorRequest, pressed: dict[int, list[str]]) -> int:
    """Patients whose every press was answered, in the order they pressed."""
    answered = [
        str(call.params.get("callback_query_id"))
        for call in request.calls_to("answerCallbackQuery")
        if call.status_code == 200
    ]
    position = {query_id: index for index, query_id in enumerate(answered)}
    in_order = 0
    for queries in pressed.values():
        places = [position[query] for query in queries if query in position]
        if len(places) == len(queries) and places == sorted(places):
            in_order += 1
    return in_order


# -- the applications ------------------------------------------------------------------------


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """The ceiling: answer the press and show what was pressed, nothing else."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(query.data or "?")


def _application(
    processing: str, settings: Settings, request: EmulatorRequest, updates: BaseUpdateProcessor
) -> Application[Any, Any, Any, Any, Any, Any]:
    if processing != "echo":
        return build_application(settings, request=request, updates=updates)
    echo = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .concurrent_updates(updates)
        .build()
    )
    echo.add_handler(CallbackQueryHandler(_echo))
    return echo


def _processor(processing: str, options: Options) -> BaseUpdateProcessor:
    if processing == "sequential":
        return SimpleUpdateProcessor(1)
    return PerChatUpdateProcessor(options.concurrency)


async def _one_round(
    processing: str,
    settings: Settings,
    telegram: FakeTelegram,
    chats: Sequence[int],
    options: Options,
    run: Run,
) -> list[float]:
    """One round of one way of processing: adds to ``run``, returns the answers' latencies."""
    presses = _Presses(telegram)
    request = EmulatorRequest(telegram)
    application = _application(
        processing, settings, request, _Timed(_processor(processing, options), presses.handled)
    )
    presses.application = application
    errors_before = telegram.stats.api_errors
    async with application:
        await application.start()
        try:
            measured = await _measure(presses, chats, options)
        finally:
            await application.stop()
    run.seconds += measured.seconds
    run.answers += len(measured.latencies)
    run.double_taps += sum(len(taps) - 1 for taps in measured.pressed.values())
    run.replies_in_order += _replies_in_order(request, measured.pressed)
    run.api_errors += telegram.stats.api_errors - errors_before
    return measured.latencies


# -- the run ---------------------------------------------------------------------------------


def _settings(base: Settings) -> Settings:
    # The limiter off: this measures what one process can handle, not Telegram's 30/s.
    return base.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "webhook_url": None,
            "telegram_rate_limit": 0,
            "reminder_send_concurrency": 256,
            "reminder_batch_size": 1000,
        }
    )


async def _remove_bench_patients(database: Database) -> None:
    async with database.transaction() as session:
        for column in (Patient.telegram_user_id, Conversation.telegram_user_id):
            await session.execute(
                delete(column.class_).where(column >= BENCH_FIRST_ID, column < BENCH_END_ID)
            )


async def _set_up(settings: Settings, telegram: FakeTelegram, chats: Sequence[int]) -> None:
    """Send every patient their reminder, and press Done on it: the check-in asks its first
    question."""
    presses = _Presses(telegram)
    services = build_services(settings)
    application = build_application(
        settings,
        services=services,
        request=EmulatorRequest(telegram),
        updates=_Timed(PerChatUpdateProcessor(), presses.handled),
    )
    presses.application = application
    async with application:
        stats = await services.outbox.run_once(application.bot)
        if stats.sent != len(chats):
            raise RuntimeError(f"sent {stats.sent} of {len(chats)} reminders: {stats}")
        await application.start()
        take = _taker(chats)

        async def patient() -> None:
            while (chat := take()) is not None:
                for _, handled in await presses.send(presses.press(chat, _reminder_done)):
                    await handled

        try:
            await asyncio.gather(*(patient() for _ in range(64)))
        finally:
            await application.stop()


async def run(base: Settings, options: Options) -> Figures:
    settings = _settings(base)
    database = Database.from_url(settings.database_url)
    await upgrade_to_head(settings.database_url)
    figures = Figures(
        database=database.engine.dialect.name,
        patients_per_way=options.patients,
        in_flight=options.in_flight,
        concurrency=options.concurrency,
        double_tap_every=options.double_tap_every,
        rounds=options.rounds,
    )
    cohorts = [
        Cohort(count=options.patients, first_telegram_id=BENCH_FIRST_ID + n * options.patients)
        for n in range(len(PROCESSINGS))
    ]
    telegram = FakeTelegram(bot_token=TOKEN)
    try:
        await _remove_bench_patients(database)
        now = datetime.now(UTC)
        for cohort in cohorts:
            await seed_cohort(database, cohort, now, due_at=now - timedelta(seconds=1))
            telegram.users_have_started(FakeUser(id=i, first_name="P") for i in cohort.telegram_ids)
        await _set_up(settings, telegram, [chat for c in cohorts for chat in c.telegram_ids])
        runs = {processing: Run(processing) for processing in PROCESSINGS}
        latencies: dict[str, list[float]] = {processing: [] for processing in PROCESSINGS}
        for turn in range(options.rounds):
            for processing, cohort in zip(PROCESSINGS, cohorts, strict=True):
                chats = cohort.telegram_ids[turn :: options.rounds]
                latencies[processing] += await _one_round(
                    processing, settings, telegram, chats, options, runs[processing]
                )
        async with database.transaction(read_only=True) as session:
            for processing, cohort in zip(PROCESSINGS, cohorts, strict=True):
                if processing != "echo":
                    runs[processing].stored_in_order = await _first_taps_stored(session, cohort)
        for processing, measured in runs.items():
            _sum_up(measured, latencies[processing])
            figures.runs.append(measured)
    finally:
        await _remove_bench_patients(database)
        await database.dispose()
    return figures


def _sum_up(run: Run, latencies: list[float]) -> None:
    ordered = sorted(latencies)
    run.seconds = round(run.seconds, 3)
    run.answers_per_second = round(run.answers / run.seconds, 1) if run.seconds else 0.0
    if ordered:
        run.latency_p50_ms = round(statistics.median(ordered) * 1000, 2)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        run.latency_p99_ms = round(p99 * 1000, 2)


def report(figures: Figures, as_json: bool) -> str:
    if as_json:
        return json.dumps({**asdict(figures), "order_kept": figures.order_kept})
    f = figures
    lines = [
        f"reed bench checkins on {f.database}: check-in answers (pain during the drill),"
        f" {f.patients_per_way:,} patients per way in {f.rounds} rounds,"
        f" {f.in_flight} pressing at once, 1 in {f.double_tap_every} double taps",
        f"  {'processing':<24} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8}  order",
    ]
    labels = {
        "echo": "bare echo (ceiling)",
        "sequential": "one update at a time",
        "per-chat": f"per chat, {f.concurrency} at once",
    }
    for r in f.runs:
        stored = "" if r.stored_in_order is None else f", {r.stored_in_order:,} stored"
        lines.append(
            f"  {labels[r.processing]:<24} {r.answers_per_second:>10,.1f}"
            f" {r.latency_p50_ms:>8.1f} {r.latency_p99_ms:>8.1f}"
            f"  {r.replies_in_order:,}/{r.answers:,} replied in order{stored}"
        )
    lines.append(
        f"  each chat's answers replied to and stored in order: {'yes' if f.order_kept else 'NO'}"
    )
    return "\n".join(lines)
