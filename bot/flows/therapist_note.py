"""A therapist writes a short note to one of their patients: typed, shown once more, sent.

The note is opened from the patient's record ("Send note", :mod:`bot.handlers.patients`). The
therapist types it (a therapist's words are never read for red flags: they write about their
patients, see :mod:`bot.handlers.flow`), sees it as the patient will, and sends it, edits it
or drops it; ``/cancel`` drops it too. The patient must still be in the therapist's care when
it is sent: that is checked again at each step, on the server.
"""

from __future__ import annotations

from bot.callback_data import Args
from bot.care import patients
from bot.care.patients import InCare
from bot.domain.patient_record import NOTE_LIMIT, NoteProblem, note_problem
from bot.domain.screens import Choice, Reply, Screen, Text, prepend, screen
from bot.flows.engine import Ctx, Flow, Step

THERAPIST_NOTE = "therapist_note"
WRITE, CONFIRM = "write", "confirm"


async def begin(ctx: Ctx, found: InCare) -> Reply:
    """Start a note to ``found`` (a patient the caller checked is in the sender's care)."""
    await ctx.turn.conversation_row()
    ctx.goto(WRITE, THERAPIST_NOTE)
    ctx.data = {"patient_id": found.patient.id, "name": found.name}
    return ctx.prompt()


def _write_screen(ctx: Ctx) -> Screen:
    return Screen(
        body=(Text("notes.write", {"name": ctx.data.get("name", ""), "limit": NOTE_LIMIT}),),
        choices=((Choice(Text("notes.buttons.cancel"), "cancel"),),),
    )


def _confirm_screen(ctx: Ctx) -> Screen:
    return Screen(
        body=(
            Text("notes.confirm", {"name": ctx.data.get("name", "")}),
            Text("notes.preview", {"body": ctx.data.get("body", "")}),
        ),
        choices=(
            (
                Choice(Text("notes.buttons.send"), "send"),
                Choice(Text("notes.buttons.edit"), "edit"),
            ),
            (Choice(Text("notes.buttons.cancel"), "cancel"),),
        ),
    )


async def _still_in_care(ctx: Ctx) -> InCare | None:
    patient_id = ctx.data.get("patient_id")
    return await ctx.turn.in_my_care(patient_id) if isinstance(patient_id, int) else None


def _gone(ctx: Ctx) -> Reply:
    ctx.end()
    return Reply(screens=(screen("therapist.not_in_care"),), language=ctx.turn.language)


async def _typed(ctx: Ctx, text: str) -> Reply:
    if await _still_in_care(ctx) is None:
        return _gone(ctx)
    problem = note_problem(text)
    if problem is NoteProblem.EMPTY:
        return ctx.prompt()
    if problem is NoteProblem.TOO_LONG:
        too_long = Text("notes.too_long", {"limit": NOTE_LIMIT, "length": len(text.strip())})
        return prepend(ctx.prompt(), too_long)
    ctx.update(body=text.strip())
    ctx.goto(CONFIRM)
    return ctx.prompt()


async def _send(ctx: Ctx, _args: Args) -> Reply:
    found = await _still_in_care(ctx)
    therapist = await ctx.turn.therapist()
    if found is None or therapist is None:
        return _gone(ctx)
    await patients.send_note(ctx.turn, therapist, found, str(ctx.data.get("body", "")))
    ctx.end()
    sent = Screen(body=(Text("notes.sent", {"name": found.name}),))
    return Reply(
        screens=(sent,),
        replace_origin=True,
        toast=Text("notes.sent_toast"),
        language=ctx.turn.language,
    )


async def _edit(ctx: Ctx, _args: Args) -> Reply:
    ctx.goto(WRITE)
    return ctx.prompt()


async def _cancel(ctx: Ctx, _args: Args) -> Reply:
    ctx.end()
    return Reply(
        screens=(screen("notes.cancelled"),), replace_origin=True, language=ctx.turn.language
    )


FLOW = Flow(
    name=THERAPIST_NOTE,
    steps={
        WRITE: Step(_write_screen, {"cancel": _cancel}, text=_typed, reads_slots=False),
        CONFIRM: Step(
            _confirm_screen,
            {"send": _send, "edit": _edit, "cancel": _cancel},
            reads_slots=False,
        ),
    },
    cancelled="notes.cancelled",
)
