"""A reply to a patient who is chatting overtakes a queued wave of reminders."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from telegram.error import RetryAfter

from bot.rate_limit import BULK, PriorityRateLimiter
from bot.rendering import bulk_args


async def test_interactive_sends_overtake_bulk_sends() -> None:
    limiter = PriorityRateLimiter(messages_per_second=200)
    order: list[str] = []

    def request(name: str) -> Any:
        async def send(*_args: object, **_kwargs: object) -> bool:
            order.append(name)
            return True

        return send

    async def bulk(index: int) -> object:
        return await limiter.process_request(
            request(f"bulk{index}"), (), {}, "sendMessage", {"chat_id": index}, BULK
        )

    async def wave() -> None:
        """As the dispatcher sends: groups of eight at a time, one group after another."""
        for group in range(5):
            await asyncio.gather(*(bulk(group * 8 + index) for index in range(8)))

    sending = asyncio.create_task(wave())
    await asyncio.sleep(0)  # the first group is queued before the patient writes
    reply = await limiter.process_request(
        request("reply"), (), {}, "sendMessage", {"chat_id": 999}, None
    )
    await sending
    assert reply is True
    # Only the group already queued goes first; the other 32 reminders wait for the reply.
    assert order.index("reply") <= 8


async def test_a_429_is_retried_after_telegrams_retry_after() -> None:
    limiter = PriorityRateLimiter(messages_per_second=200)
    calls: list[int] = []

    async def flaky(*_args: object, **_kwargs: object) -> bool:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RetryAfter(retry_after=timedelta(milliseconds=10))
        return True

    result = await limiter.process_request(flaky, (), {}, "sendMessage", {"chat_id": 1}, BULK)
    assert result is True
    assert len(calls) == 2  # refused once with 429, sent on the retry


def test_the_outbox_sends_at_bulk_priority_only_through_the_priority_limiter() -> None:
    limited = SimpleNamespace(rate_limiter=PriorityRateLimiter(30))
    unlimited = SimpleNamespace(rate_limiter=None)
    assert bulk_args(limited) == {"rate_limit_args": BULK}  # type: ignore[arg-type]
    assert bulk_args(unlimited) == {}  # type: ignore[arg-type]
