"""The therapist's "Plan" button on a patient's record ("pl_open", the patient's id): it opens
the plan editor (:mod:`bot.flows.plan_editor`), whose own buttons are steps of that
conversation. The patient's id is a claim, checked on the server before anything is shown."""

from __future__ import annotations

from bot.callback_data import MAX_ID, Args
from bot.domain.screens import Reply
from bot.flows import plan_editor
from bot.flows.engine import Engine
from bot.handlers.therapist import ButtonRule, not_in_care
from bot.turns import Therapist, Turn

PATIENT_IDS = range(1, MAX_ID + 1)


def actions(engine: Engine) -> dict[str, ButtonRule]:
    """The plan buttons of the therapist side; ``engine`` runs the editor's conversation."""

    async def open_plan(turn: Turn, therapist: Therapist, args: Args) -> Reply:
        patient_id = args.number(0, PATIENT_IDS)
        found = await turn.in_my_care(patient_id) if patient_id is not None else None
        if found is None:
            return not_in_care(turn)
        return await plan_editor.begin(engine.context(turn), found)

    return {"pl_open": open_plan}
