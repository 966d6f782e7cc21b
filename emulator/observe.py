"""Observing what the bot did: the chats' messages, its events, and waiting for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from emulator.objects import BotEvent, BotEventKind, JSONDict, StoredMessage
from emulator.state import EmulatorState, commands_key, wait_until_set


class Observation(EmulatorState):
    """`FakeTelegram`'s read side: chat histories, bot events, waiting for the bot."""

    # ---------------------------------------------------------------- chats

    def messages(self, chat_id: int) -> list[StoredMessage]:
        """Current state of the chat's messages (users' and bot's), oldest first."""
        state = self._chats.get(chat_id)
        return list(state.messages.values()) if state else []

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """Current state of the bot's messages in the chat, oldest first."""
        return [m for m in self.messages(chat_id) if m.from_bot]

    def last_bot_message(self, chat_id: int) -> StoredMessage:
        """The bot's most recent message in the chat.

        Raises:
            LookupError: if the bot has no message there.
        """
        for message in reversed(self.messages(chat_id)):
            if message.from_bot:
                return message
        raise LookupError(f"the bot has no messages in chat {chat_id}")

    def message(self, chat_id: int, message_id: int) -> StoredMessage:
        """One message's current state. Raises KeyError if unknown."""
        state = self._chats.get(chat_id)
        if state is None or message_id not in state.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return state.messages[message_id]

    def active_reply_keyboard(self, chat_id: int) -> list[list[JSONDict]] | None:
        """The reply keyboard the user currently sees in the chat, if any."""
        state = self._chats.get(chat_id)
        return state.reply_keyboard if state else None

    def is_blocked(self, user_id: int) -> bool:
        """Whether the user has blocked the bot."""
        state = self._chats.get(user_id)
        return bool(state and state.blocked)

    def has_left(self, chat_id: int) -> bool:
        """Whether the bot has left the group chat with leaveChat."""
        state = self._chats.get(chat_id)
        return bool(state and state.left)

    def my_commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands the bot registered with setMyCommands for that scope and language."""
        return list(self._commands.get(commands_key(scope, language_code), []))

    def unanswered_callback_queries(self) -> list[JSONDict]:
        """Callback queries (button presses) the bot has not answered yet."""
        return [c.payload for c in self._callbacks.values() if not c.answered]

    # ---------------------------------------------------------------- updates

    @property
    def pending_update_count(self) -> int:
        """Updates not yet confirmed by getUpdates' offset."""
        return len(self._pending)

    def pop_pending_updates(self) -> list[JSONDict]:
        """Take all pending updates (for tests that call ``Application.process_update``)."""
        updates = list(self._pending)
        self._pending.clear()
        return updates

    # ---------------------------------------------------------------- events

    def events(self, since: int = 0) -> list[BotEvent]:
        """Remembered bot events with ``seq > since``, oldest first."""
        return [e for e in self._events if e.seq > since]

    def subscribe(self) -> asyncio.Queue[BotEvent]:
        """A queue that receives every future bot event. Call `unsubscribe` when done."""
        queue: asyncio.Queue[BotEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[BotEvent]) -> None:
        """Stop delivering events to ``queue``."""
        if queue in self._subscribers:
            self._subscribers.remove(queue)

    async def wait_for(
        self,
        predicate: Callable[[BotEvent], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - mirrors asyncio.wait_for's signature
        *,
        since: int | None = None,
    ) -> BotEvent:
        """Wait for a bot event matching ``predicate`` and return it.

        Only events after ``since`` count; by default that is the moment of the latest
        simulated user action, so "user does X, then wait for the bot's reaction" works even
        if the bot reacted before this call. To wait for a *further* matching event, pass
        ``since=previous_event.seq``.

        Raises:
            TimeoutError: listing what the bot did meanwhile (including failed API calls).
        """
        start = self._user_action_seq if since is None else since
        checked = start
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for event in self._events:
                if event.seq > checked:
                    checked = event.seq
                    if predicate(event):
                        return event
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._describe_since(start, timeout))
            await wait_until_set(self._events_changed, remaining)

    async def wait_for_bot_message(
        self,
        chat_id: int | None = None,
        *,
        contains: str | None = None,
        include_edits: bool = False,
        timeout: float = 5.0,  # noqa: ASYNC109 - same contract as wait_for
        since: int | None = None,
    ) -> StoredMessage:
        """Wait until the bot sends (or edits, if asked) a message matching the filters."""
        kinds = {BotEventKind.MESSAGE_SENT}
        if include_edits:
            kinds.add(BotEventKind.MESSAGE_EDITED)

        def matches(event: BotEvent) -> bool:
            return (
                event.kind in kinds
                and event.message is not None
                and (chat_id is None or event.chat_id == chat_id)
                and (contains is None or contains in event.message.plain_text)
            )

        event = await self.wait_for(matches, timeout, since=since)
        assert event.message is not None  # guaranteed by `matches`
        return event.message

    def _describe_since(self, start: int, timeout: float) -> str:
        events = self.events(start)
        header = f"no matching bot event within {timeout:g}s"
        if not events:
            return f"{header}; the bot did nothing since event #{start}"
        shown = events[-20:]
        lines = [e.describe() for e in shown]
        skipped = len(events) - len(shown)
        if skipped:
            lines.insert(0, f"... {skipped} earlier events")
        return f"{header}; since event #{start} the bot did:\n  " + "\n  ".join(lines)
