"""A therapist sees and changes only their own patients, checked on the server for every
command and every button: another therapist's patient is not found by name, and buttons
forged by hand, replayed from another chat or left over after a patient left act on nothing.
A patient pressing a therapist's button reaches no rule, and a patient never reaches another
patient's note."""

from __future__ import annotations

from sqlalchemy import func, select

from db import care_queries
from db.engine import Database
from db.models import Conversation, Delivery, PatientPlan, TherapistNote
from emulator import FakeTelegram
from tests.e2e.test_patients import (
    OTHER_THERAPIST_USER,
    THERAPIST_USER,
    add_therapist,
    link,
    new_patient,
    open_link,
    open_record,
    patient_row,
    therapist_chat,
)
from tests.harness import Bot, FrozenClock, PatientChat

NOT_IN_CARE = "That patient is not in your care (any more)"


async def count(database: Database, model: type) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def two_therapists(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> tuple[PatientChat, PatientChat, PatientChat, int]:
    """Ana cares for Lena; Bo cares for nobody. (Ana's chat, Bo's chat, Lena, Lena's id)."""
    ana_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    await add_therapist(database, OTHER_THERAPIST_USER, "Dr. Bo Berg")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    lena_id = await link(database, lena, ana_id, "Lena Weber", clock.now)
    return (
        therapist_chat(telegram, bot),
        therapist_chat(telegram, bot, OTHER_THERAPIST_USER),
        lena,
        lena_id,
    )


async def nothing_changed(database: Database, lena_id: int) -> None:
    lena = await patient_row(database, lena_id)
    assert lena.paused_at is None
    assert lena.pause_reason is None
    assert await open_link(database, lena_id) is not None
    assert await count(database, PatientPlan) == 0
    assert await count(database, TherapistNote) == 0
    async with database.transaction() as session:
        kinds = set(await session.scalars(select(Delivery.kind)))
    assert not kinds & {"note", "care_paused", "care_resumed", "care_discharged"}


async def test_another_therapists_patient_is_not_found_by_name(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    _ana, bo, _lena, _lena_id = await two_therapists(telegram, bot, clock, database)
    [reply] = await bo.send("/patient lena")
    assert "None of your patients matches “lena”" in reply.plain_text
    assert "Weber" not in reply.plain_text
    [listing] = await bo.send("/patients")
    assert "Lena" not in listing.plain_text


async def test_forged_buttons_for_another_therapists_patient_show_and_change_nothing(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    _ana, bo, _lena, lena_id = await two_therapists(telegram, bot, clock, database)
    [anchor] = await bo.send("/patients")
    for data in (
        f"t|pt_open|{lena_id}",
        f"t|pt_pause|{lena_id}",
        f"t|pt_pause|{lena_id}|therapist",
        f"t|pt_resume|{lena_id}",
        f"t|pt_lock|{lena_id}",
        f"t|pt_unlock|{lena_id}",
        f"t|pt_note|{lena_id}",
        f"t|pt_discharge|{lena_id}",
        f"t|pt_discharge|{lena_id}|yes",
        "t|pt_open|0",
        "t|pt_open|abc",
        "t|pt_open",
        "t|pt_discharge|99999|yes",
    ):
        shown = await bo.forge_button(data, anchor.message_id)
        assert [m.plain_text.split(" so I")[0] for m in shown] == [
            "That patient is not in your care (any more),"
        ], data
        assert all("Weber" not in m.plain_text for m in shown), data
    await nothing_changed(database, lena_id)
    async with database.transaction() as session:
        flows = set(await session.scalars(select(Conversation.flow)))
    assert "therapist_note" not in flows


async def test_the_record_buttons_replayed_from_another_chat_act_on_nothing(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    ana, bo, _lena, lena_id = await two_therapists(telegram, bot, clock, database)
    record = await open_record(ana, "lena")
    [anchor] = await bo.send("/patients")
    for row in record.inline_keyboard:
        for button in row:
            if button.data and button.data.startswith("t|pt_"):
                shown = await bo.forge_button(button.data, anchor.message_id)
                assert NOT_IN_CARE in shown[-1].plain_text, button.text
    await nothing_changed(database, lena_id)


async def test_a_patient_pressing_a_therapist_button_reaches_no_rule(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    ana, _bo, lena, lena_id = await two_therapists(telegram, bot, clock, database)
    await open_record(ana, "lena")
    for data in (
        f"t|pt_open|{lena_id}",
        f"t|pt_discharge|{lena_id}|yes",
        f"t|pt_pause|{lena_id}|illness",
    ):
        shown = await lena.forge_button(data, lena.last_user_message_id())
        assert [m.plain_text.split(".")[0] for m in shown] == ["This is for therapists"]
    await nothing_changed(database, lena_id)


async def test_old_buttons_after_the_patient_left_act_on_nothing(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    ana, _bo, _lena, lena_id = await two_therapists(telegram, bot, clock, database)
    record = await open_record(ana, "lena")
    async with database.transaction() as session:
        await care_queries.end_link(session, lena_id, "left", clock.now)
    for label in ("⏸ Pause reminders", "🔒 Lock plan", "📝 Send a note", "🏁 Discharge"):
        shown = await ana.press(label, message=record)
        assert NOT_IN_CARE in shown[-1].plain_text, label
        assert "Weber" not in shown[-1].plain_text
    [reply] = await ana.send("/patient lena")
    assert "None of your patients matches" in reply.plain_text
    lena = await patient_row(database, lena_id)
    assert lena.paused_at is None
    assert await count(database, PatientPlan) == 0


async def test_a_patient_cannot_reply_to_another_patients_note(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    ana, _bo, lena, _lena_id = await two_therapists(telegram, bot, clock, database)
    marco = await new_patient(telegram, bot, 5002, "Marco")
    record = await open_record(ana, "lena")
    await ana.press("📝 Send a note", message=record)
    confirm = (await ana.send("Private words for Lena"))[-1]
    await ana.press("✅ Send", message=confirm)
    await bot.dispatch()
    [note] = lena.new_messages()
    data = next(b.data for r in note.inline_keyboard for b in r)
    assert data is not None
    assert data.startswith("r|")

    shown = await marco.forge_button(data, marco.last_user_message_id())
    assert all("Private words" not in m.plain_text for m in shown)
    assert all("Type your reply" not in m.plain_text for m in shown)
    await marco.send("Hello from Marco")
    async with database.transaction() as session:
        [stored] = list(await session.scalars(select(TherapistNote)))
    assert stored.reply is None
