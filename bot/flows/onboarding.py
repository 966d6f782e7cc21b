"""Set-up: consent, time zone, reminders. ``/start`` begins it, or picks it up where it stopped.

Before the patient agrees to the consent text, the conversation row holds nothing but their
Telegram id, the step and the deep-link payload; "No, thanks" deletes even that.
"""

from __future__ import annotations

import re

from bot.callback_data import Args
from bot.domain import setup_screens as screens
from bot.domain import weekdays
from bot.domain.screens import Reply, Screen, Text, screen, with_origin
from bot.flows.engine import Ctx, Flow, Step
from bot.flows.schedule import SCHEDULE_STEPS, edit_schedule, switch_reminders
from bot.flows.summary import ONBOARDING
from bot.flows.timezone import TIMEZONE, timezone_steps

CONSENT, REMINDERS = "consent", "reminders"

# Telegram deep-link payloads are at most 64 characters of [A-Za-z0-9_-].
_DEEP_LINK_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def start(ctx: Ctx, payload: str | None) -> Reply:
    """``/start``, optionally with a deep-link payload: begin, resume, or greet again."""
    invite = payload if payload and _DEEP_LINK_PAYLOAD.fullmatch(payload) else None
    turn, patient = ctx.turn, ctx.patient
    if patient is not None and invite:
        patient.invite_code = invite
    if ctx.engine.is_active(turn):
        if invite and patient is None:
            ctx.update(invite=invite)
        return ctx.resume("start.resume")
    if patient is not None:
        return ctx.reply(
            Screen(body=(Text("start.welcome_back"), *screens.summary(patient, turn.now)))
        )
    conversation = await turn.conversation_row()
    conversation.data = {"invite": invite} if invite else {}
    ctx.goto(CONSENT, ONBOARDING)
    return ctx.prompt()


async def _agree(ctx: Ctx, _args: Args) -> Reply:
    version = ctx.kit.consent_version
    patient = await ctx.turn.add_patient()
    patient.invite_code = ctx.data.get("invite") or patient.invite_code
    # The language set-up spoke: what the bot's own messages (reminders, the safety screen
    # they may carry) are written in until the patient picks another with /language.
    patient.language = patient.language or ctx.turn.language
    ctx.turn.record_consent(patient, version)
    ctx.data = {}
    ctx.goto(TIMEZONE)
    accepted = Screen(body=(*screens.consent_body(version), Text("consent.accepted")))
    return with_origin(accepted, ctx.prompt())


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
        CONSENT: Step(
            lambda ctx: screens.consent_screen(ctx.kit.consent_version),
            {"agree": _agree, "decline": _decline},
        ),
        **timezone_steps(then=_ask_reminders),
        REMINDERS: Step(
            lambda ctx: screens.reminders_opt_in_screen(), {"optin": _opt_in, "optout": _opt_out}
        ),
        **SCHEDULE_STEPS,
    },
)
