"""The reminder dispatcher: one repeating job claims due reminders in batches and sends them.

Delivery guarantee: at least once per occurrence within the grace window, and exactly once
unless a process dies between sending a reminder and recording it. Reminders go out in groups
of ``reminder_send_concurrency`` (default 4), each group recorded while the next is sent, so a
process killed mid-wave can have sent at most :func:`duplicate_bound` reminders (two groups)
it did not record; those are sent again once their claim lease expires. Nothing claimed is
lost: an unrecorded claim is retried after the lease.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from dataclasses import dataclass, field

from telegram import Bot
from telegram._utils.types import JSONDict
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.warnings import PTBUserWarning

from bot.callback_data import ReminderButton
from bot.context import ReedContext
from bot.domain import reminder_screens
from bot.domain.clock import Clock
from bot.domain.library import Library
from bot.domain.reminders import Claimed, ClaimStats, Kind, Reminders
from bot.handlers.render import body_of
from bot.rate_limit import BULK
from content.messages import MessageCatalogue
from db.engine import Database

logger = logging.getLogger(__name__)

# PTB suggests send_message over do_api_request("sendMessage"); we use the raw request on
# purpose (see Dispatcher._send).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


def duplicate_bound(send_concurrency: int) -> int:
    """The most reminders one killed dispatcher can have sent without recording them."""
    return 2 * send_concurrency


@dataclass
class WaveStats:
    """What one dispatcher run did, for logs and benchmarks."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unrecorded: int = 0
    ledger: dict[str, int] = field(default_factory=dict)


class Dispatcher:
    def __init__(
        self,
        db: Database,
        reminders: Reminders,
        library: Library,
        messages: MessageCatalogue,
        clock: Clock,
        send_concurrency: int,
    ) -> None:
        self.db = db
        self.reminders = reminders
        self.library = library
        self.messages = messages
        self.clock = clock
        self.send_concurrency = send_concurrency
        self._renders: dict[tuple[object, ...], tuple[str, list[list[JSONDict]]]] = {}

    async def run_once(self, bot: Bot, *, max_batches: int | None = None) -> WaveStats:
        """Claim and send batches until nothing is due (or ``max_batches`` ran).

        Each group's results are recorded while the next group is sent, so the rate limiter
        never idles waiting for the database; that is why up to two groups can be unrecorded.
        """
        stats = WaveStats()
        batches = 0
        recording: asyncio.Task[None] | None = None
        try:
            while max_batches is None or batches < max_batches:
                claim_stats = ClaimStats()
                async with self.db.transaction() as session:
                    claimed = await self.reminders.claim_due(session, self.clock(), claim_stats)
                for status, count in claim_stats.by_status.items():
                    stats.ledger[status] = stats.ledger.get(status, 0) + count
                if not claim_stats.by_status:
                    break
                batches += 1
                stats.claimed += len(claimed)
                for start in range(0, len(claimed), self.send_concurrency):
                    group = claimed[start : start + self.send_concurrency]
                    outcomes = await asyncio.gather(*(self._send(bot, item) for item in group))
                    if recording is not None:
                        await recording
                    recording = asyncio.create_task(self._record(group, outcomes, stats))
        finally:
            if recording is not None:
                await recording
        return stats

    async def _record(
        self, group: list[Claimed], outcomes: list[int | str], stats: WaveStats
    ) -> None:
        sent: dict[int, int] = {}
        failed: set[int] = set()
        blocked: set[int] = set()
        for item, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, int):
                sent[item.delivery_id] = outcome
            elif outcome == "blocked":
                failed.add(item.delivery_id)
                blocked.add(item.patient_id)
            elif outcome == "failed":
                failed.add(item.delivery_id)
            else:
                stats.unrecorded += 1  # stays claimed; retried when the lease runs out
        async with self.db.transaction() as session:
            await self.reminders.record_results(session, sent, blocked, failed, self.clock())
        stats.sent += len(sent)
        stats.failed += len(failed)
        stats.blocked += len(blocked)

    def _rendered(self, item: Claimed) -> tuple[str, list[list[JSONDict]]]:
        """The reminder's text and button rows, rendered once per wave for each variant."""
        key = (item.language, item.kind, item.drill_ids, item.late)
        cached = self._renders.get(key)
        if cached is None:
            messages = self.messages.for_language(item.language)
            catalog = self.library.content(messages.language).catalog
            if item.kind == Kind.STILL_THERE:
                shown = reminder_screens.still_there_screen()
            else:
                shown = reminder_screens.reminder_screen(catalog, item.drill_ids, item.late)
            rows = [
                [
                    {
                        "text": messages.plain(choice.label),
                        "action": choice.action,
                        "arg": choice.arg,
                    }
                    for choice in row
                ]
                for row in shown.choices
            ]
            cached = self._renders[key] = (body_of(shown, messages), rows)
        return cached

    async def _send(self, bot: Bot, item: Claimed) -> int | str:
        """Send one reminder: its message id, or what went wrong.

        The request is built as plain JSON and the answer read as plain JSON: at thousands of
        reminders a second, building and parsing PTB objects for each was most of the cost.
        """
        text, rows = self._rendered(item)
        keyboard = [
            [
                {
                    "text": button["text"],
                    "callback_data": ReminderButton(
                        item.delivery_id, button["action"], button["arg"]
                    ).encode(),
                }
                for button in row
            ]
            for row in rows
        ]
        request: JSONDict = {
            "chat_id": item.chat_id,
            "text": text,
            "parse_mode": ParseMode.HTML,
            "reply_markup": {"inline_keyboard": keyboard},
        }
        try:
            message = await bot.do_api_request(
                "sendMessage",
                api_kwargs=request,
                rate_limit_args=BULK if bot_has_rate_limiter(bot) else None,  # type: ignore[call-arg]
            )
        except Forbidden:
            return "blocked"
        except BadRequest as error:
            logger.warning("reminder %s refused: %s", item.delivery_id, type(error).__name__)
            return "failed"
        except TelegramError as error:
            logger.warning("reminder %s not sent yet: %s", item.delivery_id, type(error).__name__)
            return "retry"
        except Exception:  # a bug must not discard the results of the group's other sends
            logger.exception("reminder %s failed unexpectedly", item.delivery_id)
            return "retry"
        return int(message["message_id"])


def bot_has_rate_limiter(bot: Bot) -> bool:
    return getattr(bot, "rate_limiter", None) is not None


async def dispatch_job(context: ReedContext) -> None:
    """The JobQueue callback: one run of the dispatcher."""
    stats = await context.services.dispatcher.run_once(context.bot)
    if stats.claimed or stats.ledger:
        logger.info(
            "reminders: %d sent, %d failed, %d blocked, ledger %s",
            stats.sent,
            stats.failed,
            stats.blocked,
            stats.ledger,
        )
