"""The check-in after a drill: pain during it, its form question(s), effort, then pain now.

It starts when the patient presses Done on a reminder (or types "done", or sends /checkin
after pressing Done elsewhere). Every answer is stored as it is given and the next question
is always the first one not yet answered (:func:`bot.domain.checkins.next_question`), so a
check-in left half-way is picked up where it stopped: from the reminder's "Finish the
check-in" button, /checkin, or a typed "done".

The last answer completes it: the pain rules (:mod:`bot.domain.pain_rules`) judge each drill
(easier next time, or stop it and contact the therapist, with a safety event; a high pain
answer is followed by the red-flag screen), progression (:mod:`bot.domain.progression`) may
suggest the easier or harder version, and the patient may add a note.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.callback_data import Args
from bot.domain import checkin_screens as screens
from bot.domain import pain_rules, reminder_screens
from bot.domain.checkins import (
    EFFORTS,
    Answers,
    Ask,
    Question,
    event_to_store,
    next_question,
    typed_pain,
    worst_form,
)
from bot.domain.pain_rules import Advice
from bot.domain.progression import neighbour, suggest
from bot.domain.reminder_rules import Kind
from bot.domain.safety import PAIN_SCALE
from bot.domain.screens import Choice, Reply, Screen, Text, prepend, with_origin
from bot.flows import goals
from bot.flows.engine import Ctx, Flow, Step
from bot.turns import Turn
from content.catalog import Catalog
from content.models import Drill
from db.models import CheckIn

CHECKIN = "checkin"
ASK = "ask"
NOTE = "note"
# A check-in left half-way can be finished for this long after the drills.
RESUMABLE_FOR = timedelta(days=2)
# Presses on a reminder (or the message under a finished check-in) that this module answers.
REMINDER_ACTIONS = frozenset({"done", "checkin", "note", "accept", "decline"})
CHECKIN_SOURCE = "checkin"
# The ledger rows whose Done means drills were done: a reminder and its snoozes.
DRILL_KINDS = frozenset({Kind.REMINDER, Kind.SNOOZE})
NOTE_LIMIT = 500

# Stores one answer on the check-in (of those shown) that the question asked about.
Recorder = Callable[[list["CheckIn"], Question], None]


# -- the conversation's state ---------------------------------------------------------------


def _catalog(ctx: Ctx) -> Catalog:
    return ctx.kit.catalog_for(ctx.turn.language)


def _question(ctx: Ctx) -> Question | None:
    stored = ctx.data.get("q")
    if not stored:
        return None
    return Question(Ask(stored["ask"]), stored["index"], stored.get("form"))


def _drills(catalog: Catalog, checkins: list[CheckIn]) -> tuple[Drill, ...]:
    return tuple(catalog.drill(checkin.drill_id) for checkin in checkins)


def _known(catalog: Catalog, checkins: list[CheckIn]) -> list[CheckIn]:
    """Check-ins of drills that still exist (a drill removed from the content is left out)."""
    known = {drill.id for drill in catalog.drills}
    return [checkin for checkin in checkins if checkin.drill_id in known]


def _next(catalog: Catalog, checkins: list[CheckIn]) -> Question | None:
    answers = [
        Answers(c.pain_during, c.pain_now, c.form, c.effort, stopped=c.pain_advice == Advice.STOP)
        for c in checkins
    ]
    forms = [[q.id for q in drill.form_questions] for drill in _drills(catalog, checkins)]
    return next_question(answers, forms)


def _ask_screen(ctx: Ctx) -> Screen:
    catalog = _catalog(ctx)
    question = _question(ctx)
    if question is None:
        return Screen(body=(Text("checkin.complete"),))
    drills = tuple(catalog.drill(drill_id) for drill_id in ctx.data["drills"])
    return screens.question_screen(catalog, drills, tuple(ctx.data["ids"]), question)


async def begin(ctx: Ctx, delivery_id: int | None, ids: list[int]) -> Reply:
    """Open the check-in ``ids`` at its first unanswered question."""
    await ctx.turn.conversation_row()
    catalog = _catalog(ctx)
    checkins = _known(catalog, await ctx.turn.checkins(ids))
    question = _next(catalog, checkins)
    if question is None:
        return ctx.say("checkin.complete")
    ctx.goto(ASK, CHECKIN)
    ctx.conversation.paused = False  # a paused set-up gives way; /start picks it up again
    ctx.data = {
        "ids": [checkin.id for checkin in checkins],
        "drills": [checkin.drill_id for checkin in checkins],
        "delivery": delivery_id,
        "q": _stored(question),
    }
    return ctx.prompt()


def _stored(question: Question) -> dict[str, object]:
    return {"ask": question.ask.value, "index": question.index, "form": question.form_question}


# -- answers --------------------------------------------------------------------------------


async def _answer(ctx: Ctx, expected: Ask, checkin_id: int | None, record: Recorder) -> Reply:
    """Store one answer if it answers the question being asked, then ask the next."""
    question = _question(ctx)
    ids = ctx.data.get("ids", [])
    if question is None or question.ask is not expected:
        return ctx.stale()
    if checkin_id is not None and ids[question.index] != checkin_id:
        return ctx.stale()
    catalog = _catalog(ctx)
    checkins = _known(catalog, await ctx.turn.checkins(ids))
    if len(checkins) != len(ids):  # a check-in was erased meanwhile
        ctx.end()
        return ctx.say("checkin.complete")
    record(checkins, question)
    stopped: tuple[Screen, ...] = ()
    if question.ask is Ask.PAIN_DURING:
        stopped = await _stop_at_once(ctx, catalog, checkins[question.index])
    following = _next(catalog, checkins)
    if following is None:
        return await _complete(ctx, catalog, checkins, stopped)
    ctx.update(q=_stored(following))
    ctx.touch(bump=True)
    if stopped:  # the question turns into the stop notice; the next question follows
        return ctx.reply(*stopped, _ask_screen(ctx), replace_origin=True)
    return ctx.prompt(in_place=True)


def _pain_during(value: int) -> Recorder:
    def store(checkins: list[CheckIn], question: Question) -> None:
        checkins[question.index].pain_during = value

    return store


def _pain_now(value: int) -> Recorder:
    def store(checkins: list[CheckIn], question: Question) -> None:
        for checkin in checkins:
            checkin.pain_now = value

    return store


def _effort(value: str) -> Recorder:
    def store(checkins: list[CheckIn], question: Question) -> None:
        checkins[question.index].effort = value

    return store


async def _pain_during_button(ctx: Ctx, args: Args) -> Reply:
    checkin_id, value = args.number(0, range(2**31)), args.number(1, PAIN_SCALE)
    if checkin_id is None or value is None:
        return ctx.stale()
    return await _answer(ctx, Ask.PAIN_DURING, checkin_id, _pain_during(value))


async def _pain_now_button(ctx: Ctx, args: Args) -> Reply:
    value = args.number(0, PAIN_SCALE)
    if value is None:
        return ctx.stale()
    return await _answer(ctx, Ask.PAIN_NOW, None, _pain_now(value))


async def _effort_button(ctx: Ctx, args: Args) -> Reply:
    checkin_id, value = args.number(0, range(2**31)), args.text(1, EFFORTS)
    if checkin_id is None or value is None:
        return ctx.stale()
    return await _answer(ctx, Ask.EFFORT, checkin_id, _effort(value))


async def _form_button(ctx: Ctx, args: Args) -> Reply:
    checkin_id = args.number(0, range(2**31))
    question = _question(ctx)
    if checkin_id is None or question is None or question.ask is not Ask.FORM:
        return ctx.stale()
    drill = _catalog(ctx).drill(ctx.data["drills"][question.index])
    form = next((q for q in drill.form_questions if q.id == question.form_question), None)
    if form is None or args.text(1) != form.id:  # a form answer for another drill or question
        return ctx.stale()
    options = {option.id: option.score for option in form.options}
    option = args.text(2, options)
    if option is None:
        return ctx.stale()

    def store(checkins: list[CheckIn], asked: Question) -> None:
        checkin = checkins[asked.index]
        checkin.form = {**checkin.form, form.id: option}
        scores = {q.id: {o.id: o.score for o in q.options} for q in drill.form_questions}
        checkin.form_score = worst_form(
            [scores[qid][oid] for qid, oid in checkin.form.items() if oid in scores.get(qid, {})]
        )

    return await _answer(ctx, Ask.FORM, checkin_id, store)


async def _typed(ctx: Ctx, text: str) -> Reply:
    """A typed number at a pain question is the score; anything else is asked again."""
    question = _question(ctx)
    if question is None or question.ask not in (Ask.PAIN_DURING, Ask.PAIN_NOW):
        return prepend(ctx.prompt(), Text("common.use_buttons"))
    value = typed_pain(text)
    if value is None:
        return prepend(ctx.prompt(), Text("checkin.type_a_number"))
    if question.ask is Ask.PAIN_NOW:
        return await _answer(ctx, Ask.PAIN_NOW, None, _pain_now(value))
    return await _answer(ctx, Ask.PAIN_DURING, None, _pain_during(value))


# -- the end of a check-in ------------------------------------------------------------------


async def _baseline(ctx: Ctx, started: datetime, pains: list[int]) -> float | None:
    """The patient's usual pain before this check-in began (see pain_rules.baseline), looked
    up only if it can change the verdict on one of ``pains``; else None."""
    if not any(pain_rules.baseline_matters(pain) for pain in pains):
        return None
    since = started - timedelta(days=pain_rules.BASELINE_DAYS)
    return pain_rules.baseline(await ctx.turn.pain_scores(since, started))


def _red_flag_screen(ctx: Ctx) -> Screen:
    """The red-flag screen that follows a high pain answer."""
    patient = ctx.turn.patient
    safety = ctx.kit.safety_screen(ctx.turn.language, patient.timezone if patient else None)
    return dataclasses.replace(safety, body=(Text("checkin.screen_after_pain"), *safety.body))


async def _stop_at_once(ctx: Ctx, catalog: Catalog, checkin: CheckIn) -> tuple[Screen, ...]:
    """Pain during the drill high enough on its own to stop it: stopped now, reported now,
    and the red-flag screen now, whether or not the rest of the check-in is answered."""
    assert checkin.pain_during is not None
    base = await _baseline(ctx, checkin.started_at, [checkin.pain_during])
    verdict = pain_rules.after_drill(checkin.pain_during, None, base)
    if verdict.advice is not Advice.STOP:
        return ()
    checkin.pain_advice = verdict.advice
    if verdict.level is not None:
        ctx.turn.report_pain(verdict.level, verdict.reason, CHECKIN_SOURCE)
    await ctx.turn.stop_drill(checkin.drill_id, verdict.reason)
    drill = catalog.drill(checkin.drill_id)
    line = screens.advice_line(catalog, drill, verdict.advice, verdict.reason)
    assert line is not None
    stop = screens.stopped_screen(line, drill)
    return (stop, _red_flag_screen(ctx)) if verdict.screen_red_flags else (stop,)


async def _complete(
    ctx: Ctx, catalog: Catalog, checkins: list[CheckIn], shown_before: tuple[Screen, ...]
) -> Reply:
    """Judge the answers, store what they mean and show it; the conversation ends.

    ``shown_before``: a stop notice the last answer led to, shown first.
    """
    turn = ctx.turn
    # The verdicts below judge pain during alone, and the higher of the two answers.
    pains = [
        pain
        for c in checkins
        if c.pain_during is not None
        for pain in (c.pain_during, max(c.pain_during, c.pain_now or 0))
    ]
    base = await _baseline(ctx, min(checkin.started_at for checkin in checkins), pains)
    lines: list[Text] = [Text("checkin.saved")]
    high_pain = False
    stopped: set[str] = set()
    notices: list[Screen] = []  # a stop notice per drill stopped by pain now
    for checkin, drill in zip(checkins, _drills(catalog, checkins), strict=True):
        checkin.completed_at = turn.now
        assert checkin.pain_during is not None
        # What the pain-during answer alone already stopped and reported (_stop_at_once).
        early = pain_rules.after_drill(checkin.pain_during, None, base)
        stopped_early = early.advice is Advice.STOP
        verdict = pain_rules.after_drill(checkin.pain_during, checkin.pain_now, base)
        checkin.pain_advice = verdict.advice
        level = event_to_store(early.level if stopped_early else None, verdict.level)
        if level is not None:
            turn.report_pain(level, verdict.reason, CHECKIN_SOURCE)
        if verdict.advice is Advice.STOP:
            stopped.add(drill.id)
            await turn.stop_drill(drill.id, verdict.reason)
        if stopped_early:
            continue  # its notice and the red-flag screen were shown at the answer
        high_pain = high_pain or verdict.screen_red_flags
        line = screens.advice_line(catalog, drill, verdict.advice, verdict.reason)
        if verdict.advice is Advice.STOP and line is not None:
            notices.append(screens.stopped_screen(line, drill))
        elif line is not None:
            lines.append(line)
    change_id, has_target = await _suggestion(ctx, catalog, checkins, stopped, lines)
    delivery_id = ctx.data.get("delivery")
    ctx.end()
    result = Screen(
        body=tuple(lines),
        choices=screens.result_choices(change_id, has_target, checkins[0].id),
    )
    flags: tuple[Screen, ...] = (_red_flag_screen(ctx),) if high_pain else ()
    # Goals due to be rated again (every four weeks): offered here, unless pain came first.
    offer = None if high_pain or shown_before else await goals.due_offer(ctx)
    flags += (offer,) if offer is not None else ()
    return ctx.reply(*shown_before, result, *flags, replace_origin=True, subject=delivery_id or 0)


async def _suggestion(
    ctx: Ctx, catalog: Catalog, checkins: list[CheckIn], stopped: set[str], lines: list[Text]
) -> tuple[int | None, bool]:
    """Progression: the first drill of the check-in with a suggested change, recorded and
    worded (appended to ``lines``); its id and whether it names a drill (else a tip)."""
    locked = await ctx.turn.plan_locked()
    for drill in _drills(catalog, checkins):
        if drill.id in stopped:
            continue
        suggestion = suggest(await ctx.turn.drill_outcomes(drill.id), locked=locked)
        if suggestion is None:
            continue
        target = neighbour(drill, suggestion.direction)
        lines.append(screens.suggestion_body(catalog, drill, suggestion, target))
        return await ctx.turn.suggest_change(drill.id, target, suggestion), target is not None
    return None, False


# -- a stopped drill cleared by the therapist -----------------------------------------------


async def drill_clearance(turn: Turn, catalog: Catalog, action: str, drill_id: str) -> Reply:
    """ "My therapist cleared me for this drill", confirmed: the drill a pain rule stopped
    comes back to the reminders. Acts on the sender's own stop only."""
    known = {drill.id: drill for drill in catalog.drills}
    drill = known.get(drill_id)
    if drill is None or turn.patient is None:
        return Reply(toast=Text("common.button_expired"))
    if action == screens.DRILL_CLEARED:
        shown = screens.confirm_drill_cleared(drill)
    elif action == screens.DRILL_CONFIRM:
        if not await turn.clear_drill_stop(drill.id):
            return Reply(toast=Text("checkin.drill_not_stopped"), language=turn.language)
        shown = Screen(body=(Text("checkin.drill_cleared", {"drill": drill.name}),))
    else:  # not yet
        line = screens.advice_line(catalog, drill, Advice.STOP, "high")
        assert line is not None
        shown = screens.stopped_screen(line, drill)
    return Reply(screens=(shown,), replace_origin=True, language=turn.language)


# -- the note -------------------------------------------------------------------------------


def _note_screen(ctx: Ctx) -> Screen:
    return Screen(
        body=(Text("checkin.note_ask"),),
        choices=((Choice(Text("buttons.checkin_skip_note"), "skip"),),),
    )


async def _note_typed(ctx: Ctx, text: str) -> Reply:
    # Typed text reaches here only after the red-flag check found nothing in it.
    checkins = await ctx.turn.checkins([ctx.data.get("note_for", 0)])
    if checkins:
        checkins[0].note = text.strip()[:NOTE_LIMIT]
    ctx.end()
    return ctx.say("checkin.note_saved")


async def _note_skipped(ctx: Ctx, _args: Args) -> Reply:
    ctx.end()
    return dataclasses.replace(ctx.say("checkin.note_skipped"), replace_origin=True)


# -- entering: /checkin, a typed "done", the reminder's buttons ----------------------------


async def enter(ctx: Ctx, _argument: str | None) -> Reply:
    """/checkin (or a typed "done"): finish the check-in left half-way, or check in on
    today's reminder the patient has not answered yet."""
    turn = ctx.turn
    if turn.patient is None:
        return ctx.say("common.start_first")
    delivery_id, ids = await turn.unfinished_checkin(RESUMABLE_FOR)
    if ids:
        return prepend(await begin(ctx, delivery_id, ids), Text("checkin.resume"))
    delivery = await turn.todays_unanswered_reminder()
    if delivery is None or delivery.kind not in DRILL_KINDS:
        return ctx.say("checkin.nothing_open")
    return await begin(ctx, delivery.id, await turn.record_done(delivery))


async def reminder_press(ctx: Ctx, delivery_id: int, action: str, args: Args) -> Reply:
    """Done on a reminder, "Finish the check-in", "Add a note", and a suggested change taken
    up or declined: each checked against the sender before anything is read or changed."""
    turn = ctx.turn
    delivery = await turn.reminder(delivery_id)
    if delivery is None or turn.patient is None or delivery.kind not in DRILL_KINDS:
        return Reply(toast=Text("common.button_expired"))  # not theirs, or not a drill reminder
    catalog = _catalog(ctx)
    if action == "done":
        if delivery.response is not None:
            return ctx.reply(toast=Text("reminder.already_answered"))
        ids = await turn.record_done(delivery)
        answered = reminder_screens.answered_screen(
            catalog,
            delivery.drills,
            delivery.late,
            Text("reminder.done"),
            doses=reminder_screens.shown_doses(delivery.payload),
        )
        answered = dataclasses.replace(answered, choices=(screens.finish_choice(),))
        started = await begin(ctx, delivery.id, ids)
        reply = with_origin(answered, started)
        return dataclasses.replace(reply, toast=Text("reminder.done_toast"), subject=delivery.id)
    if action == "checkin":
        ids = await turn.checkin_ids_of(delivery.id)
        if not ids:
            return ctx.reply(toast=Text("common.button_expired"))
        return await begin(ctx, delivery.id, ids)
    if action == "note":
        note_for = args.number(0, range(2**31))
        ids = await turn.checkin_ids_of(delivery.id)
        if note_for is None or note_for not in ids:
            return ctx.reply(toast=Text("common.button_expired"))
        await turn.conversation_row()
        ctx.goto(NOTE, CHECKIN)
        ctx.data = {"note_for": note_for}
        return ctx.prompt()
    change_id = args.number(0, range(2**31))
    if change_id is None:
        return ctx.reply(toast=Text("common.button_expired"))
    decided = await turn.decide_change(
        change_id, accept=action == "accept", starter=ctx.kit.starter_plan
    )
    if decided is None:
        return ctx.reply(toast=Text("checkin.change_gone"))
    return ctx.reply(screens.decision_screen(catalog, decided))


FLOW = Flow(
    name=CHECKIN,
    steps={
        ASK: Step(
            _ask_screen,
            buttons={
                "pd": _pain_during_button,
                "f": _form_button,
                "e": _effort_button,
                "pn": _pain_now_button,
            },
            text=_typed,
            reads_slots=False,
        ),
        NOTE: Step(_note_screen, buttons={"skip": _note_skipped}, text=_note_typed),
    },
    cancelled="checkin.cancelled",
    command="checkin",
    enter=enter,
    # /cancel leaves it: the answers are stored, and /checkin or "done" picks it up again.
    resumable=False,
)
