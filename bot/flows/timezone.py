"""The time-zone steps, shared by set-up and the menus: a region and city, a shared location,
or a typed zone, city or offset."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from bot.callback_data import Args
from bot.domain import setup_screens as screens
from bot.domain.reminders import reschedule
from bot.domain.screens import Reply, Screen, Text, prepend, screen, with_origin
from bot.domain.timezones import (
    UnknownTimeZoneError,
    is_fixed_offset_zone,
    local_now,
    zone_from_text,
)
from bot.flows.engine import Ctx, Step

TIMEZONE, CITY, LOCATION = "timezone", "city", "location"
UTC_REGION = "utc"

Then = Callable[[Ctx], Awaitable[Reply]]


def timezone_steps(then: Then) -> dict[str, Step]:
    """The three steps that find the patient's zone; ``then`` says what follows.

    They share one revision: choosing a region turns the same message into its cities and
    back, so the buttons of either screen stay valid on both.
    """

    async def region(ctx: Ctx, args: Args) -> Reply:
        chosen = args.text(0)
        if chosen == UTC_REGION:
            return await _zone_chosen(ctx, "Etc/UTC", then, via_button=True)
        if chosen is None or chosen not in ctx.kit.regions:
            return ctx.stale()
        ctx.update(region=chosen)
        ctx.conversation.step = CITY
        return ctx.prompt(in_place=True)

    async def back(ctx: Ctx, _args: Args) -> Reply:
        ctx.conversation.step = TIMEZONE
        return ctx.prompt(in_place=True)

    async def city(ctx: Ctx, args: Args) -> Reply:
        label = args.text(0)
        cities = ctx.kit.regions.get(str(ctx.data.get("region")), [])
        zone = next((place.zone for place in cities if place.label == label), None)
        if zone is None:
            return ctx.stale()
        return await _zone_chosen(ctx, zone, then, via_button=True)

    async def locate(ctx: Ctx, _args: Args) -> Reply:
        ctx.goto(LOCATION)
        return ctx.prompt()

    async def typed(ctx: Ctx, text: str) -> Reply:
        try:
            zone = zone_from_text(text)
        except UnknownTimeZoneError:
            ctx.conversation.step = TIMEZONE
            ctx.touch(bump=True)
            return prepend(ctx.prompt(), Text("timezone.unknown", {"text": text.strip()[:60]}))
        return await _zone_chosen(ctx, zone, then, via_button=False)

    async def located(ctx: Ctx, latitude: float, longitude: float) -> Reply:
        zone = await ctx.kit.locate_zone(latitude, longitude)
        if zone is None:
            ctx.touch(bump=True)
            ctx.conversation.step = TIMEZONE
            return prepend(
                ctx.prompt(), Text("timezone.location_unknown"), remove_reply_keyboard=True
            )
        return await _zone_chosen(ctx, zone, then, via_button=False)

    buttons = {"region": region, "back": back, "city": city, "locate": locate}
    return {
        TIMEZONE: Step(lambda ctx: screens.timezone_screen(), buttons, typed, located),
        CITY: Step(
            lambda ctx: screens.city_screen(ctx.kit.regions, ctx.data.get("region", "")),
            buttons,
            typed,
            located,
        ),
        LOCATION: Step(
            lambda ctx: screen("timezone.share_location", ask_location=True),
            buttons,
            typed,
            located,
        ),
    }


async def _zone_chosen(ctx: Ctx, zone: str, then: Then, *, via_button: bool) -> Reply:
    patient = ctx.require_patient()
    patient.timezone = zone
    reschedule(patient, patient.reminder_slots, ctx.turn.now)
    local = local_now(zone, ctx.turn.now)
    confirmed = [Text("timezone.set", {"zone": zone, "local_time": local.strftime("%H:%M")})]
    if is_fixed_offset_zone(zone) and zone != "Etc/UTC":
        confirmed.append(Text("timezone.fixed_offset_note"))
    ctx.data = {key: value for key, value in ctx.data.items() if key != "region"}
    confirmation = Screen(body=tuple(confirmed), remove_reply_keyboard=not via_button)
    reply = await then(ctx)
    if via_button:
        return with_origin(confirmation, reply)
    return dataclasses.replace(reply, screens=(confirmation, *reply.screens))
