"""``reed bench summaries``: every therapist's weekly summary, computed on the database.

Seeds ``therapists`` therapists with ``patients`` patients each in the database ``DATABASE_URL``
names (Telegram ids from ``BENCH_FIRST_ID`` up; removed before and after, nothing else is
touched). Each patient has a full week before the summary: one reminder a day (six done, one
not), a check-in after each (pain, form), a morning check on one morning, a pain-rule event for
one patient in ten and a red flag for one in fifty, and a goal rated twice.

Then it measures, in one run:

* **figures**: every therapist's summary figures and words (the message text and the CSV's
  rows) through :func:`db.summary_queries.summaries_for`, ``batch`` therapists per call;
* **queries per therapist** (counted by a SQLAlchemy event listener), for a therapist with
  ``patients`` patients and one with a fifth of them: the same number, whatever the patients;
* **a naive loop** beside it: each patient's records read with queries of their own, on
  ``naive_sample`` therapists, its total extrapolated to every therapist;
* **files**: the chart and the PDF of one therapist's summary, drawn ``renders`` times, p50 and
  p95; and from these how many summaries one process can deliver in an hour (CPU only:
  Telegram's 30 messages a second allow 30 / 5 × 3,600 = 21,600, at five messages each).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import delete, event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts.summary import draw_summary_chart
from bot.documents.summary_pdf import draw_summary_pdf
from bot.domain.summary import (
    CheckinFact,
    EventFact,
    MorningFact,
    PatientWeek,
    RatingFact,
    Summary,
    csv_rows,
    message_parts,
    summarise,
)
from bot.settings import Settings
from content.loader import load_content
from content.messages import Messages
from db import summary_queries as sq
from db.adherence_queries import adherence_of
from db.engine import Database
from db.migrate import upgrade_to_head
from db.models import (
    CareLink,
    CheckIn,
    Delivery,
    DrillSession,
    Goal,
    GoalRating,
    MorningCheck,
    Patient,
    SafetyEvent,
    Therapist,
)

# Below the check-in benchmark's ids (8_800_000_000 up).
BENCH_FIRST_ID = 8_700_000_000
BENCH_END_ID = 8_800_000_000
CHUNK = 2_000  # patients per seeding transaction
# The summary's instant: Monday 9 March 2026, 08:00 in Berlin; the week is 2 to 8 March.
AT = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
WEEK = [date(2026, 3, 2) + timedelta(days=n) for n in range(7)]
ZONE = "Europe/Berlin"


@dataclass(frozen=True)
class Options:
    therapists: int = 2_000
    patients: int = 25  # per therapist
    batch: int = 500  # therapists per summaries_for call
    naive_sample: int = 40
    renders: int = 20


@dataclass
class Figures:
    database: str
    therapists: int
    patients_per_therapist: int
    checkins: int
    ledger_rows: int
    seed_seconds: float
    figures_seconds: float  # every summary: figures, message text and CSV rows
    figures_ms_per_therapist: float
    queries_per_therapist: int  # for ``patients_per_therapist`` patients
    queries_for_fewer_patients: int
    fewer_patients: int
    batch: int
    queries_per_batch: int
    naive_sample: int
    naive_queries_per_therapist: int
    naive_ms_per_therapist: float
    naive_seconds_extrapolated: float
    chart_p50_ms: float
    chart_p95_ms: float
    pdf_p50_ms: float
    pdf_p95_ms: float
    files_p95_ms: float  # chart and PDF together
    first_chart_ms: float  # including matplotlib's import
    summaries_per_hour: int


class QueryCounter:
    """Counts the statements an engine executes (a SQLAlchemy event listener)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        self._engine = database.engine.sync_engine
        event.listen(self._engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(self._engine, "before_cursor_execute", self._seen)

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        box = [0]
        before = self.count
        try:
            yield box
        finally:
            box[0] = self.count - before


# -- seeding ----------------------------------------------------------------------------------


async def _remove(database: Database) -> None:
    """Delete the benchmark's rows, children first: deleting a patient would otherwise make
    the database look up, row by row, what refers to each of their ledger rows."""
    patients = select(Patient.id).where(
        Patient.telegram_user_id >= BENCH_FIRST_ID, Patient.telegram_user_id < BENCH_END_ID
    )
    async with database.transaction() as session:
        for model in (
            CheckIn,
            MorningCheck,
            DrillSession,
            SafetyEvent,
            GoalRating,
            Goal,
            Delivery,
            CareLink,
        ):
            await session.execute(delete(model).where(model.patient_id.in_(patients)))
        for owner in (Therapist, Patient):
            await session.execute(
                delete(owner).where(
                    owner.telegram_user_id >= BENCH_FIRST_ID,
                    owner.telegram_user_id < BENCH_END_ID,
                )
            )


async def _seed(database: Database, options: Options, now: datetime) -> list[sq.Recipient]:
    """The therapists (the last one with a fifth of the patients), their patients and a week."""
    counts = [options.patients] * options.therapists + [max(1, options.patients // 5)]
    async with database.transaction() as session:
        await session.execute(
            insert(Therapist),
            [
                {
                    "telegram_user_id": BENCH_FIRST_ID + n,
                    "chat_id": BENCH_FIRST_ID + n,
                    "name": f"Therapist {n}",
                    "created_at": now,
                    "language": "en",
                    "timezone": ZONE,
                    "is_active": True,
                    "summary_weekday": 0,
                    "summary_time": clock_time(8),
                }
                for n in range(len(counts))
            ],
        )
        rows = await session.execute(
            select(Therapist.id, Therapist.name, Therapist.timezone)
            .where(Therapist.telegram_user_id >= BENCH_FIRST_ID)
            .where(Therapist.telegram_user_id < BENCH_FIRST_ID + len(counts))
            .order_by(Therapist.telegram_user_id)
        )
        therapists = [sq.Recipient(tid, name, zone) for tid, name, zone in rows]
    owners = [t.id for t, count in zip(therapists, counts, strict=True) for _ in range(count)]
    first_patient = BENCH_FIRST_ID + 1_000_000
    for start in range(0, len(owners), CHUNK):
        await _seed_patients(database, first_patient + start, owners[start : start + CHUNK], now)
    await _analyse(database)
    return therapists


async def _analyse(database: Database) -> None:
    """Let the planner see the seeded tables, as autovacuum would soon after such a load: with
    the statistics of the tables empty (before seeding), PostgreSQL plans the check-ins' joins
    as if each table held one row and scans all of them per patient."""
    async with database.engine.connect() as connection:
        await connection.execute(text("ANALYZE"))
        await connection.commit()


async def _seed_patients(
    database: Database, first_id: int, owners: list[int], now: datetime
) -> None:
    telegram_ids = range(first_id, first_id + len(owners))
    async with database.transaction() as session:
        await session.execute(
            insert(Patient),
            [
                {
                    "telegram_user_id": tid,
                    "chat_id": tid,
                    "created_at": now,
                    "timezone": ZONE,
                    "reminders_opt_in": True,
                    "onboarded_at": now,
                    "is_active": True,
                    "unanswered_reminders": 0,
                }
                for tid in telegram_ids
            ],
        )
        ids = list(
            await session.scalars(
                select(Patient.id)
                .where(Patient.telegram_user_id.in_(telegram_ids))
                .order_by(Patient.telegram_user_id)
            )
        )
        await _seed_week(session, ids, owners, now)


async def _seed_week(
    session: AsyncSession, ids: list[int], owners: list[int], now: datetime
) -> None:
    await session.execute(
        insert(CareLink),
        [
            {"patient_id": pid, "therapist_id": owner, "patient_name": f"P{pid}", "linked_at": now}
            for pid, owner in zip(ids, owners, strict=True)
        ],
    )
    await session.execute(
        insert(Delivery),
        [
            {
                "patient_id": pid,
                "local_date": day,
                "slot_key": "07:30",
                "kind": "reminder",
                "due_at": datetime.combine(day, clock_time(6, 30), UTC),
                "status": "sent",
                "late": False,
                "drill_ids": "",
                "attempts": 1,
                "response": "done" if (pid + n) % 7 else None,
            }
            for pid in ids
            for n, day in enumerate(WEEK)
        ],
    )
    await session.execute(
        insert(DrillSession),
        [
            {
                "patient_id": pid,
                "drill_id": "wall_slide",
                "completed_at": datetime.combine(day, clock_time(7), UTC),
            }
            for pid in ids
            for day in WEEK
        ],
    )
    drill_sessions = await session.execute(
        select(DrillSession.id, DrillSession.patient_id, DrillSession.completed_at).where(
            DrillSession.patient_id.in_(ids)
        )
    )
    await session.execute(
        insert(CheckIn),
        [
            {
                "patient_id": pid,
                "drill_session_id": sid,
                "drill_id": "wall_slide",
                "started_at": done_at,
                "completed_at": done_at,
                "pain_during": (pid + done_at.day) % 7,
                "pain_now": 1,
                "form": {},
                "form_score": ("good", "good", "partial", "poor")[(pid + done_at.day) % 4],
                "effort": "about_right",
            }
            for sid, pid, done_at in drill_sessions
        ],
    )
    await session.execute(
        insert(MorningCheck),
        [{"patient_id": pid, "local_date": WEEK[3], "compared": "same", "pain": 2} for pid in ids],
    )
    events = [
        {
            "patient_id": pid,
            "occurred_at": datetime.combine(WEEK[4], clock_time(9), UTC),
            "severity": "high" if pid % 10 else "emergency_services",
            "flag": "pain_high" if pid % 10 else "chest_pain",
            "source": "checkin",
        }
        for pid in ids
        if pid % 10 == 0 or pid % 50 == 0
    ]
    if events:
        await session.execute(insert(SafetyEvent), events)
    await session.execute(
        insert(Goal),
        [{"patient_id": pid, "activity": "stairs", "created_at": now} for pid in ids],
    )
    goals = await session.execute(select(Goal.id, Goal.patient_id).where(Goal.patient_id.in_(ids)))
    await session.execute(
        insert(GoalRating),
        [
            {"goal_id": gid, "patient_id": pid, "score": score, "rated_at": when}
            for gid, pid in goals
            for score, when in ((3, now - timedelta(days=40)), (5, AT - timedelta(days=3)))
        ],
    )


# -- measuring --------------------------------------------------------------------------------


def _words(summary: Summary, messages: Messages) -> int:
    """The message text and the CSV's rows, as the weekly message and its file carry them."""
    return len(message_parts(summary, messages)) + len(csv_rows(summary, messages))


async def _batched(
    database: Database, therapists: list[sq.Recipient], messages: Messages, batch: int
) -> tuple[float, dict[int, Summary]]:
    found: dict[int, Summary] = {}
    started = time.perf_counter()
    for start in range(0, len(therapists), batch):
        async with database.transaction(read_only=True) as session:
            found.update(await sq.summaries_for(session, therapists[start : start + batch], AT))
    for summary in found.values():
        _words(summary, messages)
    return time.perf_counter() - started, found


async def _naive_one(session: AsyncSession, therapist: sq.Recipient) -> Summary:
    """One therapist's summary as a per-patient loop would read it."""
    links = await session.execute(
        select(CareLink.patient_id, CareLink.patient_name).where(
            CareLink.therapist_id == therapist.id, CareLink.ended_at.is_(None)
        )
    )
    weeks = []
    since = AT - sq.LOOK_BACK
    for pid, name in links.all():
        patient = await session.get_one(Patient, pid)
        zone = sq.zone_of(patient.timezone)
        today = AT.astimezone(zone).date()
        adherence = await adherence_of(session, pid, today, weeks=sq.ADHERENCE_WEEKS)
        checkins = await session.execute(
            select(CheckIn.started_at, CheckIn.pain_during, CheckIn.form_score).where(
                CheckIn.patient_id == pid, CheckIn.started_at >= since
            )
        )
        mornings = await session.execute(
            select(MorningCheck.local_date, MorningCheck.compared).where(
                MorningCheck.patient_id == pid
            )
        )
        events = await session.execute(
            select(SafetyEvent.occurred_at, SafetyEvent.severity, SafetyEvent.flag).where(
                SafetyEvent.patient_id == pid, SafetyEvent.occurred_at >= since
            )
        )
        ratings = await session.execute(
            select(GoalRating.goal_id, GoalRating.rated_at, GoalRating.score).where(
                GoalRating.patient_id == pid
            )
        )
        weeks.append(
            PatientWeek(
                pid,
                name,
                today,
                adherence,
                checkins=tuple(
                    CheckinFact(at.astimezone(zone).date(), pain, form)
                    for at, pain, form in checkins
                ),
                events=tuple(
                    EventFact(at.astimezone(zone).date(), severity, flag)
                    for at, severity, flag in events
                ),
                mornings=tuple(MorningFact(day, compared) for day, compared in mornings),
                ratings=tuple(
                    RatingFact(gid, at, at.astimezone(zone).date(), score)
                    for gid, at, score in ratings
                ),
            )
        )
    return summarise(therapist.name, AT.astimezone(sq.zone_of(therapist.timezone)).date(), weeks)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _timed(draw: Any, *args: Any) -> float:
    started = time.perf_counter()
    draw(*args)
    return (time.perf_counter() - started) * 1000


async def run(settings: Settings, options: Options) -> Figures:
    database = Database.from_url(settings.database_url)
    await upgrade_to_head(settings.database_url)
    messages = load_content().messages.for_language("en")
    now = datetime.now(UTC)
    counter = QueryCounter(database)
    try:
        await _remove(database)
        started = time.perf_counter()
        therapists = await _seed(database, options, now)
        seed_seconds = time.perf_counter() - started
        cohort, fewer = therapists[:-1], therapists[-1]

        seconds, summaries = await _batched(database, cohort, messages, options.batch)
        with counter.counting() as per_batch:
            async with database.transaction(read_only=True) as session:
                await sq.summaries_for(session, cohort[: options.batch], AT)
        with counter.counting() as per_therapist:
            async with database.transaction(read_only=True) as session:
                await sq.summary_for(session, cohort[0], AT)
        with counter.counting() as per_fewer:
            async with database.transaction(read_only=True) as session:
                await sq.summary_for(session, fewer, AT)

        sample = cohort[: options.naive_sample]
        with counter.counting() as naive_queries:
            naive_started = time.perf_counter()
            async with database.transaction(read_only=True) as session:
                for therapist in sample:
                    naive = await _naive_one(session, therapist)
                    _words(naive, messages)
            naive_seconds = time.perf_counter() - naive_started
        assert naive == summaries[sample[-1].id], "the naive loop computes the same summary"

        one = summaries[cohort[0].id]
        first_chart = await asyncio.to_thread(_timed, draw_summary_chart, one, messages)
        charts, pdfs = [], []
        for _ in range(options.renders):
            charts.append(await asyncio.to_thread(_timed, draw_summary_chart, one, messages))
            pdfs.append(await asyncio.to_thread(_timed, draw_summary_pdf, one, messages, WEEK[0]))
        files = [chart + pdf for chart, pdf in zip(charts, pdfs, strict=True)]
        per_summary = seconds / len(cohort) + statistics.median(files) / 1000
        return Figures(
            database=database.engine.dialect.name,
            therapists=len(cohort),
            patients_per_therapist=options.patients,
            checkins=len(cohort) * options.patients * len(WEEK),
            ledger_rows=len(cohort) * options.patients * len(WEEK),
            seed_seconds=round(seed_seconds, 1),
            figures_seconds=round(seconds, 2),
            figures_ms_per_therapist=round(seconds / len(cohort) * 1000, 2),
            queries_per_therapist=per_therapist[0],
            queries_for_fewer_patients=per_fewer[0],
            fewer_patients=max(1, options.patients // 5),
            batch=min(options.batch, len(cohort)),
            queries_per_batch=per_batch[0],
            naive_sample=len(sample),
            naive_queries_per_therapist=round(naive_queries[0] / len(sample)),
            naive_ms_per_therapist=round(naive_seconds / len(sample) * 1000, 1),
            naive_seconds_extrapolated=round(naive_seconds / len(sample) * len(cohort), 1),
            chart_p50_ms=round(_percentile(charts, 0.5), 1),
            chart_p95_ms=round(_percentile(charts, 0.95), 1),
            pdf_p50_ms=round(_percentile(pdfs, 0.5), 1),
            pdf_p95_ms=round(_percentile(pdfs, 0.95), 1),
            files_p95_ms=round(_percentile(files, 0.95), 1),
            first_chart_ms=round(first_chart, 1),
            summaries_per_hour=int(3600 / per_summary),
        )
    finally:
        counter.close()
        await _remove(database)
        await database.dispose()


def report(figures: Figures, as_json: bool) -> str:
    if as_json:
        return json.dumps(asdict(figures))
    f = figures
    return "\n".join(
        [
            f"Weekly summaries on {f.database}: {f.therapists:,} therapists × "
            f"{f.patients_per_therapist} patients ({f.checkins:,} check-ins, "
            f"{f.ledger_rows:,} reminders; seeded in {f.seed_seconds} s)",
            f"  figures, text and CSV rows of every summary: {f.figures_seconds} s "
            f"({f.figures_ms_per_therapist} ms per therapist, {f.batch} therapists per call, "
            f"{f.queries_per_batch} queries per call)",
            f"  queries for one therapist: {f.queries_per_therapist} with "
            f"{f.patients_per_therapist} patients, {f.queries_for_fewer_patients} with "
            f"{f.fewer_patients}",
            f"  naive per-patient loop ({f.naive_sample} therapists): "
            f"{f.naive_queries_per_therapist} queries and {f.naive_ms_per_therapist} ms per "
            f"therapist, about {f.naive_seconds_extrapolated} s for all",
            f"  chart p50/p95: {f.chart_p50_ms}/{f.chart_p95_ms} ms (first, with matplotlib's "
            f"import: {f.first_chart_ms} ms); PDF p50/p95: {f.pdf_p50_ms}/{f.pdf_p95_ms} ms; "
            f"both p95: {f.files_p95_ms} ms",
            f"  one process delivers about {f.summaries_per_hour:,} summaries an hour (CPU; "
            "Telegram's 30 messages/s allow 21,600 at five messages each)",
        ]
    )
