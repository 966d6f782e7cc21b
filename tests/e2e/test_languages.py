"""The bot speaks the patient's language: their Telegram app's at first, then their choice."""

from __future__ import annotations

from db.engine import Database
from db.queries import patient_by_telegram_id
from emulator import FakeTelegram, FakeUser
from tests.harness import Bot, PatientChat, texts


async def test_german_app_gets_german_until_the_patient_picks_english(
    telegram: FakeTelegram, bot: Bot, database: Database
) -> None:
    lena = PatientChat(telegram, FakeUser(id=9001, first_name="Lena", language_code="de"), bot)
    welcome = await lena.send("/start")
    assert "Willkommen bei ReEd Coach" in welcome[0].plain_text
    assert welcome[0].buttons == ["✅ Ich stimme zu", "Nein, danke"]
    await lena.press("✅ Ich stimme zu")
    await lena.send("Europe/Vienna")
    summary = await lena.press("Jetzt nicht")
    assert "Alles eingerichtet" in texts(summary)

    menu = await lena.send("/language")
    assert set(menu[-1].buttons) == {"✅ Deutsch", "English"}
    chosen = await lena.press("English")
    assert "Language set to English" in texts(chosen)
    assert "Lessons" in (await lena.send("/learn"))[-1].plain_text
    async with database.transaction() as session:
        stored = await patient_by_telegram_id(session, lena.user.id)
    assert stored is not None
    assert stored.language == "en"


async def test_unknown_app_language_falls_back_to_english(telegram: FakeTelegram, bot: Bot) -> None:
    rui = PatientChat(telegram, FakeUser(id=9002, first_name="Rui", language_code="pt-br"), bot)
    assert "Welcome to ReEd Coach" in texts(await rui.send("/start"))


async def test_german_questions_find_german_content(telegram: FakeTelegram, bot: Bot) -> None:
    lena = PatientChat(telegram, FakeUser(id=9003, first_name="Lena", language_code="de"), bot)
    await lena.send("/start")
    await lena.press("✅ Ich stimme zu")
    await lena.send("Europe/Berlin")
    await lena.press("Jetzt nicht")
    answer = await lena.send("Warum knickt mein Knie nach innen?")
    assert "Das passt in meinen Lektionen und Übungen am besten dazu" in texts(answer)
    assert "Knie" in texts(answer)
    drills = await lena.send("/drills")
    assert "Übungen" in drills[-1].plain_text


async def test_a_question_is_answered_in_the_language_the_patient_chose(
    telegram: FakeTelegram, bot: Bot
) -> None:
    # An English app, German chosen: the answer to a typed question is German too.
    sam = PatientChat(telegram, FakeUser(id=9004, first_name="Sam", language_code="en"), bot)
    await sam.send("/start")
    await sam.press("✅ I agree")
    await sam.send("Europe/Berlin")
    await sam.press("Not now")
    await sam.send("/language")
    await sam.press("Deutsch")
    answer = await sam.send("Warum knickt mein Knie nach innen?")
    assert "Das passt in meinen Lektionen und Übungen am besten dazu" in texts(answer)
