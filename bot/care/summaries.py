"""The weekly summary as units of work: reading a therapist's summary now, and choosing when
it comes (weekday, hour, time zone). Nothing here commits: the turn's unit of work does."""

from __future__ import annotations

from datetime import datetime, time

from bot.domain import summary as rules
from bot.domain.summary import Summary
from bot.turns import Therapist, Turn
from db import summary_queries as sq


def zone_name(therapist: Therapist) -> str:
    """The therapist's zone as the summary reads it (UTC when none was set)."""
    return sq.zone_of(therapist.timezone).key


async def weekly_summary(turn: Turn, therapist: Therapist) -> Summary:
    """The therapist's summary for the week before now (``/summary``)."""
    recipient = sq.Recipient(therapist.id, therapist.name, therapist.timezone)
    return await sq.summary_for(turn.session, recipient, turn.now)


def set_schedule(turn: Turn, therapist: Therapist, weekday: int, at: time) -> datetime:
    """The summary comes on ``weekday`` at ``at`` (local) from now on; its next instant."""
    therapist.summary_weekday = weekday
    therapist.summary_time = at
    return _reschedule(turn, therapist)


def set_zone(turn: Turn, therapist: Therapist, zone: str) -> datetime:
    """The therapist lives in ``zone`` (an IANA name already checked); the next summary."""
    therapist.timezone = zone
    return _reschedule(turn, therapist)


def _reschedule(turn: Turn, therapist: Therapist) -> datetime:
    therapist.next_summary_at = rules.next_summary_at(
        therapist.summary_weekday, therapist.summary_time, zone_name(therapist), turn.now
    )
    return therapist.next_summary_at
