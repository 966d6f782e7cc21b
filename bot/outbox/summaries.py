"""The therapist's weekly summary: an outbox kind materialised from ``next_summary_at``.

Like a reminder slot: a therapist whose ``next_summary_at`` has come gets one ledger row
(recipient the therapist, slot key ``summary``, the therapist's local date), and the time
moves on to the same weekday and local time next week (:func:`bot.domain.summary.next_summary_at`,
DST-safe). A therapist whose time was never set (registration leaves it empty) gets it set,
and nothing is sent until then. The row is written due now, so the same claim takes it up:
:meth:`SummaryKind.admit` keeps the instant it stands for, :meth:`SummaryKind.prepare` loads
the figures of every summary in the batch (a fixed handful of statements for all of them), and
:meth:`SummaryKind.send` sends the text (split between rows where Telegram's limit asks),
then the chart, the CSV and the PDF, drawn in a worker thread.

A send that fails part-way is tried again whole, so a therapist may see a part twice; never
a summary missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode

from bot.documents.summary_files import summary_files
from bot.domain import summary as rules
from bot.domain.screens import Markup, Screen
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing
from bot.rendering import (
    body_of,
    bulk_args,
    inline_keyboard,
    labelled_choices,
    send_attachments,
)
from content.messages import Messages
from db import outbox_queries as oq
from db import summary_queries as sq
from db.models import DeliveryStatus, Therapist

NAME = "summaries"
ROW_KIND = "summary"
SLOT_KEY = "summary"


@dataclass(frozen=True, slots=True)
class Due:
    """A summary claimed: for whom, and the instant whose week it covers."""

    therapist: sq.Recipient
    at: datetime
    weekday: int  # when it comes, for the message that offers to change it
    time_of_day: time


@dataclass(frozen=True)
class Ready:
    """A summary with its figures loaded."""

    summary: rules.Summary
    made_on: date  # the therapist's local date
    schedule: Screen


class SummaryKind:
    name = NAME
    row_kinds = frozenset({ROW_KIND})
    urgent = False

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        rows: list[dict[str, Any]] = []
        for therapist in await sq.due_therapists_for_update(session, now, limit):
            zone = sq.zone_of(therapist.timezone)
            due = therapist.next_summary_at
            if due is not None:
                rows.append(_row(therapist.id, due, due.astimezone(zone).date()))
            therapist.next_summary_at = rules.next_summary_at(
                therapist.summary_weekday,
                therapist.summary_time,
                zone.key,
                max(due, now) if due is not None else now,
            )
        await oq.insert_rows(session, rows)
        return []  # written due now: this claim takes them up with the other due rows

    def admit(self, row: Any, recipient: kind.Recipient, now: datetime) -> Admission:
        assert isinstance(recipient, Therapist), "the summary goes to therapists"
        if not recipient.is_active:
            return Admission(DeliveryStatus.FAILED)  # blocked the bot, or revoked
        who = sq.Recipient(recipient.id, recipient.name, recipient.timezone)
        due = Due(who, row.due_at, recipient.summary_weekday, recipient.summary_time)
        return Admission(DeliveryStatus.CLAIMED, due)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        by_instant: dict[datetime, list[sq.Recipient]] = defaultdict(list)
        for item in items:
            assert isinstance(item.variant, Due)
            by_instant[item.variant.at].append(item.variant.therapist)
        summaries = {
            (therapist_id, at): found
            for at, therapists in by_instant.items()
            for therapist_id, found in (await sq.summaries_for(session, therapists, at)).items()
        }
        ready = []
        for item in items:
            assert isinstance(item.variant, Due)
            due = item.variant
            made_on = due.at.astimezone(sq.zone_of(due.therapist.timezone)).date()
            found = summaries[due.therapist.id, due.at]
            zone = sq.zone_of(due.therapist.timezone).key
            schedule = rules.schedule_screen(due.weekday, due.time_of_day, zone)
            ready.append(replace(item, variant=Ready(found, made_on, schedule)))
        return ready

    def render(self, variant: Hashable, language: str) -> Screen:
        """Unused: the summary sends itself (:meth:`send`); its header alone, for a reader."""
        assert isinstance(variant, Ready)
        return Screen((Markup(variant.summary.therapist_name),))

    async def send(self, bot: Bot, item: Outgoing, messages: Messages) -> int:
        assert isinstance(item.variant, Ready)
        ready = item.variant
        first: int | None = None
        bulk = bulk_args(bot)  # after any patient's reply waiting for the rate limiter
        for part in rules.message_parts(ready.summary, messages):
            sent = await bot.send_message(item.chat_id, part, parse_mode=ParseMode.HTML, **bulk)
            first = sent.message_id if first is None else first
        keyboard = inline_keyboard(labelled_choices(ready.schedule, messages))
        await bot.do_api_request(
            "sendMessage",
            api_kwargs={
                "chat_id": item.chat_id,
                "text": body_of(ready.schedule, messages),
                "parse_mode": ParseMode.HTML,
                "reply_markup": {"inline_keyboard": keyboard},
            },
            **bulk,
        )
        files = summary_files(ready.summary, ready.made_on)
        await send_attachments(bot, item.chat_id, files, messages, bulk=True)
        assert first is not None, "a summary has at least its header"
        return first

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Nothing beside the ledger."""


def _row(therapist_id: int, due: datetime, local_date: date) -> dict[str, Any]:
    return {
        "patient_id": None,
        "therapist_id": therapist_id,
        "subject_id": None,
        "local_date": local_date,
        "slot_key": SLOT_KEY,
        "kind": ROW_KIND,
        "due_at": due,
        "status": DeliveryStatus.SCHEDULED,
        "late": False,
        "drill_ids": "",
    }
