"""The therapist side's commands and buttons: who may use them, checked on the server.

Every therapist command runs through :func:`command` and every therapist button through
:func:`button`: both open the update's unit of work and look the sender up as a therapist
first, so a patient who types ``/patients`` or a press forged or replayed from another chat
reaches no rule. A rule that acts on a patient asks :meth:`bot.turns.Turn.in_my_care` with
the id the button claims: the claim is checked, never trusted.

The rules of each feature live in its own module and are collected here: invites
(``bot.handlers.invites``), alerts (``bot.handlers.alerts``), the weekly summary
(``bot.handlers.summaries``), patients, plans and notes (``bot.handlers.patients``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import Update

from bot.callback_data import Args, TherapistButton, decode_callback
from bot.context import ReedContext
from bot.domain.screens import Reply, Text, screen
from bot.handlers.render import send_reply
from bot.handlers.sender import user_of
from bot.turns import Therapist, Turn

# A therapist command: the turn, the therapist who sent it and the command's argument text
# (everything after the command, "" when none).
CommandRule = Callable[[Turn, Therapist, str], Awaitable[Reply]]
# A therapist button: the turn, the therapist who pressed it and the button's arguments.
ButtonRule = Callable[[Turn, Therapist, Args], Awaitable[Reply]]

Handler = Callable[[Update, ReedContext], Coroutine[Any, Any, None]]


def not_a_therapist(turn: Turn) -> Reply:
    return Reply(screens=(screen("therapist.only"),), language=turn.language)


def not_in_care(turn: Turn) -> Reply:
    """The answer to a button or command naming a patient who is not (or no longer) in the
    sender's care: nothing about them is shown or changed."""
    return Reply(
        screens=(screen("therapist.not_in_care"),),
        toast=Text("therapist.not_in_care_toast"),
        language=turn.language,
    )


def command(rule: CommandRule, *, write: bool = True) -> Handler:
    """The handler of a therapist command: the rule runs only for a therapist."""

    async def handle(update: Update, context: ReedContext) -> None:
        argument = " ".join(context.args or ())
        async with context.services.turns.open(user_of(update), write=write) as turn:
            therapist = await turn.therapist()
            reply = (
                not_a_therapist(turn)
                if therapist is None
                else await rule(turn, therapist, argument)
            )
        await send_reply(update, context, reply)

    return handle


def button(actions: Mapping[str, ButtonRule]) -> Handler:
    """The handler of every therapist button, routing each action to its feature's rule."""

    async def handle(update: Update, context: ReedContext) -> None:
        query = update.callback_query
        assert query is not None
        pressed = decode_callback(query.data)
        async with context.services.turns.open(user_of(update), conversation=True) as turn:
            therapist = await turn.therapist()
            rule = actions.get(pressed.action) if isinstance(pressed, TherapistButton) else None
            if therapist is None:
                reply = not_a_therapist(turn)
            elif rule is None or not isinstance(pressed, TherapistButton):
                reply = Reply(
                    screens=(screen("therapist.button_unknown"),),
                    toast=Text("common.button_expired"),
                    language=turn.language,
                )
            else:
                reply = await rule(turn, therapist, pressed.args)
        await send_reply(update, context, reply)

    return handle


def merge(*tables: Mapping[str, ButtonRule]) -> dict[str, ButtonRule]:
    """One action table from each feature's, refusing an action two features claim."""
    merged: dict[str, ButtonRule] = {}
    for table in tables:
        for action, rule in table.items():
            assert action not in merged, f"two therapist features claim {action!r}"
            merged[action] = rule
    return merged


def args_of(*values: Any) -> tuple[str, ...]:
    return tuple(str(value) for value in values)
