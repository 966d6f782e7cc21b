"""A patient's one reply to their therapist's note.

"Reply" under a note is a reminder button on the note's ledger row (:mod:`bot.outbox.notes`):
it names the row, which must be this patient's note. The patient then types their reply.
Like every word a patient types, it is read for red flags first (:mod:`bot.handlers.flow`): a
red flag gets the safety wording at once and is neither stored nor forwarded, and the reply
is still open. One reply per note; a note from a therapist who no longer cares for the
patient cannot be answered.
"""

from __future__ import annotations

from bot.care import patients
from bot.care.patients import ReplyOutcome
from bot.domain.patient_record import NOTE_LIMIT, NoteProblem, note_problem
from bot.domain.screens import Choice, Reply, Screen, Text, prepend, screen
from bot.flows.engine import Ctx, Flow, Step
from bot.flows.summary import ONBOARDING
from bot.outbox import notes

NOTE_REPLY = "note_reply"
WRITE = "write"
# The reminder-button actions this flow answers (see bot.handlers.reminders).
REMINDER_ACTIONS = frozenset({notes.REPLY_ACTION})


def _said(ctx: Ctx, key: str, toast: str | None = None, **params: object) -> Reply:
    return Reply(
        screens=(Screen(body=(Text(key, params),)),),
        toast=Text(toast) if toast else None,
        language=ctx.turn.language,
    )


async def reminder_press(ctx: Ctx, delivery_id: int) -> Reply:
    """ "Reply" under a note: ask for the reply, if the note may still be answered."""
    delivery = await ctx.turn.reminder(delivery_id)
    if delivery is None or delivery.kind != notes.NOTE or delivery.subject_id is None:
        return Reply(toast=Text("common.button_expired"), language=ctx.turn.language)
    conversation = ctx.turn.conversation
    if conversation is not None and conversation.flow == ONBOARDING:
        return ctx.say("settings.finish_setup_first", toast="common.button_expired")
    state = await patients.note_state(ctx.turn, delivery.subject_id)
    if state.outcome is ReplyOutcome.ALREADY:
        return _said(ctx, "notes.already_replied", "notes.already_replied_toast")
    if state.outcome is not ReplyOutcome.OPEN:
        return _said(ctx, "notes.reply_closed", "common.button_expired")
    await ctx.turn.conversation_row()
    ctx.goto(WRITE, NOTE_REPLY)
    ctx.data = {"note_id": delivery.subject_id, "name": state.therapist_name}
    return ctx.prompt()


def _write_screen(ctx: Ctx) -> Screen:
    return Screen(
        body=(Text("notes.reply_write", {"name": ctx.data.get("name", ""), "limit": NOTE_LIMIT}),),
        choices=((Choice(Text("notes.buttons.cancel"), "cancel"),),),
    )


async def _typed(ctx: Ctx, text: str) -> Reply:
    note_id = ctx.data.get("note_id")
    problem = note_problem(text)
    if problem is NoteProblem.EMPTY:
        return ctx.prompt()
    if problem is NoteProblem.TOO_LONG:
        too_long = Text("notes.too_long", {"limit": NOTE_LIMIT, "length": len(text.strip())})
        return prepend(ctx.prompt(), too_long)
    state = await patients.reply_to_note(ctx.turn, int(note_id or 0), text)
    ctx.end()
    if state.outcome is ReplyOutcome.SENT:
        return _said(ctx, "notes.reply_sent", name=state.therapist_name)
    if state.outcome is ReplyOutcome.ALREADY:
        return _said(ctx, "notes.already_replied")
    return _said(ctx, "notes.reply_closed")


async def _cancel(ctx: Ctx, _args: object) -> Reply:
    ctx.end()
    return Reply(
        screens=(screen("notes.reply_cancelled"),),
        replace_origin=True,
        language=ctx.turn.language,
    )


FLOW = Flow(
    name=NOTE_REPLY,
    steps={WRITE: Step(_write_screen, {"cancel": _cancel}, text=_typed, reads_slots=False)},
    cancelled="notes.reply_cancelled",
)
