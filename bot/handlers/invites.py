"""Invite links: ``/start <code>`` (a therapist invite, a therapist's patient invite, or a
link that is neither), the therapist's ``/invite`` (a link and its QR code) and its button
revoking the open ones.

Every deep link comes here, never to set-up directly: a code is looked up by its hash
(:mod:`bot.care.invites`), and anything that is not an open invite gets a friendly reply and
changes nothing. A patient invite continues in set-up (a new patient,
:func:`bot.flows.onboarding.start_invited`) or in a confirmation (someone already a patient,
:func:`bot.flows.care_link.offer`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import filters

from bot.callback_data import Args
from bot.care import invites as care
from bot.care.invites import Opening
from bot.context import ReedContext
from bot.domain.invites import (
    InviteKind,
    InviteState,
    deep_link,
    display_name,
    kind_of,
    qr_png,
)
from bot.domain.screens import Attachment, Choice, Reply, Scope, Screen, Text, in_place
from bot.flows import care_link, onboarding
from bot.flows.summary import ONBOARDING
from bot.handlers import therapist as therapist_side
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of
from bot.handlers.therapist import Handler
from bot.turns import Therapist, Turn

# "/start" with an argument: what opening a deep link sends.
DEEP_LINK = filters.Regex(r"^/start(@\w+)?\s+\S")
# The command menu of a therapist's chat, in this order.
THERAPIST_COMMANDS = ("invite", "patients", "patient", "summary", "help")
QR_FILE = "invite-qr.png"
REVOKE = "iv_revoke"


def start(patient_commands: Sequence[str]) -> Handler:
    """The handler of ``/start <payload>``: an invite link was opened. ``patient_commands``:
    a patient's command menu, added to a therapist's for someone who is both."""

    async def opened(update: Update, context: ReedContext) -> None:
        payload = context.args[0] if context.args else ""
        user = update.effective_user
        assert user is not None
        name = display_name(user.first_name, user.last_name, fallback=str(user.id))
        kind = kind_of(payload)
        registered = False
        async with context.services.turns.open(user_of(update), conversation=True) as turn:
            if kind == InviteKind.THERAPIST:
                opening = await care.open_therapist_invite(turn, payload)
                registered = opening.outcome in {Opening.REGISTERED, Opening.ALREADY}
                reply = _therapist_opening(turn, opening)
            elif kind == InviteKind.PATIENT:
                await turn.load_reminder_slots()
                reply = await _patient_opening(context, turn, payload, name)
            else:
                reply = Reply(screens=(Screen(body=(Text("invites.not_an_invite"),)),))
            reply = dataclasses.replace(reply, language=reply.language or turn.language)
        await send_reply(update, context, reply)
        if registered and reply.language is not None:
            also = patient_commands if turn.patient is not None else ()
            await set_therapist_menu(context, turn.user.chat_id, reply.language, also)

    return opened


def _therapist_opening(turn: Turn, opening: care.TherapistOpening) -> Reply:
    if opening.outcome == Opening.REGISTERED:
        body = [Text("invites.therapist_welcome", {"name": opening.name or ""})]
        if turn.patient is not None:
            body.append(Text("invites.also_patient"))
        body.append(Text("therapist.help"))
        return Reply(screens=(Screen(body=tuple(body)),), language=turn.language)
    if opening.outcome == Opening.ALREADY:
        already = Text("invites.already_therapist", {"name": opening.name or ""})
        return Reply(screens=(Screen(body=(already, Text("therapist.help"))),))
    return Reply(screens=(Screen(body=(Text(f"invites.therapist_link.{opening.outcome}"),)),))


async def _patient_opening(context: ReedContext, turn: Turn, code: str, name: str) -> Reply:
    invite = await care.find_patient_invite(turn, code=code)
    if invite is None:
        return Reply(screens=(Screen(body=(Text("invites.patient_link.unknown"),)),))
    if invite.state != InviteState.OPEN:
        return Reply(screens=(Screen(body=(Text(f"invites.patient_link.{invite.state}"),)),))
    me = await turn.therapist()
    if me is not None and me.id == invite.therapist_id:
        return Reply(screens=(Screen(body=(Text("invites.own_link"),)),))
    engine = context.services.conversations
    ctx = engine.context(turn)
    if turn.patient is None:
        return await onboarding.start_invited(ctx, invite, name)
    if engine.is_active(turn) and ctx.conversation.flow == ONBOARDING:
        # Agreed, but not set up yet: set-up first; the link works as well afterwards.
        return ctx.resume("invites.finish_setup_first")
    return await care_link.offer(ctx, invite, name)


async def set_therapist_menu(
    context: ReedContext, chat_id: int, language: str, patient_commands: Sequence[str] = ()
) -> None:
    """The command menu of a therapist's chat: the therapist's commands, in their language,
    then ``patient_commands`` (for someone who is both)."""
    messages = context.services.messages.for_language(language)
    commands = [
        BotCommand(name, messages.plain(Text(f"invites.menu.{name}")))
        for name in THERAPIST_COMMANDS
    ]
    commands += [
        BotCommand(name, messages.plain(Text(f"commands.menu.{name}")))
        for name in patient_commands
        if name not in THERAPIST_COMMANDS
    ]
    await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))


async def help_command(update: Update, context: ReedContext) -> None:
    """``/help``: a therapist's commands for a therapist, a patient's for a patient, both for
    someone who is both."""
    async with context.services.turns.open(user_of(update), write=False) as turn:
        therapist = await turn.therapist()
        body = [Text("therapist.help")] if therapist is not None else []
        if therapist is None or turn.patient is not None:
            body.append(Text("help.body"))
        reply = Reply(screens=(Screen(body=tuple(body)),), language=turn.language)
    await send_reply(update, context, reply)


# -- /invite ----------------------------------------------------------------------------------


async def invite(update: Update, context: ReedContext) -> None:
    """The therapist's ``/invite``: a new patient invite link, its QR code, and a button
    revoking the open ones."""
    bot_username = context.bot.username

    async def rule(turn: Turn, therapist: Therapist, _argument: str) -> Reply:
        return await new_invite(turn, therapist, bot_username)

    await therapist_side.command(rule)(update, context)


async def new_invite(turn: Turn, therapist: Therapist, bot_username: str) -> Reply:
    made = await care.create_patient_invite(turn, therapist)
    link = deep_link(bot_username, made.code)
    shown = Screen(
        body=(
            Text(
                "invites.new_link",
                {"link": link, "expires": _local_day(made.expires_at, therapist)},
            ),
        ),
        choices=((Choice(Text("buttons.iv_revoke"), REVOKE, scope=Scope.THERAPIST),),),
        attachments=(
            Attachment(
                QR_FILE,
                lambda _messages: qr_png(link),
                photo=True,
                caption=Text("invites.qr_caption", {"therapist": therapist.name}),
            ),
        ),
    )
    return Reply(screens=(shown,), language=turn.language)


def _local_day(when: datetime, therapist: Therapist) -> str:
    return when.astimezone(ZoneInfo(therapist.timezone or "UTC")).strftime("%Y-%m-%d")


async def revoke(turn: Turn, therapist: Therapist, _args: Args) -> Reply:
    """The button under a link: revoke every open patient invite of the therapist's."""
    count = await care.revoke_patient_invites(turn, therapist)
    said = Text("invites.revoked", {"count": count}) if count else Text("invites.revoked_none")
    # In place of the link: it works no more.
    return in_place(Reply(screens=(Screen(body=(said,)),), language=turn.language))


ACTIONS: dict[str, therapist_side.ButtonRule] = {REVOKE: revoke}
