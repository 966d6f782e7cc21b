"""``/reminders``: the schedule, a second time, pause and resume, quiet hours, stop and start."""

from __future__ import annotations

from datetime import timedelta

from bot.callback_data import Args
from bot.domain import setup_screens as screens
from bot.domain.reminders import pause, resume, safety_prompt
from bot.domain.screens import Reply, Text, in_place
from bot.flows.engine import Ctx, Flow, Step
from bot.flows.schedule import SCHEDULE_STEPS, TIMES, draft_of
from bot.flows.settings import (
    change_schedule,
    change_timezone,
    close,
    menu_step,
    open_menu,
    reminders_off,
    reminders_on,
)
from bot.flows.summary import finish, finished
from bot.flows.timezone import timezone_steps

REMINDER_MENU = "reminder_menu"
PAUSE_REASON, PAUSE_LENGTH, QUIET_HOURS = "pause_reason", "pause_length", "quiet_hours"


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    return await open_menu(ctx, FLOW.name, REMINDER_MENU)


async def _add_time(ctx: Ctx, _args: Args) -> Reply:
    ctx.data = draft_of(ctx.require_patient())
    ctx.goto(TIMES)
    return ctx.prompt(in_place=True)


async def _start(ctx: Ctx, args: Args) -> Reply:
    """Start reminders again; with no times kept, choosing them comes first."""
    if not ctx.require_patient().reminder_slots:
        return await change_schedule(ctx, args)
    return await reminders_on(ctx, args)


async def _go(ctx: Ctx, step: str) -> Reply:
    ctx.goto(step)
    return ctx.prompt(in_place=True)


async def _ask_pause_reason(ctx: Ctx, _args: Args) -> Reply:
    return await _go(ctx, PAUSE_REASON)


async def _ask_quiet_hours(ctx: Ctx, _args: Args) -> Reply:
    return await _go(ctx, QUIET_HOURS)


async def _resume(ctx: Ctx, _args: Args) -> Reply:
    resume(ctx.require_patient(), ctx.turn.now)
    return in_place(finish(ctx, Text("pause.resumed")))


async def _pause_reason(ctx: Ctx, args: Args) -> Reply:
    reason = args.text(0, screens.PAUSE_REASONS)
    if reason is None:
        return ctx.stale()
    ctx.data = {"reason": reason}
    return await _go(ctx, PAUSE_LENGTH)


async def _pause_length(ctx: Ctx, args: Args) -> Reply:
    """A pause of so many days, or (without a number) until the patient resumes."""
    days = args.number(0, screens.PAUSE_DAYS) if len(args) else None
    if len(args) and days is None:
        return ctx.stale()
    now = ctx.turn.now
    until = now + timedelta(days=days) if days is not None else None
    reason = str(ctx.data.get("reason", "other"))
    pause(ctx.require_patient(), now, until, reason)
    return in_place(finish(ctx, Text("pause.paused"), *safety_prompt(reason)))


async def _quiet_hours(ctx: Ctx, args: Args) -> Reply:
    """Quiet hours from one of the offered windows, or none."""
    patient = ctx.require_patient()
    if len(args):
        window = (args.time_of_day(0), args.time_of_day(1))
        if window not in screens.QUIET_CHOICES:
            return ctx.stale()
        patient.quiet_start, patient.quiet_end = window
    else:
        patient.quiet_start = patient.quiet_end = None
    return in_place(finish(ctx, Text("quiet.saved")))


FLOW = Flow(
    name="reminders",
    command="reminders",
    enter=_enter,
    cancelled="cancel.settings",
    steps={
        REMINDER_MENU: menu_step(
            screens.reminder_menu_screen,
            {
                "reminders": change_schedule,
                "add_time": _add_time,
                "timezone": change_timezone,
                "pause": _ask_pause_reason,
                "resume": _resume,
                "quiet": _ask_quiet_hours,
                "off": reminders_off,
                "on": _start,
                "close": close,
            },
        ),
        PAUSE_REASON: Step(lambda ctx: screens.pause_reason_screen(), {"reason": _pause_reason}),
        PAUSE_LENGTH: Step(lambda ctx: screens.pause_length_screen(), {"days": _pause_length}),
        QUIET_HOURS: Step(lambda ctx: screens.quiet_hours_screen(), {"quiet": _quiet_hours}),
        **timezone_steps(then=finished),
        **SCHEDULE_STEPS,
    },
)
