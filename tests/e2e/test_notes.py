"""Notes as both sides meet them: the therapist writes a short note from a patient's record,
sees it once more and sends it; the patient gets it as from their therapist and may reply
once; the reply reaches the therapist with the patient's name. A red flag in a reply gets the
safety wording and goes nowhere else."""

from __future__ import annotations

from sqlalchemy import select

from db.engine import Database
from db.models import SafetyEvent, TherapistNote
from emulator import FakeTelegram
from tests.e2e.test_patients import (
    THERAPIST_USER,
    add_therapist,
    link,
    new_patient,
    open_record,
    therapist_chat,
)
from tests.harness import Bot, FrozenClock, PatientChat


async def write_note(ana: PatientChat, query: str, body: str) -> None:
    record = await open_record(ana, query)
    [prompt] = (await ana.press("📝 Send a note", message=record))[1:]
    assert "Type your note to Lena Weber" in prompt.plain_text
    [confirm] = await ana.send(body)
    assert "Send this note to Lena Weber?" in confirm.plain_text
    [sent] = await ana.press("✅ Send", message=confirm)
    assert "Note sent to Lena Weber" in sent.plain_text


async def notes(database: Database) -> list[TherapistNote]:
    async with database.transaction() as session:
        return list(await session.scalars(select(TherapistNote).order_by(TherapistNote.id)))


async def test_a_note_reaches_the_patient_and_their_one_reply_reaches_the_therapist(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)

    await write_note(ana, "lena", "Well done this week; add a second set from <Monday> & rest")
    await bot.dispatch()
    [note] = lena.new_messages()
    assert note.plain_text == (
        "📝 Note from Dr. Ana Ruiz:\nWell done this week; add a second set from <Monday> & rest"
    )
    assert "&lt;Monday&gt; &amp; rest" in (note.text or "")  # escaped, not markup
    assert note.buttons == ["💬 Reply"]

    [ask] = (await lena.press("💬 Reply", message=note))[1:]
    assert "Type your reply to Dr. Ana Ruiz" in ask.plain_text
    [thanks] = await lena.send("Thank you, will do!")
    assert "Your reply is on its way to Dr. Ana Ruiz" in thanks.plain_text
    [stored] = await notes(database)
    assert stored.reply == "Thank you, will do!"
    assert stored.replied_at == clock.now

    ana.new_messages()
    await bot.dispatch()
    [reply] = ana.new_messages()
    assert reply.plain_text.startswith("💬 Lena Weber replied to your note:\nThank you, will do!")
    assert "Your note: Well done this week" in reply.plain_text
    assert reply.buttons == ["🗂 Open record"]
    shown = (await ana.press("🗂 Open record", message=reply))[1:]
    assert any("Lena Weber · in your care since" in m.plain_text for m in shown)
    assert any("Your last note: 2 Mar, answered" in m.plain_text for m in shown)

    # One reply per note.
    [again] = (await lena.press("💬 Reply", message=note))[1:]
    assert "You've already replied to this note" in again.plain_text
    await lena.send("And another thing")
    [stored] = await notes(database)
    assert stored.reply == "Thank you, will do!"


async def test_a_red_flag_in_a_reply_gets_the_safety_wording_and_is_not_forwarded(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)
    await write_note(ana, "lena", "How is the knee?")
    await bot.dispatch()
    [note] = lena.new_messages()

    await lena.press("💬 Reply", message=note)
    answer = await lena.send("I have chest pain since this morning")
    assert any("chest pain" in m.plain_text.lower() for m in answer)
    [stored] = await notes(database)
    assert stored.reply is None
    assert stored.replied_at is None
    async with database.transaction() as session:
        events = list(await session.scalars(select(SafetyEvent)))
    assert [event.flag for event in events] == ["chest_pain"]
    ana.new_messages()
    await bot.dispatch()
    assert [m for m in ana.new_messages() if "replied to your note" in m.plain_text] == []

    # The reply is still open: a reply without a red flag goes through.
    [sent] = await lena.send("Better now, thanks")
    assert "Your reply is on its way" in sent.plain_text
    [stored] = await notes(database)
    assert stored.reply == "Better now, thanks"


async def test_a_long_note_is_refused_with_its_length_and_cancel_sends_nothing(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)
    record = await open_record(ana, "lena")
    await ana.press("📝 Send a note", message=record)

    [refused] = await ana.send("x" * 501)  # the guard refuses text this long for everyone
    assert "too long" in refused.plain_text
    [confirm] = await ana.send("x" * 500)
    assert "Send this note to Lena Weber?" in confirm.plain_text
    [edit] = (await ana.press("✏️ Change", message=confirm))[1:]
    assert "Type your note to Lena Weber" in edit.plain_text
    [cancelled] = await ana.send("/cancel")
    assert "No note sent." in cancelled.plain_text
    await bot.dispatch()
    assert await notes(database) == []
    assert lena.new_messages() == []


async def test_a_note_to_a_patient_discharged_meanwhile_is_not_sent_and_replies_close(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)
    await write_note(ana, "lena", "First note")
    await bot.dispatch()
    [note] = lena.new_messages()

    # A second note is typed, then the patient is discharged before it is sent.
    record = await open_record(ana, "lena")
    await ana.press("📝 Send a note", message=record)
    [confirm] = await ana.send("Second note")
    record = await open_record(ana, "lena")
    [asked] = (await ana.press("🏁 Discharge", message=record))[1:]
    await ana.press("🏁 Yes, discharge", message=asked)
    refused = (await ana.press("✅ Send", message=confirm))[-1]
    assert "That patient is not in your care" in refused.plain_text
    assert [n.body for n in await notes(database)] == ["First note"]

    # The first note can no longer be answered: its therapist no longer cares for her.
    await bot.dispatch()
    lena.new_messages()
    [closed] = (await lena.press("💬 Reply", message=note))[1:]
    assert "This note can't be answered any more" in closed.plain_text
