"""One unit of work per update: one transaction, and the facts every rule needs, loaded once.

A handler opens a :class:`Turn` for the update, calls the rules with it and renders what they
return after the commit. The turn loads the patient, the conversation row (locked, so two
instances never advance one conversation at once) and the reply language a single time, and
it is the only way the feature code above it reads or writes the database: the handlers never
import ``db``.

A turn that only reads (browsing lessons and drills) is opened read-only and does not take
SQLite's write lock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.blocking import set_blocked
from bot.domain.clock import Clock
from bot.domain.language import reply_language
from bot.domain.safety import Clearance, Severity, clearance, hold_after, pass_screen
from db import queries
from db.engine import Database
from db.models import Conversation, Patient, SafetyEvent


@dataclass(frozen=True)
class TelegramUser:
    """Who sent the update, as far as the rules need to know."""

    id: int
    chat_id: int
    language_code: str | None = None


@dataclass
class Turn:
    """The unit of work of one update and what it has loaded."""

    session: AsyncSession
    user: TelegramUser
    now: datetime
    patient: Patient | None
    conversation: Conversation | None
    language: str
    resolve_language: Callable[[str | None], str]

    # -- the conversation row ----------------------------------------------------------------

    async def conversation_row(self) -> Conversation:
        """The user's conversation row, created (idle) if missing, locked."""
        if self.conversation is None:
            self.conversation = await queries.new_conversation_for_update(
                self.session, self.user.id, self.now
            )
        return self.conversation

    async def forget_conversation(self) -> None:
        """Delete the conversation row: all that is kept of someone who declined consent."""
        if self.conversation is not None:
            await self.session.delete(self.conversation)
            self.conversation = None

    # -- the patient -------------------------------------------------------------------------

    async def add_patient(self) -> Patient:
        """The record of someone who has just agreed to the consent text."""
        if self.patient is None:
            self.patient = await queries.add_patient(
                self.session, telegram_user_id=self.user.id, chat_id=self.user.chat_id, now=self.now
            )
        return self.patient

    def record_consent(self, patient: Patient, version: str) -> None:
        queries.record_consent(
            self.session, patient, version=version, decision="accepted", now=self.now
        )

    async def replace_reminder_slots(
        self, patient: Patient, times: Iterable[time], weekdays_mask: int
    ) -> None:
        await queries.replace_reminder_slots(self.session, patient, times, weekdays_mask, self.now)

    async def set_blocked(self, blocked: bool) -> None:
        """The patient blocked the bot (nothing is sent to them any more) or unblocked it."""
        if self.patient is not None:
            await set_blocked(self.session, [self.patient.id], blocked=blocked, now=self.now)

    def choose_language(self, code: str) -> None:
        """Store the patient's language; every later reply of this turn speaks it."""
        if self.patient is not None:
            self.patient.language = code
            self.language = self.resolve_language(code)

    # -- safety ------------------------------------------------------------------------------

    @property
    def clearance(self) -> Clearance | None:
        """Whether drills may reach this patient; None for someone who is not a patient."""
        if self.patient is None:
            return None
        return clearance(self.patient.safety_screened_at, self.patient.safety_hold, self.now)

    def report_red_flag(self, severity: Severity, flag: str, source: str) -> None:
        """Record a reported red flag for the therapist (which flag, its tier and when; never
        the words) and hold drills back until the patient confirms they were cleared.

        Before consent nothing is stored: the safety wording is all there is.
        """
        if self.patient is None:
            return
        self.patient.safety_hold = hold_after(self.patient.safety_hold, severity)
        self.session.add(
            SafetyEvent(
                patient_id=self.patient.id,
                occurred_at=self.now,
                severity=severity,
                flag=flag,
                source=source,
            )
        )

    def pass_safety_screen(self) -> bool:
        """ "None of these apply" (see :func:`bot.domain.safety.pass_screen`); False for someone
        who is not a patient."""
        return self.patient is not None and pass_screen(self.patient, self.now)

    def clear_hold(self) -> None:
        """The patient confirms a therapist or doctor cleared them to exercise again."""
        if self.patient is not None:
            self.patient.safety_hold = None
            self.patient.safety_screened_at = self.now

    # -- lessons -----------------------------------------------------------------------------

    async def lessons_read(self) -> set[str]:
        if self.patient is None:
            return set()
        return await queries.read_lesson_ids(self.session, self.patient.id)

    async def record_lesson_read(self, lesson_id: str) -> None:
        if self.patient is not None:
            await queries.lesson_progress_for_update(
                self.session, self.patient.id, lesson_id, self.now
            )

    async def record_quiz_answer(self, lesson_id: str, correct: bool) -> None:
        """Keep the first answer to a lesson's quiz: that is the one that counts."""
        if self.patient is None:
            return
        progress = await queries.lesson_progress_for_update(
            self.session, self.patient.id, lesson_id, self.now
        )
        if progress.quiz_correct is None:
            progress.quiz_correct = correct
            progress.quiz_answered_at = self.now


class Turns:
    """Opens the unit of work of each update."""

    def __init__(
        self, db: Database, resolve_language: Callable[[str | None], str], clock: Clock
    ) -> None:
        self.db = db
        self.resolve_language = resolve_language
        self.clock = clock

    @asynccontextmanager
    async def open(
        self, user: TelegramUser, *, write: bool = True, conversation: bool = False
    ) -> AsyncIterator[Turn]:
        """One transaction for one update, committed when the block ends.

        ``conversation`` locks the user's conversation row first (before the patient is read,
        so the patient seen is the one the previous holder of the lock committed).
        """
        async with self.db.transaction(read_only=not write) as session:
            row = await queries.conversation_for_update(session, user.id) if conversation else None
            patient = await queries.patient_by_telegram_id(session, user.id)
            language = reply_language(
                patient.language if patient else None, user.language_code, self.resolve_language
            )
            yield Turn(
                session=session,
                user=user,
                now=self.clock(),
                patient=patient,
                conversation=row,
                language=language,
                resolve_language=self.resolve_language,
            )
