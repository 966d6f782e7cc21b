"""A therapist's plan as the therapist and the patient meet it: the therapist opens the plan
from the patient's record, removes and adds drills (by sign), changes a dose, days a week and
drills per reminder, and saves; the patient is told what changed in plain words, and the very
next reminder shows the new drills with the therapist's doses, without a restart. Days a week
make the week's other reminders rest days. Presses for someone else's patient, on an older
screen, or after the patient left change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.domain.progression import ChangeStatus
from db import care_queries
from db.engine import Database
from db.models import Delivery, DeliveryStatus, PatientPlan, PlanChange
from emulator import FakeTelegram, FakeUser, StoredMessage
from tests import care
from tests.e2e.test_reminders import onboard
from tests.harness import Bot, FrozenClock, PatientChat, texts

THERAPIST = FakeUser(id=7101, first_name="Ruiz", language_code="en")
OTHER_THERAPIST = FakeUser(id=7102, first_name="Berg", language_code="en")
# The clock starts on Monday 2026-03-02 09:00 UTC; the patient's reminder is 07:30 in Berlin.
TUESDAY_0730 = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
REMINDER = "Time for today's drills"


async def add_therapist(database: Database, user: FakeUser, name: str) -> int:
    return await care.add_therapist(database, user.id, name)


async def linked_patient(
    database: Database, patient: PatientChat, therapist_id: int, clock: FrozenClock
) -> int:
    """Onboard the patient (07:30 Berlin reminders) and put them in the therapist's care."""
    await onboard(patient)
    patient.new_messages()
    return await care.put_in_care(database, patient.user.id, therapist_id, "Ana Lopez", clock.now)


async def open_plan(therapist: PatientChat, patient_id: int) -> StoredMessage:
    """Press "Plan" on the patient's record (the record's button sends this data)."""
    await therapist.send("/help")
    [*_, editor] = await therapist.forge_button(
        f"t|pl_open|{patient_id}", therapist.last_user_message_id()
    )
    return editor


def button_data(message: StoredMessage, label: str) -> str:
    for row in message.inline_keyboard:
        for button in row:
            if button.text == label:
                assert button.data is not None
                return button.data
    raise AssertionError(f"no button {label!r}")


async def stored_plan(database: Database, patient_id: int) -> PatientPlan | None:
    async with database.transaction() as session:
        return await session.get(PatientPlan, patient_id)


async def ledger(database: Database, kind: str | None = None) -> list[Delivery]:
    async with database.transaction() as session:
        query = select(Delivery).order_by(Delivery.id)
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return list(await session.scalars(query))


async def edit_the_plan(therapist: PatientChat) -> None:
    """Remove three drills, add one by sign, hold the balance drill 5 s longer, 4 days a week
    and 4 drills per reminder (not saved yet)."""
    for drill in ("Lying glute squeeze", "Shoulder blade setting", "Finding a neutral pelvis"):
        numbered = next(
            button.text
            for row in therapist.last_with_buttons().inline_keyboard
            for button in row
            if button.text.endswith(f". {drill}")
        )
        await therapist.press(numbered)
        await therapist.press("🗑 Remove")
    # A drill from the catalogue, by sign.
    await therapist.press("➕ By sign")
    await therapist.press("Knee caves in during lunges")
    await therapist.press("➕ Side-lying clamshell")
    assert "✓ Side-lying clamshell" in str(therapist.last_with_buttons().inline_keyboard)
    await therapist.press("« Plan")
    # The balance drill's hold, 5 seconds longer.
    await therapist.press("✏️ 2. Heel-to-toe stance")
    await therapist.press("+5 s")
    assert "Heel-to-toe stance: 3 × 25 s each side" in therapist.last.plain_text
    await therapist.press("« Plan")
    await therapist.press("📅 Days a week")
    await therapist.press("4")
    await therapist.press("🔢 Drills per reminder")
    [edited, *_] = await therapist.press("4")
    assert "4 days a week · 4 drills per reminder" in edited.plain_text


async def test_a_saved_plan_is_told_to_the_patient_and_reaches_the_next_reminder(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    therapist = PatientChat(telegram, THERAPIST, bot)

    editor = await open_plan(therapist, patient_id)
    # The starter plan the patient follows now, with each drill's dose.
    assert "Plan for Ana Lopez" in editor.plain_text
    assert "2. Lying glute squeeze · 2 × 10" in editor.plain_text
    assert "3. Heel-to-toe stance · 3 × 20 s each side" in editor.plain_text
    assert "every reminder day · 2 drills per reminder" in editor.plain_text
    await edit_the_plan(therapist)
    assert await stored_plan(database, patient_id) is None  # nothing saved before Save

    [saved, *_] = await therapist.press("💾 Save")
    told = (
        "added Side-lying clamshell (2 × 10 each side), removed Lying glute squeeze, removed "
        "Shoulder blade setting, removed Finding a neutral pelvis, Heel-to-toe stance is now "
        "3 × 25 s each side, 4 days a week, 4 per reminder"
    )
    assert "Plan saved." in saved.plain_text
    assert f"Ana Lopez is told: {told}." in saved.plain_text
    plan = await stored_plan(database, patient_id)
    assert plan is not None
    assert plan.drills == (
        "belly_breathing",
        "tandem_stance",
        "sit_to_stand_knee_line",
        "clamshell",
    )
    assert plan.doses == {"tandem_stance": {"sets": 3, "hold_seconds": 25}}
    assert (plan.days_per_week, plan.drills_per_reminder, plan.therapist_id) == (
        4,
        4,
        therapist_id,
    )

    # The patient is told once, in plain words, at the outbox's next run.
    await bot.dispatch()
    [news] = patient.new_messages()
    assert news.plain_text == (
        f"🗓 Your therapist changed your plan: {told}.\n\nYour next reminder follows the new plan."
    )
    await bot.dispatch()
    assert patient.new_messages() == []

    # The next reminder, from the same running bot: the new drills, the therapist's dose.
    clock.now = TUESDAY_0730
    await bot.dispatch()
    [reminder] = patient.new_messages()
    assert REMINDER in reminder.plain_text
    for name in (
        "Low belly breathing",
        "Heel-to-toe stance · 3 × 25 s each side",
        "Sit-to-stand with knees in line",
        "Side-lying clamshell",
    ):
        assert name in reminder.plain_text
    assert "Lying glute squeeze" not in reminder.plain_text

    # A snooze of it shows the therapist's dose too, and so does the reminder as it stays in
    # the chat once answered.
    await patient.press("⏰ In 30 min", message=reminder)
    patient.new_messages()
    answered = patient.current(reminder)
    assert "Heel-to-toe stance · 3 × 25 s each side" in answered.plain_text
    clock.now = TUESDAY_0730 + timedelta(minutes=30)
    await bot.dispatch()
    [snoozed] = patient.new_messages()
    assert "Heel-to-toe stance · 3 × 25 s each side" in snoozed.plain_text
    await patient.press("✅ Done", message=snoozed)
    done = patient.current(snoozed)
    assert "Heel-to-toe stance · 3 × 25 s each side" in done.plain_text
    assert "3 × 20 s" not in done.plain_text


async def test_saving_an_unchanged_plan_tells_nobody_and_keeps_the_lock(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    async with database.transaction() as session:
        session.add(
            PatientPlan(
                patient_id=patient_id,
                drill_ids="glute_set,tandem_stance",
                drills_per_reminder=2,
                locked=True,
                updated_at=clock.now,
            )
        )
        # Suggestions the patient has not answered: one the new plan makes moot.
        for from_drill, to_drill in (("glute_set", "glute_bridge"), ("tandem_stance", None)):
            session.add(
                PlanChange(
                    patient_id=patient_id,
                    suggested_at=clock.now,
                    from_drill=from_drill,
                    to_drill=to_drill,
                    direction="harder",
                    reason="easy",
                    status=ChangeStatus.SUGGESTED,
                )
            )
    therapist = PatientChat(telegram, THERAPIST, bot)

    editor = await open_plan(therapist, patient_id)
    assert "🔒 Locked" in editor.plain_text
    [saved, *_] = await therapist.press("💾 Save")
    assert "Nothing changed, so Ana Lopez is not told." in saved.plain_text

    await open_plan(therapist, patient_id)
    await therapist.press("✏️ 1. Lying glute squeeze")
    await therapist.press("🗑 Remove")
    await therapist.press("💾 Save")
    plan = await stored_plan(database, patient_id)
    assert plan is not None
    assert plan.locked  # a therapist's save never unlocks the plan
    assert plan.drills == ("tandem_stance",)
    async with database.transaction() as session:
        statuses = dict(
            (await session.execute(select(PlanChange.from_drill, PlanChange.status))).all()
        )
    assert statuses == {"glute_set": ChangeStatus.STALE, "tandem_stance": ChangeStatus.SUGGESTED}
    await bot.dispatch()
    [news] = patient.new_messages()  # one message, for the one save that changed something
    assert "removed Lying glute squeeze" in news.plain_text


async def test_days_a_week_make_the_weeks_other_reminders_rest_days(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    async with database.transaction() as session:
        session.add(
            PatientPlan(
                patient_id=patient_id,
                drill_ids="glute_set,tandem_stance",
                drills_per_reminder=2,
                locked=False,
                updated_at=clock.now,
                days_per_week=2,
                therapist_id=therapist_id,
            )
        )

    async def reminder_on(day: int) -> StoredMessage | None:
        clock.now = TUESDAY_0730 + timedelta(days=day)
        await bot.dispatch()
        arrived = [m for m in patient.new_messages() if REMINDER in m.plain_text]
        return arrived[0] if arrived else None

    tuesday = await reminder_on(0)
    assert tuesday is not None
    await patient.press("✅ Done", message=tuesday)
    patient.new_messages()
    # One day practised of two: Wednesday's reminder still comes.
    wednesday = await reminder_on(1)
    assert wednesday is not None
    await patient.press("✅ Done", message=wednesday)
    patient.new_messages()
    # Two days practised: the rest of the week is rest, recorded and not sent.
    for thursday_to_sunday in range(2, 6):
        assert await reminder_on(thursday_to_sunday) is None
    # A new week (Monday): reminders again.
    assert await reminder_on(6) is not None
    statuses = [(row.local_date.isoformat(), row.status) for row in await ledger(database)]
    assert statuses[-5:] == [
        ("2026-03-05", DeliveryStatus.REST),
        ("2026-03-06", DeliveryStatus.REST),
        ("2026-03-07", DeliveryStatus.REST),
        ("2026-03-08", DeliveryStatus.REST),
        ("2026-03-09", DeliveryStatus.SENT),
    ]


async def test_crafted_plan_buttons_for_someone_elses_patient_are_refused(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    await add_therapist(database, OTHER_THERAPIST, "Dr. Berg")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    other = PatientChat(telegram, OTHER_THERAPIST, bot)

    refused = await open_plan(other, patient_id)
    assert "not in your care" in refused.plain_text
    assert "Ana Lopez" not in texts([*other.new_messages(), refused])
    # A forged id that is no patient at all, and a malformed one.
    for data in ("t|pl_open|999999", "t|pl_open|abc", "t|pl_open"):
        [*_, reply] = await other.forge_button(data, other.last_user_message_id())
        assert "not in your care" in reply.plain_text
    # The patient pressing the therapist's button.
    [*_, reply] = await patient.forge_button(f"t|pl_open|{patient_id}", refused.message_id)
    assert "This is for therapists" in reply.plain_text

    # A press forged from the other therapist's chat on the owner's editor changes nothing:
    # the other therapist has no editor open, so the step button is stale for them.
    owner = PatientChat(telegram, THERAPIST, bot)
    editor = await open_plan(owner, patient_id)
    save = button_data(editor, "💾 Save")
    await other.forge_button(save, other.last_user_message_id())
    assert await stored_plan(database, patient_id) is None


async def test_stale_editor_buttons_are_refused(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    therapist = PatientChat(telegram, THERAPIST, bot)

    editor = await open_plan(therapist, patient_id)
    first_drill = button_data(editor, "✏️ 1. Low belly breathing")
    await therapist.press("✏️ 2. Lying glute squeeze")
    remove = button_data(therapist.last_with_buttons(), "🗑 Remove")
    await therapist.press("🗑 Remove")  # the glute squeeze leaves the draft

    # The buttons of the screens before: stale, and the editor is shown again unchanged.
    for data in (first_drill, remove):
        [*_, again] = await therapist.forge_button(data, editor.message_id)
        assert "That button was from an earlier message" in again.plain_text
        assert "Lying glute squeeze" not in again.plain_text
        assert "1. Low belly breathing" in again.plain_text
    await therapist.press("💾 Save")
    plan = await stored_plan(database, patient_id)
    assert plan is not None
    assert "glute_set" not in plan.drills
    assert len(plan.drills) == 5  # one removal, not two


async def test_the_editor_of_a_patient_who_left_or_was_discharged_is_refused(
    telegram: FakeTelegram, bot: Bot, clock: FrozenClock, database: Database, patient: PatientChat
) -> None:
    therapist_id = await add_therapist(database, THERAPIST, "Dr. Ruiz")
    patient_id = await linked_patient(database, patient, therapist_id, clock)
    therapist = PatientChat(telegram, THERAPIST, bot)

    editor = await open_plan(therapist, patient_id)
    save = button_data(editor, "💾 Save")
    await therapist.press("✏️ 2. Lying glute squeeze")
    await therapist.press("🗑 Remove")
    async with database.transaction() as session:
        assert await care_queries.end_link(session, patient_id, "discharged", clock.now)

    [*_, refused] = await therapist.press("💾 Save")
    assert "not in your care" in refused.plain_text
    assert await stored_plan(database, patient_id) is None
    # The editor is closed: its buttons do nothing any more, and the plan cannot be opened.
    await therapist.forge_button(save, editor.message_id)
    [*_, reopened] = await therapist.forge_button(
        f"t|pl_open|{patient_id}", therapist.last_user_message_id()
    )
    assert "not in your care" in reopened.plain_text
    assert await stored_plan(database, patient_id) is None
    await bot.dispatch()
    assert not [m for m in patient.new_messages() if "changed your plan" in m.plain_text]
