"""``/progress``: this week's sessions, the streak, and a chart of the last four weeks.

The figures are the one adherence definition's (:mod:`bot.domain.adherence`, read by
:mod:`db.adherence_queries`); the pain trend comes from the check-ins and morning checks, the
plan's changes from the changes the patient accepted (:mod:`db.progress_queries`). This module
only says what to show: the chart travels as plain data on the screen
(:class:`~bot.domain.screens.ProgressChart`, laid out by :mod:`bot.domain.progress`) and the
renderer draws it after the commit; :mod:`bot.care.progress` reads what it draws on.

``/progress`` asks nothing itself, so it is a flow without steps: the conversation the patient
may be in (a check-in half done, say) is left as it is. Below the progress come the patient's
own goals (:mod:`bot.flows.goals`): their latest scores and change, and the offer to name them
on the first /progress (or to rate them again when four weeks have passed).
"""

from __future__ import annotations

from bot.care.progress import load_progress
from bot.domain.progress import progress_screen
from bot.domain.screens import Reply, Screen
from bot.flows import goals
from bot.flows.engine import Ctx, Flow
from bot.flows.summary import ONBOARDING
from bot.turns import Turn
from db.models import Patient

PROGRESS = "progress"


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    patient, turn = ctx.patient, ctx.turn
    if patient is None or patient.onboarded_at is None:
        if turn.conversation is not None and turn.conversation.flow == ONBOARDING:
            return ctx.resume("settings.finish_setup_first")
        return ctx.say("common.start_first")
    return ctx.reply(await progress_of(turn, patient), *await _goals(ctx))


async def _goals(ctx: Ctx) -> tuple[Screen, ...]:
    """The patient's goals with their change, and the offer to name them (the first time) or
    rate them again (every four weeks) when it is due.

    The offer's buttons open the goals conversation from an idle one: in the middle of another
    conversation (a check-in half done) it waits for the next /progress.
    """
    lines = await goals.current_lines(ctx)
    shown = (Screen(body=lines),) if lines else ()
    offer = None if ctx.engine.is_active(ctx.turn) else await goals.due_offer(ctx)
    return (*shown, offer) if offer is not None else shown


FLOW = Flow(name=PROGRESS, steps={}, cancelled="cancel.nothing", command=PROGRESS, enter=_enter)


async def progress_of(turn: Turn, patient: Patient) -> Screen:
    """The patient's progress on the turn's day, in their zone: the figures of the one
    adherence definition over a chart of the last four weeks (the days since they joined, if
    fewer), with the pain they reported and the plan changes they accepted."""
    found = await load_progress(turn.session, patient, turn.now)
    return progress_screen(
        found.figures, found.pain, found.mornings, found.plan_changed, found.first_day
    )
