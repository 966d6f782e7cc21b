"""A therapist's patients as the therapist meets them: /patients lists the patients in their
care with a status each; /patient <name> finds one by part of their name and opens the record
(the last two weeks over the /progress chart, the plan, the actions); pausing and resuming
reminders, locking the plan and discharging, each of which the patient is told about."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from db.engine import Database
from db.models import (
    CareLink,
    Delivery,
    DeliveryStatus,
    Patient,
    PatientPlan,
    SafetyEvent,
)
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser, StoredMessage
from tests import care
from tests.e2e.test_reminders import onboard
from tests.harness import Bot, FrozenClock, PatientChat, texts

THERAPIST_USER = FakeUser(id=7001, first_name="Ana", language_code="en")
OTHER_THERAPIST_USER = FakeUser(id=7002, first_name="Bo", language_code="en")
# Tuesday 07:30 in Berlin, when the patient's daily reminder falls due.
TUESDAY_0730 = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


# -- helpers the other therapist-side tests share ----------------------------------------------


async def add_therapist(
    database: Database,
    user: FakeUser,
    name: str,
    *,
    zone: str = "Europe/Madrid",
    language: str = "en",
) -> int:
    """A registered therapist (the invites flow writes the same row)."""
    return await care.add_therapist(database, user.id, name, zone=zone, language=language)


async def stored_patient(database: Database, chat: PatientChat) -> Patient:
    async with database.transaction() as session:
        found = await patient_by_telegram_id(session, chat.user.id)
    assert found is not None
    return found


async def link(
    database: Database, chat: PatientChat, therapist_id: int, name: str, now: datetime
) -> int:
    """Put the (onboarded) patient in the therapist's care; their patient id."""
    return await care.put_in_care(database, chat.user.id, therapist_id, name, now)


async def new_patient(
    telegram: FakeTelegram, bot: Bot, user_id: int, first_name: str
) -> PatientChat:
    chat = PatientChat(
        telegram, FakeUser(id=user_id, first_name=first_name, language_code="en"), bot
    )
    await onboard(chat)
    chat.new_messages()
    return chat


def therapist_chat(
    telegram: FakeTelegram, bot: Bot, user: FakeUser = THERAPIST_USER
) -> PatientChat:
    return PatientChat(telegram, user, bot)


def button_data(message: StoredMessage, label: str) -> str:
    for row in message.inline_keyboard:
        for button in row:
            if button.text == label:
                assert button.data is not None
                return button.data
    raise AssertionError(
        f"no button {label!r} in {[b.text for r in message.inline_keyboard for b in r]}"
    )


def photos(messages: list[StoredMessage]) -> list[StoredMessage]:
    return [message for message in messages if message.photo is not None]


async def patient_row(database: Database, patient_id: int) -> Patient:
    async with database.transaction() as session:
        found = await session.get(Patient, patient_id)
    assert found is not None
    return found


async def open_link(database: Database, patient_id: int) -> CareLink | None:
    async with database.transaction() as session:
        return await session.scalar(
            select(CareLink).where(CareLink.patient_id == patient_id, CareLink.ended_at.is_(None))
        )


async def outbox_to(bot: Bot, clock: FrozenClock) -> None:
    """Let the outbox run now (notes and notices are due at once)."""
    await bot.dispatch()


# -- /patients ---------------------------------------------------------------------------------


async def test_patients_lists_the_patients_in_care_with_their_status(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    other_id = await add_therapist(database, OTHER_THERAPIST_USER, "Dr. Bo Berg")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    marco = await new_patient(telegram, bot, 5002, "Marco")
    someone_else = await new_patient(telegram, bot, 5003, "Zoe")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    await link(database, marco, therapist_id, "Marco Rossi", clock.now)
    await link(database, someone_else, other_id, "Zoe Other", clock.now)
    await marco.send("/reminders")
    await marco.press("⏸ Pause")
    await marco.press("Travel")
    await marco.press("1 week")

    ana = therapist_chat(telegram, bot)
    [listing] = await ana.send("/patients")
    assert "Your patients (2)" in listing.plain_text
    assert "Lena Weber: reminders on" in listing.plain_text
    assert "Marco Rossi: ⏸ paused (Travel)" in listing.plain_text
    assert "Zoe" not in listing.plain_text
    assert listing.buttons == ["Lena Weber", "Marco Rossi"]


async def test_patients_without_any_patient_says_how_to_invite(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    [reply] = await therapist_chat(telegram, bot).send("/patients")
    assert "No patients in your care yet" in reply.plain_text
    assert "/invite" in reply.plain_text


async def test_a_patient_typing_patients_is_refused(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    lena = await new_patient(telegram, bot, 5001, "Lena")
    [reply] = await lena.send("/patients")
    assert "This is for therapists" in reply.plain_text
    [reply] = await lena.send("/patient lena")
    assert "This is for therapists" in reply.plain_text


# -- /patient <name> ---------------------------------------------------------------------------


async def test_patient_finds_by_part_of_the_name_in_any_case(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    marco = await new_patient(telegram, bot, 5002, "Marco")
    await link(database, lena, therapist_id, "Lena Müller", clock.now)
    await link(database, marco, therapist_id, "Marco Müllner", clock.now)
    ana = therapist_chat(telegram, bot)

    shown = await ana.send("/patient LENA")
    assert "Lena Müller · in your care since" in texts(shown)

    [several] = await ana.send("/patient MÜLL")
    assert "Several of your patients match “MÜLL”" in several.plain_text
    assert several.buttons == ["Lena Müller", "Marco Müllner"]
    shown = await ana.press("Marco Müllner", message=several)
    assert "Marco Müllner · in your care since" in texts(shown)

    [none] = await ana.send("/patient xavier")
    assert "None of your patients matches “xavier”" in none.plain_text
    [how] = await ana.send("/patient")
    assert "Send /patient and part of their name" in how.plain_text


async def test_the_record_shows_two_weeks_with_a_chart_and_the_actions(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    clock.now = TUESDAY_0730
    await bot.dispatch()
    [reminder] = [m for m in lena.new_messages() if "Time for today's drills" in m.plain_text]
    await lena.press("✅ Done", message=reminder)
    await lena.press("6")  # pain during the drill
    async with database.transaction() as session:
        session.add(
            SafetyEvent(
                patient_id=patient_id,
                occurred_at=TUESDAY_0730 + timedelta(minutes=5),
                severity="emergency_services",  # a red flag's tier, as stored
                flag="chest_pain",
                source="typed",
            )
        )
    lena.new_messages()

    ana = therapist_chat(telegram, bot)
    shown = await ana.send("/patient weber")
    text = texts(shown)
    assert photos(shown), "the record comes with the chart"
    assert "Lena Weber · in your care since 2 Mar" in text
    assert "Status: reminders on" in text
    assert "Last 2 days" in text  # she joined on Monday: the window starts then
    assert "Sessions: 1 of 1 done, drills on 1 of 2 days" in text
    assert "Pain after drills: highest 6/10 (latest 6/10 on 3 Mar; reported on 1 day)" in text
    assert "Morning checks: none answered" in text
    # Newest first, in the therapist's zone (Madrid keeps Berlin's offset).
    assert (
        "Safety events (2)\n\n"
        "• 3 Mar, 07:35: red flag: chest pain, pressure or tightness (critical)\n\n"
        "• 3 Mar, 07:30: high pain during a drill (high)"
    ) in text
    assert "Plan: the starter plan, 6 drills, 2 per reminder" in text
    buttons = [b for m in shown for b in m.buttons]
    assert buttons == [
        "📋 Plan",
        "📝 Send a note",
        "⏸ Pause reminders",
        "🔒 Lock plan",
        "🏁 Discharge",
    ]


# -- pause, resume, lock, discharge ------------------------------------------------------------


async def open_record(ana: PatientChat, query: str) -> StoredMessage:
    """The record's message that carries its buttons."""
    shown = await ana.send(f"/patient {query}")
    return next(message for message in shown if message.buttons)


async def test_pausing_and_resuming_reminders_tells_the_patient_and_holds_the_next_reminder(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)

    record = await open_record(ana, "lena")
    [asked] = (await ana.press("⏸ Pause reminders", message=record))[1:]
    assert "Pause Lena Weber's reminders until you resume them?" in asked.plain_text
    assert asked.buttons == [
        "Therapist's decision",
        "Illness",
        "Flare-up",
        "Travel",
        "« Back to the record",
    ]
    [done] = await ana.press("Flare-up", message=asked)
    assert "Lena Weber's reminders are paused (Flare-up), from the next one on" in done.plain_text
    patient = await patient_row(database, patient_id)
    assert patient.paused_at == clock.now
    assert patient.paused_until is None
    assert patient.pause_reason == "flare_up"

    await bot.dispatch()
    [told] = lena.new_messages()
    assert told.plain_text.startswith(
        "⏸ Your therapist, Dr. Ana Ruiz, has paused your reminders (Flare-up)."
    )

    clock.now = TUESDAY_0730  # the next reminder is held back
    await bot.dispatch()
    assert lena.new_messages() == []
    [listing] = await ana.send("/patients")
    assert "Lena Weber: ⏸ paused (Flare-up)" in listing.plain_text

    record = await open_record(ana, "lena")
    [resumed] = (await ana.press("▶️ Resume reminders", message=record))[1:]
    assert "Lena Weber's reminders are back on" in resumed.plain_text
    assert (await patient_row(database, patient_id)).paused_at is None
    await bot.dispatch()
    [told] = lena.new_messages()
    assert "Dr. Ana Ruiz, has turned your reminders back on" in told.plain_text

    clock.now = TUESDAY_0730 + timedelta(days=1)  # Wednesday's reminder comes again
    await bot.dispatch()
    assert any("Time for today's drills" in m.plain_text for m in lena.new_messages())


async def test_a_reason_never_offered_asks_again_and_changes_nothing(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)
    record = await open_record(ana, "lena")
    [asked] = await ana.forge_button(f"t|pt_pause|{patient_id}|holiday", record.message_id)
    assert "Choose the reason" in asked.plain_text
    assert (await patient_row(database, patient_id)).paused_at is None


async def test_locking_a_starter_plan_copies_it_and_unlocking_keeps_it(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)

    record = await open_record(ana, "lena")
    [locked] = (await ana.press("🔒 Lock plan", message=record))[1:]
    assert "Lena Weber's plan is locked" in locked.plain_text
    async with database.transaction() as session:
        plan = await session.get(PatientPlan, patient_id)
    assert plan is not None
    assert plan.locked
    assert plan.drills == tuple(bot.services.plans.starter.drill_ids)

    shown = await ana.send("/patient lena")
    assert "Plan 🔒 locked: their plan (with the changes they accepted), 6 drills" in texts(shown)
    record = next(message for message in shown if message.buttons)
    assert "🔓 Unlock plan" in record.buttons
    [unlocked] = (await ana.press("🔓 Unlock plan", message=record))[1:]
    assert "Lena Weber's plan is unlocked" in unlocked.plain_text
    async with database.transaction() as session:
        plan = await session.get(PatientPlan, patient_id)
    assert plan is not None
    assert not plan.locked


async def test_discharging_asks_first_then_ends_the_link_and_tells_the_patient(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)

    record = await open_record(ana, "lena")
    [asked] = (await ana.press("🏁 Discharge", message=record))[1:]
    assert "Discharge Lena Weber?" in asked.plain_text
    assert asked.buttons == ["🏁 Yes, discharge", "« Back to the record"]
    assert await open_link(database, patient_id) is not None  # asking changes nothing

    [done] = await ana.press("🏁 Yes, discharge", message=asked)
    assert "Lena Weber is discharged and has been told" in done.plain_text
    assert await open_link(database, patient_id) is None
    async with database.transaction() as session:
        link_row = await session.scalar(select(CareLink).where(CareLink.patient_id == patient_id))
    assert link_row is not None
    assert link_row.end_reason == "discharged"

    await bot.dispatch()
    [told] = lena.new_messages()
    assert "Dr. Ana Ruiz, has discharged you from their care" in told.plain_text
    assert "/reminders" in told.plain_text

    [listing] = await ana.send("/patients")
    assert "No patients in your care yet" in listing.plain_text
    # The old record's buttons act on nothing now.
    [stale] = (await ana.press("⏸ Pause reminders", message=record))[1:]
    assert "That patient is not in your care" in stale.plain_text
    assert (await patient_row(database, patient_id)).paused_at is None


async def test_a_notice_waits_for_the_end_of_the_patients_quiet_hours(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Ana Ruiz")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    patient_id = await link(database, lena, therapist_id, "Lena Weber", clock.now)
    async with database.transaction() as session:
        patient = await session.get(Patient, patient_id)
        assert patient is not None
        patient.quiet_start, patient.quiet_end = time(22, 0), time(7, 0)
    clock.now = datetime(2026, 3, 2, 21, 30, tzinfo=UTC)  # 22:30 in Berlin
    ana = therapist_chat(telegram, bot)
    record = await open_record(ana, "lena")
    [asked] = (await ana.press("⏸ Pause reminders", message=record))[1:]
    await ana.press("Illness", message=asked)

    await bot.dispatch()
    assert lena.new_messages() == []
    clock.now = datetime(2026, 3, 3, 5, 59, tzinfo=UTC)  # 06:59 in Berlin
    await bot.dispatch()
    assert lena.new_messages() == []
    clock.now = datetime(2026, 3, 3, 6, 0, tzinfo=UTC)  # 07:00: the quiet hours are over
    await bot.dispatch()
    [told] = lena.new_messages()
    assert "has paused your reminders (Illness)" in told.plain_text
    async with database.transaction() as session:
        rows = list(await session.scalars(select(Delivery).where(Delivery.kind == "care_paused")))
    assert [row.status for row in rows] == [DeliveryStatus.SENT]


async def test_the_therapist_reads_their_patients_in_their_own_language(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database
) -> None:
    therapist_id = await add_therapist(database, THERAPIST_USER, "Dr. Anna Roth", language="de")
    lena = await new_patient(telegram, bot, 5001, "Lena")
    await link(database, lena, therapist_id, "Lena Weber", clock.now)
    ana = therapist_chat(telegram, bot)  # her Telegram app speaks English
    [listing] = await ana.send("/patients")
    assert "Ihre Patienten (1)" in listing.plain_text
    assert "Lena Weber: Erinnerungen an" in listing.plain_text
    record = await open_record(ana, "lena")
    assert "in Ihrer Betreuung seit 2. März" in texts(await ana.send("/patient lena"))
    assert "⏸ Erinnerungen pausieren" in record.buttons
