"""The conversations the bot holds, one module each, registered in one table.

A new flow is a module that declares its steps (see :mod:`bot.flows.engine`) and one line here.
"""

from __future__ import annotations

from bot.flows import (
    care_link,
    checkin,
    goals,
    note_reply,
    onboarding,
    plan_editor,
    progress,
    reminder_menu,
    settings,
    therapist_note,
)
from bot.flows.engine import Flow

FLOWS: dict[str, Flow] = {
    flow.name: flow
    for flow in (
        onboarding.FLOW,
        settings.FLOW,
        reminder_menu.FLOW,
        checkin.FLOW,
        goals.FLOW,
        progress.FLOW,
        therapist_note.FLOW,
        note_reply.FLOW,
        care_link.FLOW,
        plan_editor.FLOW,
    )
}
