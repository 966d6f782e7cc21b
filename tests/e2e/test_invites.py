"""Invites end to end: an operator's therapist invite opened in Telegram, a therapist's
patient invite (link and QR code) opened by a new patient, consent naming the therapist, a
change of therapist confirmed or declined, and leaving. Real Application, real database, fake
Telegram, a clock the test moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.domain.invites import code_hash
from bot.therapist_admin import issue_invite, list_invites, revoke_invite
from db.care_queries import patients_in_care_of
from db.engine import Database
from db.models import (
    CareLink,
    ConsentRecord,
    Conversation,
    Delivery,
    Patient,
    PatientInvite,
    Therapist,
    TherapistInvite,
)
from emulator import FakeTelegram, FakeUser, StoredMessage
from tests.harness import Bot, FrozenClock, PatientChat, texts

ANA = FakeUser(id=7001, first_name="Ana", last_name="Ruiz", language_code="es")
BEN = FakeUser(id=7002, first_name="Ben", last_name="Okafor", language_code="de")
PAT = FakeUser(id=5001, first_name="Lena", last_name="Berg", language_code="en")


async def count(database: Database, model: type[object]) -> int:
    async with database.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def therapist_invite_code(
    database: Database,
    clock: FrozenClock,
    name: str = "Dr. Ana Ruiz",
    days: int = 7,
    timezone: str | None = None,
) -> str:
    issued = await issue_invite(
        database, name=name, days=days, timezone=timezone, username="reed_coach_bot", clock=clock
    )
    return issued.link.split("?start=")[1]


async def become_therapist(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock, user: FakeUser
) -> PatientChat:
    chat = PatientChat(telegram, user, bot)
    name = f"Dr. {user.first_name} {user.last_name}"
    code = await therapist_invite_code(database, clock, name=name, timezone="Europe/Madrid")
    await chat.send(f"/start {code}")
    return chat


async def patient_link(therapist: PatientChat) -> tuple[str, list[StoredMessage]]:
    shown = await therapist.send("/invite")
    link = next(word for word in shown[0].plain_text.split() if word.startswith("https://t.me/"))
    return link.split("?start=")[1], shown


async def links(database: Database) -> list[CareLink]:
    async with database.transaction() as session:
        return list(await session.scalars(select(CareLink).order_by(CareLink.id)))


async def therapist_id(database: Database, user: FakeUser) -> int:
    async with database.transaction() as session:
        found = await session.scalar(
            select(Therapist.id).where(Therapist.telegram_user_id == user.id)
        )
    assert found is not None
    return found


async def names_in_care(database: Database, user: FakeUser) -> list[str]:
    therapist = await therapist_id(database, user)
    async with database.transaction() as session:
        return [entry.name for entry in await patients_in_care_of(session, therapist)]


# -- therapist invites ------------------------------------------------------------------------


async def test_opening_a_therapist_invite_registers_a_therapist_once(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    code = await therapist_invite_code(database, clock, timezone="Europe/Madrid")
    ana = PatientChat(telegram, ANA, bot)
    welcome = await ana.send(f"/start {code}")
    assert "Welcome, Dr. Ana Ruiz" in welcome[0].plain_text
    assert "/invite" in welcome[0].plain_text  # the therapist's help, not a patient's set-up
    async with database.transaction() as session:
        therapist = (await session.scalars(select(Therapist))).one()
        invite = (await session.scalars(select(TherapistInvite))).one()
    assert (therapist.name, therapist.timezone, therapist.chat_id) == (
        "Dr. Ana Ruiz",
        "Europe/Madrid",
        ANA.id,
    )
    assert therapist.language == "en"  # Spanish is not one of the bot's languages
    assert therapist.next_summary_at is None  # the summary's own rule fills it
    assert invite.used_at == clock.now
    assert invite.used_by == therapist.id
    assert [row.state for row in await list_invites(database, clock=clock)] == ["used"]
    menu = telegram.my_commands(scope={"type": "chat", "chat_id": ANA.id})
    assert [entry["command"] for entry in menu] == [
        "invite",
        "patients",
        "patient",
        "summary",
        "help",
    ]
    # Nothing of a patient was stored: a therapist is not a patient.
    assert await count(database, Patient) == 0

    # The same link again, from someone else: used, nothing changes.
    ben = PatientChat(telegram, BEN, bot)
    reused = await ben.send(f"/start {code}")
    assert "bereits verwendet" in reused[0].plain_text  # in the language of Ben's app
    assert await count(database, Therapist) == 1
    # ...and from Ana herself: she is a therapist already.
    again = await ana.send(f"/start {code}")
    assert "already set up as a therapist" in again[0].plain_text
    assert await count(database, Therapist) == 1


async def test_expired_revoked_and_forged_therapist_codes_change_nothing(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    expiring = await therapist_invite_code(database, clock, days=7)
    revoked = await therapist_invite_code(database, clock, name="Dr. Revoked")
    async with database.transaction() as session:
        revoked_id = await session.scalar(
            select(TherapistInvite.id).where(TherapistInvite.code_hash == code_hash(revoked))
        )
    assert revoked_id is not None
    await revoke_invite(database, revoked_id, clock=clock)
    ben = PatientChat(telegram, BEN, bot)

    clock.advance(days=7)  # the expiry instant itself: expired
    expired_reply = await ben.send(f"/start {expiring}")
    assert "Diese Einladung ist abgelaufen" in expired_reply[0].plain_text  # Ben's app is German
    revoked_reply = await ben.send(f"/start {revoked}")
    assert "zurückgezogen" in revoked_reply[0].plain_text
    forged = "th_" + "A" * 32
    forged_reply = await ben.send(f"/start {forged}")
    assert "kenne ich nicht" in forged_reply[0].plain_text
    assert await count(database, Therapist) == 0
    assert await count(database, Patient) == 0
    assert await count(database, Conversation) == 0


async def test_a_therapist_invite_works_until_the_second_before_it_expires(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    code = await therapist_invite_code(database, clock, days=7)
    clock.advance(days=7, seconds=-1)
    await PatientChat(telegram, ANA, bot).send(f"/start {code}")
    assert await count(database, Therapist) == 1


async def test_only_a_hash_of_each_code_is_stored(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    therapist_code = await therapist_invite_code(database, clock, name="Dr. Second")
    code, _ = await patient_link(ana)
    async with database.transaction() as session:
        therapist_rows = list(await session.scalars(select(TherapistInvite)))
        patient_row = (await session.scalars(select(PatientInvite))).one()
    stored = [
        str(getattr(row, column))
        for row in (*therapist_rows, patient_row)
        for column in row.__table__.columns.keys()  # noqa: SIM118 - the columns' names
    ]
    for secret in (therapist_code, code):
        assert not any(secret in value for value in stored)
    assert patient_row.code_hash == code_hash(code)
    assert code_hash(therapist_code) in {row.code_hash for row in therapist_rows}


async def test_a_link_that_is_no_invite_gets_a_friendly_reply_and_stores_nothing(
    patient: PatientChat, database: Database
) -> None:
    reply = await patient.send("/start clinic_AB12-x")
    assert "This link doesn't work" in reply[0].plain_text
    assert "Nothing was saved" in reply[0].plain_text
    assert await count(database, Patient) == 0
    assert await count(database, Conversation) == 0
    # A plain /start still sets up as always.
    start = await patient.send("/start")
    assert start[-1].buttons == ["✅ I agree", "No, thanks"]


async def test_a_patient_may_also_become_a_therapist(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock, patient: PatientChat
) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    code = await therapist_invite_code(database, clock, name="Dr. Lena")
    welcome = await patient.send(f"/start {code}")
    assert "You use ReEd Coach as a patient too" in welcome[0].plain_text
    assert await count(database, Therapist) == 1
    assert await count(database, Patient) == 1
    menu = [c["command"] for c in telegram.my_commands({"type": "chat", "chat_id": PAT.id})]
    assert menu[:5] == ["invite", "patients", "patient", "summary", "help"]
    assert {"checkin", "therapist", "reminders"} <= set(menu[5:])
    both = await patient.send("/help")
    assert "For therapists" in both[0].plain_text
    assert "/checkin" in both[0].plain_text


# -- patient invites --------------------------------------------------------------------------


async def test_invite_link_and_qr_code_then_a_new_patient_joins_after_consent(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, shown = await patient_link(ana)
    assert "https://t.me/reed_coach_bot?start=pt_" in shown[0].plain_text
    assert "2026-04-01" in shown[0].plain_text  # 30 days from 2 March 09:00 UTC, in Madrid
    assert shown[0].buttons == ["🚫 Revoke my open invite links"]
    qr = shown[1]
    assert qr.photo is not None
    assert qr.photo.data.startswith(b"\x89PNG")
    assert "Scan to join Dr. Ana Ruiz" in qr.plain_text

    lena = PatientChat(telegram, PAT, bot)
    consent = await lena.send(f"/start {code}")
    text = consent[0].plain_text
    assert "You were invited by Dr. Ana Ruiz" in text
    assert "Dr. Ana Ruiz will see your Telegram name (Lena Berg)" in text
    assert consent[0].buttons == ["✅ I agree", "No, thanks"]
    assert await links(database) == []  # nothing is linked before consent
    assert await count(database, Patient) == 0

    agreed = await lena.press("✅ I agree")
    assert "You are now in the care of Dr. Ana Ruiz" in texts(agreed)
    [link] = await links(database)
    assert link.patient_name == "Lena Berg"
    assert link.ended_at is None
    assert await names_in_care(database, ANA) == ["Lena Berg"]

    # The therapist is told, through the outbox.
    await bot.dispatch()
    news = ana.new_messages()
    assert [m.plain_text for m in news] == [
        "🆕 Lena Berg joined you through your invite link. /patients lists everyone in your care."
    ]
    async with database.transaction() as session:
        row = (await session.scalars(select(Delivery).where(Delivery.kind == "care_news"))).one()
    assert row.therapist_id == await therapist_id(database, ANA)
    assert row.patient_id is None


@pytest.mark.parametrize("how", ["decline", "cancel"])
async def test_leaving_before_consent_links_nothing(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock, how: str
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, _ = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)
    await lena.send(f"/start {code}")
    if how == "decline":
        await lena.press("No, thanks")
        assert await count(database, Conversation) == 0  # even the invite is forgotten
    else:
        await lena.send("/cancel")
    assert await links(database) == []
    assert await count(database, Patient) == 0
    assert await count(database, ConsentRecord) == 0
    await bot.dispatch()
    assert ana.new_messages() == []


async def test_a_link_revoked_between_opening_and_consent_links_nothing(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, shown = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)
    await lena.send(f"/start {code}")
    revoked = await ana.press("🚫 Revoke my open invite links", shown[0])
    assert "Revoked 1 open invite link:" in texts(revoked)
    agreed = await lena.press("✅ I agree")
    assert "stopped working before you agreed" in texts(agreed)
    assert await links(database) == []
    assert await count(database, Patient) == 1  # set-up goes on without a therapist


async def test_revoked_expired_and_forged_patient_links_store_nothing(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    revoked_code, shown = await patient_link(ana)
    await ana.press("🚫 Revoke my open invite links", shown[0])
    expiring_code, _ = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)

    revoked = await lena.send(f"/start {revoked_code}")
    assert "no longer valid" in revoked[0].plain_text
    clock.advance(days=29, hours=23, minutes=59)
    assert "You were invited by" in (await lena.send(f"/start {expiring_code}"))[0].plain_text
    await lena.press("No, thanks")
    clock.advance(minutes=1)  # 30 days after it was made
    expired = await lena.send(f"/start {expiring_code}")
    assert "expired" in expired[0].plain_text
    forged = await lena.send("/start pt_" + "B" * 32)
    assert "I don't know this invite link" in forged[0].plain_text
    assert await count(database, Patient) == 0
    assert await count(database, Conversation) == 0
    assert await links(database) == []


async def test_a_therapist_opening_their_own_link_is_told_so(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, _ = await patient_link(ana)
    reply = await ana.send(f"/start {code}")
    assert "This is your own invite link" in reply[0].plain_text
    assert await count(database, Patient) == 0


async def test_a_patient_cannot_use_invite_or_its_button(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    _, shown = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)
    refused = await lena.send("/invite")
    assert "This is for therapists" in refused[0].plain_text
    data = shown[0].inline_keyboard[0][0].data
    assert data is not None
    replayed = await lena.forge_button(data, shown[0].message_id)
    assert "This is for therapists" in texts(replayed)
    async with database.transaction() as session:
        invite = (await session.scalars(select(PatientInvite))).one()
    assert invite.revoked_at is None


# -- changing and leaving ---------------------------------------------------------------------


async def join_ana(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> tuple[PatientChat, PatientChat]:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, _ = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)
    await lena.send(f"/start {code}")
    await lena.press("✅ I agree")
    await finish_setup(lena)
    await bot.dispatch()
    ana.new_messages()
    return ana, lena


async def finish_setup(patient: PatientChat) -> None:
    """The rest of set-up after consent: a time zone, no reminders."""
    await patient.send("Europe/Berlin")
    await patient.press("Not now")
    assert "Welcome back" in texts(await patient.send("/start"))  # set up: nothing pending


async def test_a_change_of_therapist_is_asked_and_keep_changes_nothing(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana, lena = await join_ana(telegram, bot, database, clock)
    ben = await become_therapist(telegram, bot, database, clock, BEN)
    ben_code, _ = await patient_link(ben)

    asked = await lena.send(f"/start {ben_code}")
    assert "Change therapist? You are in the care of Dr. Ana Ruiz" in asked[0].plain_text
    assert asked[0].buttons == ["✅ Switch to Dr. Ben Okafor", "Keep my current therapist"]
    kept = await lena.press("Keep my current therapist")
    assert "you stay in the care of Dr. Ana Ruiz" in texts(kept)
    assert [link.therapist_id for link in await links(database)] == [
        await therapist_id(database, ANA)
    ]

    await lena.send(f"/start {ben_code}")
    switched = await lena.press("✅ Switch to Dr. Ben Okafor")
    assert "You are now in the care of Dr. Ben Okafor" in texts(switched)
    first, second = await links(database)
    assert (first.end_reason, second.ended_at) == ("changed", None)
    assert second.therapist_id == await therapist_id(database, BEN)
    assert await names_in_care(database, ANA) == []
    assert await names_in_care(database, BEN) == ["Lena Berg"]

    await bot.dispatch()
    assert [m.plain_text for m in ana.new_messages()] == [
        "👋 Lena Berg has left your care; they are no longer in your lists or summaries."
    ]
    assert "Lena Berg ist Ihnen über Ihren Einladungslink beigetreten" in texts(ben.new_messages())
    # The same therapist's link again: nothing to ask.
    same = await lena.send(f"/start {ben_code}")
    assert "already in the care of Dr. Ben Okafor" in same[0].plain_text


async def test_an_old_confirmation_button_is_stale(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    _, lena = await join_ana(telegram, bot, database, clock)
    ben = await become_therapist(telegram, bot, database, clock, BEN)
    ben_code, _ = await patient_link(ben)
    asked = await lena.send(f"/start {ben_code}")
    switch = asked[0].inline_keyboard[0][0].data
    assert switch is not None
    await lena.press("Keep my current therapist", asked[0])
    replayed = await lena.forge_button(switch, asked[0].message_id)
    assert "That button was from an earlier message" in texts(replayed)
    assert await names_in_care(database, BEN) == []


async def test_a_patient_leaves_their_therapist_after_confirming(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana, lena = await join_ana(telegram, bot, database, clock)
    shown = await lena.send("/therapist")
    assert "Your therapist is Dr. Ana Ruiz" in shown[0].plain_text
    assert shown[0].buttons == ["Leave Dr. Ana Ruiz's care", "Close"]
    asked = await lena.press("Leave Dr. Ana Ruiz's care")
    assert "Leave the care of Dr. Ana Ruiz?" in asked[0].plain_text
    stayed = await lena.press("Keep my current therapist")
    assert "you stay in the care of Dr. Ana Ruiz" in texts(stayed)
    assert await names_in_care(database, ANA) == ["Lena Berg"]

    await lena.send("/therapist")
    await lena.press("Leave Dr. Ana Ruiz's care")
    left = await lena.press("Yes, leave")
    assert "You have left the care of Dr. Ana Ruiz" in texts(left)
    [link] = await links(database)
    assert (link.end_reason, link.ended_at) == ("left", clock.now)
    assert await names_in_care(database, ANA) == []
    await bot.dispatch()
    assert "Lena Berg has left your care" in texts(ana.new_messages())
    none = await lena.send("/therapist")
    assert "You are not in a therapist's care" in none[0].plain_text


async def test_an_existing_patient_without_a_therapist_confirms_joining(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    lena = PatientChat(telegram, PAT, bot)
    await lena.send("/start")
    await lena.press("✅ I agree")
    await finish_setup(lena)
    code, _ = await patient_link(ana)
    asked = await lena.send(f"/start {code}")
    assert "Join Dr. Ana Ruiz?" in asked[0].plain_text
    assert "Dr. Ana Ruiz sees your check-ins" in asked[0].plain_text
    not_now = await lena.press("Not now")
    assert "Nothing changed" in texts(not_now)
    assert await links(database) == []
    await lena.send(f"/start {code}")
    await lena.press("✅ Join Dr. Ana Ruiz")
    assert await names_in_care(database, ANA) == ["Lena Berg"]


async def test_the_therapist_is_told_in_their_language(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ben = await become_therapist(telegram, bot, database, clock, BEN)
    code, shown = await patient_link(ben)
    assert "Ihr Einladungslink" in shown[0].plain_text
    lena = PatientChat(telegram, PAT, bot)
    await lena.send(f"/start {code}")
    await lena.press("✅ I agree")
    await bot.dispatch()
    assert "Lena Berg ist Ihnen über Ihren Einladungslink beigetreten" in texts(ben.new_messages())


async def test_a_patient_half_way_through_set_up_finishes_it_first(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, _ = await patient_link(ana)
    lena = PatientChat(telegram, PAT, bot)
    await lena.send("/start")
    await lena.press("✅ I agree")  # the time zone question is next
    reply = await lena.send(f"/start {code}")
    assert "finish setting you up first" in texts(reply)
    assert "Which time zone" in texts(reply)
    assert await links(database) == []


async def test_a_therapist_sending_start_gets_their_help_not_a_patients_set_up(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    reply = await ana.send("/start")
    assert "For therapists" in reply[0].plain_text
    assert reply[0].buttons == []
    assert await count(database, Conversation) == 0
    help_text = (await ana.send("/help"))[0].plain_text
    assert "For therapists" in help_text
    assert "/checkin" not in help_text  # not a patient's commands


async def test_a_therapist_who_blocked_the_bot_is_not_told(
    telegram: FakeTelegram, bot: Bot, database: Database, clock: FrozenClock
) -> None:
    ana = await become_therapist(telegram, bot, database, clock, ANA)
    code, _ = await patient_link(ana)
    await ana.block()
    lena = PatientChat(telegram, PAT, bot)
    await lena.send(f"/start {code}")
    await lena.press("✅ I agree")
    assert await names_in_care(database, ANA) == ["Lena Berg"]  # the link still works
    await bot.dispatch()
    async with database.transaction() as session:
        row = (await session.scalars(select(Delivery).where(Delivery.kind == "care_news"))).one()
    assert row.status == "failed"
    assert row.sent_at is None
