"""How updates are processed: different chats at once, each chat's updates one at a time, in order.

PTB runs every update through an update processor (``ApplicationBuilder.concurrent_updates``).
Its default handles one update at a time, so one patient's database round trips hold up every
other patient; its concurrent one runs any updates at once, so a double tap could be handled
before the tap it follows. :class:`PerChatUpdateProcessor` keeps the order where it matters,
within a chat, and runs the chats side by side.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates handled at once. Each holds a database connection while its unit of work is open,
# so on PostgreSQL this stays within db.engine.POOL_SIZE with room for the outbox; on SQLite a
# process's writers take turns anyway. Handlers mostly wait on Telegram and the database, which
# is what the places are for; in `reed bench checkins` (no network) 4 to 32 measure within the
# noise of each other, because one core running the handlers' Python is then the limit.
UPDATE_CONCURRENCY = 16


def chat_key(update: object) -> int | None:
    """The chat whose updates must stay in order: the update's chat, else its sender.

    A private chat's id is its user's id, so an update without a chat (an inline query, say)
    queues with its sender's private chat. ``None`` for anything else (a poll's state, an
    object that is not a Telegram update): it may run beside anything.
    """
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


@dataclass
class _Lane:
    """One chat's updates in flight: the one running and those waiting, in arrival order."""

    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    updates: int = 0


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Runs updates of different chats concurrently and each chat's updates in arrival order.

    At most ``concurrency`` updates run at once. An update whose chat is busy waits for its
    turn without taking one of those places, so a chat that sends a burst (a double tap, a
    backlog after downtime) delays only itself. A handler that fails frees its chat's turn
    like any other; its exception goes on to PTB, which reports it.

    A chat is tracked only while it has updates in flight: nothing is kept for idle chats.

    PTB takes its own semaphore (``max_concurrent_updates``) before handing an update over;
    here it only admits updates and never fills, because a waiting update holding one of
    those places could keep every other chat waiting behind a busy one.
    """

    def __init__(self, concurrency: int = UPDATE_CONCURRENCY) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be at least 1, not {concurrency}")
        super().__init__(max_concurrent_updates=sys.maxsize)
        self._concurrency = concurrency
        self._running = asyncio.Semaphore(concurrency)
        self._lanes: dict[int, _Lane] = {}

    @property
    def concurrency(self) -> int:
        """The most updates that run at once."""
        return self._concurrency

    @property
    def busy_chats(self) -> int:
        """Chats with an update running or waiting: the per-chat state kept right now."""
        return len(self._lanes)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            key = chat_key(update)
            if key is None:
                async with self._running:
                    await coroutine
                return
            await self._in_turn(key, coroutine)
        finally:
            # Cancelled before its turn came (at shutdown): close it, or Python warns that it
            # was never awaited. Closing one that has run is a no-op.
            if inspect.iscoroutine(coroutine):
                coroutine.close()

    async def _in_turn(self, key: int, coroutine: Awaitable[Any]) -> None:
        # Joining the lane happens before the first await, in the order PTB hands updates over,
        # which is the order they arrived in; asyncio.Lock then wakes its waiters first come,
        # first served.
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        lane.updates += 1
        try:
            async with lane.turn, self._running:
                await coroutine
        finally:
            lane.updates -= 1
            if lane.updates == 0:
                del self._lanes[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: PTB has waited for every update in flight before this."""
