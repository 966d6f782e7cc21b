"""Drive the real Application through a fake Telegram, as a patient would.

Each patient action goes through the emulator (which builds the update Telegram would send),
then straight into ``Application.process_update``: no polling, no sleeping, and the bot's
replies are in the emulator's chat history when the call returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import SecretStr
from telegram import Update

from bot.app import build_application, build_services
from bot.context import ReedApplication
from bot.flows.engine import LocateZone
from bot.outbox import WaveStats
from bot.settings import Settings
from emulator import FakeChat, FakeTelegram, FakeUser, StoredMessage
from emulator.request import EmulatorRequest

TOKEN = "123456:TEST-TOKEN"


@dataclass
class FrozenClock:
    """A clock that moves only when a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Bot:
    """One running bot instance (one process) on a shared fake Telegram and database."""

    def __init__(
        self,
        telegram: FakeTelegram,
        database_url: str,
        clock: FrozenClock,
        locate_zone: LocateZone | None = None,
        lease_seconds: float = 120,
    ) -> None:
        self.telegram = telegram
        self.request = EmulatorRequest(telegram)
        settings = Settings(
            telegram_bot_token=SecretStr(TOKEN),
            database_url=database_url,
            # Pacing real time between sends would only slow the tests down; the priority
            # limiter has tests of its own.
            telegram_rate_limit=0,
            reminder_claim_lease_seconds=lease_seconds,
            _env_file=None,
        )
        self.services = build_services(settings, clock=clock, locate_zone=locate_zone)
        self.application: ReedApplication = build_application(
            settings, services=self.services, request=self.request
        )

    async def start(self) -> None:
        await self.application.initialize()

    async def stop(self) -> None:
        await self.application.shutdown()

    async def dispatch(self) -> WaveStats:
        """One run of the outbox (reminders and all), at the clock's current time."""
        return await self.services.outbox.run_once(self.application.bot)

    async def deliver_pending(self) -> None:
        """Process every update Telegram holds for the bot, in order."""
        for data in self.telegram.pop_pending_updates():
            update = Update.de_json(data, self.application.bot)
            await self.application.process_update(update)


class PatientChat:
    """A patient in their private chat with the bot."""

    def __init__(self, telegram: FakeTelegram, user: FakeUser, bot: Bot) -> None:
        self.telegram = telegram
        self.user = user
        self.bot = bot
        self._seen = 0

    @property
    def chat_id(self) -> int:
        return self.user.id

    async def _after(self, _update: Any) -> list[StoredMessage]:
        await self.bot.deliver_pending()
        return self.new_messages()

    def new_messages(self) -> list[StoredMessage]:
        """Bot messages sent since the last time this was asked."""
        messages = self.telegram.bot_messages(self.chat_id) if self._has_chat() else []
        fresh = [message for message in messages if message.message_id > self._seen]
        if messages:
            self._seen = max(message.message_id for message in messages)
        return fresh

    def _has_chat(self) -> bool:
        try:
            self.telegram.messages(self.chat_id)
        except (KeyError, LookupError):
            return False
        return True

    @property
    def last(self) -> StoredMessage:
        """The latest bot message in its current state (after any edits)."""
        return self.telegram.last_bot_message(self.chat_id)

    def last_with_buttons(self) -> StoredMessage:
        for message in reversed(self.telegram.bot_messages(self.chat_id)):
            if message.buttons:
                return message
        raise AssertionError("the bot has sent no message with buttons")

    def current(self, message: StoredMessage) -> StoredMessage:
        return self.telegram.message(self.chat_id, message.message_id)

    async def send(self, text: str) -> list[StoredMessage]:
        return await self._after(self.telegram.user_sends_text(self.user, text))

    async def press(self, label: str, message: StoredMessage | None = None) -> list[StoredMessage]:
        """Press a button (on the latest message with buttons, unless told which).

        Returns the pressed message as it is afterwards (it may have been edited), then any
        new messages.
        """
        target = message or self.last_with_buttons()
        update = self.telegram.user_presses(target.message_id, label, chat_id=self.chat_id)
        fresh = await self._after(update)
        return [self.current(target), *fresh]

    async def forge_button(self, data: str, message_id: int) -> list[StoredMessage]:
        return await self._after(
            self.telegram.user_sends_callback_data(self.user, message_id, data)
        )

    async def share_location(self, latitude: float, longitude: float) -> list[StoredMessage]:
        return await self._after(self.telegram.user_sends_location(self.user, latitude, longitude))

    async def send_sticker(self) -> list[StoredMessage]:
        return await self._after(self.telegram.user_sends_sticker(self.user))

    async def edit(self, message_id: int, text: str) -> list[StoredMessage]:
        return await self._after(self.telegram.user_edits_message(self.user, message_id, text))

    async def block(self) -> None:
        await self._after(self.telegram.user_blocks_bot(self.user))

    async def unblock(self) -> None:
        await self._after(self.telegram.user_unblocks_bot(self.user))

    async def in_group(self, group: FakeChat, text: str) -> list[StoredMessage]:
        self.telegram.group_message(self.user, group, text)
        await self.bot.deliver_pending()
        return [m for m in self.telegram.bot_messages(group.id)]

    def last_user_message_id(self) -> int:
        mine = [m for m in self.telegram.messages(self.chat_id) if not m.from_bot]
        return mine[-1].message_id


def texts(messages: list[StoredMessage]) -> str:
    """Everything the patient saw in these messages, as one string."""
    return "\n---\n".join(message.plain_text for message in messages)
