"""How the set-up flows end: a summary of what is now set."""

from __future__ import annotations

from bot.domain.goals import Offer, offer_screen
from bot.domain.safety import Clearance
from bot.domain.screens import Reply, Screen, Text
from bot.domain.setup_screens import summary
from bot.flows.engine import Ctx

ONBOARDING = "onboarding"


def finish(ctx: Ctx, *notes: Text) -> Reply:
    """End the flow with ``notes`` and a summary of the patient's settings.

    The end of the first set-up is when the patient counts as onboarded. Set-up is complete
    then; two questions follow it as messages of their own, each answered whenever the
    patient likes: their goals (:mod:`bot.flows.goals`), and last, before the first drill
    card or reminder can reach them, the safety screen.
    """
    patient = ctx.require_patient()
    first_time = ctx.conversation.flow == ONBOARDING
    if first_time and patient.onboarded_at is None:
        patient.onboarded_at = ctx.turn.now
    ctx.end()
    title = Text("summary.all_set") if first_time else Text("summary.saved")
    closing = (Text("summary.change_later"),) if first_time else ()
    shown = [Screen(body=(*notes, title, *summary(patient, ctx.turn.now), *closing))]
    if first_time and patient.goals_asked_at is None:
        # Its buttons open the goals flow from the idle conversation; "Skip for now" is one.
        shown.append(offer_screen(Offer.NAME))
    if first_time and ctx.turn.clearance == Clearance.UNSCREENED:
        # Before the first drill card or reminder can reach them: the safety screen.
        shown.append(ctx.kit.safety_screen(ctx.turn.language, patient.timezone))
    return ctx.reply(*shown)


async def finished(ctx: Ctx) -> Reply:
    """What follows a change made from a menu: the summary, nothing more to ask."""
    return finish(ctx)
