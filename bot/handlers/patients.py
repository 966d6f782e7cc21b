"""The therapist's ``/patients`` and ``/patient <name>``, and the buttons of a patient's record
(actions ``pt_*``): open the record, send a note, pause or resume reminders, lock or unlock
the plan, discharge.

Every button names a patient by id, and the id is a claim: each rule asks
:meth:`bot.turns.Turn.in_my_care` first and answers :func:`bot.handlers.therapist.not_in_care`
when the patient is not (or no longer) in the sender's care, before it reads anything else of
the button. Someone else's patient, a patient who left or was discharged and a forged id look
the same, and nothing about them is shown or changed.
"""

from __future__ import annotations

from telegram import Update

from bot.callback_data import MAX_ID, Args
from bot.care import patients as care
from bot.care.patients import InCare, RecordKit
from bot.context import ReedContext
from bot.domain import patient_record as rules
from bot.domain.screens import Choice, Reply, Screen, Text, in_place
from bot.flows import therapist_note
from bot.flows.engine import Engine
from bot.handlers import therapist as therapist_side
from bot.handlers.therapist import ButtonRule, not_in_care
from bot.turns import Therapist, Turn

PATIENT_IDS = range(1, MAX_ID + 1)
CONFIRMED = "yes"


def _said(turn: Turn, *body: Text, choices: tuple[tuple[Choice, ...], ...] = ()) -> Reply:
    return Reply(screens=(Screen(body=body, choices=choices),), language=turn.language)


# -- commands --------------------------------------------------------------------------------


async def patients_command(update: Update, context: ReedContext) -> None:
    """``/patients``: the therapist's current patients, a button each."""

    async def rule(turn: Turn, therapist: Therapist, _argument: str) -> Reply:
        entries = await care.patient_list(turn, therapist)
        return Reply(screens=(rules.list_screen(entries),), language=turn.language)

    await therapist_side.command(rule, write=False)(update, context)


async def patient_command(update: Update, context: ReedContext) -> None:
    """``/patient <name>``: the record of the one patient of theirs whose name matches, a
    choice when several do, a friendly word when none does."""
    kit = record_kit(context.services.conversations)

    async def rule(turn: Turn, therapist: Therapist, argument: str) -> Reply:
        query = argument.strip()
        if not query:
            return _said(turn, Text("patients.find_how"))
        found = await care.find(turn, therapist, query)
        if not found:
            return _said(turn, Text("patients.find_none", {"query": query}))
        if len(found) > 1:
            return Reply(screens=(rules.matches_screen(query, found),), language=turn.language)
        in_care = await turn.in_my_care(found[0].patient_id)
        if in_care is None:  # cannot happen: find searches only their own patients
            return not_in_care(turn)
        return await _record(turn, therapist, in_care, kit)

    await therapist_side.command(rule, write=False)(update, context)


def record_kit(engine: Engine) -> RecordKit:
    return RecordKit(engine.kit.starter_plan, engine.kit.catalog_for)


async def _record(turn: Turn, therapist: Therapist, found: InCare, kit: RecordKit) -> Reply:
    shown = await care.record(turn, therapist, found, kit)
    return Reply(screens=(shown,), language=turn.language)


# -- buttons ---------------------------------------------------------------------------------


def actions(engine: Engine) -> dict[str, ButtonRule]:
    """The record's buttons. ``engine`` holds the content the record shows (the drills'
    names, the starter plan) and runs the note's conversation."""
    kit = record_kit(engine)

    async def in_care(turn: Turn, args: Args) -> InCare | None:
        patient_id = args.number(0, PATIENT_IDS)
        return await turn.in_my_care(patient_id) if patient_id is not None else None

    async def open_record(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        found = await in_care(turn, args)
        if found is None:
            return not_in_care(turn)
        return await _record(turn, therapist, found, kit)

    async def note(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        found = await in_care(turn, args)
        if found is None:
            return not_in_care(turn)
        return await therapist_note.begin(engine.context(turn), found)

    async def pause(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        found = await in_care(turn, args)
        if found is None:
            return not_in_care(turn)
        patient_id = found.patient.id
        reason = args.text(1, rules.THERAPIST_PAUSE_REASONS)
        if reason is None:  # the first press, or a reason we never offered: ask
            return Reply(
                screens=(rules.pause_reasons_screen(patient_id, found.name),),
                language=turn.language,
            )
        paused = await care.pause(turn, therapist, found, reason)
        key = "patients.pause.done" if paused else "patients.pause.already"
        return in_place(
            _said(
                turn,
                Text(key, {"name": found.name, "reason": Text(f"pause.reasons.{reason}")}),
                choices=((rules.back_button(patient_id),),),
            )
        )

    async def resume(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        found = await in_care(turn, args)
        if found is None:
            return not_in_care(turn)
        resumed = await care.resume(turn, therapist, found)
        key = "patients.resume.done" if resumed else "patients.resume.not_paused"
        return _said(
            turn,
            Text(key, {"name": found.name}),
            choices=((rules.back_button(found.patient.id),),),
        )

    def locking(locked: bool) -> ButtonRule:
        async def rule(turn: Turn, therapist: Therapist, args: Args) -> Reply:
            found = await in_care(turn, args)
            if found is None:
                return not_in_care(turn)
            await care.set_locked(turn, found, locked, kit.starter)
            key = "patients.lock.locked" if locked else "patients.lock.unlocked"
            return _said(
                turn,
                Text(key, {"name": found.name}),
                choices=((rules.back_button(found.patient.id),),),
            )

        return rule

    async def discharge(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        found = await in_care(turn, args)
        if found is None:
            return not_in_care(turn)
        if args.text(1, (CONFIRMED,)) is None:
            return Reply(
                screens=(rules.discharge_screen(found.patient.id, found.name),),
                language=turn.language,
            )
        await care.discharge(turn, therapist, found)
        return in_place(_said(turn, Text("patients.discharge.done", {"name": found.name})))

    return {
        "pt_open": open_record,
        "pt_note": note,
        "pt_pause": pause,
        "pt_resume": resume,
        "pt_lock": locking(True),
        "pt_unlock": locking(False),
        "pt_discharge": discharge,
    }
