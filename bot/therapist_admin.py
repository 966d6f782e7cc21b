"""``reed therapist invite | list | revoke``: the operator's side of therapist invites.

An invite is a single-use deep link (``https://t.me/<bot>?start=th_...``) that makes whoever
opens it a therapist, named as the operator said. The code is printed once and never stored:
the database keeps its SHA-256. ``list`` shows each invite's state, never a code.

The link names the bot by its @username: ``--bot-username`` when given, else the one Telegram
reports for ``TELEGRAM_BOT_TOKEN`` (getMe), else the placeholder ``ReEdCoachBot`` (with a
warning: without a token there is no bot to open it in; the demo makes its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Bot

from bot.domain import invites as rules
from bot.domain.clock import system_clock
from bot.domain.invites import InviteKind, InviteState
from bot.settings import Settings
from db import invite_queries as iq
from db.engine import Database
from db.migrate import upgrade_to_head

PLACEHOLDER_BOT_USERNAME = "ReEdCoachBot"


class AdminError(Exception):
    """A refused request, with the sentence the operator sees."""


@dataclass(frozen=True)
class IssuedInvite:
    invite_id: int
    link: str
    expires_at: datetime


@dataclass(frozen=True)
class InviteRow:
    invite_id: int
    name: str
    created_at: datetime
    expires_at: datetime
    state: InviteState


async def bot_username(settings: Settings, given: str | None = None) -> str | None:
    """The bot's @username (without "@"): ``given``, else getMe's; None without a token."""
    if given:
        return given.removeprefix("@")
    if settings.telegram_bot_token is None:
        return None
    api = settings.api_root
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=f"{api}/bot",
        base_file_url=f"{api}/file/bot",
    )
    async with bot:
        me = await bot.get_me()
    return me.username


def checked_zone(zone: str | None) -> str | None:
    if zone is None:
        return None
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise AdminError(
            f"unknown time zone {zone!r} (use a name such as Europe/Madrid)"
        ) from error
    return zone


async def issue_invite(
    database: Database,
    *,
    name: str,
    days: int,
    timezone: str | None,
    username: str,
    clock: Callable[[], datetime] = system_clock,
) -> IssuedInvite:
    """A new therapist invite; its link (the only time the code is seen)."""
    try:
        name = rules.therapist_name(name)
        now = clock()
        expires_at = rules.expiry(now, days)
    except ValueError as error:
        raise AdminError(str(error)) from error
    zone = checked_zone(timezone)
    code = rules.new_code(InviteKind.THERAPIST)
    async with database.transaction() as session:
        invite = await iq.add_therapist_invite(
            session,
            code_hash=rules.code_hash(code),
            name=name,
            timezone=zone,
            now=now,
            expires_at=expires_at,
        )
        invite_id = invite.id
    return IssuedInvite(invite_id, rules.deep_link(username, code), expires_at)


async def list_invites(
    database: Database, clock: Callable[[], datetime] = system_clock
) -> list[InviteRow]:
    now = clock()
    async with database.transaction(read_only=True) as session:
        return [
            InviteRow(
                invite.id,
                invite.name,
                invite.created_at,
                invite.expires_at,
                rules.therapist_invite_state(
                    expires_at=invite.expires_at,
                    used_at=invite.used_at,
                    revoked_at=invite.revoked_at,
                    now=now,
                ),
            )
            for invite in await iq.therapist_invites(session)
        ]


async def revoke_invite(
    database: Database, invite_id: int, clock: Callable[[], datetime] = system_clock
) -> InviteState:
    """Revoke invite ``invite_id`` so nobody can open it; the state it was in. A used invite
    cannot be revoked (its therapist is registered)."""
    now = clock()
    async with database.transaction() as session:
        invite = await iq.therapist_invite_for_update(session, invite_id=invite_id)
        if invite is None:
            raise AdminError(f"there is no therapist invite {invite_id}")
        state = rules.therapist_invite_state(
            expires_at=invite.expires_at,
            used_at=invite.used_at,
            revoked_at=invite.revoked_at,
            now=now,
        )
        if state == InviteState.USED:
            raise AdminError(
                f"invite {invite_id} was already used: its therapist is registered, and "
                "revoking the invite would not change that"
            )
        if state != InviteState.REVOKED:
            invite.revoked_at = now
    return state


def table(rows: list[InviteRow]) -> str:
    """The invites as the operator reads them: id, name, created, expires, state."""
    if not rows:
        return "No therapist invites yet. Make one with: reed therapist invite --name NAME"
    lines = [f"{'id':>4}  {'name':<30}  {'created (UTC)':<16}  {'expires (UTC)':<16}  state"]
    for row in rows:
        lines.append(
            f"{row.invite_id:>4}  {row.name[:30]:<30}  {_utc(row.created_at)}  "
            f"{_utc(row.expires_at)}  {row.state}"
        )
    return "\n".join(lines)


def _utc(when: datetime) -> str:
    return when.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")


# -- the command ------------------------------------------------------------------------------


async def run(settings: Settings, action: str, options: dict[str, object]) -> tuple[int, str]:
    """One ``reed therapist`` action: its exit status and what it prints."""
    await upgrade_to_head(settings.database_url)
    database = Database.from_url(settings.database_url)
    try:
        if action == "invite":
            given = options.get("bot_username")
            username = await bot_username(settings, given if isinstance(given, str) else None)
            warning = ""
            if username is None:
                username = PLACEHOLDER_BOT_USERNAME
                warning = (
                    "\n(TELEGRAM_BOT_TOKEN is not set, so the link names the placeholder "
                    f"@{username}; pass --bot-username to name your bot.)"
                )
            days = options.get("days")
            timezone = options.get("timezone")
            issued = await issue_invite(
                database,
                name=str(options["name"]),
                days=days if isinstance(days, int) else rules.THERAPIST_INVITE_DAYS,
                timezone=timezone if isinstance(timezone, str) else None,
                username=username,
            )
            return 0, (
                f"Therapist invite {issued.invite_id} for {options['name']}, single use, valid "
                f"until {_utc(issued.expires_at)} UTC:\n{issued.link}\n"
                "Send it to the therapist only: whoever opens it becomes a therapist. It is "
                "shown this once and not stored." + warning
            )
        if action == "list":
            return 0, table(await list_invites(database))
        if action == "revoke":
            invite_id = options["id"]
            assert isinstance(invite_id, int)
            before = await revoke_invite(database, invite_id)
            if before == InviteState.REVOKED:
                return 0, f"Invite {invite_id} was already revoked."
            return 0, f"Invite {invite_id} revoked: nobody can open it any more."
        raise AdminError(f"unknown action {action!r}")
    except AdminError as error:
        return 1, f"reed therapist {action}: {error}"
    finally:
        await database.dispose()
