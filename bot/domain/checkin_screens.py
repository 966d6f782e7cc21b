"""What a check-in looks like: each question with its buttons, and what the answers led to.

The buttons of a question belong to the check-in conversation (valid at its revision, so a
second tap or an old message is recognised). The buttons under a finished check-in (add a
note, take up a suggested change) answer the reminder it followed, like the reminder's own.
"""

from __future__ import annotations

import html

from bot.domain.checkins import Ask, Question
from bot.domain.progression import ChangeStatus, Direction, Suggestion
from bot.domain.safety import PAIN_SCALE
from bot.domain.screens import Choice, Markup, Scope, Screen, Text
from content.catalog import Catalog
from content.models import Drill
from db.models import PlanChange

EFFORT_QUESTION = "effort"


def _heading(catalog: Catalog, drill: Drill, position: int, count: int) -> Text:
    if count == 1:
        return Text("checkin.heading", {"drill": drill.name})
    return Text("checkin.heading_of", {"drill": drill.name, "position": position, "count": count})


def _pain_rows(action: str, *fixed: str | int) -> tuple[tuple[Choice, ...], ...]:
    """0-10 on two rows a thumb can reach: 0-5, then 6-10."""
    buttons = [Choice(str(value), action, *fixed, value) for value in PAIN_SCALE]
    return (tuple(buttons[:6]), tuple(buttons[6:]))


def question_screen(
    catalog: Catalog, drills: tuple[Drill, ...], checkin_ids: tuple[int, ...], question: Question
) -> Screen:
    """The next question of a check-in, with its buttons."""
    index = question.index
    checkin_id = checkin_ids[index]
    drill = drills[index]
    if question.ask is Ask.PAIN_NOW:
        heading = Text("checkin.heading_all")
        prompt = Markup(catalog.render_checkin_prompt("pain_now"))
        return Screen(body=(heading, prompt), choices=_pain_rows("pn"))
    heading = _heading(catalog, drill, index + 1, len(drills))
    if question.ask is Ask.PAIN_DURING:
        prompt = Markup(catalog.render_checkin_prompt("pain_during"))
        return Screen(body=(heading, prompt), choices=_pain_rows("pd", checkin_id))
    if question.ask is Ask.FORM:
        form = next(q for q in drill.form_questions if q.id == question.form_question)
        rows = tuple(
            (Choice(option.label, "f", checkin_id, form.id, option.id),) for option in form.options
        )
        return Screen(body=(heading, Markup(html.escape(form.text, quote=False))), choices=rows)
    effort = catalog.checkin_question(EFFORT_QUESTION)
    rows = tuple((Choice(option.label, "e", checkin_id, option.id),) for option in effort.options)
    return Screen(body=(heading, Markup(html.escape(effort.text, quote=False))), choices=rows)


def advice_line(catalog: Catalog, drill: Drill, advice: str, reason: str) -> Text | None:
    """What the pain rules' verdict means for the patient, in a sentence; None when fine."""
    if advice == "stop":
        key = "checkin.stop_above_usual" if reason == "above_baseline" else "checkin.stop"
        return Text(key, {"drill": drill.name})
    if advice == "easier":
        easier = catalog.drill(drill.easier).name if drill.easier else (drill.easier_tip or "")
        key = "checkin.easier_rising" if reason == "rising" else "checkin.easier"
        return Text(key, {"drill": drill.name, "easier": easier})
    return None


def suggestion_body(
    catalog: Catalog, drill: Drill, suggestion: Suggestion, target: str | None
) -> Text:
    """The suggested change in a sentence: the neighbouring drill, or else the drill's tip."""
    harder = suggestion.direction is Direction.HARDER
    reason = Text(f"checkin.reason.{suggestion.reason}")
    if target is not None:
        key = "checkin.suggest_harder" if harder else "checkin.suggest_easier"
        return Text(
            key, {"drill": drill.name, "target": catalog.drill(target).name, "reason": reason}
        )
    tip = (drill.harder_tip if harder else drill.easier_tip) or ""
    key = "checkin.suggest_harder_tip" if harder else "checkin.suggest_easier_tip"
    return Text(key, {"drill": drill.name, "tip": tip, "reason": reason})


def result_choices(
    change_id: int | None, has_target: bool, note_for: int | None
) -> tuple[tuple[Choice, ...], ...]:
    """Under a finished check-in: take up or decline a suggested change, add a note."""
    rows: list[tuple[Choice, ...]] = []
    if change_id is not None:
        accept = "buttons.checkin_accept" if has_target else "buttons.checkin_accept_tip"
        rows.append(
            (
                Choice(Text(accept), "accept", change_id, scope=Scope.REMINDER),
                Choice(Text("buttons.checkin_decline"), "decline", change_id, scope=Scope.REMINDER),
            )
        )
    if note_for is not None:
        rows.append(
            (Choice(Text("buttons.checkin_add_note"), "note", note_for, scope=Scope.REMINDER),)
        )
    return tuple(rows)


def finish_choice() -> tuple[Choice, ...]:
    """On an answered reminder whose check-in is not finished: pick it up again."""
    return (Choice(Text("buttons.checkin_finish"), "checkin", scope=Scope.REMINDER),)


def decision_screen(catalog: Catalog, change: PlanChange) -> Screen:
    """What taking up or declining a suggested change did to the plan."""
    known = {drill.id for drill in catalog.drills}
    drill = catalog.drill(change.from_drill).name if change.from_drill in known else ""
    if change.status == ChangeStatus.LOCKED:
        return Screen(body=(Text("checkin.locked"),))
    if change.status != ChangeStatus.ACCEPTED:  # declined, or the drill left the plan
        return Screen(body=(Text("checkin.declined", {"drill": drill}),))
    if change.to_drill is not None and change.to_drill in known:
        target = catalog.drill(change.to_drill).name
        return Screen(body=(Text("checkin.accepted", {"drill": drill, "target": target}),))
    source = catalog.drill(change.from_drill) if change.from_drill in known else None
    harder = change.direction == Direction.HARDER
    tip = (source.harder_tip if harder else source.easier_tip) if source else None
    return Screen(body=(Text("checkin.accepted_tip", {"tip": tip or ""}),))


# A drill a pain rule stopped comes back when the patient confirms a therapist cleared them
# for it (a two-step confirmation, like a safety hold); these buttons act on the sender's own
# stopped drill, whenever they are pressed.
DRILL_CLEARED, DRILL_CONFIRM, DRILL_NOT_YET = "drill_ok", "drill_yes", "drill_no"


def stopped_screen(line: Text, drill: Drill) -> Screen:
    """The stop notice, and the way back once the therapist has cleared the drill."""
    cleared = Choice(
        Text("buttons.checkin_drill_cleared"), DRILL_CLEARED, drill.id, scope=Scope.SAFETY
    )
    return Screen(body=(line,), choices=((cleared,),))


def confirm_drill_cleared(drill: Drill) -> Screen:
    yes = Choice(Text("buttons.checkin_drill_confirm"), DRILL_CONFIRM, drill.id, scope=Scope.SAFETY)
    no = Choice(Text("buttons.checkin_drill_not_yet"), DRILL_NOT_YET, drill.id, scope=Scope.SAFETY)
    return Screen(
        body=(Text("checkin.drill_cleared_ask", {"drill": drill.name}),), choices=((yes,), (no,))
    )
