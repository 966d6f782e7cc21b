"""Telegram's flood limits: sends beyond them are answered with 429 and ``retry_after``."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class FloodLimits:
    """Bot API flood limits; sends beyond them are answered with 429 and ``retry_after``."""

    global_per_second: int = 30
    per_chat_per_second: int = 1
    group_per_minute: int = 20


class FloodControl:
    """Sliding one-second / one-minute windows of successful sends."""

    def __init__(self, limits: FloodLimits, monotonic: Callable[[], float]) -> None:
        self._limits = limits
        self._now = monotonic
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = {}

    def acquire(self, chat_id: int, is_group: bool) -> int | None:
        """Record a send and return None, or return the seconds to wait (nothing recorded)."""
        now = self._now()
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        history = self._per_chat.setdefault(chat_id, deque())
        while history and history[0] <= now - 60.0:
            history.popleft()
        waits: list[float] = []
        if len(self._global) >= self._limits.global_per_second:
            waits.append(self._global[0] + 1.0 - now)
        last_second = [t for t in history if t > now - 1.0]
        if len(last_second) >= self._limits.per_chat_per_second:
            waits.append(last_second[0] + 1.0 - now)
        if is_group and len(history) >= self._limits.group_per_minute:
            waits.append(history[0] + 60.0 - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        self._global.append(now)
        history.append(now)
        return None
