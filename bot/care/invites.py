"""Invites and the care link, as units of work: what opening a therapist invite, making and
revoking a patient invite, joining a therapist and leaving one read and write.

Each function takes the update's :class:`~bot.turns.Turn` (its session and clock) and never
commits. A code is hashed before anything looks for it (:func:`bot.domain.invites.code_hash`);
the rules of where an invite stands are :mod:`bot.domain.invites`'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain import invites as rules
from bot.domain.invites import InviteKind, InviteState
from bot.outbox import care_news
from bot.turns import Turn
from db import care_queries as care
from db import invite_queries as iq
from db.models import Therapist

# -- becoming a therapist ---------------------------------------------------------------------


class Opening(StrEnum):
    """What opening a therapist invite did."""

    REGISTERED = "registered"  # the sender is a therapist now
    ALREADY = "already"  # the sender was a therapist already: the invite is left unused
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"  # no such code: mistyped, or forged


@dataclass(frozen=True)
class TherapistOpening:
    outcome: Opening
    # The therapist's name, when the sender is one now.
    name: str | None = None


_REFUSED = {
    InviteState.USED: Opening.USED,
    InviteState.EXPIRED: Opening.EXPIRED,
    InviteState.REVOKED: Opening.REVOKED,
}


async def open_therapist_invite(turn: Turn, code: str) -> TherapistOpening:
    """``/start <therapist code>``: register the sender as a therapist, named as the invite
    says, in their Telegram app's language and the invite's time zone. A used, expired,
    revoked or unknown code changes nothing."""
    session, now = turn.session, turn.now
    invite = await iq.therapist_invite_for_update(session, code_hash=rules.code_hash(code))
    if invite is None:
        return TherapistOpening(Opening.UNKNOWN)
    existing = await iq.therapist_for_update(session, turn.user.id)
    if existing is not None and existing.is_active:
        return TherapistOpening(Opening.ALREADY, existing.name)
    state = rules.therapist_invite_state(
        expires_at=invite.expires_at, used_at=invite.used_at, revoked_at=invite.revoked_at, now=now
    )
    if state != InviteState.OPEN:
        return TherapistOpening(_REFUSED[state])
    language = turn.resolve_language(turn.user.language_code)
    if existing is not None:
        # Someone who was a therapist before (blocked the bot, or was revoked) comes back with
        # a new invite: the same record, with their patients, active again.
        therapist = existing
        therapist.is_active, therapist.blocked_at = True, None
        therapist.name, therapist.chat_id = invite.name, turn.user.chat_id
        therapist.timezone = invite.timezone or therapist.timezone or "UTC"
    else:
        therapist = await iq.add_therapist(
            session,
            telegram_user_id=turn.user.id,
            chat_id=turn.user.chat_id,
            name=invite.name,
            language=language,
            timezone=invite.timezone or "UTC",
            now=now,
        )
    invite.used_at, invite.used_by = now, therapist.id
    await session.flush()
    await turn.therapist()  # the replies now speak the therapist's language
    return TherapistOpening(Opening.REGISTERED, therapist.name)


# -- a therapist's patient invites ------------------------------------------------------------


@dataclass(frozen=True)
class NewInvite:
    code: str
    expires_at: datetime


async def create_patient_invite(
    turn: Turn, therapist: Therapist, days: int = rules.PATIENT_INVITE_DAYS
) -> NewInvite:
    """A new patient invite of this therapist's; the code is returned once, never stored."""
    code = rules.new_code(InviteKind.PATIENT)
    expires_at = rules.expiry(turn.now, days)
    await iq.add_patient_invite(
        turn.session,
        therapist_id=therapist.id,
        code_hash=rules.code_hash(code),
        now=turn.now,
        expires_at=expires_at,
    )
    return NewInvite(code, expires_at)


async def revoke_patient_invites(turn: Turn, therapist: Therapist) -> int:
    """Revoke the therapist's patient invites that still work; how many. Their patients stay."""
    return await iq.revoke_open_patient_invites(turn.session, therapist.id, turn.now)


# -- a patient and their therapist ------------------------------------------------------------


@dataclass(frozen=True)
class PatientInviteView:
    """A patient invite as a patient meets it: whose it is, and whether it works."""

    invite_id: int
    therapist_id: int
    therapist_name: str
    state: InviteState


async def find_patient_invite(
    turn: Turn, *, code: str | None = None, invite_id: int | None = None
) -> PatientInviteView | None:
    """The patient invite with this code (or id); None when there is none. An invite of a
    therapist who is no longer active counts as revoked."""
    found = await iq.patient_invite(
        turn.session,
        code_hash=rules.code_hash(code) if code is not None else None,
        invite_id=invite_id,
    )
    if found is None:
        return None
    invite, therapist = found
    state = rules.patient_invite_state(
        expires_at=invite.expires_at, revoked_at=invite.revoked_at, now=turn.now
    )
    if not therapist.is_active and state == InviteState.OPEN:
        state = InviteState.REVOKED
    return PatientInviteView(invite.id, therapist.id, therapist.name, state)


async def my_therapist(turn: Turn) -> Therapist | None:
    """The sender's therapist, when the sender is a patient in someone's care."""
    if turn.patient is None:
        return None
    return await care.therapist_of_patient(turn.session, turn.patient.id)


async def join(turn: Turn, invite_id: int, patient_name: str) -> str | None:
    """Put the sender (a patient, after consent) in the care of invite ``invite_id``'s
    therapist, ending any other link (reason "changed"); both therapists are told. The invite
    is checked again here: one revoked or expired since it was opened links nothing (None).
    The therapist's name when linked."""
    assert turn.patient is not None, "a patient joins a therapist after consent"
    invite = await find_patient_invite(turn, invite_id=invite_id)
    if invite is None or invite.state != InviteState.OPEN:
        return None
    session, now, patient_id = turn.session, turn.now, turn.patient.id
    current = await care.open_link_of(session, patient_id)
    if current is not None and current.therapist_id == invite.therapist_id:
        return invite.therapist_name
    previous = await session.get(Therapist, current.therapist_id) if current else None
    link = await care.link_patient(session, patient_id, invite.therapist_id, patient_name, now)
    if current is not None and previous is not None:
        await care_news.tell(session, previous, care_news.News.LEFT, current.id, now)
    therapist = await session.get(Therapist, invite.therapist_id)
    assert therapist is not None
    await care_news.tell(session, therapist, care_news.News.JOINED, link.id, now)
    return invite.therapist_name


async def leave(turn: Turn) -> str | None:
    """The sender leaves their therapist's care (reason "left"): they are in no list of the
    therapist's any more, and the therapist is told. The therapist's name; None when the
    sender had none."""
    if turn.patient is None:
        return None
    session, now = turn.session, turn.now
    link = await care.open_link_of(session, turn.patient.id)
    if link is None:
        return None
    therapist = await session.get(Therapist, link.therapist_id)
    assert therapist is not None
    await care.end_link(session, turn.patient.id, "left", now)
    await care_news.tell(session, therapist, care_news.News.LEFT, link.id, now)
    return therapist.name
