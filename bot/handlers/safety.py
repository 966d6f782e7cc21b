"""Handlers for /safety and the safety screen's buttons: a red flag chosen, "none of these
apply", and the hold a red flag starts ("my therapist has cleared me")."""

from __future__ import annotations

from telegram import Update

from bot.callback_data import SafetyButton, decode_callback
from bot.context import ReedContext
from bot.domain.checkin_screens import DRILL_CLEARED, DRILL_CONFIRM, DRILL_NOT_YET
from bot.domain.red_flags import Alarm
from bot.domain.safety import Clearance, Severity
from bot.domain.screens import Reply, Screen, Text
from bot.flows import checkin
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of
from bot.turns import Turn

DRILL_ACTIONS = frozenset({DRILL_CLEARED, DRILL_CONFIRM, DRILL_NOT_YET})

# Where a red flag was reported, as its safety event records it.
SCREEN = "screen"
TYPED = "typed"


def typed_alarm(context: ReedContext, turn: Turn, alarm: Alarm) -> Reply:
    """A red flag found in what the patient typed: the fixed wording of its tier at once,
    recorded for their therapist (which flag, never the words) and a hold on drills."""
    turn.report_red_flag(alarm.severity, alarm.flag, TYPED)
    held = turn.patient is not None
    shown = context.services.safety.alarm(turn.language, zone_of(turn), [alarm.flag], hold=held)
    return Reply(screens=(shown,), language=turn.language)


async def answer_typed_alarm(update: Update, context: ReedContext, alarm: Alarm) -> None:
    """For typed words no feature will read (an edit, a message too long, a photo's caption):
    the red flag in them is answered all the same."""
    async with context.services.turns.open(user_of(update)) as turn:
        reply = typed_alarm(context, turn, alarm)
    await send_reply(update, context, reply)


async def safety_command(update: Update, context: ReedContext) -> None:
    async with context.services.turns.open(user_of(update), write=False) as turn:
        reply = context.services.safety.notice(turn.language, zone_of(turn), turn.clearance)
    await send_reply(update, context, reply)


async def button(update: Update, context: ReedContext) -> None:
    query = update.callback_query
    assert query is not None
    pressed = decode_callback(query.data)
    if not isinstance(pressed, SafetyButton):  # our prefix, but data we did not write
        pressed = SafetyButton("gone")
    async with context.services.turns.open(user_of(update)) as turn:
        reply = await _press(context, turn, pressed)
    await send_reply(update, context, reply)


def zone_of(turn: Turn) -> str | None:
    """The time zone that gives the patient's emergency number (unknown before set-up)."""
    return turn.patient.timezone if turn.patient is not None else None


async def _press(context: ReedContext, turn: Turn, pressed: SafetyButton) -> Reply:
    safety, language = context.services.safety, turn.language
    checkins = context.services.library.content(language).catalog.checkins

    def reply(shown: Screen, *, in_place: bool = False, toast: Text | None = None) -> Reply:
        return Reply(screens=(shown,), replace_origin=in_place, toast=toast, language=language)

    if pressed.action == "flag":
        flags = {flag.id: flag for flag in checkins.red_flags}
        chosen = flags.get(pressed.args.text(0) or "")
        if chosen is None:  # a flag since removed from the content, or forged data
            return Reply(toast=Text("common.button_expired"), language=language)
        turn.report_red_flag(Severity(chosen.severity), chosen.id, SCREEN)
        held = turn.patient is not None
        return reply(safety.alarm(language, zone_of(turn), [chosen.id], hold=held))
    if pressed.action == "none":
        if turn.clearance == Clearance.HELD:
            return reply(safety.held(language), in_place=True)
        turn.pass_safety_screen()
        drill = pressed.args.text(1) if pressed.args.text(0) == "drill" else None
        then = context.services.library.drill(drill, language).screens if drill else ()
        return Reply(
            screens=(safety.screened(language), *then), replace_origin=True, language=language
        )
    if pressed.action in DRILL_ACTIONS:  # a drill a pain rule stopped, cleared
        catalog = context.services.library.content(language).catalog
        drill_id = pressed.args.text(0) or ""
        return await checkin.drill_clearance(turn, catalog, pressed.action, drill_id)
    if turn.clearance != Clearance.HELD:  # the hold's buttons, pressed once it is over
        return Reply(toast=Text("common.button_expired"), language=language)
    if pressed.action == "cleared":
        return reply(safety.confirm_cleared(language))
    if pressed.action == "confirm":
        await turn.clear_hold()
        return reply(safety.cleared(language), in_place=True)
    if pressed.action == "not_yet":
        return reply(safety.held(language), in_place=True)
    return Reply(toast=Text("common.button_expired"), language=language)
