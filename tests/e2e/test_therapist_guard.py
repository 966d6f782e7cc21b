"""Who may use the therapist side, checked on the server: a therapist button pressed (or
forged) by someone who is not a therapist acts on nothing; a therapist's typed words are about
their patients and are not read as their own red-flag symptoms."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from db.engine import Database
from db.models import SafetyEvent
from emulator import FakeTelegram, FakeUser
from tests import care
from tests.harness import Bot, PatientChat, texts

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOT_FOR_YOU = "This is for therapists."
EMERGENCY = "Stop the exercise now and call emergency services"


async def test_a_therapist_button_pressed_by_a_patient_is_refused(
    patient: PatientChat, database: Database
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    message_id = patient.last.message_id
    replies = await patient.forge_button("t|pt_discharge|1", message_id)
    assert NOT_FOR_YOU in texts(replies)


async def test_a_forged_therapist_button_from_someone_unknown_is_refused(
    telegram: FakeTelegram, bot: Bot
) -> None:
    stranger = PatientChat(telegram, FakeUser(id=6002, first_name="Eve"), bot)
    await stranger.send("/help")
    replies = await stranger.forge_button("t|al_ack|1", stranger.last.message_id)
    assert NOT_FOR_YOU in texts(replies)


async def test_a_revoked_therapist_is_no_therapist(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    await care.add_therapist(database, 6003, active=False)
    former = PatientChat(telegram, FakeUser(id=6003, first_name="Ana"), bot)
    await former.send("/help")
    replies = await former.forge_button("t|pt_open|1", former.last.message_id)
    assert NOT_FOR_YOU in texts(replies)


async def test_a_therapists_typed_words_are_not_read_as_red_flags(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    await care.add_therapist(database, 6004)
    therapist = PatientChat(telegram, FakeUser(id=6004, first_name="Ana"), bot)
    replies = await therapist.send("patient reports chest pain after the drill")
    assert EMERGENCY not in texts(replies)
    assert "For therapists" in texts(replies)
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(SafetyEvent)) == 0


async def test_the_same_words_from_a_patient_get_the_safety_wording(
    patient: PatientChat,
) -> None:
    replies = await patient.send("I have chest pain")
    assert EMERGENCY in texts(replies)
