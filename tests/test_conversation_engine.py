"""The conversation engine on its own, with a small flow of its own and no database.

A flow is a module that declares its steps; these tests build one here, the way a new
check-in or invite flow will, and check what the engine does for every flow: route a press to
its step's rule, refuse stale, forged and unknown presses, route typed text and locations to
the step waiting for them, and leave or pause a flow on /cancel.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.callback_data import Args, FlowButton
from bot.domain.screens import Choice, Reply, Screen, Text, screen
from bot.flows import FLOWS
from bot.flows.engine import IDLE, Ctx, Engine, Flow, FlowKit, Step
from bot.turns import TelegramUser, Turn
from content.loader import load_content
from db.models import Conversation, Patient

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def _no_zone(latitude: float, longitude: float) -> str | None:
    return None


async def _pick(ctx: Ctx, args: Args) -> Reply:
    colour = args.text(0, ("red", "blue"))
    if colour is None:
        return ctx.stale()
    ctx.update(colour=colour)
    ctx.goto("name")
    return ctx.prompt(in_place=True)


async def _named(ctx: Ctx, text: str) -> Reply:
    ctx.end()
    return ctx.reply(Screen(body=(Text("toy.done", {"name": text}),)))


async def _enter(ctx: Ctx, argument: str | None) -> Reply:
    await ctx.turn.conversation_row()
    ctx.goto("colour", "toy")
    return ctx.prompt()


TOY = Flow(
    name="toy",
    command="toy",
    enter=_enter,
    cancelled="toy.cancelled",
    steps={
        "colour": Step(
            lambda ctx: Screen(
                body=(Text("toy.colour"),),
                choices=((Choice("Red", "pick", "red"), Choice("Blue", "pick", "blue")),),
            ),
            {"pick": _pick},
        ),
        "name": Step(lambda ctx: screen("toy.name"), text=_named),
    },
)


def engine(*flows: Flow) -> Engine:
    kit = FlowKit(
        consent_version="test",
        regions={},
        locate_zone=_no_zone,
        safety_screen=lambda _language, _zone: Screen(body=()),
        catalog_for=load_content().catalog,
        starter_plan=load_content().starter_plan,
    )
    return Engine({flow.name: flow for flow in flows}, kit)


def turn(conversation: Conversation | None, patient: Patient | None = None) -> Turn:
    return Turn(
        session=cast(AsyncSession, None),  # these rules never reach the database
        user=TelegramUser(id=7, chat_id=7),
        now=NOW,
        patient=patient,
        conversation=conversation,
        language="en",
        resolve_language=lambda code: code or "en",
    )


def at(step: str, *, revision: int = 3, paused: bool = False, **data: Any) -> Conversation:
    return Conversation(
        telegram_user_id=7,
        flow="toy",
        step=step,
        revision=revision,
        data=dict(data),
        paused=paused,
        updated_at=NOW,
    )


def keys(reply: Reply | None) -> list[str]:
    assert reply is not None
    return [part.key for shown in reply.screens for part in shown.body if isinstance(part, Text)]


async def test_a_press_runs_its_steps_rule_and_moves_on() -> None:
    conversation = at("colour")
    reply = await engine(TOY).press(turn(conversation), FlowButton(3, "pick", Args(("red",))))
    assert keys(reply) == ["toy.name"]
    assert reply.replace_origin
    assert (conversation.step, conversation.data, conversation.revision) == (
        "name",
        {"colour": "red"},
        4,
    )
    assert reply.revision == 4  # the new question's buttons carry the new revision


@pytest.mark.parametrize(
    "press",
    [
        FlowButton(2, "pick", Args(("red",))),  # from an older message
        FlowButton(3, "drop_tables"),  # an action the step does not have
        FlowButton(3, "pick", Args(("green",))),  # an argument the step never offered
        None,  # data that did not decode at all
    ],
)
async def test_stale_and_forged_presses_ask_again_and_change_nothing(
    press: FlowButton | None,
) -> None:
    conversation = at("colour")
    reply = await engine(TOY).press(turn(conversation), press)
    assert keys(reply) == ["common.button_stale", "toy.colour"]
    assert reply.toast == Text("common.button_expired")
    assert conversation.step == "colour"
    assert conversation.data == {}
    assert reply.revision == conversation.revision == 4  # the question asked again is current


async def test_a_paused_flow_answers_presses_with_how_to_resume() -> None:
    conversation = at("colour", paused=True)
    reply = await engine(TOY).press(turn(conversation), FlowButton(3, "pick", Args(("red",))))
    assert keys(reply) == ["common.paused"]
    assert conversation.data == {}


async def test_typed_text_goes_to_the_step_waiting_for_it() -> None:
    conversation = at("name", colour="red")
    reply = await engine(TOY).text(turn(conversation), "Ana")
    assert keys(reply) == ["toy.done"]
    assert conversation.flow == IDLE


async def test_typed_text_at_a_step_of_buttons_asks_for_the_buttons() -> None:
    reply = await engine(TOY).text(turn(at("colour")), "red please")
    assert keys(reply) == ["common.use_buttons", "toy.colour"]


async def test_typed_text_outside_any_flow_is_left_to_the_caller() -> None:
    idle = Conversation(telegram_user_id=7, flow=IDLE, step="none", revision=1, data={})
    patient = Patient(telegram_user_id=7, chat_id=7)
    assert await engine(TOY).text(turn(idle, patient), "why does my knee cave in?") is None
    assert keys(await engine(TOY).text(turn(None), "hello")) == ["common.start_first"]


async def test_a_location_nobody_asked_for_is_not_used() -> None:
    reply = await engine(TOY).location(turn(at("name")), 52.5, 13.4)
    assert keys(reply) == ["timezone.location_not_needed"]


async def test_cancel_leaves_a_flow_or_pauses_one_that_must_be_finished() -> None:
    left = at("name", colour="red")
    assert keys(await engine(TOY).cancel(turn(left))) == ["toy.cancelled"]
    assert (left.flow, left.data) == (IDLE, {})

    resumable = dataclasses.replace(TOY, resumable=True)
    paused = at("name", colour="red")
    await engine(resumable).cancel(turn(paused))
    assert (paused.flow, paused.step, paused.paused) == ("toy", "name", True)
    assert paused.data == {"colour": "red"}


async def test_a_conversation_at_a_flow_no_longer_registered_is_not_acted_on() -> None:
    gone = at("colour")
    gone.flow = "retired"
    patient = Patient(telegram_user_id=7, chat_id=7)
    reply = await engine(TOY).press(turn(gone, patient), FlowButton(3, "pick", Args(("red",))))
    assert keys(reply) == ["common.button_expired_idle"]


def test_every_registered_flow_is_well_formed() -> None:
    """Each flow of the table can be entered, and every step can be shown and answered."""
    commands = [flow.command for flow in FLOWS.values() if flow.command]
    assert len(commands) == len(set(commands))
    for name, flow in FLOWS.items():
        assert flow.name == name
        assert flow.enter is not None or flow.command is None
        for step in flow.steps.values():
            assert step.buttons or step.text or step.location, f"{name}: a step nobody can answer"
