"""The reminder-schedule steps, shared by set-up and the menus: days of the week, then times."""

from __future__ import annotations

from typing import Any

from bot.callback_data import Args
from bot.domain import setup_screens as screens
from bot.domain import weekdays
from bot.domain.local_times import (
    MAX_TIMES_PER_DAY,
    TimeFormatError,
    format_time_of_day,
    parse_time_of_day,
    parse_times_of_day,
)
from bot.domain.reminders import reschedule
from bot.domain.screens import Reply, Text, in_place, prepend
from bot.flows.engine import Ctx, Step
from bot.flows.summary import finish
from db.models import Patient

DAYS, TIMES = "days", "times"


def draft_of(patient: Patient) -> dict[str, Any]:
    """The patient's current days and times, as the draft the days and times steps edit."""
    slots = patient.reminder_slots
    days = sorted(weekdays.from_mask(slots[0].weekdays)) if slots else sorted(weekdays.ALL_DAYS)
    return {"days": days, "times": [format_time_of_day(slot.local_time) for slot in slots]}


def edit_schedule(ctx: Ctx, draft: dict[str, Any]) -> Reply:
    """Open the days step on ``draft`` (new days and times, or the patient's own)."""
    ctx.data = draft
    ctx.goto(DAYS)
    return ctx.prompt(in_place=True)


def switch_reminders(ctx: Ctx, on: bool, note: Text) -> Reply:
    """Turn reminders on (at the times kept) or off, and end the flow with ``note``."""
    patient = ctx.require_patient()
    patient.reminders_opt_in = on
    reschedule(patient, patient.reminder_slots, ctx.turn.now)
    return finish(ctx, note)


# -- days --------------------------------------------------------------------------------------


def _set_days(ctx: Ctx, days: set[int]) -> Reply:
    ctx.update(days=sorted(days))
    ctx.touch()
    return ctx.prompt(in_place=True)


async def _toggle_day(ctx: Ctx, args: Args) -> Reply:
    day = args.number(0, weekdays.ALL_DAYS)
    if day is None:
        return ctx.stale()
    return _set_days(ctx, set(ctx.data.get("days", [])) ^ {day})


async def _every_day(ctx: Ctx, _args: Args) -> Reply:
    return _set_days(ctx, set(weekdays.ALL_DAYS))


async def _working_days(ctx: Ctx, _args: Args) -> Reply:
    return _set_days(ctx, set(weekdays.WORKING_DAYS))


async def _days_chosen(ctx: Ctx, _args: Args) -> Reply:
    if not ctx.data.get("days"):
        return ctx.toast(Text("reminders.need_a_day"))
    ctx.goto(TIMES)
    return ctx.prompt(in_place=True)


# -- times -------------------------------------------------------------------------------------


async def _toggle_time(ctx: Ctx, args: Args) -> Reply:
    value = args.time_of_day(0)
    if value is None:
        return ctx.stale()
    chosen, times = format_time_of_day(value), set(ctx.data.get("times", []))
    if chosen not in times and len(times) >= MAX_TIMES_PER_DAY:
        return ctx.toast(Text("reminders.too_many_times", {"limit": MAX_TIMES_PER_DAY}))
    ctx.update(times=sorted(times ^ {chosen}))
    ctx.touch()
    return ctx.prompt(in_place=True)


async def _clear_times(ctx: Ctx, _args: Args) -> Reply:
    ctx.update(times=[])
    ctx.touch()
    return ctx.prompt(in_place=True)


async def _times_chosen(ctx: Ctx, _args: Args) -> Reply:
    if not ctx.data.get("times"):
        return ctx.toast(Text("reminders.need_a_time"))
    patient = ctx.require_patient()
    days = weekdays.to_mask(ctx.data.get("days", []))
    times = [parse_time_of_day(value) for value in ctx.data.get("times", [])]
    await ctx.turn.replace_reminder_slots(patient, times, days)
    return in_place(switch_reminders(ctx, True, Text("reminders.saved")))


async def _typed_times(ctx: Ctx, text: str) -> Reply:
    ctx.touch(bump=True)
    try:
        typed = parse_times_of_day(text)
    except TimeFormatError as error:
        return prepend(
            ctx.prompt(), Text("reminders.time_unreadable", {"text": error.fragment[:40]})
        )
    times = set(ctx.data.get("times", [])) | {format_time_of_day(t) for t in typed}
    if len(times) > MAX_TIMES_PER_DAY:
        return prepend(ctx.prompt(), Text("reminders.too_many_times", {"limit": MAX_TIMES_PER_DAY}))
    ctx.update(times=sorted(times))
    return ctx.prompt()


SCHEDULE_STEPS = {
    DAYS: Step(
        lambda ctx: screens.days_screen(set(ctx.data.get("days", []))),
        {
            "day": _toggle_day,
            "everyday": _every_day,
            "weekdays": _working_days,
            "next": _days_chosen,
        },
    ),
    TIMES: Step(
        lambda ctx: screens.times_screen(ctx.data.get("times", [])),
        {"time": _toggle_time, "clear": _clear_times, "done": _times_chosen},
        text=_typed_times,
    ),
}
