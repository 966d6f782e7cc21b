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

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.blocking import set_blocked
from bot.domain.clock import Clock
from bot.domain.goals import GoalScores, scores_of
from bot.domain.goals import can_add as can_add_goal
from bot.domain.language import reply_language
from bot.domain.plans import Plan
from bot.domain.progression import Outcome, Suggestion
from bot.domain.reminders import record_done
from bot.domain.safety import Clearance, Severity, clearance, hold_after, pass_screen
from db import care_queries as care
from db import checkin_queries as cq
from db import goal_queries as gq
from db import plan_queries, queries
from db import reminder_queries as rq
from db.care_queries import InCare
from db.engine import Database
from db.models import (
    CheckIn,
    Conversation,
    Delivery,
    Patient,
    PlanChange,
    SafetyEvent,
    Therapist,
)

# Therapist: the handlers' name for the sender as a therapist (they never import db).
__all__ = ["TelegramUser", "Therapist", "Turn", "Turns"]


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
    # The sender as a therapist: loaded on first use (see :meth:`therapist`), as most updates
    # come from patients and never need it.
    _therapist: Therapist | None = None
    _therapist_loaded: bool = False

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

    async def load_reminder_slots(self) -> None:
        """Load the patient's reminder slots, for a turn opened without them."""
        if self.patient is not None:
            await queries.load_reminder_slots(self.session, self.patient)

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

    # -- the therapist side ------------------------------------------------------------------

    async def therapist(self) -> Therapist | None:
        """The sender, if they are a therapist (an active one: a therapist who blocked the
        bot or was revoked is not). Replies then speak the therapist's language."""
        if not self._therapist_loaded:
            found = await care.therapist_by_telegram_id(self.session, self.user.id)
            self._therapist = found if found is not None and found.is_active else None
            self._therapist_loaded = True
            if self._therapist is not None and self.patient is None:
                self.language = self.resolve_language(self._therapist.language)
        return self._therapist

    async def in_my_care(self, patient_id: int) -> InCare | None:
        """Patient ``patient_id``, if the sender is a therapist and the patient is in their care
        now. Every therapist action on a patient asks this on the server, whatever the button
        or command claimed: someone else's patient, one who left, a forged id are all None."""
        therapist = await self.therapist()
        if therapist is None:
            return None
        return await care.patient_in_care_of(self.session, therapist.id, patient_id)

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

    async def clear_hold(self) -> None:
        """The patient confirms a therapist or doctor cleared them to exercise again: the
        hold ends, and drills a pain rule stopped come back."""
        if self.patient is not None:
            self.patient.safety_hold = None
            self.patient.safety_screened_at = self.now
            await plan_queries.clear_stops(self.session, self.patient.id, self.now)

    # -- check-ins ---------------------------------------------------------------------------

    async def reminder(self, delivery_id: int) -> Delivery | None:
        """The reminder (ledger row) ``delivery_id`` if it is this patient's, locked; None for
        someone else's or a forged id."""
        found = await rq.delivery_of_patient(self.session, self.user.id, delivery_id)
        return found[1] if found is not None else None

    async def todays_unanswered_reminder(self) -> Delivery | None:
        """Today's latest reminder the patient has not answered (today in their zone)."""
        if self.patient is None:
            return None
        today = self.now.astimezone(ZoneInfo(self.patient.timezone or "UTC")).date()
        return await cq.unanswered_reminder_for_update(self.session, self.patient.id, today)

    async def record_done(self, delivery: Delivery) -> list[int]:
        """The reminder's drills are done: a drill session each, and an empty check-in each
        (its ids, in the reminder's order)."""
        assert self.patient is not None
        sessions = await record_done(self.session, self.patient, delivery, self.now)
        checkins = await cq.start_checkins(self.session, self.patient.id, sessions, self.now)
        return [checkin.id for checkin in checkins]

    async def checkins(self, ids: Sequence[int]) -> list[CheckIn]:
        """This patient's check-ins among ``ids``, locked, in order."""
        if self.patient is None:
            return []
        return await cq.checkins_for_update(self.session, self.patient.id, ids)

    async def checkin_ids_of(self, delivery_id: int) -> list[int]:
        assert self.patient is not None
        return await cq.checkin_ids_of_delivery(self.session, self.patient.id, delivery_id)

    async def unfinished_checkin(self, within: timedelta) -> tuple[int | None, list[int]]:
        """The check-in the patient left half-way most recently (within ``within``): the
        reminder it follows and its ids."""
        if self.patient is None:
            return None, []
        return await cq.unfinished_checkin_ids(self.session, self.patient.id, self.now - within)

    async def pain_scores(self, since: datetime, before: datetime) -> list[int]:
        """The patient's pain-during scores of check-ins started in [since, before)."""
        assert self.patient is not None
        return await cq.pain_scores_between(self.session, self.patient.id, since, before)

    def report_pain(self, level: str, reason: str, source: str) -> None:
        """A pain rule fired: a safety event for the therapist (which rule, its level, when).
        It stops one drill, not all of them, so it starts no hold."""
        assert self.patient is not None
        self.session.add(
            SafetyEvent(
                patient_id=self.patient.id,
                occurred_at=self.now,
                severity=level,
                flag=f"pain_{reason}",
                source=source,
            )
        )

    # -- the plan ----------------------------------------------------------------------------

    async def stop_drill(self, drill_id: str, reason: str) -> None:
        """A pain rule stopped this drill: it leaves the reminders until the patient confirms
        a therapist cleared them."""
        assert self.patient is not None
        await plan_queries.stop_drill(self.session, self.patient.id, drill_id, reason, self.now)

    async def clear_drill_stop(self, drill_id: str) -> bool:
        """The patient confirms a therapist cleared them for this stopped drill; False when it
        was not stopped."""
        assert self.patient is not None
        return await plan_queries.clear_stop(self.session, self.patient.id, drill_id, self.now)

    async def plan_locked(self) -> bool:
        assert self.patient is not None
        return await plan_queries.is_locked(self.session, self.patient.id)

    async def drill_outcomes(self, drill_id: str) -> list[Outcome]:
        """The drill's completed check-ins since its last plan decision, oldest first."""
        assert self.patient is not None
        return await plan_queries.outcomes_for(self.session, self.patient.id, drill_id)

    async def suggest_change(
        self, drill_id: str, target: str | None, suggestion: Suggestion
    ) -> int:
        """Record a suggested change (or find the one still open for this drill); its id."""
        assert self.patient is not None
        change = await plan_queries.suggest_change(
            self.session,
            self.patient.id,
            drill_id,
            target,
            suggestion.direction,
            suggestion.reason,
            self.now,
        )
        return change.id

    async def decide_change(
        self, change_id: int, *, accept: bool, starter: Plan
    ) -> PlanChange | None:
        """The patient's answer to a suggestion; None for someone else's or a decided one."""
        if self.patient is None:
            return None
        return await plan_queries.decide_change(
            self.session, self.patient.id, change_id, accept, starter, self.now
        )

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

    # -- goals (the Patient-Specific Functional Scale; see bot.domain.goals) -----------------

    async def goals(self) -> list[GoalScores]:
        """The patient's current goals, oldest first, each with its first and latest score."""
        if self.patient is None:
            return []
        rows = await gq.current_goals(self.session, self.patient.id)
        return [
            scores_of(goal.id, goal.activity, [(r.rated_at, r.score) for r in ratings])
            for goal, ratings in rows
        ]

    async def add_goal(self, activity: str, score: int) -> bool:
        """A new goal with its first rating; False (nothing stored) when the patient already
        has as many goals as allowed."""
        assert self.patient is not None
        patient_id = self.patient.id
        if not can_add_goal(await gq.count_current_goals(self.session, patient_id)):
            return False
        goal = await gq.add_goal(self.session, patient_id, activity, self.now)
        gq.add_rating(self.session, goal, score, self.now)
        self.record_goals_asked()
        return True

    async def rate_goal(self, goal_id: int, score: int) -> bool:
        """Rate one of the patient's current goals again; False for any other id."""
        assert self.patient is not None
        goal = await gq.current_goal(self.session, self.patient.id, goal_id)
        if goal is None:
            return False
        gq.add_rating(self.session, goal, score, self.now)
        self.record_goals_asked()
        return True

    async def rename_goal(self, goal_id: int, activity: str) -> bool:
        """Rename one of the patient's current goals (its ratings stay); False for any other."""
        assert self.patient is not None
        goal = await gq.current_goal(self.session, self.patient.id, goal_id)
        if goal is None:
            return False
        goal.activity = activity
        return True

    async def remove_goal(self, goal_id: int) -> bool:
        """Take a goal off the patient's list; its ratings are kept. False for any other id."""
        assert self.patient is not None
        goal = await gq.current_goal(self.session, self.patient.id, goal_id)
        if goal is None:
            return False
        goal.removed_at = self.now
        return True

    def record_goals_asked(self) -> None:
        """The goals were rated or skipped now: they are asked again four weeks from now."""
        if self.patient is not None:
            self.patient.goals_asked_at = self.now


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
        self,
        user: TelegramUser,
        *,
        write: bool = True,
        conversation: bool = False,
        slots: bool = True,
    ) -> AsyncIterator[Turn]:
        """One transaction for one update, committed when the block ends.

        ``conversation`` locks the user's conversation row first (before the patient is read,
        so the patient seen is the one the previous holder of the lock committed). Without
        ``slots`` the patient's reminder slots are not loaded: the caller runs
        :meth:`Turn.load_reminder_slots` before anything may read them.
        """
        async with self.db.transaction(read_only=not write) as session:
            row = await queries.conversation_for_update(session, user.id) if conversation else None
            patient = await queries.patient_by_telegram_id(session, user.id, slots=slots)
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
