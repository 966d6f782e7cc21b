"""What a patient's progress draws on, read in one unit of work: for ``/progress`` and for a
therapist's view of the patient's record alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.adherence import Adherence
from db.adherence_queries import adherence_of
from db.models import Patient
from db.progress_queries import (
    PainReport,
    checkin_pain,
    morning_pain,
    plan_changes_accepted,
)


@dataclass(frozen=True)
class Progress:
    """What /progress (and a therapist's view of the patient's record) draws: the adherence
    figures, the highest pain and the morning pain of each day, the days the plan changed,
    from ``first_day`` (the last four weeks, or the days since the patient joined)."""

    figures: Adherence
    pain: Mapping[date, int]
    mornings: Mapping[date, int]
    plan_changed: Collection[date]
    first_day: date


async def load_progress(session: AsyncSession, patient: Patient, now: datetime) -> Progress:
    """The patient's progress on ``now``'s day in their zone (see :class:`Progress`)."""
    zone = zone_of(patient.timezone)
    today = now.astimezone(zone).date()
    figures = await adherence_of(session, patient.id, today)
    first_day = max(figures.days[0].date, patient.created_at.astimezone(zone).date())
    since = datetime.combine(first_day, time(0), zone).astimezone(UTC)
    pain = highest_by_day(await checkin_pain(session, patient.id, since), zone)
    mornings = await morning_pain(session, patient.id, first_day)
    changes = await plan_changes_accepted(session, patient.id, since)
    changed = {when.astimezone(zone).date() for when in changes}
    return Progress(figures, pain, mornings, changed, first_day)


def zone_of(name: str | None) -> ZoneInfo:
    """The patient's zone; UTC before they chose one (or for a name no longer known)."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def highest_by_day(reports: Iterable[PainReport], zone: ZoneInfo) -> dict[date, int]:
    """The highest pain reported on each day: the day of the reminder the drill followed (as
    adherence dates a check-in), else the local day the check-in began."""
    highest: dict[date, int] = defaultdict(int)
    for report in reports:
        day = report.reminder_date or report.started_at.astimezone(zone).date()
        highest[day] = max(highest[day], report.pain)
    return dict(highest)
