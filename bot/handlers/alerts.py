"""The "Acknowledge" button under a therapist alert (the alerts themselves are an outbox
kind, :mod:`bot.outbox.alerts`).

The button names a safety event; the rule acknowledges it only if its patient is in the
sender's care now (checked on the server by :mod:`bot.care.alerts`), then shows the alert
again in place, acknowledged, without the button. A second press, a press on someone else's
alert, a forged or stale button: a friendly answer, and nothing changes.
"""

from __future__ import annotations

from bot.callback_data import Args
from bot.care import alerts as care
from bot.domain.alerts import ACK_ACTION, alert_screen
from bot.domain.screens import Reply, Text
from bot.handlers.therapist import ButtonRule, not_in_care
from bot.turns import Therapist, Turn

# Any positive database id.
EVENT_IDS = range(1, 2**63)


async def acknowledge(turn: Turn, therapist: Therapist, args: Args) -> Reply:
    event_id = args.number(0, EVENT_IDS)
    result = await care.acknowledge(turn, therapist, event_id) if event_id else None
    if result is None or result.view is None:
        return not_in_care(turn)
    view = result.view
    assert view.acknowledged_local is not None
    toast = (
        Text("alerts.already_acknowledged", {"when": view.acknowledged_local.strftime("%H:%M")})
        if result.already
        else Text("alerts.ack_toast")
    )
    return Reply(
        screens=(alert_screen(view),), replace_origin=True, toast=toast, language=turn.language
    )


ACTIONS: dict[str, ButtonRule] = {ACK_ACTION: acknowledge}
