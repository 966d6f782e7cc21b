"""Updates of different chats run side by side; each chat's run one at a time, in order.

The processor is driven the way PTB drives it (``process_update`` from one task per update),
and once through a real ``Application`` and its update queue. Nothing here sleeps: handlers
wait on events the test sets, and "has not started" is checked after the loop had every
chance to start it.
"""

from __future__ import annotations

import asyncio
import gc
import random
import warnings
from collections.abc import Awaitable
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import TypeVar

import pytest
from pydantic import SecretStr
from telegram import CallbackQuery, Chat, InlineQuery, Message, Poll, Update, User
from telegram.ext import ApplicationBuilder, BaseUpdateProcessor, SimpleUpdateProcessor, TypeHandler

from bot.app import build_application
from bot.settings import Settings
from bot.updates import UPDATE_CONCURRENCY, PerChatUpdateProcessor, chat_key
from db import queries
from db.engine import POOL_SIZE, Database
from emulator import FakeTelegram
from emulator.request import EmulatorRequest

TOKEN = "123456:TEST-TOKEN"
WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_update_ids = count(1)
T = TypeVar("T")


# -- updates, built the way Telegram would send them -----------------------------------------


def _user(user_id: int) -> User:
    return User(user_id, "Ana", is_bot=False)


def text_update(chat_id: int, text: str = "hi", *, user_id: int | None = None) -> Update:
    """A message in a chat (private unless the id is negative)."""
    chat = Chat(chat_id, Chat.PRIVATE if chat_id > 0 else Chat.GROUP)
    sender = _user(user_id if user_id is not None else abs(chat_id))
    message = Message(next(_update_ids), WHEN, chat, from_user=sender, text=text)
    return Update(next(_update_ids), message=message)


def button_update(chat_id: int, data: str) -> Update:
    message = Message(next(_update_ids), WHEN, Chat(chat_id, Chat.PRIVATE))
    query = CallbackQuery(
        str(next(_update_ids)), _user(chat_id), "instance", message=message, data=data
    )
    return Update(next(_update_ids), callback_query=query)


def inline_query_update(user_id: int) -> Update:
    query = InlineQuery(str(next(_update_ids)), _user(user_id), "drills", "")
    return Update(next(_update_ids), inline_query=query)


def poll_update() -> Update:
    poll = Poll(
        "1",
        "Which drill?",
        [],
        0,
        False,
        False,
        Poll.REGULAR,
        False,
        allows_revoting=False,
        members_only=False,
    )
    return Update(next(_update_ids), poll=poll)


# -- driving a processor as PTB does ----------------------------------------------------------


def submit(
    processor: BaseUpdateProcessor, update: object, work: Awaitable[object]
) -> asyncio.Task[None]:
    """Hand one update over, as PTB's update fetcher does: one task each, in arrival order."""
    return asyncio.create_task(processor.process_update(update, work))


async def soon(work: Awaitable[T]) -> T:
    """Wait for something that takes no time unless the processor is wrong (then it hangs)."""
    return await asyncio.wait_for(work, timeout=5)


async def settle(rounds: int = 50) -> None:
    """Give every ready task its chance to run (a handler that could start, has)."""
    for _ in range(rounds):
        await asyncio.sleep(0)


class Gate:
    """A handler that records when it starts and finishes and waits for the test to open it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.opened = asyncio.Event()
        self.finished = False

    async def run(self) -> None:
        self.started.set()
        await self.opened.wait()
        self.finished = True


@pytest.fixture
def processor() -> PerChatUpdateProcessor:
    return PerChatUpdateProcessor(concurrency=4)


# -- which updates must stay in order --------------------------------------------------------


def test_updates_queue_by_their_chat_else_their_sender() -> None:
    assert chat_key(text_update(7001)) == 7001
    assert chat_key(button_update(7001, "c|1|next")) == 7001
    # A group's messages queue by the group, whoever writes them.
    assert chat_key(text_update(-5001, user_id=7001)) == -5001
    # An inline query has no chat: it queues with its sender's private chat.
    assert chat_key(inline_query_update(7001)) == 7001
    assert chat_key(poll_update()) is None
    assert chat_key("not an update") is None


# -- order within a chat ---------------------------------------------------------------------


async def handle_randomly(
    processor: BaseUpdateProcessor, chats: int, per_chat: int, seed: int
) -> dict[int, list[int]]:
    """Every chat sends ``per_chat`` numbered messages, interleaved with the other chats';
    each handler takes a random number of turns of the event loop (database round trips)."""
    rng = random.Random(seed)
    seen: dict[int, list[int]] = {chat: [] for chat in range(1, chats + 1)}

    async def handle(chat: int, number: int, pauses: int) -> None:
        for _ in range(pauses):
            await asyncio.sleep(0)
        seen[chat].append(number)

    tasks = [
        submit(processor, text_update(chat), handle(chat, number, rng.randrange(20)))
        for number in range(per_chat)
        for chat in rng.sample(list(seen), len(seen))
    ]
    await soon(asyncio.gather(*tasks))
    return seen


async def test_each_chat_is_handled_in_the_order_it_wrote_under_load() -> None:
    processor = PerChatUpdateProcessor(concurrency=8)
    seen = await handle_randomly(processor, chats=40, per_chat=25, seed=9)
    assert all(numbers == list(range(25)) for numbers in seen.values())
    assert processor.busy_chats == 0


async def test_without_the_chat_queue_the_same_load_comes_out_of_order() -> None:
    # The check above can fail: PTB's plain concurrent processor, same load, loses the order.
    seen = await handle_randomly(SimpleUpdateProcessor(8), chats=40, per_chat=25, seed=9)
    assert any(numbers != list(range(25)) for numbers in seen.values())


async def test_a_chat_second_update_waits_until_its_first_is_done(
    processor: PerChatUpdateProcessor,
) -> None:
    first, second = Gate(), Gate()
    tasks = [
        submit(processor, button_update(7001, "3"), first.run()),
        submit(processor, button_update(7001, "5"), second.run()),  # a double tap
    ]
    await soon(first.started.wait())
    await settle()
    assert not second.started.is_set()
    first.opened.set()
    await soon(second.started.wait())
    second.opened.set()
    await soon(asyncio.gather(*tasks))


# -- different chats side by side ------------------------------------------------------------


async def test_different_chats_are_handled_at_the_same_time(
    processor: PerChatUpdateProcessor,
) -> None:
    # Ana's handler waits for Ben's, which arrives after it: one at a time would never end.
    ben_answered = asyncio.Event()

    async def ana() -> None:
        await ben_answered.wait()

    async def ben() -> None:
        ben_answered.set()

    both = asyncio.gather(
        submit(processor, text_update(7001), ana()), submit(processor, text_update(7002), ben())
    )
    await soon(both)


async def test_no_more_than_the_cap_run_at_once() -> None:
    processor = PerChatUpdateProcessor(concurrency=3)
    gates = [Gate() for _ in range(10)]
    tasks = [submit(processor, text_update(7001 + n), gate.run()) for n, gate in enumerate(gates)]
    await settle()
    assert [gate.started.is_set() for gate in gates] == [True] * 3 + [False] * 7
    gates[1].opened.set()  # one finishes: the next in arrival order takes its place
    await soon(gates[3].started.wait())
    await settle()
    assert sum(gate.started.is_set() for gate in gates) == 4
    for gate in gates:
        gate.opened.set()
    await soon(asyncio.gather(*tasks))


async def test_a_burst_from_one_chat_does_not_hold_up_the_others() -> None:
    # More waiting updates of one chat than there are places: they wait without taking one.
    processor = PerChatUpdateProcessor(concurrency=2)
    busy = [Gate() for _ in range(20)]
    tasks = [submit(processor, text_update(7001), gate.run()) for gate in busy]
    other = Gate()
    tasks.append(submit(processor, text_update(7002), other.run()))
    await soon(other.started.wait())
    other.opened.set()
    for gate in busy:
        gate.opened.set()
    await soon(asyncio.gather(*tasks))
    assert all(gate.finished for gate in busy)


async def test_updates_without_a_chat_or_sender_run_freely_within_the_cap() -> None:
    processor = PerChatUpdateProcessor(concurrency=2)
    gates = [Gate() for _ in range(3)]
    tasks = [submit(processor, poll_update(), gate.run()) for gate in gates]
    await soon(asyncio.gather(gates[0].started.wait(), gates[1].started.wait()))
    await settle()
    assert not gates[2].started.is_set()
    assert processor.busy_chats == 0
    for gate in gates:
        gate.opened.set()
    await soon(asyncio.gather(*tasks))


# -- failures and memory ---------------------------------------------------------------------


async def test_a_failing_update_does_not_block_its_chat(
    processor: PerChatUpdateProcessor,
) -> None:
    handled: list[str] = []

    async def fail() -> None:
        await asyncio.sleep(0)
        raise RuntimeError("the database went away")

    async def record(text: str) -> None:
        handled.append(text)

    failing = submit(processor, text_update(7001, "4"), fail())
    after = submit(processor, text_update(7001, "5"), record("5"))
    with pytest.raises(RuntimeError):  # it reaches PTB, which reports it to the error handler
        await failing
    await soon(after)
    assert handled == ["5"]
    assert processor.busy_chats == 0


async def test_nothing_is_kept_for_chats_once_they_are_idle(
    processor: PerChatUpdateProcessor,
) -> None:
    gates = {chat: Gate() for chat in range(7001, 7101)}
    tasks = [submit(processor, text_update(chat), gate.run()) for chat, gate in gates.items()]
    tasks += [submit(processor, text_update(chat), asyncio.sleep(0)) for chat in gates]
    await settle()
    assert processor.busy_chats == 100
    for gate in gates.values():
        gate.opened.set()
    await soon(asyncio.gather(*tasks))
    assert processor.busy_chats == 0


async def test_an_update_cancelled_while_waiting_is_forgotten_cleanly(
    processor: PerChatUpdateProcessor,
) -> None:
    first = Gate()
    running = submit(processor, text_update(7001), first.run())
    never: list[str] = []

    async def waiting() -> None:
        never.append("ran")

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        queued = submit(processor, text_update(7001), waiting())
        await settle()
        queued.cancel()
        await asyncio.wait([queued])
        assert queued.cancelled()
        del queued  # its traceback holds the handler's coroutine until then
        gc.collect()
    assert not [w for w in caught if "never awaited" in str(w.message)]
    first.opened.set()
    await running
    assert never == []
    assert processor.busy_chats == 0


def test_the_cap_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        PerChatUpdateProcessor(concurrency=0)


# -- through PTB's Application ---------------------------------------------------------------


async def test_the_application_keeps_each_chat_in_order_and_runs_chats_side_by_side() -> None:
    telegram = FakeTelegram(bot_token=TOKEN)
    request = EmulatorRequest(telegram)
    processor = PerChatUpdateProcessor(concurrency=8)
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .concurrent_updates(processor)
        .build()
    )
    rng = random.Random(4)
    seen: dict[int, list[str]] = {}
    running = 0
    most_at_once = 0

    async def handle(update: Update, _context: object) -> None:
        nonlocal running, most_at_once
        assert update.effective_chat is not None
        assert update.effective_message is not None
        running += 1
        most_at_once = max(most_at_once, running)
        for _ in range(rng.randrange(10)):
            await asyncio.sleep(0)
        seen.setdefault(update.effective_chat.id, []).append(str(update.effective_message.text))
        running -= 1

    application.add_handler(TypeHandler(Update, handle))
    sent = {chat: [str(n) for n in range(20)] for chat in range(7001, 7031)}
    async with application:
        await application.start()
        for n in range(20):
            for chat in sent:
                await application.update_queue.put(text_update(chat, sent[chat][n]))
        await asyncio.wait_for(application.update_queue.join(), 30)
        await application.stop()
    assert seen == sent
    assert 1 < most_at_once <= 8
    assert processor.busy_chats == 0


def test_the_bot_is_built_with_the_per_chat_processor(tmp_path: Path) -> None:
    settings = Settings(
        telegram_bot_token=SecretStr(TOKEN),
        database_url=f"sqlite:///{tmp_path / 'reed.db'}",
        _env_file=None,
    )
    application = build_application(settings, request=EmulatorRequest(FakeTelegram(TOKEN)))
    processor = application.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    assert processor.concurrency == UPDATE_CONCURRENCY


# -- the database under updates handled side by side -----------------------------------------


async def test_another_chat_writing_meanwhile_waits_only_on_sqlite_and_holds_no_connection(
    database: Database,
) -> None:
    inside, release = asyncio.Event(), asyncio.Event()

    async def first_chat() -> None:
        async with database.transaction() as session:
            await queries.new_conversation_for_update(session, 7001, WHEN)
            inside.set()
            await release.wait()

    async def second_chat() -> None:
        async with database.transaction() as session:
            await queries.new_conversation_for_update(session, 7002, WHEN)

    first = asyncio.create_task(first_chat())
    await soon(inside.wait())
    second = asyncio.create_task(second_chat())
    if database.engine.dialect.name == "sqlite":
        # One writer at a time: the second waits for its turn in this process, without a
        # connection (or a thread) parked in SQLite's busy handler, and goes on at the commit.
        await settle()
        assert not second.done()
        assert database.engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    else:
        # PostgreSQL locks rows, not the database: the other chat's write goes through.
        await soon(second)
    release.set()
    await soon(asyncio.gather(first, second))
    async with database.transaction(read_only=True) as session:
        assert await queries.conversation_for_update(session, 7002) is not None


async def test_many_chats_writing_at_once_all_get_through(database: Database) -> None:
    async def write(user_id: int) -> None:
        async with database.transaction() as session:
            await queries.new_conversation_for_update(session, user_id, WHEN)
            await asyncio.sleep(0)

    await soon(asyncio.gather(*(write(7001 + n) for n in range(3 * UPDATE_CONCURRENCY))))
    async with database.transaction(read_only=True) as session:
        for n in range(3 * UPDATE_CONCURRENCY):
            assert await queries.conversation_for_update(session, 7001 + n) is not None


def test_postgresql_keeps_a_connection_for_every_update_at_once_and_the_outbox() -> None:
    # Fewer, and connections would be opened and closed per update under load.
    outbox = 2  # claiming one batch while recording the last
    assert UPDATE_CONCURRENCY + outbox <= POOL_SIZE
