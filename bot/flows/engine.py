"""The conversation engine: what every multi-step conversation needs, in one place.

A conversation is one database row per Telegram user (flow, step, revision, draft data),
locked by the update's :class:`~bot.turns.Turn`, so a restart or another instance picks up
exactly where the last update left it. The revision goes up whenever the question changes
and travels in every button, so a press on an older message is recognised as stale instead of
acted on; ``/cancel`` leaves a flow (or, for a flow that must be finished, pauses it until
``/start``); typed text and shared locations go to the step that is waiting for them.

A flow is a small module that declares its steps (:class:`Flow`, :class:`Step`): for each
step its screen, what each of its buttons does, and whether it accepts typed text or a
location. The flows are registered in one table, :data:`bot.flows.FLOWS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.callback_data import Args, FlowButton
from bot.domain.plans import Plan
from bot.domain.screens import Reply, Screen, Text, prepend, screen
from bot.turns import Turn
from content.catalog import Catalog
from content.models import City
from db.models import Conversation, Patient

IDLE = "idle"
NO_STEP = "none"

ButtonRule = Callable[["Ctx", Args], Awaitable[Reply]]
TextRule = Callable[["Ctx", str], Awaitable[Reply]]
LocationRule = Callable[["Ctx", float, float], Awaitable[Reply]]
EntryRule = Callable[["Ctx", str | None], Awaitable[Reply]]
LocateZone = Callable[[float, float], Awaitable[str | None]]


@dataclass(frozen=True)
class Step:
    """One question: how it is shown and what it accepts."""

    screen: Callable[[Ctx], Screen]
    buttons: Mapping[str, ButtonRule] = field(default_factory=dict)
    text: TextRule | None = None
    location: LocationRule | None = None
    # False: neither its screen nor its buttons read the patient's reminder slots, so a
    # press while the conversation is at this step is handled without loading them.
    reads_slots: bool = True


@dataclass(frozen=True)
class Flow:
    """A conversation: its steps, how it is entered, and what ``/cancel`` does to it.

    ``command`` is the slash command that opens it (``enter`` runs then, with the command's
    argument). A ``resumable`` flow is paused by ``/cancel`` and picked up again by its
    command; any other flow is left, with ``cancelled`` as the reply.

    ``entry_buttons`` open the flow from a message sent when no flow was running (an offer
    after set-up or after a check-in): PTB's ``ConversationHandler`` entry points, as buttons.
    Like every step's button they are valid only at the revision they were shown at.
    """

    name: str
    steps: Mapping[str, Step]
    cancelled: str
    command: str | None = None
    enter: EntryRule | None = None
    resumable: bool = False
    entry_buttons: Mapping[str, ButtonRule] = field(default_factory=dict)


@dataclass(frozen=True)
class FlowKit:
    """Content and services the flows' steps draw on, built once at start-up."""

    consent_version: str
    regions: Mapping[str, list[City]]
    locate_zone: LocateZone
    # The safety screen a new patient answers before their first drill: (language, zone).
    safety_screen: Callable[[str, str | None], Screen]
    # Each language's drills, lessons and check-in questions.
    catalog_for: Callable[[str | None], Catalog]
    # The plan a patient follows until a change is accepted or a therapist sets one.
    starter_plan: Plan


@dataclass
class Ctx:
    """What a step's rule works with: the update's turn and the conversation it is in."""

    turn: Turn
    engine: Engine

    @property
    def kit(self) -> FlowKit:
        return self.engine.kit

    @property
    def patient(self) -> Patient | None:
        return self.turn.patient

    @property
    def conversation(self) -> Conversation:
        assert self.turn.conversation is not None, "a step runs inside a conversation"
        return self.turn.conversation

    @property
    def data(self) -> dict[str, Any]:
        return self.conversation.data

    @data.setter
    def data(self, value: dict[str, Any]) -> None:
        self.conversation.data = value  # a new dict, so the ORM sees the change

    def update(self, **values: Any) -> None:
        self.data = {**self.data, **values}

    def require_patient(self) -> Patient:
        assert self.turn.patient is not None, "this step comes after consent"
        return self.turn.patient

    # -- moving ------------------------------------------------------------------------------

    def goto(self, step: str, flow: str | None = None) -> None:
        """Move to ``step`` (of ``flow``, else of the same flow): older buttons go stale."""
        conversation = self.conversation
        conversation.flow = flow or conversation.flow
        conversation.step = step
        self.touch(bump=True)

    def touch(self, *, bump: bool = False) -> None:
        """Record a change; ``bump`` makes the buttons already shown stale."""
        if bump:
            self.conversation.revision = (self.conversation.revision or 0) + 1
        self.conversation.updated_at = self.turn.now

    def end(self) -> None:
        """Leave the flow: nothing is pending any more."""
        self.goto(NO_STEP, IDLE)
        self.data = {}

    # -- replying ----------------------------------------------------------------------------

    def reply(self, *screens: Screen, **options: Any) -> Reply:
        """Screens in the patient's language, their buttons valid at the current revision."""
        revision = self.turn.conversation.revision if self.turn.conversation else 0
        return Reply(screens=screens, revision=revision, language=self.turn.language, **options)

    def say(
        self, key: str, *, toast: str | None = None, remove_reply_keyboard: bool = False
    ) -> Reply:
        return Reply(
            screens=(screen(key, remove_reply_keyboard=remove_reply_keyboard),),
            toast=Text(toast) if toast else None,
            language=self.turn.language,
        )

    def toast(self, text: Text) -> Reply:
        """A short notice on the pressed button; the question stays as it is."""
        return self.reply(toast=text)

    def prompt(self, *, in_place: bool = False) -> Reply:
        """The screen that asks for what the current step needs."""
        step = self.engine.step_of(self.conversation)
        shown = step.screen(self) if step else screen("common.nothing_pending")
        return self.reply(shown, replace_origin=in_place)

    def stale(self) -> Reply:
        """An old, paused or unreadable button: say so and ask again for what is pending."""
        if self.conversation.paused:
            return self.say("common.paused", toast="common.button_expired")
        self.touch(bump=True)
        reply = prepend(self.prompt(), Text("common.button_stale"))
        return dataclasses.replace(reply, toast=Text("common.button_expired"))

    def resume(self, note: str) -> Reply:
        """Pick a paused or interrupted flow up again at its step, with ``note`` above it."""
        self.conversation.paused = False
        self.touch(bump=True)
        return prepend(self.prompt(), Text(note))


class Engine:
    """Routes each kind of update to the flow and step the conversation is at."""

    def __init__(self, flows: Mapping[str, Flow], kit: FlowKit) -> None:
        self.flows = flows
        self.kit = kit
        self._commands = {flow.command: flow for flow in flows.values() if flow.command}
        self._entry_buttons: dict[str, ButtonRule] = {}
        for flow in flows.values():
            for action, rule in flow.entry_buttons.items():
                assert action not in self._entry_buttons, f"two flows open on {action!r}"
                self._entry_buttons[action] = rule

    @property
    def commands(self) -> tuple[str, ...]:
        return tuple(self._commands)

    def context(self, turn: Turn) -> Ctx:
        return Ctx(turn, self)

    def step_of(self, conversation: Conversation) -> Step | None:
        flow = self.flows.get(conversation.flow)
        return flow.steps.get(conversation.step) if flow else None

    def is_active(self, turn: Turn) -> bool:
        conversation = turn.conversation
        return conversation is not None and conversation.flow in self.flows

    async def command(self, turn: Turn, command: str, argument: str | None) -> Reply:
        """A flow's command (``/start``, ``/settings``, ...)."""
        flow = self._commands[command]
        assert flow.enter is not None
        return await flow.enter(self.context(turn), argument)

    async def cancel(self, turn: Turn) -> Reply:
        """``/cancel``: leave the current flow, or pause it until it is resumed."""
        ctx = self.context(turn)
        if not self.is_active(turn):
            return ctx.say("cancel.nothing")
        flow = self.flows[ctx.conversation.flow]
        if flow.resumable:
            ctx.conversation.paused = True
            ctx.touch(bump=True)
        else:
            ctx.end()
        return ctx.say(flow.cancelled, remove_reply_keyboard=True)

    async def press(self, turn: Turn, press: FlowButton | None) -> Reply:
        """A button of a step. ``None``: the button's data could not be read (forged or old).

        The turn may come without the patient's reminder slots: they are loaded here unless
        the conversation is at a step that never reads them (a press there runs one of its
        buttons or, stale, shows its screen again).
        """
        ctx = self.context(turn)
        conversation = turn.conversation
        at = self.step_of(conversation) if conversation and not conversation.paused else None
        if at is None or at.reads_slots:
            await turn.load_reminder_slots()
        if conversation is None or (conversation.flow == IDLE and turn.patient is None):
            return ctx.say("common.start_first", toast="common.button_expired")
        if press is None or press.revision != conversation.revision or conversation.paused:
            return ctx.stale()
        if not self.is_active(turn):
            entry = self._entry_buttons.get(press.action) if turn.patient else None
            if entry is None:
                return ctx.say("common.button_expired_idle", toast="common.button_expired")
            return await entry(ctx, press.args)
        step = self.step_of(conversation)
        rule = step.buttons.get(press.action) if step else None
        if rule is None:
            return ctx.stale()
        return await rule(ctx, press.args)

    async def text(self, turn: Turn, text: str) -> Reply | None:
        """Typed text. ``None`` when no flow is waiting for it: the caller decides."""
        ctx = self.context(turn)
        if not self.is_active(turn):
            return None if turn.patient is not None else ctx.say("common.start_first")
        if ctx.conversation.paused:
            return ctx.say("common.paused")
        step = self.step_of(ctx.conversation)
        if step is not None and step.text is not None:
            return await step.text(ctx, text)
        return prepend(ctx.prompt(), Text("common.use_buttons"))

    async def location(self, turn: Turn, latitude: float, longitude: float) -> Reply:
        """A shared location, for the step that asked for one; never stored."""
        ctx = self.context(turn)
        conversation = turn.conversation
        step = self.step_of(conversation) if conversation and not conversation.paused else None
        if step is None or step.location is None or turn.patient is None:
            return ctx.say("timezone.location_not_needed", remove_reply_keyboard=True)
        return await step.location(ctx, latitude, longitude)
