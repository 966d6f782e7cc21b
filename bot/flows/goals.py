"""``/goals``: the patient's own goals (the Patient-Specific Functional Scale).

The patient names up to three everyday activities that are hard for them and rates each 0-10;
every four weeks they are asked to rate them again and shown the change. ``/goals`` lists them
with their first and latest score and lets the patient rate them again, rename, remove or add
one. The rules (limits, when goals are due, the change) live in :mod:`bot.domain.goals`.

Typed activity names reach a step here only after the red-flag check of every typed message
(:mod:`bot.handlers.flow`) found nothing in them; a red flag is answered there and the step
goes on waiting.

For other flows (``/progress``, the end of a check-in):

- :func:`bot.domain.goals.due` (``patient.goals_asked_at``, now): whether goals were never
  asked or are due again (28 days after the last rating or skip); ``goals_asked_at is None``
  means never asked.
- :func:`offer`: enter this flow's first step from another flow's rule (naming goals when
  there are none, else rating them again) and return its prompt. Return its reply as the
  last one: its buttons carry the revision it moved the conversation to.
- :func:`due_offer`: the "Rate your goals again" (or "Name your goals") screen with its
  "Skip for now" button when due, else ``None``. Add it to a reply built *after*
  ``ctx.end()``: its buttons open this flow from an idle conversation
  (``Flow.entry_buttons``), at the revision the reply carries.
- :func:`current_lines`: the goals for display, a title and a line per goal with its first
  and latest score and the change (:func:`bot.domain.goals.goal_lines` over plain values).
"""

from __future__ import annotations

from typing import Any

from bot.callback_data import Args
from bot.domain import goals as rules
from bot.domain.goals import ActivityProblem, GoalScores
from bot.domain.screens import Reply, Screen, Text, in_place, prepend, screen
from bot.flows.engine import Ctx, Flow, Step
from bot.flows.summary import ONBOARDING

GOALS = "goals"
NAME, RATE, MENU, GOAL, RENAME, REMOVE = "name", "rate", "menu", "goal", "rename", "remove"
# Where rating goes after the last goal: the /goals menu, or the end with the change shown.
THEN_MENU, THEN_DONE = "menu", "done"


# -- for other flows ---------------------------------------------------------------------------


async def offer(ctx: Ctx) -> Reply:
    """Go to this flow's first step (name a goal when there are none, else rate them all
    again) and return its prompt."""
    goals = await ctx.turn.goals()
    if goals:
        return _rate(ctx, goals, THEN_DONE)
    return _ask_name(ctx, 0)


async def due_offer(ctx: Ctx) -> Screen | None:
    """The offer to name or rate goals again when it is due, else ``None``."""
    patient, now = ctx.patient, ctx.turn.now
    if patient is None or not rules.due(patient.goals_asked_at, now):
        return None  # most of the time: no query at all
    kind = rules.offer_due(patient.goals_asked_at, bool(await ctx.turn.goals()), now)
    return rules.offer_screen(kind) if kind else None


async def current_lines(ctx: Ctx) -> tuple[Text, ...]:
    """The patient's goals for display, first and latest score each; ``()`` without goals."""
    return rules.goal_lines(await ctx.turn.goals())


# -- entering ----------------------------------------------------------------------------------


async def _enter(ctx: Ctx, _argument: str | None) -> Reply:
    """``/goals``: the goals and what can be done with them, or naming the first one."""
    patient, turn = ctx.patient, ctx.turn
    if patient is None or patient.onboarded_at is None:
        if turn.conversation is not None and turn.conversation.flow == ONBOARDING:
            return ctx.resume("settings.finish_setup_first")
        return ctx.say("common.start_first")
    await turn.conversation_row()
    goals = await turn.goals()
    if not goals:
        return _ask_name(ctx, 0)
    return _menu(ctx, goals)


async def _entry_name(ctx: Ctx, _args: Args) -> Reply:
    """An offer's "Name my goals": naming, or (named since) the menu."""
    goals = await ctx.turn.goals()
    return in_place(_menu(ctx, goals) if goals else _ask_name(ctx, 0))


async def _entry_rate(ctx: Ctx, _args: Args) -> Reply:
    """An offer's "Rate my goals again"."""
    return in_place(await offer(ctx))


async def _entry_skip(ctx: Ctx, _args: Args) -> Reply:
    """An offer's "Skip for now": asked again in four weeks."""
    ctx.turn.record_goals_asked()
    return in_place(ctx.reply(screen("goals.skipped")))


# -- naming ------------------------------------------------------------------------------------


def _ask_name(ctx: Ctx, current: int, *notes: Text) -> Reply:
    ctx.data = {"count": current}
    ctx.goto(NAME, GOALS)
    return _with_notes(ctx.prompt(), notes)


async def _named(ctx: Ctx, typed: str) -> Reply:
    activity = rules.read_activity(typed)
    ctx.touch(bump=True)  # the question is asked again below: the older copy goes stale
    if isinstance(activity, ActivityProblem):
        return prepend(ctx.prompt(), Text(f"goals.{activity}", {"limit": rules.ACTIVITY_MAX}))
    goals = await ctx.turn.goals()
    if not rules.can_add(len(goals)):
        return _done(ctx, goals, Text("goals.full", {"limit": rules.MAX_GOALS}))
    if any(goal.activity.casefold() == activity.casefold() for goal in goals):
        return prepend(ctx.prompt(), Text("goals.duplicate", {"activity": activity}))
    ctx.data = {"rating": {"id": None, "activity": activity, "last": None}}
    ctx.goto(RATE)
    return ctx.prompt()


async def _enough(ctx: Ctx, _args: Args) -> Reply:
    """The naming question's "That's all" (the goals named so far, and when they are asked
    again), or with none named its "Skip for now" (asked again in four weeks)."""
    goals = await ctx.turn.goals()
    if goals:
        return in_place(_done(ctx, goals))
    ctx.turn.record_goals_asked()
    ctx.end()
    return in_place(ctx.reply(screen("goals.skipped")))


# -- rating ------------------------------------------------------------------------------------


def _rate(ctx: Ctx, goals: list[GoalScores], then: str, *notes: Text) -> Reply:
    """Rate ``goals`` again, one after the other, then go on to ``then``."""
    queue = [{"id": goal.id, "activity": goal.activity, "last": goal.latest} for goal in goals]
    ctx.data = {"rating": queue[0], "queue": queue[1:], "total": len(queue), "then": then}
    ctx.goto(RATE, GOALS)
    return _with_notes(ctx.prompt(), notes)


def _rate_screen(ctx: Ctx) -> Screen:
    rating: dict[str, Any] = ctx.data.get("rating") or {}
    activity = str(rating.get("activity", ""))
    if rating.get("id") is None:
        return rules.rate_screen(activity)
    total = int(ctx.data.get("total", 1))
    position = total - len(ctx.data.get("queue", []))
    last = rating.get("last")
    return rules.rate_screen(activity, last if isinstance(last, int) else None, (position, total))


async def _score_pressed(ctx: Ctx, args: Args) -> Reply:
    score = args.number(0, rules.SCORES)
    if score is None:
        return ctx.stale()
    return in_place(await _rated(ctx, score))


async def _score_typed(ctx: Ctx, typed: str) -> Reply:
    score = rules.read_score(typed)
    if score is None:
        ctx.touch(bump=True)  # asked again below: the older copy goes stale
        return prepend(ctx.prompt(), Text("goals.score_unreadable"))
    return await _rated(ctx, score)


async def _rated(ctx: Ctx, score: int) -> Reply:
    """Store a rating (with its goal, for a goal just named) and go on."""
    rating: dict[str, Any] = ctx.data.get("rating") or {}
    activity = str(rating.get("activity", ""))
    saved = Text("goals.saved", {"activity": activity, "score": score})
    if rating.get("id") is None:
        turn = ctx.turn
        if not await turn.add_goal(activity, score):
            return _done(ctx, await turn.goals(), Text("goals.full", {"limit": rules.MAX_GOALS}))
        goals = await turn.goals()
        if rules.can_add(len(goals)):
            return _ask_name(ctx, len(goals), saved)
        return _done(ctx, goals, saved)
    # A goal removed meanwhile (from another device) is passed over.
    rated = await ctx.turn.rate_goal(int(rating["id"]), score)
    notes = (saved,) if rated else ()
    queue: list[dict[str, Any]] = list(ctx.data.get("queue", []))
    if queue:
        ctx.update(rating=queue[0], queue=queue[1:])
        ctx.goto(RATE)
        return _with_notes(ctx.prompt(), notes)
    goals = await ctx.turn.goals()
    if ctx.data.get("then") == THEN_MENU:
        return _menu(ctx, goals, *notes)
    return _done(ctx, goals, *notes)


def _done(ctx: Ctx, goals: list[GoalScores], *notes: Text) -> Reply:
    """End with the goals, their change, and when they are asked again."""
    ctx.end()
    body = (*notes, *rules.goal_lines(goals), Text("goals.next_time"))
    return ctx.reply(Screen(body=body))


# -- the menu and one goal ---------------------------------------------------------------------


def _menu(ctx: Ctx, goals: list[GoalScores], *notes: Text) -> Reply:
    """The goals, as stored now, with what can be done with them; naming one if none is left."""
    if not goals:
        return _ask_name(ctx, 0, *notes)
    patient = ctx.require_patient()
    ctx.data = {
        "goals": [goal.as_data() for goal in goals],
        "due": rules.due(patient.goals_asked_at, ctx.turn.now),
    }
    ctx.goto(MENU, GOALS)
    return _with_notes(ctx.prompt(), notes)


def _menu_screen(ctx: Ctx) -> Screen:
    goals = [GoalScores.from_data(goal) for goal in ctx.data.get("goals", [])]
    return rules.menu_screen(goals, bool(ctx.data.get("due")))


async def _rate_all(ctx: Ctx, _args: Args) -> Reply:
    goals = await ctx.turn.goals()
    if not goals:
        return in_place(_ask_name(ctx, 0))
    return in_place(_rate(ctx, goals, THEN_DONE))


async def _open_goal(ctx: Ctx, args: Args) -> Reply:
    shown = {int(goal["id"]): goal for goal in ctx.data.get("goals", [])}
    goal_id = args.number(0, shown)
    if goal_id is None:
        return ctx.stale()
    ctx.data = {"goal": shown[goal_id]}
    ctx.goto(GOAL)
    return ctx.prompt(in_place=True)


async def _add(ctx: Ctx, _args: Args) -> Reply:
    goals = await ctx.turn.goals()
    if not rules.can_add(len(goals)):
        return ctx.toast(Text("goals.full", {"limit": rules.MAX_GOALS}))
    return in_place(_ask_name(ctx, len(goals)))


async def _close(ctx: Ctx, _args: Args) -> Reply:
    ctx.end()
    return in_place(ctx.reply(screen("goals.closed")))


def _goal(ctx: Ctx) -> GoalScores:
    return GoalScores.from_data(ctx.data["goal"])


async def _back_to_menu(ctx: Ctx, _args: Args, *notes: Text) -> Reply:
    return in_place(_menu(ctx, await ctx.turn.goals(), *notes))


async def _rate_one(ctx: Ctx, _args: Args) -> Reply:
    goal_id = _goal(ctx).id
    goals = [goal for goal in await ctx.turn.goals() if goal.id == goal_id]
    if not goals:
        return await _back_to_menu(ctx, _args)
    return in_place(_rate(ctx, goals, THEN_MENU))


async def _go(ctx: Ctx, step: str) -> Reply:
    ctx.goto(step)
    return ctx.prompt(in_place=True)


async def _ask_rename(ctx: Ctx, _args: Args) -> Reply:
    return await _go(ctx, RENAME)


async def _ask_remove(ctx: Ctx, _args: Args) -> Reply:
    return await _go(ctx, REMOVE)


async def _back_to_goal(ctx: Ctx, _args: Args) -> Reply:
    return await _go(ctx, GOAL)


async def _renamed(ctx: Ctx, typed: str) -> Reply:
    activity = rules.read_activity(typed)
    ctx.touch(bump=True)  # asked again (or left) below: the older copy goes stale
    if isinstance(activity, ActivityProblem):
        return prepend(ctx.prompt(), Text(f"goals.{activity}", {"limit": rules.ACTIVITY_MAX}))
    goal = _goal(ctx)
    goals = await ctx.turn.goals()
    if any(g.id != goal.id and g.activity.casefold() == activity.casefold() for g in goals):
        return prepend(ctx.prompt(), Text("goals.duplicate", {"activity": activity}))
    renamed = await ctx.turn.rename_goal(goal.id, activity)
    notes = (Text("goals.renamed", {"activity": activity}),) if renamed else ()
    return _menu(ctx, await ctx.turn.goals(), *notes)


async def _removed(ctx: Ctx, args: Args) -> Reply:
    goal = _goal(ctx)
    removed = await ctx.turn.remove_goal(goal.id)
    notes = (Text("goals.removed", {"activity": goal.activity}),) if removed else ()
    return await _back_to_menu(ctx, args, *notes)


def _with_notes(reply: Reply, notes: tuple[Text, ...]) -> Reply:
    for note in reversed(notes):
        reply = prepend(reply, note)
    return reply


FLOW = Flow(
    name=GOALS,
    command="goals",
    enter=_enter,
    cancelled="goals.cancelled",
    entry_buttons={
        rules.ENTRY_NAME: _entry_name,
        rules.ENTRY_RATE: _entry_rate,
        rules.ENTRY_SKIP: _entry_skip,
    },
    steps={
        NAME: Step(
            lambda ctx: rules.name_screen(int(ctx.data.get("count", 0))),
            {"skip": _enough, "enough": _enough},
            text=_named,
        ),
        RATE: Step(_rate_screen, {"score": _score_pressed}, text=_score_typed),
        MENU: Step(
            _menu_screen,
            {"rate_all": _rate_all, "goal": _open_goal, "add": _add, "close": _close},
        ),
        GOAL: Step(
            lambda ctx: rules.goal_screen(_goal(ctx)),
            {
                "rate": _rate_one,
                "rename": _ask_rename,
                "remove": _ask_remove,
                "back": _back_to_menu,
            },
        ),
        RENAME: Step(
            lambda ctx: rules.rename_screen(_goal(ctx)), {"back": _back_to_goal}, text=_renamed
        ),
        REMOVE: Step(
            lambda ctx: rules.remove_screen(_goal(ctx)), {"yes": _removed, "no": _back_to_goal}
        ),
    },
)
