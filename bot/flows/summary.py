"""How the set-up flows end: a summary of what is now set."""

from __future__ import annotations

from bot.domain.safety import Clearance
from bot.domain.screens import Reply, Screen, Text
from bot.domain.setup_screens import summary
from bot.flows.engine import Ctx

ONBOARDING = "onboarding"


def finish(ctx: Ctx, *notes: Text) -> Reply:
    """End the flow with ``notes`` and a summary of the patient's settings.

    The end of the first set-up is when the patient counts as onboarded.
    """
    patient = ctx.require_patient()
    first_time = ctx.conversation.flow == ONBOARDING
    if first_time and patient.onboarded_at is None:
        patient.onboarded_at = ctx.turn.now
    ctx.end()
    title = Text("summary.all_set") if first_time else Text("summary.saved")
    closing = (Text("summary.change_later"),) if first_time else ()
    shown = Screen(body=(*notes, title, *summary(patient, ctx.turn.now), *closing))
    if first_time and ctx.turn.clearance == Clearance.UNSCREENED:
        # Before the first drill card or reminder can reach them: the safety screen.
        return ctx.reply(shown, ctx.kit.safety_screen(ctx.turn.language, patient.timezone))
    return ctx.reply(shown)


async def finished(ctx: Ctx) -> Reply:
    """What follows a change made from a menu: the summary, nothing more to ask."""
    return finish(ctx)
