"""The therapist's plan editor: a patient's drills, each drill's dose, days a week and drills
per reminder, changed by buttons and saved in one go.

It opens from the patient's record ("Plan", :func:`begin`, after the caller checked the
patient is in the sender's care). The draft lives in the therapist's conversation row, so every
button carries the conversation's revision: a press on an older screen is stale and shows the
editor again. Every press asks :meth:`bot.turns.Turn.in_my_care` again before it reads or
changes anything: a patient who left, was discharged or moved to another therapist meanwhile
closes the editor. Drills are picked from the catalogue by method or by sign; a button names a
drill by its index in the catalogue's order (drill ids may be too long for a button), and only
drills the screen offered are taken.

Saving (:func:`bot.care.plans.save`) writes the plan, which reminders follow from their next
occurrence on, and tells the patient what changed. The rules (bounds, the change list) are
:mod:`bot.domain.therapist_plans`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

from bot.callback_data import Args
from bot.care import plans as care_plans
from bot.domain import therapist_plans as rules
from bot.domain.screens import Choice, Reply, Screen, Text, screen
from bot.domain.therapist_plans import PlanDose, PlanSnapshot
from bot.flows.engine import ButtonRule, Ctx, Flow, Step
from content.catalog import Catalog
from content.models import Drill
from db.care_queries import InCare

PLAN_EDITOR = "plan_editor"
PLAN, BROWSE, DRILLS, DRILL, DAYS, PER = "plan", "browse", "drills", "drill", "days", "per"
BY = ("method", "sign")
FIELDS = ("sets", "count")
EVERY_DAY = 0  # the "every reminder day" button's value

CheckedRule = Callable[[Ctx, InCare, Args], Awaitable[Reply]]


async def begin(ctx: Ctx, found: InCare) -> Reply:
    """Open the editor on the plan ``found`` follows now (a patient the caller checked is in
    the sender's care)."""
    plan, locked = await care_plans.current(ctx.turn, found, ctx.kit.starter_plan)
    await ctx.turn.conversation_row()
    ctx.goto(PLAN, PLAN_EDITOR)
    ctx.data = {
        "patient_id": found.patient.id,
        "name": found.name,
        "language": ctx.turn.language,
        "locked": locked,
        "draft": plan.as_json(),
    }
    return ctx.prompt()


# -- what every step shares --------------------------------------------------------------------


def _catalog(ctx: Ctx) -> Catalog:
    # A stale press is answered before any rule asks who the sender is: the editor speaks the
    # language it was opened in.
    language = ctx.data.get("language")
    if isinstance(language, str):
        ctx.turn.language = language
    return ctx.kit.catalog_for(ctx.turn.language)


def _draft(ctx: Ctx) -> PlanSnapshot:
    return PlanSnapshot.from_json(ctx.data.get("draft") or {})


def _keep(ctx: Ctx, draft: PlanSnapshot, **values: Any) -> None:
    ctx.update(draft=draft.as_json(), **values)


def _order(catalog: Catalog) -> tuple[str, ...]:
    """The catalogue's drills in the order buttons name them by (the same in every language)."""
    return tuple(sorted(drill.id for drill in catalog.drills))


def _known(catalog: Catalog, drill_id: str) -> Drill | None:
    return catalog.drill(drill_id) if drill_id in set(_order(catalog)) else None


def _name(catalog: Catalog, drill_id: str) -> str:
    drill = _known(catalog, drill_id)
    return drill.name if drill is not None else drill_id


def _dose_of(catalog: Catalog, draft: PlanSnapshot, drill_id: str) -> PlanDose | None:
    """The drill's dose in the draft: the therapist's, else the catalogue's."""
    drill = _known(catalog, drill_id)
    return draft.doses.get(drill_id) or (PlanDose.of(drill.dose) if drill else None)


def _dose_words(catalog: Catalog, draft: PlanSnapshot, drill_id: str) -> Text:
    dose = _dose_of(catalog, draft, drill_id)
    drill = _known(catalog, drill_id)
    if dose is None:
        return Text("plans.dose_catalogue")
    return rules.dose_text(dose, drill.dose.per_side if drill else False)


def _checked(rule: CheckedRule) -> ButtonRule:
    """A button of the editor: it acts only while the patient is in the sender's care."""

    async def run(ctx: Ctx, args: Args) -> Reply:
        patient_id = ctx.data.get("patient_id")
        found = await ctx.turn.in_my_care(patient_id) if isinstance(patient_id, int) else None
        if found is None:
            ctx.end()
            return Reply(
                screens=(screen("therapist.not_in_care"),),
                toast=Text("therapist.not_in_care_toast"),
                language=ctx.turn.language,
            )
        return await rule(ctx, found, args)

    return run


def _show(ctx: Ctx, step: str, toast: Text | None = None) -> Reply:
    """Go to ``step`` and show it in place of the pressed message (older buttons go stale)."""
    ctx.goto(step)
    return dataclasses.replace(ctx.prompt(in_place=True), toast=toast)


# -- the plan ------------------------------------------------------------------------------------


def _plan_screen(ctx: Ctx) -> Screen:
    catalog = _catalog(ctx)
    draft = _draft(ctx)
    lines: list[Text] = [
        Text(
            "plans.editor.drill_line",
            {
                "number": number,
                "drill": _name(catalog, drill_id),
                "dose": _dose_words(catalog, draft, drill_id),
            },
        )
        for number, drill_id in enumerate(draft.drills, start=1)
    ]
    body = (
        Text("plans.editor.title", {"name": ctx.data.get("name", "")}),
        *(lines or [Text("plans.editor.empty")]),
        Text(
            "plans.editor.settings",
            {
                "days": rules.days_text(draft.days_per_week),
                "count": draft.drills_per_reminder,
            },
        ),
        Text("plans.editor.locked" if ctx.data.get("locked") else "plans.editor.unlocked"),
    )
    drill_rows = tuple(
        (Choice(f"✏️ {number}. {_name(catalog, drill_id)}", "drill", number - 1),)
        for number, drill_id in enumerate(draft.drills, start=1)
    )
    return Screen(
        body=body,
        choices=(
            *drill_rows,
            (
                Choice(Text("plans.buttons.add_by_method"), "browse", "method"),
                Choice(Text("plans.buttons.add_by_sign"), "browse", "sign"),
            ),
            (
                Choice(Text("plans.buttons.days"), "days_menu"),
                Choice(Text("plans.buttons.per_reminder"), "per_menu"),
            ),
            (
                Choice(Text("plans.buttons.save"), "save"),
                Choice(Text("plans.buttons.close"), "close"),
            ),
        ),
    )


async def _open_drill(ctx: Ctx, found: InCare, args: Args) -> Reply:
    draft = _draft(ctx)
    index = args.number(0, range(len(draft.drills)))
    if index is None:
        return ctx.stale()
    ctx.update(drill=draft.drills[index])
    return _show(ctx, DRILL)


async def _browse(ctx: Ctx, found: InCare, args: Args) -> Reply:
    by = args.text(0, BY)
    if by is None:
        return ctx.stale()
    ctx.update(by=by)
    return _show(ctx, BROWSE)


async def _days_menu(ctx: Ctx, found: InCare, args: Args) -> Reply:
    return _show(ctx, DAYS)


async def _per_menu(ctx: Ctx, found: InCare, args: Args) -> Reply:
    return _show(ctx, PER)


async def _save(ctx: Ctx, found: InCare, args: Args) -> Reply:
    draft = _draft(ctx)
    if not rules.can_save(draft):
        return ctx.toast(Text("plans.editor.need_drill"))
    therapist = await ctx.turn.therapist()
    assert therapist is not None  # in_my_care found the patient in this therapist's care
    catalog = _catalog(ctx)

    def catalogue(drill_id: str) -> PlanDose | None:
        drill = _known(catalog, drill_id)
        return PlanDose.of(drill.dose) if drill else None

    told = await care_plans.save(ctx.turn, therapist, found, draft, ctx.kit.starter_plan, catalogue)
    ctx.end()
    name = found.name
    outcome = (
        Text("plans.saved_told", {"name": name, "changes": rules.describe(catalog, told)})
        if told
        else Text("plans.saved_unchanged", {"name": name})
    )
    return Reply(
        screens=(Screen(body=(Text("plans.saved"), outcome)),),
        replace_origin=True,
        toast=Text("plans.saved_toast"),
        language=ctx.turn.language,
    )


async def _close(ctx: Ctx, found: InCare, args: Args) -> Reply:
    ctx.end()
    return Reply(screens=(screen("plans.closed"),), replace_origin=True, language=ctx.turn.language)


# -- adding drills -------------------------------------------------------------------------------


def _groups(catalog: Catalog, by: str) -> tuple[tuple[str, str], ...]:
    """(id, label) of every method, or every sign, in the catalogue's order."""
    found = catalog.methods if by == "method" else catalog.signs
    return tuple((group.id, group.label) for group in found)


def _browse_screen(ctx: Ctx) -> Screen:
    catalog = _catalog(ctx)
    by = ctx.data.get("by", "method")
    groups = _groups(catalog, by)
    return Screen(
        body=(Text(f"plans.editor.pick_{by}"),),
        choices=(
            *((Choice(label, "group", index),) for index, (_id, label) in enumerate(groups)),
            (Choice(Text("plans.buttons.back_to_plan"), "plan"),),
        ),
    )


async def _group(ctx: Ctx, found: InCare, args: Args) -> Reply:
    groups = _groups(_catalog(ctx), ctx.data.get("by", "method"))
    index = args.number(0, range(len(groups)))
    if index is None:
        return ctx.stale()
    ctx.update(group=groups[index][0])
    return _show(ctx, DRILLS)


def _offered(catalog: Catalog, by: str, group: str) -> tuple[Drill, ...]:
    """The drills of one method or sign; none for a group that left the catalogue."""
    groups = {group_id for group_id, _label in _groups(catalog, by)}
    if group not in groups:
        return ()
    return catalog.drills_for_method(group) if by == "method" else catalog.drills_for_sign(group)


def _drills_screen(ctx: Ctx) -> Screen:
    catalog = _catalog(ctx)
    by, group = ctx.data.get("by", "method"), ctx.data.get("group", "")
    labels = dict(_groups(catalog, by))
    draft = _draft(ctx)
    order = _order(catalog)
    rows = tuple(
        (
            Choice(
                f"{'✓' if drill.id in draft.drills else '➕'} {drill.name}",
                "add",
                order.index(drill.id),
            ),
        )
        for drill in _offered(catalog, by, group)
    )
    return Screen(
        body=(
            Text("plans.editor.drills_of", {"group": labels.get(group, group)}),
            Text("plans.editor.plan_size", {"count": len(draft.drills), "max": rules.MAX_DRILLS}),
        ),
        choices=(
            *rows,
            (
                Choice(Text("plans.buttons.back_to_groups"), "browse", by),
                Choice(Text("plans.buttons.back_to_plan"), "plan"),
            ),
        ),
    )


async def _add(ctx: Ctx, found: InCare, args: Args) -> Reply:
    catalog = _catalog(ctx)
    order = _order(catalog)
    index = args.number(0, range(len(order)))
    offered = {
        drill.id
        for drill in _offered(catalog, ctx.data.get("by", "method"), ctx.data.get("group", ""))
    }
    if index is None or order[index] not in offered:
        return ctx.stale()  # a drill this screen did not offer
    drill_id = order[index]
    draft = _draft(ctx)
    if drill_id in draft.drills:
        return ctx.toast(Text("plans.editor.already"))
    added = rules.add_drill(draft, drill_id)
    if added == draft:
        return ctx.toast(Text("plans.editor.full", {"max": rules.MAX_DRILLS}))
    _keep(ctx, added)
    return _show(ctx, DRILLS, Text("plans.editor.added", {"drill": _name(catalog, drill_id)}))


async def _back_to_plan(ctx: Ctx, found: InCare, args: Args) -> Reply:
    return _show(ctx, PLAN)


# -- one drill's dose ----------------------------------------------------------------------------


def _drill_screen(ctx: Ctx) -> Screen:
    catalog = _catalog(ctx)
    draft = _draft(ctx)
    drill_id = ctx.data.get("drill", "")
    drill = _known(catalog, drill_id)
    dose = _dose_of(catalog, draft, drill_id)
    body: list[Text] = [
        Text(
            "plans.editor.drill",
            {"drill": _name(catalog, drill_id), "dose": _dose_words(catalog, draft, drill_id)},
        )
    ]
    if drill is not None:
        body.append(Text("plans.editor.catalogue_dose", {"dose": drill.dose.text}))
    rows: list[tuple[Choice, ...]] = []
    if dose is not None:
        unit = "reps" if dose.measure is rules.Measure.REPS else "hold"
        rows.append(
            (
                Choice(Text("plans.buttons.sets_less"), "less", "sets", 1),
                Choice(Text("plans.buttons.sets_more"), "more", "sets", 1),
            )
        )
        steps = rules.BOUNDS[dose.measure].steps
        rows.append(
            (
                *(
                    Choice(
                        Text(f"plans.buttons.{unit}_less", {"step": step}), "less", "count", step
                    )
                    for step in reversed(steps)
                ),
                *(
                    Choice(
                        Text(f"plans.buttons.{unit}_more", {"step": step}), "more", "count", step
                    )
                    for step in steps
                ),
            )
        )
        if drill is not None and drill_id in draft.doses:
            rows.append((Choice(Text("plans.buttons.catalogue_dose"), "reset"),))
    rows.append(
        (
            Choice(Text("plans.buttons.remove"), "remove"),
            Choice(Text("plans.buttons.back_to_plan"), "plan"),
        )
    )
    return Screen(body=tuple(body), choices=tuple(rows))


def _move(direction: int) -> CheckedRule:
    async def move(ctx: Ctx, found: InCare, args: Args) -> Reply:
        catalog = _catalog(ctx)
        draft = _draft(ctx)
        drill_id = ctx.data.get("drill", "")
        dose = _dose_of(catalog, draft, drill_id)
        field = args.text(0, FIELDS)
        if dose is None or field is None or drill_id not in draft.drills:
            return ctx.stale()
        bound = rules.SETS if field == "sets" else rules.BOUNDS[dose.measure]
        step = args.number(1, bound.steps)
        if step is None:
            return ctx.stale()
        _keep(ctx, rules.set_dose(draft, drill_id, dose.moved(field, direction * step)))
        return _show(ctx, DRILL)

    return move


async def _reset(ctx: Ctx, found: InCare, args: Args) -> Reply:
    draft = _draft(ctx)
    drill_id = ctx.data.get("drill", "")
    doses = {key: dose for key, dose in draft.doses.items() if key != drill_id}
    _keep(ctx, PlanSnapshot(draft.drills, doses, draft.days_per_week, draft.drills_per_reminder))
    return _show(ctx, DRILL)


async def _remove(ctx: Ctx, found: InCare, args: Args) -> Reply:
    catalog = _catalog(ctx)
    drill_id = ctx.data.get("drill", "")
    _keep(ctx, rules.remove_drill(_draft(ctx), drill_id))
    return _show(ctx, PLAN, Text("plans.editor.removed", {"drill": _name(catalog, drill_id)}))


# -- days a week, drills per reminder ------------------------------------------------------------


def _days_screen(ctx: Ctx) -> Screen:
    draft = _draft(ctx)
    days = range(rules.DAYS_PER_WEEK.low, rules.DAYS_PER_WEEK.high + 1)
    return Screen(
        body=(Text("plans.editor.days_question", {"days": rules.days_text(draft.days_per_week)}),),
        choices=(
            tuple(Choice(str(count), "days", count) for count in days),
            (Choice(Text("plans.buttons.every_day"), "days", EVERY_DAY),),
            (Choice(Text("plans.buttons.back_to_plan"), "plan"),),
        ),
    )


async def _set_days(ctx: Ctx, found: InCare, args: Args) -> Reply:
    allowed = range(EVERY_DAY, rules.DAYS_PER_WEEK.high + 1)
    days = args.number(0, allowed)
    if days is None:
        return ctx.stale()
    draft = _draft(ctx)
    chosen = None if days == EVERY_DAY else days
    _keep(ctx, PlanSnapshot(draft.drills, draft.doses, chosen, draft.drills_per_reminder))
    return _show(ctx, PLAN)


def _per_screen(ctx: Ctx) -> Screen:
    draft = _draft(ctx)
    counts = range(rules.DRILLS_PER_REMINDER.low, rules.DRILLS_PER_REMINDER.high + 1)
    return Screen(
        body=(Text("plans.editor.per_question", {"count": draft.drills_per_reminder}),),
        choices=(
            tuple(Choice(str(count), "per", count) for count in counts),
            (Choice(Text("plans.buttons.back_to_plan"), "plan"),),
        ),
    )


async def _set_per(ctx: Ctx, found: InCare, args: Args) -> Reply:
    bound = rules.DRILLS_PER_REMINDER
    count = args.number(0, range(bound.low, bound.high + 1))
    if count is None:
        return ctx.stale()
    draft = _draft(ctx)
    _keep(ctx, PlanSnapshot(draft.drills, draft.doses, draft.days_per_week, count))
    return _show(ctx, PLAN)


def _step(screen_of: Callable[[Ctx], Screen], buttons: dict[str, CheckedRule]) -> Step:
    return Step(
        screen=screen_of,
        buttons={action: _checked(rule) for action, rule in buttons.items()},
        reads_slots=False,
    )


FLOW = Flow(
    name=PLAN_EDITOR,
    cancelled="plans.closed",
    steps={
        PLAN: _step(
            _plan_screen,
            {
                "drill": _open_drill,
                "browse": _browse,
                "days_menu": _days_menu,
                "per_menu": _per_menu,
                "save": _save,
                "close": _close,
            },
        ),
        BROWSE: _step(_browse_screen, {"group": _group, "plan": _back_to_plan}),
        DRILLS: _step(_drills_screen, {"add": _add, "browse": _browse, "plan": _back_to_plan}),
        DRILL: _step(
            _drill_screen,
            {
                "less": _move(-1),
                "more": _move(1),
                "reset": _reset,
                "remove": _remove,
                "plan": _back_to_plan,
            },
        ),
        DAYS: _step(_days_screen, {"days": _set_days, "plan": _back_to_plan}),
        PER: _step(_per_screen, {"per": _set_per, "plan": _back_to_plan}),
    },
)
