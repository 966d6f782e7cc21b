"""Acknowledging an alert, as a unit of work: the event is looked up and locked, its patient
checked against the sender's care on the server (never the button's word for it), and
``acknowledged_at`` set once. Nothing here commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.alerts import NOTICE, AlertView
from bot.turns import Therapist, Turn
from db import alert_queries as aq


@dataclass(frozen=True)
class Acknowledgement:
    """The alert as it stands after the press (None: not the sender's to acknowledge), and
    whether it had been acknowledged before (nothing changed)."""

    view: AlertView | None
    already: bool = False


async def acknowledge(turn: Turn, therapist: Therapist, event_id: int) -> Acknowledgement:
    """Acknowledge the alert of safety event ``event_id``, if its patient is in the sender's
    care now; a second press changes nothing."""
    event = await aq.event_for_update(turn.session, event_id)
    if event is None or event.severity == NOTICE:
        return Acknowledgement(None)
    in_care = await turn.in_my_care(event.patient_id)
    if in_care is None:
        return Acknowledgement(None)
    already = event.acknowledged_at is not None
    if event.acknowledged_at is None:
        event.acknowledged_at = turn.now
    return Acknowledgement(AlertView.of(event, in_care.name, therapist.timezone), already)
