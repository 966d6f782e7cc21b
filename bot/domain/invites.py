"""Invite codes: what a therapist's or a patient's invite link carries, and where each stands.

A code travels as the deep link's start parameter (``https://t.me/<bot>?start=<code>``), so
it is at most 64 characters of ``[A-Za-z0-9_-]``. Each is a prefix naming its kind (a
therapist invite makes whoever opens it a therapist; a patient invite puts a patient in a
therapist's care) and 32 characters of ``secrets.token_urlsafe``: 192 bits, unguessable. The
database keeps only a code's SHA-256 (:func:`code_hash`), so a copy of the database opens
nothing; the code itself is shown once, when it is made.

Plain values in, plain values out: the queries are in :mod:`db.invite_queries`, the units of
work in :mod:`bot.care.invites`.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum

# How long an invite is good for, unless the operator says otherwise.
THERAPIST_INVITE_DAYS = 7
PATIENT_INVITE_DAYS = 30
# The longest an operator may make a therapist invite last.
MAX_INVITE_DAYS = 90

TOKEN_BYTES = 24  # 192 bits; token_urlsafe writes them as 32 characters
TOKEN_LENGTH = 32
# Telegram's limit on a deep link's start parameter.
START_PARAMETER_LIMIT = 64
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


class InviteKind(StrEnum):
    """What an invite does; its value is the code's prefix."""

    THERAPIST = "th_"
    PATIENT = "pt_"


_CODE = re.compile(rf"(th_|pt_)([A-Za-z0-9_-]{{{TOKEN_LENGTH}}})")


class InviteState(StrEnum):
    """Where an invite stands; only an open one does anything."""

    OPEN = "open"
    USED = "used"  # a therapist invite, once opened
    EXPIRED = "expired"
    REVOKED = "revoked"


def new_code(kind: InviteKind, token: Callable[[int], str] = secrets.token_urlsafe) -> str:
    """A fresh code of this kind (``token`` is for tests)."""
    code = f"{kind.value}{token(TOKEN_BYTES)}"
    assert _CODE.fullmatch(code)
    assert len(code) <= START_PARAMETER_LIMIT
    return code


def code_hash(code: str) -> str:
    """What the database keeps of a code: its SHA-256, 64 hex digits."""
    return hashlib.sha256(code.encode()).hexdigest()


def kind_of(payload: str) -> InviteKind | None:
    """The kind of invite a start parameter looks like; None when it is no code of ours (a
    code of the right shape may still be unknown: only the database can tell)."""
    match = _CODE.fullmatch(payload)
    return InviteKind(match[1]) if match else None


def deep_link(bot_username: str, code: str) -> str:
    """The link that opens the bot's chat with ``/start <code>``."""
    return f"https://t.me/{bot_username}?start={code}"


def expiry(now: datetime, days: int) -> datetime:
    """When an invite made ``now`` and good for ``days`` days stops working."""
    if not 1 <= days <= MAX_INVITE_DAYS:
        raise ValueError(f"an invite lasts 1 to {MAX_INVITE_DAYS} days")
    return now + timedelta(days=days)


def therapist_invite_state(
    *,
    expires_at: datetime,
    used_at: datetime | None,
    revoked_at: datetime | None,
    now: datetime,
) -> InviteState:
    """A single-use invite: used once opened; revoked; expired from ``expires_at`` on."""
    if used_at is not None:
        return InviteState.USED
    if revoked_at is not None:
        return InviteState.REVOKED
    if now >= expires_at:
        return InviteState.EXPIRED
    return InviteState.OPEN


def patient_invite_state(
    *, expires_at: datetime, revoked_at: datetime | None, now: datetime
) -> InviteState:
    """A patient invite serves any number of patients until it is revoked or expires."""
    if revoked_at is not None:
        return InviteState.REVOKED
    if now >= expires_at:
        return InviteState.EXPIRED
    return InviteState.OPEN


class Joining(StrEnum):
    """What opening a therapist's patient invite means for someone already a patient."""

    JOIN = "join"  # no therapist yet: joining this one is confirmed first
    CHANGE = "change"  # another therapist now: the change is confirmed first
    SAME = "same"  # already in this therapist's care: nothing to do


def joining(current_therapist_id: int | None, inviting_therapist_id: int) -> Joining:
    if current_therapist_id is None:
        return Joining.JOIN
    if current_therapist_id == inviting_therapist_id:
        return Joining.SAME
    return Joining.CHANGE


NAME_LIMIT = 100


def display_name(first_name: str | None, last_name: str | None, fallback: str) -> str:
    """The name a therapist knows a new patient by: their Telegram first and last name, as
    the patient set them (``fallback`` when both are blank), within the column's 100."""
    name = " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())
    return (name or fallback)[:NAME_LIMIT]


def therapist_name(typed: str) -> str:
    """An operator's name for a therapist, tidied (spaces collapsed); ValueError when blank
    or longer than the column's 100 characters."""
    name = " ".join(typed.split())
    if not name:
        raise ValueError("the therapist's name is empty")
    if len(name) > NAME_LIMIT:
        raise ValueError(f"the therapist's name is longer than {NAME_LIMIT} characters")
    return name


def qr_png(text: str) -> bytes:
    """``text`` (an invite link) as a QR code, a PNG large enough to print or show on a
    screen. CPU work: the renderer runs it in a worker thread."""
    import segno  # noqa: PLC0415 - only a therapist's /invite needs it

    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=10, border=4)
    return buffer.getvalue()
