"""``/settings``: what is set, with buttons to change the time zone and the reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.callback_data import Args
from bot.domain import setup_screens as screens
from bot.domain.screens import Reply, Screen, Text
from bot.flows.engine import ButtonRule, Ctx, Flow, Step
from bot.flows.schedule import SCHEDULE_STEPS, draft_of, edit_schedule, switch_reminders
from bot.flows.summary import ONBOARDING, finish, finished
from bot.flows.timezone import TIMEZONE, timezone_steps
from db.models import Patient

SETTINGS, MENU = "settings", "menu"


async def open_menu(ctx: Ctx, flow: str, step: str) -> Reply:
    """Open a menu flow; someone not yet set up is sent back to set-up (or to /start)."""
    patient, turn = ctx.patient, ctx.turn
    if patient is None or patient.onboarded_at is None:
        if turn.conversation is not None and turn.conversation.flow == ONBOARDING:
            return ctx.resume("settings.finish_setup_first")
        return ctx.say("common.start_first")
    conversation = await turn.conversation_row()
    conversation.data = {}
    ctx.goto(step, flow)
    return ctx.prompt()


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    return await open_menu(ctx, SETTINGS, MENU)


async def change_timezone(ctx: Ctx, _args: Args) -> Reply:
    ctx.goto(TIMEZONE)
    return ctx.prompt(in_place=True)


async def change_schedule(ctx: Ctx, _args: Args) -> Reply:
    return edit_schedule(ctx, draft_of(ctx.require_patient()))


async def reminders_off(ctx: Ctx, _args: Args) -> Reply:
    return switch_reminders(ctx, False, Text("settings.reminders_off"))


async def reminders_on(ctx: Ctx, _args: Args) -> Reply:
    """Turn reminders back on at the times kept; without any, there is nothing to turn on."""
    if not ctx.require_patient().reminder_slots:
        return ctx.stale()
    return switch_reminders(ctx, True, Text("settings.reminders_on"))


async def close(ctx: Ctx, _args: Args) -> Reply:
    return finish(ctx, Text("settings.closed"))


def menu_step(shown: Callable[[Patient, datetime], Screen], buttons: dict[str, ButtonRule]) -> Step:
    """A menu of what is set for the patient, as it is now, with a button per change."""
    return Step(lambda ctx: shown(ctx.require_patient(), ctx.turn.now), buttons)


FLOW = Flow(
    name=SETTINGS,
    command="settings",
    enter=_enter,
    cancelled="cancel.settings",
    steps={
        MENU: menu_step(
            screens.settings_menu_screen,
            {
                "timezone": change_timezone,
                "reminders": change_schedule,
                "off": reminders_off,
                "on": reminders_on,
                "close": close,
            },
        ),
        **timezone_steps(then=finished),
        **SCHEDULE_STEPS,
    },
)
