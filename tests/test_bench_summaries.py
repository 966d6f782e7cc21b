"""`reed bench summaries` at a tiny size: it runs, the batched loader reads the same summaries
as the naive loop (the run asserts it), its query count does not grow with the patients, and
it leaves nothing behind. The timings themselves depend on the machine and are not checked."""

from __future__ import annotations

import json
from dataclasses import asdict

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.bench import summaries
from bot.settings import Settings
from db.engine import Database
from db.models import Patient, Therapist


async def test_a_tiny_run_counts_the_same_queries_for_fewer_patients(
    database_url: str, database: Database
) -> None:
    settings = Settings(
        telegram_bot_token=SecretStr("1:UNUSED"), database_url=database_url, _env_file=None
    )
    options = summaries.Options(therapists=6, patients=10, batch=4, naive_sample=2, renders=2)

    figures = await summaries.run(settings, options)

    assert figures.therapists == 6
    assert figures.checkins == 6 * 10 * 7
    assert figures.queries_per_therapist == figures.queries_for_fewer_patients
    assert figures.queries_per_batch == figures.queries_per_therapist  # 4 therapists, one call
    # The naive loop: one query for the care list and several per patient.
    assert figures.naive_queries_per_therapist > 10 * 5
    assert figures.figures_seconds > 0
    assert 0 < figures.chart_p50_ms <= figures.chart_p95_ms
    assert figures.summaries_per_hour > 0
    assert json.loads(summaries.report(figures, as_json=True)) == asdict(figures)
    assert "queries for one therapist" in summaries.report(figures, as_json=False)
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Therapist)) == 0
        assert await session.scalar(select(func.count()).select_from(Patient)) == 0
