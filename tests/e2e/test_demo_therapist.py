"""``reed demo --as therapist``: the terminal becomes a therapist through a real invite, with
three demo patients in their care, and sees an alert, the patients, a summary and an invite
with its QR code."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.demo import DEMO_THERAPIST_ID, DEMO_TOKEN, run_demo
from bot.settings import Settings
from db.care_queries import patients_in_care_of
from db.engine import Database
from db.models import SafetyEvent, Therapist, TherapistInvite
from emulator import FakeTelegram


async def test_the_demo_as_a_therapist(
    database_url: str, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    telegram = FakeTelegram(bot_token=DEMO_TOKEN)

    async def operator() -> AsyncIterator[str]:
        # The demo opens the invite itself; its red flag alert comes from the outbox.
        await telegram.wait_for_bot_message(DEMO_THERAPIST_ID, contains="Jonas Weber", timeout=30)
        yield "/patients"
        await telegram.wait_for_bot_message(DEMO_THERAPIST_ID, contains="Aiko Tanaka", timeout=10)
        yield "/invite"
        await telegram.wait_for_bot_message(DEMO_THERAPIST_ID, contains="Scan to join", timeout=10)
        yield "/quit"

    output = io.StringIO()
    settings = Settings(
        telegram_bot_token=SecretStr("1:unused"), database_url=database_url, _env_file=None
    )
    await run_demo(settings, telegram=telegram, lines=operator(), output=output, role="therapist")

    shown = output.getvalue()
    assert "(demo: opening the therapist invite https://t.me/" in shown
    assert "Welcome, Dr. Ana Ruiz (demo)" in shown
    assert "(demo: 3 patients in your care" in shown
    assert "Maria López" in shown
    assert "Your invite link for patients" in shown
    assert "invite-qr.png" in shown  # the QR code, saved in demo-files/
    assert (tmp_path / "demo-files").is_dir()

    async with database.transaction() as session:
        therapist = (await session.scalars(select(Therapist))).one()
        invite = (await session.scalars(select(TherapistInvite))).one()
        in_care = await patients_in_care_of(session, therapist.id)
        event = (await session.scalars(select(SafetyEvent))).one()
    assert invite.used_by == therapist.id
    assert [entry.name for entry in in_care] == ["Aiko Tanaka", "Jonas Weber", "Maria López"]
    assert event.delivered_at is not None  # the alert went out
