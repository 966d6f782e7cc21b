"""A patient and their therapist: joining one from an invite after set-up, changing to
another (always confirmed), and ``/therapist`` (who it is, and leaving their care).

A new patient joins through set-up (:func:`bot.flows.onboarding.start_invited`: the consent
names the therapist, the link is made at consent). Someone already a patient who opens a
therapist's invite is asked here first; "Keep my current therapist" changes nothing. The
writes are :mod:`bot.care.invites`'.
"""

from __future__ import annotations

from bot.callback_data import Args
from bot.care import invites as care
from bot.care.invites import PatientInviteView
from bot.domain.invites import Joining, joining
from bot.domain.screens import Choice, Reply, Screen, Text, in_place
from bot.flows.engine import Ctx, Flow, Step

CARE = "care"
CONFIRM_JOIN, SHOWN, CONFIRM_LEAVE = "confirm_join", "shown", "confirm_leave"


async def offer(ctx: Ctx, invite: PatientInviteView, patient_name: str) -> Reply:
    """A patient opened an open invite: ask before joining (or changing to) its therapist."""
    current = await care.my_therapist(ctx.turn)
    choice = joining(current.id if current else None, invite.therapist_id)
    if choice == Joining.SAME:
        return _say(ctx, Text("invites.already_with", {"therapist": invite.therapist_name}))
    await ctx.turn.conversation_row()
    ctx.goto(CONFIRM_JOIN, CARE)
    ctx.data = {
        "invite": invite.invite_id,
        "therapist": invite.therapist_name,
        "current": current.name if current is not None else None,
        "name": patient_name,
    }
    return ctx.prompt()


def _confirm_join_screen(ctx: Ctx) -> Screen:
    therapist, current = ctx.data.get("therapist", ""), ctx.data.get("current")
    sees = Text("invites.therapist_sees", {"therapist": therapist})
    if current:
        return Screen(
            body=(Text("invites.change_ask", {"current": current, "therapist": therapist}), sees),
            choices=(
                (Choice(Text("buttons.care_change", {"therapist": therapist}), "join"),),
                (Choice(Text("buttons.care_keep"), "keep"),),
            ),
        )
    return Screen(
        body=(Text("invites.join_ask", {"therapist": therapist}), sees),
        choices=(
            (Choice(Text("buttons.care_join", {"therapist": therapist}), "join"),),
            (Choice(Text("buttons.not_now"), "keep"),),
        ),
    )


async def _join(ctx: Ctx, _args: Args) -> Reply:
    invite = ctx.data.get("invite")
    name = ctx.data.get("name") or ""
    therapist = await care.join(ctx.turn, invite, name) if isinstance(invite, int) else None
    ctx.end()
    if therapist is None:
        return in_place(_say(ctx, Text("invites.link_lapsed")))
    return in_place(_say(ctx, Text("invites.joined", {"therapist": therapist})))


async def _keep(ctx: Ctx, _args: Args) -> Reply:
    current = ctx.data.get("current")
    ctx.end()
    if current:
        return in_place(_say(ctx, Text("invites.kept", {"therapist": current})))
    return in_place(_say(ctx, Text("invites.not_joined")))


# -- /therapist -------------------------------------------------------------------------------


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    if ctx.patient is None:
        return ctx.say("common.start_first")
    therapist = await care.my_therapist(ctx.turn)
    if therapist is None:
        return ctx.say("invites.no_therapist")
    await ctx.turn.conversation_row()
    ctx.goto(SHOWN, CARE)
    ctx.data = {"therapist": therapist.name}
    return ctx.prompt()


def _shown_screen(ctx: Ctx) -> Screen:
    therapist = ctx.data.get("therapist", "")
    return Screen(
        body=(
            Text("invites.yours", {"therapist": therapist}),
            Text("invites.therapist_sees", {"therapist": therapist}),
        ),
        choices=(
            (Choice(Text("buttons.care_leave", {"therapist": therapist}), "leave"),),
            (Choice(Text("buttons.close"), "close"),),
        ),
    )


def _confirm_leave_screen(ctx: Ctx) -> Screen:
    therapist = ctx.data.get("therapist", "")
    return Screen(
        body=(Text("invites.leave_ask", {"therapist": therapist}),),
        choices=(
            (Choice(Text("buttons.care_leave_yes"), "yes"),),
            (Choice(Text("buttons.care_keep"), "no"),),
        ),
    )


async def _ask_leave(ctx: Ctx, _args: Args) -> Reply:
    ctx.goto(CONFIRM_LEAVE)
    return ctx.prompt(in_place=True)


async def _close(ctx: Ctx, _args: Args) -> Reply:
    therapist = ctx.data.get("therapist", "")
    ctx.end()
    return in_place(_say(ctx, Text("invites.yours", {"therapist": therapist})))


async def _leave(ctx: Ctx, _args: Args) -> Reply:
    therapist = await care.leave(ctx.turn)
    ctx.end()
    if therapist is None:
        return in_place(_say(ctx, Text("invites.no_therapist")))
    return in_place(_say(ctx, Text("invites.left", {"therapist": therapist})))


async def _stay(ctx: Ctx, _args: Args) -> Reply:
    therapist = ctx.data.get("therapist", "")
    ctx.end()
    return in_place(_say(ctx, Text("invites.kept", {"therapist": therapist})))


def _say(ctx: Ctx, text: Text) -> Reply:
    return ctx.reply(Screen(body=(text,)))


FLOW = Flow(
    name=CARE,
    command="therapist",
    enter=_enter,
    cancelled="invites.cancelled",
    steps={
        CONFIRM_JOIN: Step(_confirm_join_screen, {"join": _join, "keep": _keep}, reads_slots=False),
        SHOWN: Step(_shown_screen, {"leave": _ask_leave, "close": _close}, reads_slots=False),
        CONFIRM_LEAVE: Step(_confirm_leave_screen, {"yes": _leave, "no": _stay}, reads_slots=False),
    },
)
