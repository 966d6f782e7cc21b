"""A practice to show in ``reed demo --as therapist``: three made-up patients in the demo
therapist's care, each with the last week of reminders, check-ins and next-morning checks, and
one red flag not yet delivered, so ``/patients``, ``/summary``, ``/patient`` and an alert have
something to show.

Plain rows, written the way the bot itself would have written them (the ledger's reminder
rows, drill sessions, check-ins, morning checks, a safety event, a care link): every view reads
them through its own queries. Seeding again (a second demo run on the same database) adds
nothing new; it only links the patients to the therapist again if they were not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import care_queries as care
from db.engine import Database
from db.models import (
    CheckIn,
    ConsentRecord,
    Delivery,
    DeliveryStatus,
    DrillSession,
    MorningCheck,
    Patient,
    SafetyEvent,
    Therapist,
)

ZONE = "Europe/Madrid"
REMINDER_AT = time(8, 0)
DRILLS = ("glute_set", "tandem_stance")
CONSENT_VERSION = "demo"


@dataclass(frozen=True)
class DemoPatient:
    """One made-up patient: who, and their week (oldest day first). ``pain`` is the pain
    during the drills on each day done (None: the reminder went unanswered); ``morning`` the
    next-morning check's pain on the days they answered it."""

    telegram_id: int
    name: str
    pain: tuple[int | None, ...]
    morning: tuple[int | None, ...]
    form: str
    red_flag: str | None = None


PATIENTS = (
    # Steady: six days of seven, low pain, good form.
    DemoPatient(424301, "Maria López", (2, 2, None, 1, 2, 1, 1), (2, 1, None, 1, 1, 1, 0), "good"),
    # Pain climbing through the week, worse mornings, and a swollen calf reported today.
    DemoPatient(
        424302,
        "Jonas Weber",
        (3, 3, 4, 5, 6, None, 6),
        (3, 4, 4, 5, 6, None, 6),
        "partial",
        red_flag="calf",
    ),
    # Silent: answered at the start of the week, nothing for the last three days.
    DemoPatient(
        424303,
        "Aiko Tanaka",
        (2, 3, 2, 3, None, None, None),
        (2, 2, 2, None, None, None, None),
        "good",
    ),
)


async def seed_practice(database: Database, therapist_telegram_id: int, now: datetime) -> int:
    """Put the demo patients in the care of the therapist with this Telegram id (their week
    ending yesterday, in Madrid); how many are in their care afterwards."""
    async with database.transaction() as session:
        therapist = await session.scalar(
            select(Therapist).where(Therapist.telegram_user_id == therapist_telegram_id)
        )
        if therapist is None:
            return 0
        for demo in PATIENTS:
            patient = await session.scalar(
                select(Patient).where(Patient.telegram_user_id == demo.telegram_id)
            )
            if patient is None:
                patient = await _add_patient(session, demo, now)
            link = await care.open_link_of(session, patient.id)
            if link is None or link.therapist_id != therapist.id:
                await care.link_patient(
                    session, patient.id, therapist.id, demo.name, now - timedelta(days=8)
                )
        return len(await care.patients_in_care_of(session, therapist.id))


async def _add_patient(session: AsyncSession, demo: DemoPatient, now: datetime) -> Patient:
    zone = ZoneInfo(ZONE)
    joined = now - timedelta(days=9)
    patient = Patient(
        telegram_user_id=demo.telegram_id,
        chat_id=demo.telegram_id,
        created_at=joined,
        language="en",
        timezone=ZONE,
        # Their week is in the ledger; no slots, so the demo sends them nothing new.
        reminders_opt_in=True,
        onboarded_at=joined,
        safety_screened_at=joined,
        is_active=True,
        unanswered_reminders=sum(1 for pain in demo.pain[-3:] if pain is None),
    )
    session.add(patient)
    await session.flush()
    session.add(
        ConsentRecord(
            patient_id=patient.id, version=CONSENT_VERSION, decision="accepted", recorded_at=joined
        )
    )
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=len(demo.pain) - n) for n in range(len(demo.pain))]
    for day, pain, morning in zip(days, demo.pain, demo.morning, strict=True):
        await _add_day(session, patient.id, day, pain, morning, demo.form, zone)
    if demo.red_flag is not None:
        session.add(
            SafetyEvent(
                patient_id=patient.id,
                # The evening of the last day with data: inside the summary's week, so the
                # summary lists it as the alert does.
                occurred_at=datetime.combine(days[-1], time(19, 30), zone),
                severity="same_day_care",
                flag=demo.red_flag,
                source="typed",
            )
        )
        patient.safety_hold = "same_day_care"
    return patient


async def _add_day(
    session: AsyncSession,
    patient_id: int,
    day: date,
    pain: int | None,
    morning: int | None,
    form: str,
    zone: ZoneInfo,
) -> None:
    due = datetime.combine(day, REMINDER_AT, zone)
    done = pain is not None
    reminder = Delivery(
        patient_id=patient_id,
        local_date=day,
        slot_key=REMINDER_AT.strftime("%H:%M"),
        kind="reminder",
        due_at=due,
        status=DeliveryStatus.SENT,
        late=False,
        drill_ids=Delivery.join_drills(DRILLS),
        claimed_at=due,
        sent_at=due,
        attempts=1,
        response="done" if done else None,
        responded_at=due + timedelta(minutes=40) if done else None,
    )
    session.add(reminder)
    await session.flush()
    if pain is None:
        return
    finished = due + timedelta(minutes=40)
    for drill in DRILLS:
        drill_session = DrillSession(
            patient_id=patient_id, delivery_id=reminder.id, drill_id=drill, completed_at=finished
        )
        session.add(drill_session)
        await session.flush()
        session.add(
            CheckIn(
                patient_id=patient_id,
                drill_session_id=drill_session.id,
                drill_id=drill,
                started_at=finished,
                completed_at=finished + timedelta(minutes=1),
                pain_during=pain,
                pain_now=max(pain - 1, 0),
                form={},
                form_score=form,
                effort="about_right" if pain < 5 else "too_hard",
            )
        )
    if morning is not None:
        session.add(
            MorningCheck(
                patient_id=patient_id,
                local_date=day + timedelta(days=1),
                compared="worse" if morning > pain else "same",
                pain=morning,
                answered_at=datetime.combine(day + timedelta(days=1), time(8, 5), zone),
            )
        )
