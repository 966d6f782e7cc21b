"""News of a therapist's patient list, as an outbox kind: a patient joined them, or left.

A patient's consent to an invite (or their confirmed change of therapist) and a patient's
"Leave" each enqueue one row to the therapist (:func:`tell`), in the same unit of work as the
care link they report, so the news goes out if and only if the change was committed. The row
names the care link (``subject_id``); :meth:`CareNews.prepare` loads the patient's name (as
the therapist knows it) for the whole batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Sequence
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.screens import Screen, Text
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing, enqueue
from db import invite_queries
from db.models import Delivery, DeliveryStatus, Therapist

NAME = "care_news"
ROW_KIND = "care_news"


class News(StrEnum):
    """What happened; its value starts the row's slot key."""

    JOINED = "joined"
    LEFT = "left"


_KEY_PREFIX = {News.JOINED: "j", News.LEFT: "l"}
_NEWS_OF_PREFIX = {prefix: news for news, prefix in _KEY_PREFIX.items()}


async def tell(
    session: AsyncSession, therapist: Therapist, news: News, link_id: int, now: datetime
) -> None:
    """Enqueue the news about care link ``link_id`` to its therapist, due now (once per link
    and kind of news: the key names the link)."""
    local_date = now.astimezone(ZoneInfo(therapist.timezone or "UTC")).date()
    await enqueue(
        session,
        kind=ROW_KIND,
        local_date=local_date,
        key=f"{_KEY_PREFIX[news]}{link_id}",
        due_at=now,
        therapist_id=therapist.id,
        subject_id=link_id,
    )


class CareNews:
    name = NAME
    row_kinds = frozenset({ROW_KIND})
    urgent = False

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []  # enqueued by the care link's changes

    def admit(self, row: Delivery, recipient: kind.Recipient, now: datetime) -> Admission:
        assert isinstance(recipient, Therapist), "this kind goes to therapists"
        news = _NEWS_OF_PREFIX.get(row.slot_key[:1])
        if not recipient.is_active or news is None:
            return Admission(DeliveryStatus.FAILED)
        return Admission(DeliveryStatus.CLAIMED, news)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        """Each row's variant becomes (news, the patient's name); a row whose link is gone
        (the patient erased) is left out."""
        names = await invite_queries.patient_names_of_links(
            session, [item.subject_id for item in items if item.subject_id is not None]
        )
        return [
            dataclasses.replace(item, variant=(item.variant, names[item.subject_id]))
            for item in items
            if item.subject_id in names
        ]

    def render(self, variant: Hashable, language: str) -> Screen:
        assert isinstance(variant, tuple)
        news, patient_name = variant
        return Screen(body=(Text(f"invites.news.{news}", {"patient": patient_name}),))

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Nothing beside the ledger."""
