"""`reed bench checkins` at a tiny size: every way of processing answers every press, in order.

The figures themselves are not checked (they depend on the machine); that the benchmark runs,
measures what it says and finds each chat's answers stored in the order pressed is.
"""

from __future__ import annotations

import json

from pydantic import SecretStr
from sqlalchemy import func, select

from bot.bench import checkins
from bot.settings import Settings
from db.engine import Database
from db.models import Patient


async def test_a_tiny_run_answers_every_press_in_order(
    database_url: str, database: Database
) -> None:
    settings = Settings(
        telegram_bot_token=SecretStr("1:UNUSED"), database_url=database_url, _env_file=None
    )
    options = checkins.Options(
        patients=12, in_flight=4, concurrency=3, double_tap_every=2, rounds=2
    )

    figures = await checkins.run(settings, options)

    assert [run.processing for run in figures.runs] == ["echo", "sequential", "per-chat"]
    for run in figures.runs:
        assert run.answers == 12
        assert run.double_taps == 6
        assert run.replies_in_order == 12
        assert run.answers_per_second > 0
        assert 0 < run.latency_p50_ms <= run.latency_p99_ms
        assert run.api_errors == 0
    # The bot stored each patient's first tap, the echo nothing.
    assert [run.stored_in_order for run in figures.runs] == [None, 12, 12]
    assert figures.order_kept
    # Its patients are gone again.
    async with database.transaction(read_only=True) as session:
        assert await session.scalar(select(func.count()).select_from(Patient)) == 0

    printed = checkins.report(figures, as_json=False)
    assert "bare echo (ceiling)" in printed
    assert "each chat's answers replied to and stored in order: yes" in printed
    as_json = json.loads(checkins.report(figures, as_json=True))
    assert as_json["order_kept"] is True
    assert [run["processing"] for run in as_json["runs"]] == ["echo", "sequential", "per-chat"]
