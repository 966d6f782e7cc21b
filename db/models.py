"""The persistent data model.

Everything that must outlive the process lives here: who the patients are, what they
agreed to, when they want reminders and where each of them is in a conversation.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import UTCDateTime

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONDocument,
    }


class Patient(Base):
    """A person who agreed to the consent text. No row exists before they agree."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    reminders_opt_in: Mapped[bool] = mapped_column(default=False)
    onboarded_at: Mapped[datetime | None]
    # Unused since therapist invites became their own table (``patient_invites``, hashed);
    # kept empty. The patient's therapist is their open ``care_links`` row.
    invite_code: Mapped[str | None] = mapped_column(String(64))
    # False once the patient blocks the bot: nothing is sent to an inactive patient.
    is_active: Mapped[bool] = mapped_column(default=True)
    blocked_at: Mapped[datetime | None]
    # A pause stops reminders until paused_until (or until resumed, when that is empty).
    paused_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(32))
    # Local times between which nothing optional (snoozes, late reminders) is sent.
    quiet_start: Mapped[time | None] = mapped_column(Time())
    quiet_end: Mapped[time | None] = mapped_column(Time())
    # Reminders sent since the patient last answered one: drives reminder-fatigue thinning.
    unanswered_reminders: Mapped[int] = mapped_column(Integer, default=0)
    # The safety screen before the first drill: when it was last passed ("none of these
    # apply", or "my therapist has cleared me"), and the tier of a red flag reported since,
    # which holds drills back until the patient confirms they were cleared.
    safety_screened_at: Mapped[datetime | None]
    safety_hold: Mapped[str | None] = mapped_column(String(32))
    # When the patient was last asked for their goals (PSFS), answered or skipped: they are
    # asked again four weeks later.
    goals_asked_at: Mapped[datetime | None]

    consents: Mapped[list[ConsentRecord]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", passive_deletes=True
    )
    reminder_slots: Mapped[list[ReminderSlot]] = relationship(
        back_populates="patient",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="ReminderSlot.local_time",
    )


class ConsentRecord(Base):
    """Each consent decision, with the version of the text the patient saw."""

    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[str] = mapped_column(String(32))
    decision: Mapped[str] = mapped_column(String(16))  # "accepted" or "withdrawn"
    recorded_at: Mapped[datetime]

    patient: Mapped[Patient] = relationship(back_populates="consents")


class ReminderSlot(Base):
    """One local time of day at which a patient wants a reminder, on a set of weekdays."""

    __tablename__ = "reminder_slots"
    __table_args__ = (UniqueConstraint("patient_id", "local_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    local_time: Mapped[time] = mapped_column(Time())
    # Bit 0 is Monday ... bit 6 is Sunday (datetime.weekday() numbering).
    weekdays: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    # The next instant this slot is due, in UTC; NULL while the patient gets no reminders.
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)

    patient: Mapped[Patient] = relationship(back_populates="reminder_slots")


class Conversation(Base):
    """Where a Telegram user is in a multi-step flow, read on every update.

    Keyed by the Telegram user id so that it can exist before consent; until then it holds
    nothing but that id, the step and the deep-link payload.
    """

    __tablename__ = "conversations"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    # Bumped whenever the step changes, and carried in buttons, so stale buttons are spotted.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    paused: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]


class LessonProgress(Base):
    """A lesson a patient has opened, and how they answered its quiz."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("patient_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    lesson_id: Mapped[str] = mapped_column(String(64))
    read_at: Mapped[datetime]
    quiz_correct: Mapped[bool | None]
    quiz_answered_at: Mapped[datetime | None]


class DeliveryStatus(StrEnum):
    """Where a row of the delivery ledger (the outbox) stands."""

    SCHEDULED = "scheduled"  # waiting for its due time (a snooze, an enqueued message)
    CLAIMED = "claimed"  # taken by an outbox run; being sent
    SENT = "sent"
    # Not sent: for good when retry_at is empty (blocked, chat gone, out of attempts), else
    # tried again at retry_at. ``error`` names the cause (an exception type, never its text).
    FAILED = "failed"
    MISSED = "missed"  # fell due while the bot was down, past the grace window
    PAUSED = "paused"  # the patient had paused reminders
    HELD = "held"  # the patient reported a red flag and has not been cleared since
    THINNED = "thinned"  # left out because the patient has stopped answering
    QUIET = "quiet"  # a late send that would have landed in quiet hours
    # Not sent: the patient already practised on as many days this week as their therapist's
    # plan asks (``bot.domain.therapist_plans.rest_day``); not a missed day.
    REST = "rest"
    # Nothing left to send when it fell due: an alert of a patient who left the therapist's
    # care, the repeat of an acknowledged alert, a therapist's day without flags.
    OBSOLETE = "obsolete"


def split_drills(drill_ids: str) -> tuple[str, ...]:
    """Drill ids as a ``drill_ids`` column stores them (see ``Delivery.join_drills``), in order."""
    return tuple(filter(None, drill_ids.split(Delivery.DRILL_SEPARATOR)))


class Delivery(Base):
    """The delivery ledger, which is also the outbox: one row per message the bot sends on its
    own (a reminder occurrence, a snooze, ...), whatever became of it.

    The unique key (patient, local date, slot key) is each message's idempotency key: it goes
    out at most once per key, however many outbox runs race for it.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("patient_id", "local_date", "slot_key"),
        # A therapist's messages (alerts, flags, the weekly summary) have no patient: the same
        # idempotency key, on the therapist.
        UniqueConstraint("therapist_id", "local_date", "slot_key"),
        Index("ix_deliveries_status_due_at", "status", "due_at"),
        # Only rows waiting for another attempt: the index stays as small as that queue, and
        # writes of every other row (all sends) never touch it.
        Index(
            "ix_deliveries_retry_at",
            "retry_at",
            postgresql_where=text("retry_at IS NOT NULL"),
            sqlite_where=text("retry_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who receives it: a patient, or (therapist_id set, patient_id empty) a therapist.
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE")
    )
    # What the message is about, for kinds that send one row's news (the safety event of an
    # alert, the note of a note); which table it names is the kind's business.
    subject_id: Mapped[int | None] = mapped_column(Integer)
    # What an enqueued message says when its subject alone cannot tell (a therapist's plan
    # change: what was added, removed and re-dosed, for the patient's message); plain values.
    payload: Mapped[dict[str, Any] | None]
    local_date: Mapped[date] = mapped_column(Date())
    # "07:30" for a regular slot; "07:30~1" for its first snooze.
    slot_key: Mapped[str] = mapped_column(String(16))
    # Which outbox kind owns the row, and its variant: reminder, snooze, still_there.
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]
    # scheduled -> claimed -> sent | failed; or missed, paused, thinned, quiet without sending.
    status: Mapped[str] = mapped_column(String(16))
    late: Mapped[bool] = mapped_column(default=False)
    # The drills a reminder shows, in order, stored joined (see ``drills`` and ``join_drills``).
    drill_ids: Mapped[str] = mapped_column(String(255), default="")
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Failed attempts so far, the latest one's cause, and when to try again (back-off).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(64))
    retry_at: Mapped[datetime | None]
    # What the patient did with it: done, snoozed, skipped.
    response: Mapped[str | None] = mapped_column(String(16))
    responded_at: Mapped[datetime | None]
    skip_reason: Mapped[str | None] = mapped_column(String(32))

    DRILL_SEPARATOR: ClassVar[str] = ","

    @property
    def drills(self) -> tuple[str, ...]:
        """The drills the row's reminder shows, in order."""
        return split_drills(self.drill_ids)

    @classmethod
    def join_drills(cls, drills: tuple[str, ...]) -> str:
        """``drills`` as the ``drill_ids`` column stores them (drill ids hold no comma)."""
        return cls.DRILL_SEPARATOR.join(drills)


class SafetyEvent(Base):
    """A red flag a patient reported (typed, or chosen on the safety screen), kept for their
    therapist. Which flag, its tier and when; never the words the patient typed."""

    __tablename__ = "safety_events"
    __table_args__ = (
        # The alerts' queue: only the events not delivered yet, oldest first (every outbox run
        # looks; events of patients without a therapist wait here until they are linked).
        Index(
            "ix_safety_events_undelivered",
            "occurred_at",
            postgresql_where=text("delivered_at IS NULL"),
            sqlite_where=text("delivered_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime]
    severity: Mapped[str] = mapped_column(String(32))
    flag: Mapped[str] = mapped_column(String(40))
    # Where it was reported: "typed" (any free text) or "screen" (the safety screen).
    source: Mapped[str] = mapped_column(String(16))
    # Set once the therapist side has delivered it; empty until then.
    delivered_at: Mapped[datetime | None]
    # When the therapist pressed "Acknowledge" on its alert (ends the repeat of a critical one).
    acknowledged_at: Mapped[datetime | None]


class DrillSession(Base):
    """A drill the patient reported doing."""

    __tablename__ = "drill_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # Indexed: deleting a ledger row (erasing a patient) looks up what refers to it.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    drill_id: Mapped[str] = mapped_column(String(64))
    completed_at: Mapped[datetime]


class CheckIn(Base):
    """The patient's answers after one drill session: pain, form, effort and a note.

    One per drill session (the unique key), so a double tap or a replayed button never makes
    two. Each answer is stored as it is given; ``completed_at`` is set by the last one, so a
    check-in left half-way keeps what was answered and can be finished later.
    """

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    drill_session_id: Mapped[int] = mapped_column(
        ForeignKey("drill_sessions.id", ondelete="CASCADE"), unique=True
    )
    drill_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    pain_during: Mapped[int | None] = mapped_column(Integer)
    pain_now: Mapped[int | None] = mapped_column(Integer)
    # The drill's form questions answered so far: question id -> option id.
    form: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The worst score among the form answers: good, partial or poor.
    form_score: Mapped[str | None] = mapped_column(String(8))
    effort: Mapped[str | None] = mapped_column(String(16))  # too_easy, about_right, too_hard
    # The patient's own words for their therapist, kept only if no red flag was found in them.
    note: Mapped[str | None] = mapped_column(String(500))
    # What the pain rules made of the answers: fine, easier or stop.
    pain_advice: Mapped[str | None] = mapped_column(String(16))


class MorningCheck(Base):
    """The next-morning pain check after a day with drills: sent by the outbox, answered
    on one screen (better / same / worse than before yesterday's drill, and 0-10)."""

    __tablename__ = "morning_checks"
    __table_args__ = (UniqueConstraint("patient_id", "local_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    # The morning asked about (the day after the drills), in the patient's zone.
    local_date: Mapped[date] = mapped_column(Date())
    # Indexed: deleting a ledger row (erasing a patient) looks up what refers to it.
    delivery_id: Mapped[int | None] = mapped_column(
        ForeignKey("deliveries.id", ondelete="SET NULL"), index=True
    )
    compared: Mapped[str | None] = mapped_column(String(8))  # better, same, worse
    pain: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None]


class PatientPlan(Base):
    """The drills a patient works through, once it differs from the starter plan (a
    progression accepted, or a therapist's plan). ``locked``: a therapist's plan that
    progression never changes."""

    __tablename__ = "plans"

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    drill_ids: Mapped[str] = mapped_column(Text())
    drills_per_reminder: Mapped[int] = mapped_column(Integer)
    locked: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime]
    # A therapist's plan: who set it, the dose of each drill (drill id -> {"sets": n, "reps":
    # n} or {"sets": n, "hold_seconds": n}; a drill not named keeps its catalogue dose) and
    # on how many days a week the patient practises (empty: every reminder day).
    therapist_id: Mapped[int | None] = mapped_column(
        ForeignKey("therapists.id", ondelete="SET NULL")
    )
    doses: Mapped[dict[str, Any]] = mapped_column(default=dict)
    days_per_week: Mapped[int | None] = mapped_column(Integer)

    @property
    def drills(self) -> tuple[str, ...]:
        return split_drills(self.drill_ids)


class PlanChange(Base):
    """A suggested swap of one drill for its easier or harder version, and what the patient
    decided: suggested, accepted or declined. Accepted changes mark the progress chart."""

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    suggested_at: Mapped[datetime]
    from_drill: Mapped[str] = mapped_column(String(64))
    to_drill: Mapped[str | None] = mapped_column(String(64))  # None: a tip, no neighbour
    direction: Mapped[str] = mapped_column(String(8))  # harder or easier
    reason: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime | None]


class DrillStop(Base):
    """A drill stopped by a pain rule: left out of reminders until the patient confirms a
    therapist cleared them (``cleared_at``)."""

    __tablename__ = "drill_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    drill_id: Mapped[str] = mapped_column(String(64))
    stopped_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(24))
    cleared_at: Mapped[datetime | None]


class Goal(Base):
    """An everyday activity the patient finds hard (Patient-Specific Functional Scale)."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    activity: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]


class GoalRating(Base):
    """How well the patient can do a goal's activity, 0 (unable) to 10 (as before)."""

    __tablename__ = "goal_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int] = mapped_column(Integer)
    rated_at: Mapped[datetime]


class Therapist(Base):
    """A clinician who opened a therapist invite (``reed therapist invite``) in Telegram."""

    __tablename__ = "therapists"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The name the operator gave the invite: what patients see ("Dr. Ana Ruiz").
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    language: Mapped[str | None] = mapped_column(String(16))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # False once the therapist blocks the bot (or an operator revokes them).
    is_active: Mapped[bool] = mapped_column(default=True)
    blocked_at: Mapped[datetime | None]
    # The weekly summary: weekday (0 Monday ... 6 Sunday) and local time, and the next
    # instant it is due in UTC (materialised into the outbox like a reminder slot).
    summary_weekday: Mapped[int] = mapped_column(Integer, default=0)
    summary_time: Mapped[time] = mapped_column(Time(), default=time(8, 0))
    next_summary_at: Mapped[datetime | None] = mapped_column(index=True)


class TherapistInvite(Base):
    """A single-use, expiring code that makes whoever opens it a therapist. Only the code's
    hash is kept; the code itself is printed once, by ``reed therapist invite``."""

    __tablename__ = "therapist_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # The therapist's time zone, when the operator knows it (``--timezone``); else UTC.
    timezone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("therapists.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]


class PatientInvite(Base):
    """A therapist's invite link for patients (also shown as a QR code): any number of
    patients may open it until it expires or is revoked. Only the code's hash is kept."""

    __tablename__ = "patient_invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class CareLink(Base):
    """A patient in a therapist's care, from the link to its end (the patient left or chose
    another therapist, or the therapist discharged them). At most one open link per patient."""

    __tablename__ = "care_links"
    __table_args__ = (
        Index(
            "uq_care_links_open_patient",
            "patient_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
        Index("ix_care_links_therapist_id_ended_at", "therapist_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    therapist_id: Mapped[int] = mapped_column(ForeignKey("therapists.id", ondelete="CASCADE"))
    # The name the therapist knows the patient by: their Telegram name when they joined,
    # which the therapist may change. Shown in alerts, /patients and the summary.
    patient_name: Mapped[str] = mapped_column(String(100))
    linked_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # left, changed (to another therapist), discharged
    end_reason: Mapped[str | None] = mapped_column(String(16))


class TherapistNote(Base):
    """A short note a therapist sent a patient through the bot, and the patient's one reply."""

    __tablename__ = "therapist_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    therapist_id: Mapped[int] = mapped_column(
        ForeignKey("therapists.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(String(1000))
    sent_at: Mapped[datetime]
    reply: Mapped[str | None] = mapped_column(String(1000))
    replied_at: Mapped[datetime | None]
