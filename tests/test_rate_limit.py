"""A reply to a patient who is chatting overtakes a queued wave of reminders."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.rate_limit import BULK, PriorityRateLimiter


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
