"""The therapist's ``/summary`` and the buttons that choose when the weekly summary comes.

``/summary`` sends this week's summary now, the same as the weekly message: its text split
between rows where Telegram's limit asks, then the chart, the CSV and the PDF, and the day and
time it comes with a "Change day/time" button (weekday, then hour; ``/summary zone <name>``
sets the time zone). Someone who is not a therapist gets the therapist side's refusal; every
button is checked against the sender by :func:`bot.handlers.therapist.button`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, time
from zoneinfo import ZoneInfo

from telegram import Update

from bot.callback_data import Args
from bot.care import summaries as care
from bot.context import ReedContext
from bot.documents.summary_files import summary_files
from bot.domain.local_times import format_time_of_day
from bot.domain.screens import Choice, Markup, Reply, Scope, Screen, Text, screen
from bot.domain.summary import CHANGE_SCHEDULE, message_parts, schedule_screen
from bot.domain.timezones import UnknownTimeZoneError, zone_from_text
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of
from bot.handlers.therapist import ButtonRule, not_a_therapist
from bot.turns import Therapist, Turn

WEEKDAYS = range(7)
HOURS = range(24)
HOURS_PER_ROW = 6
ZONE_WORD = "zone"


def _weekday(day: int) -> Text:
    return Text(f"weekly.weekdays.{day}")


def _schedule_params(therapist: Therapist) -> dict[str, object]:
    return {
        "day": _weekday(therapist.summary_weekday),
        "time": format_time_of_day(therapist.summary_time),
        "zone": care.zone_name(therapist),
    }


async def summary_command(update: Update, context: ReedContext) -> None:
    """``/summary``: this week's summary now; ``/summary zone <name>`` sets the time zone."""
    argument = " ".join(context.args or ())
    word, _, rest = argument.strip().partition(" ")
    async with context.services.turns.open(user_of(update), write=True) as turn:
        therapist = await turn.therapist()
        if therapist is None:
            reply = not_a_therapist(turn)
        elif word.casefold() == ZONE_WORD:
            reply = _set_zone(turn, therapist, rest)
        else:
            summary = await care.weekly_summary(turn, therapist)
            messages = context.services.messages.for_language(turn.language)
            parts = message_parts(summary, messages)
            made_on = turn.now.astimezone(ZoneInfo(care.zone_name(therapist))).date()
            when = schedule_screen(
                therapist.summary_weekday, therapist.summary_time, care.zone_name(therapist)
            )
            last = dataclasses.replace(when, attachments=summary_files(summary, made_on))
            shown = tuple(Screen(body=(Markup(part),)) for part in parts)
            reply = Reply(screens=(*shown, last), language=turn.language)
    await send_reply(update, context, reply)


def _set_zone(turn: Turn, therapist: Therapist, typed: str) -> Reply:
    if not typed.strip():
        return Reply(screens=(screen("weekly.zone_missing"),), language=turn.language)
    try:
        zone = zone_from_text(typed)
    except UnknownTimeZoneError:
        text = Text("weekly.zone_unknown", {"text": typed.strip()[:64]})
        return Reply(screens=(screen(text),), language=turn.language)
    care.set_zone(turn, therapist, zone)
    saved = Text("weekly.zone_saved", _schedule_params(therapist))
    return Reply(screens=(screen(saved),), language=turn.language)


async def _change(turn: Turn, therapist: Therapist, args: Args) -> Reply:
    days = tuple((Choice(_weekday(day), "sm_day", day, scope=Scope.THERAPIST),) for day in WEEKDAYS)
    return Reply(screens=(screen("weekly.choose_day", choices=days),), language=turn.language)


async def _day(turn: Turn, therapist: Therapist, args: Args) -> Reply:
    day = args.number(0, WEEKDAYS)
    if day is None:
        return _unknown(turn)
    hours = [
        Choice(format_time_of_day(time(hour)), "sm_time", day, hour, scope=Scope.THERAPIST)
        for hour in HOURS
    ]
    rows = tuple(
        tuple(hours[start : start + HOURS_PER_ROW]) for start in range(0, 24, HOURS_PER_ROW)
    )
    question = Text("weekly.choose_time", {"day": _weekday(day), "zone": care.zone_name(therapist)})
    return Reply(screens=(screen(question, choices=rows),), language=turn.language)


async def _time(turn: Turn, therapist: Therapist, args: Args) -> Reply:
    day, hour = args.number(0, WEEKDAYS), args.number(1, HOURS)
    if day is None or hour is None:
        return _unknown(turn)
    due = care.set_schedule(turn, therapist, day, time(hour))
    saved = Text("weekly.saved", {**_schedule_params(therapist), "next": _local(due, therapist)})
    return Reply(screens=(screen(saved),), language=turn.language)


def _local(instant: datetime, therapist: Therapist) -> str:
    return instant.astimezone(ZoneInfo(care.zone_name(therapist))).strftime("%Y-%m-%d %H:%M")


def _unknown(turn: Turn) -> Reply:
    return Reply(
        screens=(screen("therapist.button_unknown"),),
        toast=Text("common.button_expired"),
        language=turn.language,
    )


ACTIONS: dict[str, ButtonRule] = {CHANGE_SCHEDULE: _change, "sm_day": _day, "sm_time": _time}
