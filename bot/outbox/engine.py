"""The outbox engine: one repeating job claims what is due, sends it and records the results,
for every kind of message the bot sends on its own.

Delivery guarantee: at least once per row, and exactly once unless a process dies between
sending and recording. Messages go out in groups of ``send_concurrency`` (default 4), each
group recorded while the next is sent, so a process killed mid-wave can have sent at most
:func:`duplicate_bound` messages (two groups) it did not record; those are sent again once
their claim lease expires. Nothing claimed is lost: an unrecorded claim is retried after the
lease.

One failing item never stops the others: an item whose rules, rendering or send raise is
recorded ``failed`` with the exception's type and tried again with back-off
(:mod:`bot.outbox.retry`), and the rest of its batch goes out.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.warnings import PTBUserWarning

from bot import rendering
from bot.domain.blocking import set_blocked
from bot.domain.clock import Clock
from bot.outbox.kind import ClaimStats, OutboxKind, Outgoing, SendsItself
from bot.outbox.retry import cause_of, retry_at
from content.messages import MessageCatalogue
from db import care_queries
from db import outbox_queries as oq
from db.engine import Database
from db.models import Delivery, DeliveryStatus, Patient

logger = logging.getLogger(__name__)

# PTB suggests send_message over do_api_request("sendMessage"); we use the raw request on
# purpose (see Outbox._send).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning)


def duplicate_bound(send_concurrency: int) -> int:
    """The most messages one killed outbox run can have sent without recording them."""
    return 2 * send_concurrency


@dataclass(frozen=True)
class Policy:
    # A claim not recorded within this is taken over by another run (its process died).
    lease: timedelta = timedelta(minutes=2)
    batch_size: int = 200
    send_concurrency: int = 4


@dataclass
class WaveStats:
    """What one outbox run did, for logs and benchmarks."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unrecorded: int = 0
    ledger: dict[str, int] = field(default_factory=dict)


class Why(Enum):
    """Why a send did not happen."""

    BLOCKED = "blocked"  # 403: the patient blocked the bot; failed for good
    REFUSED = "refused"  # Telegram refused it for good (chat gone, bad request)
    NOT_YET = "not_yet"  # a network error or 429 after the limiter's retries: lease, then again
    BROKEN = "broken"  # a bug or bad data on our side: failed, retried with back-off


@dataclass(frozen=True, slots=True)
class NotSent:
    why: Why
    cause: str


class HasBot(Protocol):
    """What the outbox needs of a JobQueue callback's context."""

    @property
    def bot(self) -> Bot: ...


class Outbox:
    def __init__(
        self,
        db: Database,
        kinds: Sequence[OutboxKind],
        messages: MessageCatalogue,
        clock: Clock,
        policy: Policy,
    ) -> None:
        self.db = db
        self.kinds = {kind.name: kind for kind in kinds}
        # Urgent kinds first (alerts), then the others in the order given.
        self._in_order = sorted(kinds, key=lambda kind: not kind.urgent)
        self._owner = {row_kind: kind for kind in kinds for row_kind in kind.row_kinds}
        self.messages = messages
        self.clock = clock
        self.policy = policy
        self._renders: dict[tuple[Any, ...], tuple[str, list[list[tuple[str, Any]]]]] = {}

    async def job(self, context: HasBot) -> None:
        """The JobQueue callback: one run."""
        stats = await self.run_once(context.bot)
        something = stats.claimed or stats.ledger
        logger.log(
            logging.INFO if something else logging.DEBUG,
            "outbox: %d sent, %d failed, %d blocked, ledger %s",
            stats.sent,
            stats.failed,
            stats.blocked,
            stats.ledger,
        )

    async def run_once(self, bot: Bot, *, max_batches: int | None = None) -> WaveStats:
        """Claim and send batches until nothing is due (or ``max_batches`` ran).

        Each group's results are recorded while the next group is sent, so the rate limiter
        never idles waiting for the database; that is why up to two groups can be unrecorded.
        """
        stats = WaveStats()
        # Rendered once per run: a long-lived cache would keep every alert ever sent.
        self._renders.clear()
        batches = 0
        recording: asyncio.Task[None] | None = None
        concurrency = self.policy.send_concurrency
        try:
            while max_batches is None or batches < max_batches:
                claim_stats = ClaimStats()
                async with self.db.transaction() as session:
                    claimed = await self.claim(session, self.clock(), claim_stats)
                for status, count in claim_stats.by_status.items():
                    stats.ledger[status] = stats.ledger.get(status, 0) + count
                if not claim_stats.by_status:
                    break
                batches += 1
                stats.claimed += len(claimed)
                for start in range(0, len(claimed), concurrency):
                    group = claimed[start : start + concurrency]
                    outcomes = await asyncio.gather(*(self._send(bot, item) for item in group))
                    if recording is not None:
                        await recording
                    recording = asyncio.create_task(self._record(group, outcomes, stats))
        finally:
            if recording is not None:
                await recording
        return stats

    # -- claiming ---------------------------------------------------------------------------

    async def claim(
        self, session: AsyncSession, now: datetime, stats: ClaimStats | None = None
    ) -> list[Outgoing]:
        """Claim up to one batch, recording every row's fate in the ledger.

        First what each kind's own schedule made due, then rows taken up again: scheduled
        rows now due, claims whose process died and failures whose back-off ran out. An
        urgent kind's rows come before everything else's, taken up or not. The caller
        commits, then sends what is returned.
        """
        stats = stats or ClaimStats()
        claimed: list[Outgoing] = []
        for kind in self._in_order:
            room = self.policy.batch_size - len(claimed)
            if room <= 0:
                return claimed
            claimed += await kind.materialise(session, now, room, stats)
            room = self.policy.batch_size - len(claimed)
            if kind.urgent and room > 0:
                claimed += await self._take_up(session, now, room, stats, kind.row_kinds)
        room = self.policy.batch_size - len(claimed)
        if room > 0:
            claimed += await self._take_up(session, now, room, stats)
        return claimed

    async def _take_up(
        self,
        session: AsyncSession,
        now: datetime,
        room: int,
        stats: ClaimStats,
        kinds: frozenset[str] | None = None,
    ) -> list[Outgoing]:
        """Claim up to ``room`` rows taken up again (of ``kinds`` only, when given)."""
        claimed: list[Outgoing] = []
        stale_before = now - self.policy.lease
        taken: dict[str, list[Outgoing]] = {}
        rows: dict[int, Delivery] = {}
        due = await oq.due_rows_for_update(session, now, stale_before, room, kinds)
        for row, recipient in due:
            owner = self._owner.get(row.kind)
            if owner is None or recipient is None:
                # written by a newer version, or a kind since removed
                self._failed(row, LookupError(row.kind), now, retry=False)
                stats.count(row.status)
                continue
            try:
                admission = owner.admit(row, recipient, now)
            except Exception as error:
                self._failed(row, error, now, retry=True)
                stats.count(row.status)
                continue
            row.status = admission.status
            if admission.status == DeliveryStatus.CLAIMED:
                row.claimed_at = now
                rows[row.id] = row
                to_patient = isinstance(recipient, Patient)
                taken.setdefault(owner.name, []).append(
                    Outgoing(
                        row.id,
                        owner.name,
                        recipient.id if to_patient else None,
                        recipient.chat_id,
                        recipient.language,
                        admission.variant,
                        row.attempts,
                        therapist_id=None if to_patient else recipient.id,
                        subject_id=row.subject_id,
                    )
                )
            else:
                stats.count(row.status)
        for name, items in taken.items():
            try:
                prepared = await self.kinds[name].prepare(session, items)
            except Exception as error:
                prepared = []
                cause: Exception = error
            else:
                cause = LookupError("not prepared")
            kept = {item.delivery_id for item in prepared}
            for item in items:
                if item.delivery_id not in kept:
                    self._failed(rows[item.delivery_id], cause, now, retry=True)
                stats.count(rows[item.delivery_id].status)
            claimed += prepared
        return claimed

    def _failed(self, row: Delivery, error: Exception, now: datetime, *, retry: bool) -> None:
        cause = cause_of(error)
        logger.warning("outbox row %s (%s) failed: %s", row.id, row.kind, cause)
        row.status = DeliveryStatus.FAILED
        row.attempts += 1
        row.error = cause
        row.retry_at = retry_at(row.attempts, now) if retry else None

    # -- sending ----------------------------------------------------------------------------

    def _rendered(self, item: Outgoing) -> tuple[str, list[list[tuple[str, Any]]]]:
        """The item's text and labelled buttons, rendered once per run for each variant."""
        key = (item.kind, item.language, item.variant)
        cached = self._renders.get(key)
        if cached is None:
            messages = self.messages.for_language(item.language)
            shown = self.kinds[item.kind].render(item.variant, messages.language)
            cached = (
                rendering.body_of(shown, messages),
                rendering.labelled_choices(shown, messages),
            )
            self._renders[key] = cached
        return cached

    async def _send(self, bot: Bot, item: Outgoing) -> int | NotSent:
        """Send one item: its Telegram message id, or why not.

        The request is built as plain JSON and the answer read as plain JSON: at thousands of
        messages a second, building and parsing PTB objects for each was most of the cost.
        """
        kind = self.kinds[item.kind]
        if isinstance(kind, SendsItself):
            return await self._attempt(
                item, lambda: kind.send(bot, item, self.messages.for_language(item.language))
            )
        try:
            text, rows = self._rendered(item)
            request: dict[str, Any] = {
                "chat_id": item.chat_id,
                "text": text,
                "parse_mode": ParseMode.HTML,
            }
            if rows:
                keyboard = rendering.inline_keyboard(rows, subject=item.delivery_id)
                request["reply_markup"] = {"inline_keyboard": keyboard}
        except Exception as error:
            logger.exception("outbox row %s could not be rendered", item.delivery_id)
            return NotSent(Why.BROKEN, cause_of(error))
        return await self._attempt(item, lambda: self._send_message(bot, request))

    @staticmethod
    async def _send_message(bot: Bot, request: dict[str, Any]) -> int:
        message = await bot.do_api_request(
            "sendMessage",
            api_kwargs=request,
            **rendering.bulk_args(bot),
        )
        return int(message["message_id"])

    async def _attempt(self, item: Outgoing, send: Callable[[], Awaitable[int]]) -> int | NotSent:
        """Run one send: its Telegram message id, or why not."""
        try:
            return await send()
        except Forbidden as error:
            return NotSent(Why.BLOCKED, cause_of(error))
        except BadRequest as error:
            logger.warning("outbox row %s refused: %s", item.delivery_id, cause_of(error))
            return NotSent(Why.REFUSED, cause_of(error))
        except TelegramError as error:
            logger.warning("outbox row %s not sent yet: %s", item.delivery_id, cause_of(error))
            return NotSent(Why.NOT_YET, cause_of(error))
        except Exception as error:  # a bug must not discard the results of the group's other sends
            logger.exception("outbox row %s failed unexpectedly", item.delivery_id)
            return NotSent(Why.BROKEN, cause_of(error))

    # -- recording --------------------------------------------------------------------------

    async def _record(
        self, group: list[Outgoing], outcomes: list[int | NotSent], stats: WaveStats
    ) -> None:
        now = self.clock()
        sent: dict[int, int] = {}
        sent_by_kind: dict[str, list[Outgoing]] = {}
        failures: list[oq.Failure] = []
        blocked: set[int] = set()
        blocked_therapists: set[int] = set()
        for item, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, int):
                sent[item.delivery_id] = outcome
                sent_by_kind.setdefault(item.kind, []).append(item)
                continue
            if outcome.why == Why.NOT_YET:
                stats.unrecorded += 1  # stays claimed; retried when the lease runs out
                continue
            attempts = item.attempts + 1
            again = retry_at(attempts, now) if outcome.why == Why.BROKEN else None
            failures.append(oq.Failure(item.delivery_id, attempts, outcome.cause, again))
            if outcome.why == Why.BLOCKED:
                if item.patient_id is not None:
                    blocked.add(item.patient_id)
                if item.therapist_id is not None:
                    blocked_therapists.add(item.therapist_id)
        async with self.db.transaction() as session:
            await oq.mark_sent(session, sent, now)
            await oq.mark_failed(session, failures)
            for name, items in sent_by_kind.items():
                await self.kinds[name].on_sent(session, items)
            await set_blocked(session, blocked, blocked=True, now=now)
            await care_queries.block_therapists(session, blocked_therapists, blocked=True, now=now)
        stats.sent += len(sent)
        stats.failed += len(failures)
        stats.blocked += len(blocked) + len(blocked_therapists)
