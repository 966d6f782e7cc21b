"""A patient learns from the lessons, browses drills and asks questions in their own words."""

from __future__ import annotations

from sqlalchemy import select

from bot.cli import main as reed
from db.engine import Database
from db.models import LessonProgress
from tests.harness import PatientChat, texts


async def onboard(patient: PatientChat) -> None:
    await patient.send("/start")
    await patient.press("✅ I agree")
    await patient.send("Europe/Berlin")
    await patient.press("Not now")
    await patient.press("✅ None of these apply to me")  # the safety screen


async def progress(database: Database) -> dict[str, bool | None]:
    async with database.transaction() as session:
        rows = await session.scalars(select(LessonProgress))
        return {row.lesson_id: row.quiz_correct for row in rows}


async def test_patient_reads_lessons_answers_a_quiz_and_continues(
    patient: PatientChat, database: Database
) -> None:
    await onboard(patient)
    menu = await patient.send("/learn")
    assert "Lessons" in menu[-1].plain_text
    assert "You have read 0 of" in menu[-1].plain_text
    assert menu[-1].buttons[0] == "▶️ Start: Having strength vs using it"

    lesson = await patient.press("▶️ Start: Having strength vs using it")
    card = lesson[-1].plain_text
    assert "Having strength vs using it" in card
    assert "Takeaway" in card
    assert "Quick check: What does neuromuscular re-education mainly work on?" in card

    wrong = await patient.press("Making muscles bigger")
    assert "Not quite." in texts(wrong)
    assert "That is the job of strength training" in texts(wrong)
    await patient.press("How well brain, nerves and muscles work together", message=lesson[-1])
    assert await progress(database) == {"strength_vs_control": False}  # the first answer counts

    following = await patient.press("Next lesson ▶️")
    assert "What neuromuscular re-education is" in following[-1].plain_text
    again = await patient.send("/learn")
    assert "You have read 2 of" in again[-1].plain_text
    assert again[-1].buttons[0].startswith("▶️ Continue: ")


async def test_topics_mark_the_lessons_already_read(patient: PatientChat) -> None:
    await onboard(patient)
    await patient.send("/learn")
    await patient.press("▶️ Start: Having strength vs using it")
    await patient.send("/learn")
    topic = await patient.press("The basics")
    assert "✅ Having strength vs using it" in topic[0].buttons
    assert "What neuromuscular re-education is" in topic[0].buttons


async def test_patient_browses_drills_by_what_they_notice(patient: PatientChat) -> None:
    await onboard(patient)
    await patient.send("/drills")
    await patient.press("By what you notice")
    signs = patient.last_with_buttons()
    assert "Knee caves in during lunges" in signs.buttons
    assert "Your therapist's advice comes first." in signs.plain_text
    listed = await patient.press("Knee caves in during lunges")
    drills = [label for label in listed[0].buttons if label != "« Back"]
    assert len(drills) >= 2

    card = await patient.press(drills[0])
    shown = card[-1].plain_text
    for heading in ("How to do it", "What to feel or see", "Dose", "Stop if", "Why it matters"):
        assert heading in shown
    assert "Why this works" in card[-1].buttons


async def test_typed_questions_get_the_best_matching_content_or_an_honest_no(
    patient: PatientChat,
) -> None:
    await onboard(patient)
    knee = await patient.send("why does my knee cave in?")
    assert "closest answer" in texts(knee)
    assert "knee" in texts(knee).lower()

    shoulder = await patient.send("my shoulder shrugs when I press")
    assert "shoulder" in texts(shoulder).lower()

    nothing = await patient.send("pizza recipe tomorrow")
    assert "couldn't find anything" in texts(nothing)
    assert "If this is urgent, see /safety." in texts(nothing)
    assert nothing[-1].buttons == ["📚 Lessons"]


async def test_reading_before_consent_stores_nothing(
    patient: PatientChat, database: Database
) -> None:
    menu = await patient.send("/learn")
    assert "You have read" not in menu[-1].plain_text
    await patient.press("▶️ Start: Having strength vs using it")
    assert await progress(database) == {}


async def test_a_stale_or_forged_library_button_is_answered(patient: PatientChat) -> None:
    await onboard(patient)
    await patient.send("/learn")
    forged = (
        "l|lesson|deleted_lesson",
        "l|quiz|strength_vs_control|9",
        "l|quiz|strength_vs_control|²",
        "l|drill|",
        "l|nope|x",
        "l|",
    )
    for data in forged:
        reply = await patient.forge_button(data, patient.last.message_id)
        assert "no longer available" in texts(reply)


async def test_patient_chooses_a_language(patient: PatientChat, database: Database) -> None:
    await onboard(patient)
    menu = await patient.send("/language")
    assert "✅ English" in menu[-1].buttons
    chosen = await patient.press("✅ English")
    assert "Language set to English" in texts(chosen)


def test_content_check_command_reports_valid_content(capsys: object) -> None:
    assert reed(["content", "check"]) == 0
