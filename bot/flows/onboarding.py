"""Set-up: consent, time zone, reminders. ``/start`` begins it, or picks it up where it stopped.

Before the patient agrees to the consent text, the conversation row holds nothing but their
Telegram id and the step, and, when they opened a therapist's invite
(:func:`start_invited`), the invite, the therapist's name and the patient's Telegram name that
the consent screen shows them; "No, thanks" deletes even that. The care link is made at
consent, never before.
"""

from __future__ import annotations

from bot.callback_data import Args
from bot.care import invites as care
from bot.care.invites import PatientInviteView
from bot.domain import setup_screens as screens
from bot.domain import weekdays
from bot.domain.screens import Reply, Screen, Text, screen, with_origin
from bot.flows.engine import Ctx, Flow, Step
from bot.flows.schedule import SCHEDULE_STEPS, edit_schedule, switch_reminders
from bot.flows.summary import ONBOARDING
from bot.flows.timezone import TIMEZONE, timezone_steps

CONSENT, REMINDERS = "consent", "reminders"


async def start(ctx: Ctx, _payload: str | None) -> Reply:
    """``/start``: begin, resume, or greet again. A deep link's ``/start <code>`` is
    :mod:`bot.handlers.invites`' (a therapist's patient invite comes back to
    :func:`start_invited`)."""
    turn, patient = ctx.turn, ctx.patient
    if ctx.engine.is_active(turn):
        return ctx.resume("start.resume")
    if patient is not None:
        return ctx.reply(
            Screen(body=(Text("start.welcome_back"), *screens.summary(patient, turn.now)))
        )
    if await turn.therapist() is not None:
        # A therapist who is not (yet) a patient: their help, not a patient's set-up.
        return ctx.reply(Screen(body=(Text("therapist.help"),)))
    conversation = await turn.conversation_row()
    conversation.data = {}
    ctx.goto(CONSENT, ONBOARDING)
    return ctx.prompt()


async def start_invited(ctx: Ctx, invite: PatientInviteView, patient_name: str) -> Reply:
    """Someone not yet a patient opened a therapist's invite: set-up (begun, or picked up at
    consent), with the consent naming the therapist and what they will see."""
    invited = {
        "invite": invite.invite_id,
        "therapist": invite.therapist_name,
        "name": patient_name,
    }
    if ctx.engine.is_active(ctx.turn):
        ctx.update(**invited)
        return ctx.resume("start.resume")
    conversation = await ctx.turn.conversation_row()
    conversation.data = invited
    ctx.goto(CONSENT, ONBOARDING)
    return ctx.prompt()


def _consent(ctx: Ctx) -> Screen:
    return screens.consent_screen(
        ctx.kit.consent_version, ctx.data.get("therapist"), ctx.data.get("name")
    )


async def _agree(ctx: Ctx, _args: Args) -> Reply:
    version = ctx.kit.consent_version
    therapist, name = ctx.data.get("therapist"), ctx.data.get("name")
    patient = await ctx.turn.add_patient()
    # The language set-up spoke: what the bot's own messages (reminders, the safety screen
    # they may carry) are written in until the patient picks another with /language.
    patient.language = patient.language or ctx.turn.language
    ctx.turn.record_consent(patient, version)
    body = (*screens.consent_body(version, therapist, name), Text("consent.accepted"))
    invite = ctx.data.get("invite")
    if isinstance(invite, int):
        joined = await care.join(ctx.turn, invite, name or "")
        body = (
            *body,
            Text("invites.joined", {"therapist": joined})
            if joined
            else Text("invites.link_lapsed"),
        )
    ctx.data = {}
    ctx.goto(TIMEZONE)
    return with_origin(Screen(body=body), ctx.prompt())


async def _decline(ctx: Ctx, _args: Args) -> Reply:
    await ctx.turn.forget_conversation()
    return Reply(
        screens=(screen("consent.declined"),), replace_origin=True, language=ctx.turn.language
    )


async def _ask_reminders(ctx: Ctx) -> Reply:
    ctx.goto(REMINDERS)
    return ctx.prompt()


async def _opt_in(ctx: Ctx, _args: Args) -> Reply:
    return edit_schedule(ctx, {"days": sorted(weekdays.ALL_DAYS), "times": []})


async def _opt_out(ctx: Ctx, _args: Args) -> Reply:
    return switch_reminders(ctx, False, Text("reminders.declined"))


FLOW = Flow(
    name=ONBOARDING,
    command="start",
    enter=start,
    resumable=True,
    cancelled="cancel.onboarding",
    steps={
        CONSENT: Step(_consent, {"agree": _agree, "decline": _decline}),
        **timezone_steps(then=_ask_reminders),
        REMINDERS: Step(
            lambda ctx: screens.reminders_opt_in_screen(), {"optin": _opt_in, "optout": _opt_out}
        ),
        **SCHEDULE_STEPS,
    },
)
