"""Outgoing rate limiting that lets replies to people overtake a reminder wave.

Telegram allows about 30 messages a second overall. PTB's AIORateLimiter (built on
aiolimiter) enforces that; this wrapper only adds an order: a bulk send (a reminder) waits
while any interactive send (a reply to someone who just wrote) is waiting, so a wave of
reminders never queues in front of a conversation. The outbox keeps only a few bulk
sends in flight, which bounds how long a reply can wait behind the ones already queued.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

# A Bot API answer as JSON (PTB's own alias for it is private).
JSONDict = dict[str, Any]

# Passed as ``rate_limit_args`` by the outbox.
BULK = -1
# How often a send that meets a 429 is retried after Telegram's retry_after.
MAX_RETRIES = 3
BUCKET = 1.25


class PriorityRateLimiter(BaseRateLimiter[int]):
    def __init__(self, messages_per_second: float) -> None:
        # A bucket of 1.25 messages draining at the rate: an even flow whose only burst is a
        # quarter of a message, so any one second holds at most rate + 0.25 sends (under
        # Telegram's strict 30 at 29.5/s). With a bucket of exactly one, a waiter that wakes a
        # hair before the bucket has drained waits a whole extra interval, costing ~3%.
        self._limiter = AIORateLimiter(
            overall_max_rate=BUCKET,
            overall_time_period=BUCKET / messages_per_second,
            max_retries=MAX_RETRIES,
        )
        self._interactive_waiting = 0
        self._no_interactive = asyncio.Event()
        self._no_interactive.set()

    async def initialize(self) -> None:
        await self._limiter.initialize()

    async def shutdown(self) -> None:
        await self._limiter.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if rate_limit_args == BULK:
            await self._no_interactive.wait()
            return await self._limiter.process_request(callback, args, kwargs, endpoint, data, None)
        self._interactive_waiting += 1
        self._no_interactive.clear()
        try:
            return await self._limiter.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        finally:
            self._interactive_waiting -= 1
            if self._interactive_waiting == 0:
                self._no_interactive.set()
