"""`FakeTelegram`: one emulated Telegram, the bot's side and the users' side of it."""

from __future__ import annotations

from emulator.api import BotApi
from emulator.observe import Observation
from emulator.users import SimulatedUsers


class FakeTelegram(BotApi, SimulatedUsers, Observation):
    """An in-memory Telegram Bot API with simulated users.

    It keeps chats, messages, files and pending updates, answers Bot API calls with
    Telegram's response envelopes (and Telegram's error texts for the mistakes a bot typically
    makes), and lets tests or a terminal act as the people on the other side. It knows
    nothing about HTTP: `emulator.request.EmulatorRequest` plugs it into PTB in-process and
    `emulator.server.EmulatorServer` serves it over loopback HTTP.

    - Bot side (`BotApi`): `call`, what the transports use.
    - User side (`SimulatedUsers`): the ``user_*`` methods and `group_message`, each of
      which enqueues one Bot API update and returns it.
    - Observation (`Observation`): `messages` & co., `subscribe`, `wait_for`.

    Args:
        bot_token: the token the bot must use (``<bot id>:<secret>``).
        bot_username: the bot's @username (without "@").
        clock: returns the current time as an aware UTC datetime (message dates, how long
            a live location lasts). Defaults to the real time.
        flood_limits: enable 429 flood control; off when None.
        monotonic: returns seconds for the flood-control windows; defaults to time.monotonic.
        bot_first_name: the bot's name as users see it.
        history_limit: messages kept per chat (the oldest are forgotten).
    """
