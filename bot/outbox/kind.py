"""What the outbox needs of each kind of message the bot sends on its own.

A kind is one module (reminders: :mod:`bot.outbox.reminders`). It says

* **what is due**: either materialised from its own schedule by :meth:`OutboxKind.materialise`
  (reminders turn due ``reminder_slots`` into ledger rows), or enqueued as a row by a rule with
  :func:`enqueue` (then ``materialise`` returns nothing);
* **whether a row taken up again is still to be sent** (:meth:`OutboxKind.admit`): a scheduled
  row now due, a claim whose process died, a failed attempt whose back-off ran out;
* **how it looks** (:meth:`OutboxKind.render`): a :class:`~bot.domain.screens.Screen`, from
  the row's variant and the patient's language only, so equal variants render once per run;
* **what recording a send means** for it (:meth:`OutboxKind.on_sent`): reminders count one
  more unanswered reminder.

A row goes to a patient, or (``therapist_id`` set) to a therapist: alerts, flags and the
weekly summary. A kind whose message needs more than the row and its recipient (a patient's
name in an alert) loads it for the whole batch in :meth:`OutboxKind.prepare`; a kind whose
message is more than one text (the summary's parts, chart, CSV and PDF) sends it itself
(:class:`SendsItself`).

Its idempotency key is the ledger row's unique key: the patient, their local date and a
per-kind slot key ("07:30", "07:30~1", ...). The engine (:mod:`bot.outbox.engine`) does the
rest for every kind: claim, lease, send, record, retry with back-off, and the blocked rule.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot

from bot.domain.screens import Screen
from content.messages import Messages
from db import outbox_queries as oq
from db.models import Delivery, DeliveryStatus, Patient, Therapist

# Who a ledger row goes to.
Recipient = Patient | Therapist


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A ledger row claimed to be sent now."""

    delivery_id: int
    kind: str  # the name of the OutboxKind that renders it
    patient_id: int | None  # the recipient, when a patient
    chat_id: int
    language: str | None
    # What the kind renders; rows with equal variants (and language) look the same.
    variant: Hashable
    attempts: int = 0
    therapist_id: int | None = None  # the recipient, when a therapist
    subject_id: int | None = None  # what the row is about (see ``Delivery.subject_id``)


@dataclass(frozen=True, slots=True)
class Admission:
    """A kind's verdict on a row taken up again: send it (``CLAIMED``) as ``variant``, or
    record ``status`` instead."""

    status: DeliveryStatus
    variant: Hashable = None


@dataclass
class ClaimStats:
    """How many ledger rows of each status one claim wrote."""

    by_status: dict[str, int] = field(default_factory=dict)

    def count(self, status: str) -> None:
        self.by_status[status] = self.by_status.get(status, 0) + 1


class OutboxKind(Protocol):
    @property
    def name(self) -> str:
        """Names the kind in :class:`Outgoing` (and in logs)."""

    @property
    def row_kinds(self) -> frozenset[str]:
        """The values of ``Delivery.kind`` this kind owns."""

    @property
    def urgent(self) -> bool:
        """Whether its rows due now are taken up before any other kind's (alerts): a batch
        full of a reminder wave never holds them back."""

    async def materialise(
        self, session: AsyncSession, now: datetime, limit: int, stats: ClaimStats
    ) -> list[Outgoing]:
        """Write ledger rows for what fell due on the kind's own schedule, at most ``limit``,
        and return those to send now (status ``CLAIMED``, ``claimed_at`` now).

        Must isolate a failing item: one whose rules raise is written ``FAILED`` with its
        cause and a ``retry_at`` (see :mod:`bot.outbox.retry`), never raised out of here.
        """

    def admit(self, row: Delivery, recipient: Recipient, now: datetime) -> Admission:
        """Whether a row taken up again goes out now. May update columns the kind owns on
        ``row``; may raise, and the engine records the failure and retries it later."""

    async def prepare(self, session: AsyncSession, items: list[Outgoing]) -> list[Outgoing]:
        """The claimed rows taken up again, with whatever their variants need loaded for the
        whole batch (in the claim's transaction); most kinds return ``items`` as they are. A
        row left out of the result is recorded failed and retried with back-off."""

    def render(self, variant: Hashable, language: str) -> Screen:
        """What a row of this variant shows, in ``language``."""

    async def on_sent(self, session: AsyncSession, sent: Sequence[Outgoing]) -> None:
        """Anything the kind records beside the ledger once these were sent."""


@runtime_checkable
class SendsItself(Protocol):
    """A kind whose message is more than one text with buttons: it sends itself. Errors are
    read as for any send (403: the recipient blocked the bot; other Telegram errors: later)."""

    async def send(self, bot: Bot, item: Outgoing, messages: Messages) -> int:
        """Send ``item``; the Telegram id of its first message."""


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    local_date: date,
    key: str,
    due_at: datetime,
    patient_id: int | None = None,
    therapist_id: int | None = None,
    subject_id: int | None = None,
) -> bool:
    """Put one message in the outbox, to go out at ``due_at``: for kinds a rule enqueues. It
    goes to the patient, or to the therapist (exactly one of the two is given).

    False when a row with the same idempotency key (recipient, local date, key) exists.
    """
    if (patient_id is None) == (therapist_id is None):
        raise ValueError("a message goes to a patient or to a therapist")
    inserted = await oq.insert_rows(
        session,
        [
            {
                "patient_id": patient_id,
                "therapist_id": therapist_id,
                "subject_id": subject_id,
                "local_date": local_date,
                "slot_key": key,
                "kind": kind,
                "due_at": due_at,
                "status": DeliveryStatus.SCHEDULED,
                "late": False,
                "drill_ids": "",
            }
        ],
    )
    return bool(inserted)
