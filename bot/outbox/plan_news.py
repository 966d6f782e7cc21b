"""The patient's message about a therapist's change to their plan, as an outbox kind.

Saving a plan in the editor (:func:`bot.care.plans.save`) enqueues one row to the patient in
the same unit of work, with the change list (:func:`bot.domain.therapist_plans.changes`) as
the row's payload, so each save is told once, in the patient's language, in plain words:
"Your therapist changed your plan: added Tandem stance (3 × 30 s), removed Glute set,
4 days a week."
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.screens import Screen, Text
from bot.domain.therapist_plans import Change, describe
from bot.outbox import kind
from bot.outbox.kind import Admission, ClaimStats, Outgoing
from content.catalog import Catalog
from db.models import Delivery, DeliveryStatus, Patient

NAME = "plan_news"
ROW_KIND = "plan_news"


def payload_of(found: Sequence[Change]) -> dict[str, object]:
    """What the row keeps of a save: its change list as plain values."""
    return {"changes": [change.as_json() for change in found]}


def changes_of(payload: object) -> tuple[Change, ...]:
    """The change list a row keeps; what cannot be read is left out."""
    items = payload.get("changes") if isinstance(payload, dict) else None
    found = (Change.from_json(item) for item in items) if isinstance(items, list) else ()
    return tuple(change for change in found if change is not None)


def news_screen(catalog: Catalog, found: Sequence[Change]) -> Screen:
    """ "Your therapist changed your plan: …", each change in plain words."""
    return Screen(
        body=(
            Text("plans.news.changed", {"changes": describe(catalog, found)}),
            Text("plans.news.next"),
        )
    )


class PlanNews:
    name = NAME
    row_kinds = frozenset({ROW_KIND})
    urgent = False

    def __init__(self, catalog_for: Callable[[str], Catalog]) -> None:
        self.catalog_for = catalog_for

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        return []  # enqueued by a save

    def admit(self, row: Delivery, recipient: kind.Recipient, now: datetime) -> Admission:
        assert isinstance(recipient, Patient), "this kind goes to patients"
        found = changes_of(row.payload)
        if not recipient.is_active or not found:
            return Admission(DeliveryStatus.FAILED)
        return Admission(DeliveryStatus.CLAIMED, found)

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        return items  # the row's payload is all it shows

    def render(self, variant: Hashable, language: str) -> Screen:
        assert isinstance(variant, tuple)
        return news_screen(self.catalog_for(language), variant)

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Nothing beside the ledger."""
