"""Onboarding and settings: the conversation that sets a patient up.

The conversation's place is a row in the database (flow, step, revision, draft data), read and
locked on every update, so a restart or another instance picks up exactly where it stopped.
Before the patient agrees to the consent text, that row holds nothing but their Telegram id,
the step and the deep-link payload.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import weekdays
from bot.domain.local_times import (
    MAX_TIMES_PER_DAY,
    TimeFormatError,
    format_time_of_day,
    parse_time_of_day,
    parse_times_of_day,
)
from bot.domain.reminders import is_paused, pause, reschedule, resume
from bot.domain.screens import Choice, Reply, Screen, Text, screen
from bot.domain.timezones import (
    UnknownTimeZoneError,
    is_fixed_offset_zone,
    local_now,
    zone_from_text,
)
from content.messages import City
from db import queries
from db.models import Conversation, Patient


class Flow(StrEnum):
    IDLE = "idle"
    ONBOARDING = "onboarding"
    SETTINGS = "settings"


class Step(StrEnum):
    NONE = "none"
    CONSENT = "consent"
    TIMEZONE = "timezone"
    CITY = "city"
    LOCATION = "location"
    REMINDERS = "reminders"
    DAYS = "days"
    TIMES = "times"
    MENU = "menu"
    REMINDER_MENU = "reminder_menu"
    PAUSE_REASON = "pause_reason"
    PAUSE_LENGTH = "pause_length"
    QUIET_HOURS = "quiet_hours"


PAUSE_REASONS = ("illness", "travel", "flare_up", "other")
PAUSE_DAYS = (1, 3, 7, 14)
QUIET_CHOICES = (("22:00", "07:00"), ("21:00", "08:00"), ("23:00", "06:00"))
COMMON_TIMES = (time(7), time(8), time(9), time(12), time(18), time(20))
DAY_ROWS = ((0, 1, 2, 3), (4, 5, 6))
REGION_ROWS = (("europe", "americas"), ("asia", "africa"), ("oceania", "utc"))
CITIES_PER_ROW = 3
# Telegram deep-link payloads are at most 64 characters of [A-Za-z0-9_-].
_DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

LocateZone = Callable[[float, float], Awaitable[str | None]]


@dataclass(frozen=True)
class TelegramUser:
    """Who sent the update, as far as the rules need to know."""

    id: int
    chat_id: int
    language_code: str | None = None


@dataclass(frozen=True)
class ButtonPress:
    revision: int
    action: str
    arg: str = ""


class Onboarding:
    """The rules of setting up and changing a patient's preferences."""

    def __init__(
        self, *, consent_version: str, regions: Mapping[str, list[City]], locate_zone: LocateZone
    ) -> None:
        self.consent_version = consent_version
        self.regions = regions
        self.locate_zone = locate_zone

    # -- entry points, one per kind of update ------------------------------------------------

    async def start(
        self, session: AsyncSession, user: TelegramUser, payload: str | None, now: datetime
    ) -> Reply:
        """/start, optionally with a deep-link payload: begin, resume, or greet again."""
        invite = payload if payload and _DEEP_LINK_PAYLOAD.match(payload) else None
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        if patient is not None and invite:
            patient.invite_code = invite
        if conversation is not None and conversation.flow != Flow.IDLE:
            if invite and patient is None:
                conversation.data = {**conversation.data, "invite": invite}
            conversation.paused = False
            _touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return _prepend(reply, Text("start.resume"))
        if patient is not None:
            return Reply(
                screens=(Screen(body=(Text("start.welcome_back"), *self._summary(patient, now))),),
                language=patient.language,
            )
        conversation = conversation or Conversation(telegram_user_id=user.id, revision=0, data={})
        conversation.data = {"invite": invite} if invite else {}
        _goto(conversation, Flow.ONBOARDING, Step.CONSENT, now)
        session.add(conversation)
        return await self._prompt(session, conversation, None, now)

    async def cancel(self, session: AsyncSession, user: TelegramUser, now: datetime) -> Reply:
        """/cancel: leave the current step; onboarding can be resumed later with /start."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        language = patient.language if patient else None
        if conversation is None or conversation.flow == Flow.IDLE:
            return _say("cancel.nothing", language=language)
        if conversation.flow == Flow.SETTINGS:
            _goto(conversation, Flow.IDLE, Step.NONE, now)
            conversation.data = {}
            return Reply(
                screens=(screen("cancel.settings", remove_reply_keyboard=True),), language=language
            )
        conversation.paused = True
        _touch(conversation, now, bump=True)
        return Reply(
            screens=(screen("cancel.onboarding", remove_reply_keyboard=True),), language=language
        )

    async def open_settings(
        self, session: AsyncSession, user: TelegramUser, now: datetime
    ) -> Reply:
        """/settings: show what is set, with buttons to change it."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        if patient is None or patient.onboarded_at is None:
            if conversation is not None and conversation.flow == Flow.ONBOARDING:
                conversation.paused = False
                _touch(conversation, now, bump=True)
                reply = await self._prompt(session, conversation, patient, now)
                return _prepend(reply, Text("settings.finish_setup_first"))
            return _say("common.start_first")
        if conversation is None:
            conversation = Conversation(telegram_user_id=user.id, revision=0, data={})
            session.add(conversation)
        conversation.data = {}
        _goto(conversation, Flow.SETTINGS, Step.MENU, now)
        return await self._prompt(session, conversation, patient, now)

    async def open_reminders(
        self, session: AsyncSession, user: TelegramUser, now: datetime
    ) -> Reply:
        """/reminders: the schedule, pause, quiet hours and stop, with buttons to change them."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        if patient is None or patient.onboarded_at is None:
            return await self.open_settings(session, user, now)
        if conversation is None:
            conversation = Conversation(telegram_user_id=user.id, revision=0, data={})
            session.add(conversation)
        conversation.data = {}
        _goto(conversation, Flow.SETTINGS, Step.REMINDER_MENU, now)
        return await self._prompt(session, conversation, patient, now)

    async def press(
        self, session: AsyncSession, user: TelegramUser, press: ButtonPress | None, now: datetime
    ) -> Reply:
        """A button press. ``None`` means the button's data could not be read (forged or old)."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        language = patient.language if patient else None
        if conversation is None or (conversation.flow == Flow.IDLE and patient is None):
            return _say("common.start_first", toast="common.button_expired", language=language)
        if press is None or press.revision != conversation.revision or conversation.paused:
            return await self._stale_button(session, conversation, patient, now)
        if conversation.flow == Flow.IDLE:
            return _say(
                "common.button_expired_idle", toast="common.button_expired", language=language
            )
        handler = self._button_handlers().get(Step(conversation.step))
        if handler is None:
            return await self._stale_button(session, conversation, patient, now)
        return await handler(session, conversation, patient, press, now)

    async def text(
        self, session: AsyncSession, user: TelegramUser, text: str, now: datetime
    ) -> Reply | None:
        """Typed text. Returns ``None`` when no flow is waiting for text (the caller decides)."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        if conversation is None or conversation.flow == Flow.IDLE:
            return None if patient is not None else _say("common.start_first")
        if conversation.paused:
            return _say("common.paused", language=patient.language if patient else None)
        step = Step(conversation.step)
        if step in (Step.TIMEZONE, Step.CITY, Step.LOCATION):
            return await self._typed_zone(session, conversation, patient, text, now)
        if step == Step.TIMES:
            return await self._typed_times(session, conversation, patient, text, now)
        reply = await self._prompt(session, conversation, patient, now)
        return _prepend(reply, Text("common.use_buttons"))

    async def location(
        self,
        session: AsyncSession,
        user: TelegramUser,
        latitude: float,
        longitude: float,
        now: datetime,
    ) -> Reply:
        """A shared location: used once to find the time zone, never stored."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        waiting_for_zone = (
            conversation is not None
            and not conversation.paused
            and conversation.step in (Step.TIMEZONE, Step.CITY, Step.LOCATION)
        )
        if conversation is None or patient is None or not waiting_for_zone:
            return Reply(
                screens=(screen("timezone.location_not_needed", remove_reply_keyboard=True),),
                language=patient.language if patient else None,
            )
        zone = await self.locate_zone(latitude, longitude)
        if zone is None:
            _touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now, step=Step.TIMEZONE)
            return _prepend(reply, Text("timezone.location_unknown"), remove_reply_keyboard=True)
        return await self._zone_chosen(session, conversation, patient, zone, now, via_button=False)

    # -- steps -----------------------------------------------------------------------------

    def _button_handlers(
        self,
    ) -> dict[
        Step,
        Callable[
            [AsyncSession, Conversation, Patient | None, ButtonPress, datetime], Awaitable[Reply]
        ],
    ]:
        return {
            Step.CONSENT: self._consent_pressed,
            Step.TIMEZONE: self._timezone_pressed,
            Step.CITY: self._timezone_pressed,
            Step.LOCATION: self._timezone_pressed,
            Step.REMINDERS: self._reminders_pressed,
            Step.DAYS: self._days_pressed,
            Step.TIMES: self._times_pressed,
            Step.MENU: self._menu_pressed,
            Step.REMINDER_MENU: self._reminder_menu_pressed,
            Step.PAUSE_REASON: self._pause_reason_pressed,
            Step.PAUSE_LENGTH: self._pause_length_pressed,
            Step.QUIET_HOURS: self._quiet_hours_pressed,
        }

    async def _consent_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        if press.action == "decline":
            await session.delete(conversation)
            return Reply(screens=(screen("consent.declined"),), replace_origin=True)
        if press.action != "agree":
            return await self._stale_button(session, conversation, patient, now)
        if patient is None:
            patient = await queries.add_patient(
                session,
                telegram_user_id=conversation.telegram_user_id,
                chat_id=conversation.telegram_user_id,
                now=now,
            )
        patient.invite_code = conversation.data.get("invite") or patient.invite_code
        queries.record_consent(
            session, patient, version=self.consent_version, decision="accepted", now=now
        )
        conversation.data = {}
        _advance(conversation, Step.TIMEZONE, now)
        accepted = Screen(body=(*self._consent_body(), Text("consent.accepted")))
        return _with_origin(accepted, await self._prompt(session, conversation, patient, now))

    async def _timezone_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        if press.action == "region" and press.arg == "utc":
            return await self._zone_chosen(session, conversation, patient, "Etc/UTC", now)
        if press.action == "region" and press.arg in self.regions:
            conversation.data = {**conversation.data, "region": press.arg}
            conversation.step = Step.CITY
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "back":
            conversation.step = Step.TIMEZONE
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "city":
            zone = self._zone_of_city(conversation.data.get("region"), press.arg)
            if zone is not None:
                return await self._zone_chosen(session, conversation, patient, zone, now)
        if press.action == "locate":
            _advance(conversation, Step.LOCATION, now)
            return await self._prompt(session, conversation, patient, now)
        return await self._stale_button(session, conversation, patient, now)

    async def _reminders_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action == "optin":
            conversation.data = {
                **conversation.data,
                "days": sorted(weekdays.ALL_DAYS),
                "times": [],
            }
            _advance(conversation, Step.DAYS, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "optout":
            patient.reminders_opt_in = False
            reschedule(patient, patient.reminder_slots, now)
            return await self._finish(conversation, patient, now, Text("reminders.declined"))
        return await self._stale_button(session, conversation, patient, now)

    async def _days_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        days = set(conversation.data.get("days", []))
        if press.action == "day" and press.arg.isdigit() and 0 <= int(press.arg) <= 6:
            days ^= {int(press.arg)}
        elif press.action == "everyday":
            days = set(weekdays.ALL_DAYS)
        elif press.action == "weekdays":
            days = set(weekdays.WORKING_DAYS)
        elif press.action == "next":
            if not days:
                return Reply(toast=Text("reminders.need_a_day"), revision=conversation.revision)
            _advance(conversation, Step.TIMES, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        else:
            return await self._stale_button(session, conversation, patient, now)
        conversation.data = {**conversation.data, "days": sorted(days)}
        _touch(conversation, now)
        return _replace(await self._prompt(session, conversation, patient, now))

    async def _times_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        times = set(conversation.data.get("times", []))
        if press.action == "time":
            try:
                chosen = format_time_of_day(parse_time_of_day(press.arg))
            except TimeFormatError:
                return await self._stale_button(session, conversation, patient, now)
            if chosen not in times and len(times) >= MAX_TIMES_PER_DAY:
                return Reply(
                    toast=Text("reminders.too_many_times", {"limit": MAX_TIMES_PER_DAY}),
                    revision=conversation.revision,
                )
            times ^= {chosen}
        elif press.action == "clear":
            times = set()
        elif press.action == "done":
            if not times:
                return Reply(toast=Text("reminders.need_a_time"), revision=conversation.revision)
            return await self._save_reminders(session, conversation, patient, now)
        else:
            return await self._stale_button(session, conversation, patient, now)
        conversation.data = {**conversation.data, "times": sorted(times)}
        _touch(conversation, now)
        return _replace(await self._prompt(session, conversation, patient, now))

    async def _menu_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action == "timezone":
            _goto(conversation, Flow.SETTINGS, Step.TIMEZONE, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "reminders":
            conversation.data = _draft_of(patient)
            _goto(conversation, Flow.SETTINGS, Step.DAYS, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "off":
            patient.reminders_opt_in = False
            reschedule(patient, patient.reminder_slots, now)
            return await self._finish(conversation, patient, now, Text("settings.reminders_off"))
        if press.action == "on" and patient.reminder_slots:
            patient.reminders_opt_in = True
            reschedule(patient, patient.reminder_slots, now)
            return await self._finish(conversation, patient, now, Text("settings.reminders_on"))
        if press.action == "close":
            return await self._finish(conversation, patient, now, Text("settings.closed"))
        return await self._stale_button(session, conversation, patient, now)

    async def _reminder_menu_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action in ("timezone", "reminders", "off", "close"):
            return await self._menu_pressed(session, conversation, patient, press, now)
        if press.action == "add_time":
            conversation.data = _draft_of(patient)
            _advance(conversation, Step.TIMES, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "on":
            if not patient.reminder_slots:
                return await self._menu_pressed(
                    session, conversation, patient, ButtonPress(press.revision, "reminders"), now
                )
            return await self._menu_pressed(session, conversation, patient, press, now)
        if press.action == "pause":
            _advance(conversation, Step.PAUSE_REASON, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        if press.action == "resume":
            resume(patient, now)
            return _replace(await self._finish(conversation, patient, now, Text("pause.resumed")))
        if press.action == "quiet":
            _advance(conversation, Step.QUIET_HOURS, now)
            return _replace(await self._prompt(session, conversation, patient, now))
        return await self._stale_button(session, conversation, patient, now)

    async def _pause_reason_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        if press.action != "reason" or press.arg not in PAUSE_REASONS:
            return await self._stale_button(session, conversation, patient, now)
        conversation.data = {"reason": press.arg}
        _advance(conversation, Step.PAUSE_LENGTH, now)
        return _replace(await self._prompt(session, conversation, patient, now))

    async def _pause_length_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action != "days" or (press.arg and int(press.arg) not in PAUSE_DAYS):
            return await self._stale_button(session, conversation, patient, now)
        until = now + timedelta(days=int(press.arg)) if press.arg else None
        pause(patient, now, until, str(conversation.data.get("reason", "other")))
        return _replace(await self._finish(conversation, patient, now, Text("pause.paused")))

    async def _quiet_hours_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action != "quiet":
            return await self._stale_button(session, conversation, patient, now)
        if press.arg:
            start, _, end = press.arg.partition("-")
            if (start, end) not in QUIET_CHOICES:
                return await self._stale_button(session, conversation, patient, now)
            patient.quiet_start = parse_time_of_day(start)
            patient.quiet_end = parse_time_of_day(end)
        else:
            patient.quiet_start = patient.quiet_end = None
        return _replace(await self._finish(conversation, patient, now, Text("quiet.saved")))

    async def _typed_zone(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        text: str,
        now: datetime,
    ) -> Reply:
        try:
            zone = zone_from_text(text)
        except UnknownTimeZoneError:
            conversation.step = Step.TIMEZONE
            _touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return _prepend(reply, Text("timezone.unknown", {"text": text.strip()[:60]}))
        return await self._zone_chosen(session, conversation, patient, zone, now, via_button=False)

    async def _typed_times(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        text: str,
        now: datetime,
    ) -> Reply:
        try:
            typed = parse_times_of_day(text)
        except TimeFormatError as error:
            _touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return _prepend(reply, Text("reminders.time_unreadable", {"text": error.fragment[:40]}))
        times = set(conversation.data.get("times", [])) | {format_time_of_day(t) for t in typed}
        if len(times) > MAX_TIMES_PER_DAY:
            _touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return _prepend(reply, Text("reminders.too_many_times", {"limit": MAX_TIMES_PER_DAY}))
        conversation.data = {**conversation.data, "times": sorted(times)}
        _touch(conversation, now, bump=True)
        return await self._prompt(session, conversation, patient, now)

    async def _zone_chosen(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        zone: str,
        now: datetime,
        *,
        via_button: bool = True,
    ) -> Reply:
        assert patient is not None
        patient.timezone = zone
        reschedule(patient, patient.reminder_slots, now)
        local = local_now(zone, now)
        confirmed = [Text("timezone.set", {"zone": zone, "local_time": local.strftime("%H:%M")})]
        if is_fixed_offset_zone(zone) and zone != "Etc/UTC":
            confirmed.append(Text("timezone.fixed_offset_note"))
        conversation.data = {
            key: value for key, value in conversation.data.items() if key != "region"
        }
        confirmation = Screen(body=tuple(confirmed), remove_reply_keyboard=not via_button)
        if conversation.flow == Flow.SETTINGS:
            reply = await self._finish(conversation, patient, now, None)
        else:
            _advance(conversation, Step.REMINDERS, now)
            reply = await self._prompt(session, conversation, patient, now)
        if via_button:
            return _with_origin(confirmation, reply)
        return Reply(
            screens=(confirmation, *reply.screens), revision=reply.revision, language=reply.language
        )

    async def _save_reminders(
        self, session: AsyncSession, conversation: Conversation, patient: Patient, now: datetime
    ) -> Reply:
        days = weekdays.to_mask(conversation.data.get("days", []))
        times = [parse_time_of_day(value) for value in conversation.data.get("times", [])]
        await queries.replace_reminder_slots(session, patient, times, days, now)
        patient.reminders_opt_in = True
        reschedule(patient, patient.reminder_slots, now)
        return _replace(await self._finish(conversation, patient, now, Text("reminders.saved")))

    async def _finish(
        self, conversation: Conversation, patient: Patient, now: datetime, note: Text | None
    ) -> Reply:
        """End the flow with a summary of what is set."""
        first_time = conversation.flow == Flow.ONBOARDING
        if first_time and patient.onboarded_at is None:
            patient.onboarded_at = now
        _goto(conversation, Flow.IDLE, Step.NONE, now)
        conversation.data = {}
        title = Text("summary.all_set") if first_time else Text("summary.saved")
        body = tuple(part for part in (note, title) if part is not None)
        closing = (Text("summary.change_later"),) if first_time else ()
        return Reply(
            screens=(Screen(body=(*body, *self._summary(patient, now), *closing)),),
            revision=conversation.revision,
            language=patient.language,
        )

    # -- screens ----------------------------------------------------------------------------

    async def _prompt(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        now: datetime,
        *,
        step: Step | None = None,
    ) -> Reply:
        """The screen that asks for what the current step needs."""
        if step is not None:
            conversation.step = step
        language = patient.language if patient else None
        current = Step(conversation.step)
        data: dict[str, Any] = conversation.data
        if current == Step.CONSENT:
            shown = Screen(
                body=self._consent_body(),
                choices=(
                    (Choice(Text("buttons.agree"), "agree"),),
                    (Choice(Text("buttons.decline"), "decline"),),
                ),
            )
        elif current == Step.TIMEZONE:
            shown = self._timezone_screen()
        elif current == Step.CITY:
            shown = self._city_screen(data.get("region", ""))
        elif current == Step.LOCATION:
            shown = screen("timezone.share_location", ask_location=True)
        elif current == Step.REMINDERS:
            shown = screen(
                "reminders.ask",
                choices=(
                    (Choice(Text("buttons.remind_me"), "optin"),),
                    (Choice(Text("buttons.not_now"), "optout"),),
                ),
            )
        elif current == Step.DAYS:
            shown = self._days_screen(set(data.get("days", [])))
        elif current == Step.TIMES:
            shown = self._times_screen(data.get("times", []))
        elif current == Step.REMINDER_MENU:
            assert patient is not None
            shown = self._reminder_menu_screen(patient, now)
        elif current == Step.PAUSE_REASON:
            shown = Screen(
                body=(Text("pause.why"),),
                choices=tuple(
                    (Choice(Text(f"pause.reasons.{reason}"), "reason", reason),)
                    for reason in PAUSE_REASONS
                ),
            )
        elif current == Step.PAUSE_LENGTH:
            shown = Screen(
                body=(Text("pause.how_long"),),
                choices=(
                    *(
                        (Choice(Text(f"pause.lengths.{days}"), "days", str(days)),)
                        for days in PAUSE_DAYS
                    ),
                    (Choice(Text("pause.lengths.open"), "days", ""),),
                ),
            )
        elif current == Step.QUIET_HOURS:
            shown = Screen(
                body=(Text("quiet.ask"),),
                choices=(
                    *(
                        (Choice(f"{start}–{end}", "quiet", f"{start}-{end}"),)
                        for start, end in QUIET_CHOICES
                    ),
                    (Choice(Text("quiet.none"), "quiet", ""),),
                ),
            )
        elif current == Step.MENU:
            assert patient is not None
            shown = self._menu_screen(patient, now)
        else:
            shown = screen("common.nothing_pending")
        return Reply(screens=(shown,), revision=conversation.revision, language=language)

    def _consent_body(self) -> tuple[Text, ...]:
        return (
            Text("welcome.intro"),
            Text("welcome.limits"),
            Text("consent.body", {"version": self.consent_version}),
        )

    def _timezone_screen(self) -> Screen:
        rows: list[tuple[Choice, ...]] = [(Choice(Text("buttons.share_location"), "locate"),)]
        rows.extend(
            tuple(Choice(Text(f"timezone.regions.{region}"), "region", region) for region in row)
            for row in REGION_ROWS
        )
        return Screen(body=(Text("timezone.ask"),), choices=tuple(rows))

    def _city_screen(self, region: str) -> Screen:
        cities = self.regions.get(region, [])
        buttons = [Choice(city.label, "city", city.label) for city in cities]
        rows = [
            tuple(buttons[i : i + CITIES_PER_ROW]) for i in range(0, len(buttons), CITIES_PER_ROW)
        ]
        rows.append((Choice(Text("buttons.back"), "back"),))
        return Screen(
            body=(Text("timezone.pick_city", {"region": Text(f"timezone.regions.{region}")}),),
            choices=tuple(rows),
        )

    def _days_screen(self, days: set[int]) -> Screen:
        rows = [
            tuple(
                Choice(
                    Text(
                        "buttons.chosen" if day in days else "buttons.unchosen",
                        {"label": Text(f"days.short.{day}")},
                    ),
                    "day",
                    str(day),
                )
                for day in row
            )
            for row in DAY_ROWS
        ]
        rows.append(
            (
                Choice(Text("buttons.every_day"), "everyday"),
                Choice(Text("buttons.weekdays"), "weekdays"),
            )
        )
        rows.append((Choice(Text("buttons.next"), "next"),))
        return Screen(
            body=(Text("reminders.days", {"days": _days_text(days)}),), choices=tuple(rows)
        )

    def _times_screen(self, times: list[str]) -> Screen:
        chosen = set(times)
        buttons = [
            Choice(
                Text(
                    "buttons.chosen" if format_time_of_day(t) in chosen else "buttons.unchosen",
                    {"label": format_time_of_day(t)},
                ),
                "time",
                format_time_of_day(t),
            )
            for t in COMMON_TIMES
        ]
        rows = [tuple(buttons[:3]), tuple(buttons[3:])]
        rows.append((Choice(Text("buttons.clear"), "clear"), Choice(Text("buttons.done"), "done")))
        chosen_text: Text | str = (
            ", ".join(sorted(chosen)) if chosen else Text("reminders.no_times_yet")
        )
        return Screen(
            body=(Text("reminders.times", {"times": chosen_text, "limit": MAX_TIMES_PER_DAY}),),
            choices=tuple(rows),
        )

    def _menu_screen(self, patient: Patient, now: datetime) -> Screen:
        rows: list[tuple[Choice, ...]] = [
            (Choice(Text("buttons.change_timezone"), "timezone"),),
            (Choice(Text("buttons.change_reminders"), "reminders"),),
        ]
        if patient.reminders_opt_in:
            rows.append((Choice(Text("buttons.reminders_off"), "off"),))
        elif patient.reminder_slots:
            rows.append((Choice(Text("buttons.reminders_on"), "on"),))
        rows.append((Choice(Text("buttons.close"), "close"),))
        return Screen(
            body=(Text("settings.title"), *self._summary(patient, now)), choices=tuple(rows)
        )

    def _reminder_menu_screen(self, patient: Patient, now: datetime) -> Screen:
        rows: list[tuple[Choice, ...]] = [
            (Choice(Text("buttons.change_reminders"), "reminders"),),
            (Choice(Text("buttons.add_time"), "add_time"),),
            (Choice(Text("buttons.change_timezone"), "timezone"),),
            (
                Choice(Text("buttons.resume"), "resume")
                if is_paused(patient, now)
                else Choice(Text("buttons.pause"), "pause"),
            ),
            (Choice(Text("buttons.quiet_hours"), "quiet"),),
            (
                Choice(Text("buttons.stop_reminders"), "off")
                if patient.reminders_opt_in
                else Choice(Text("buttons.start_reminders"), "on"),
            ),
            (Choice(Text("buttons.close"), "close"),),
        ]
        return Screen(
            body=(Text("reminders_menu.title"), *self._summary(patient, now)), choices=tuple(rows)
        )

    def _summary(self, patient: Patient, now: datetime) -> tuple[Text, ...]:
        parts: list[Text] = []
        if patient.timezone:
            local = local_now(patient.timezone, now).strftime("%H:%M")
            parts.append(Text("summary.timezone", {"zone": patient.timezone, "local_time": local}))
        else:
            parts.append(Text("summary.no_timezone"))
        if patient.reminders_opt_in and patient.reminder_slots:
            mask = patient.reminder_slots[0].weekdays
            times = ", ".join(
                format_time_of_day(slot.local_time) for slot in patient.reminder_slots
            )
            parts.append(
                Text(
                    "summary.reminders_on",
                    {"days": _days_text(weekdays.from_mask(mask)), "times": times},
                )
            )
        else:
            parts.append(Text("summary.reminders_off"))
        if is_paused(patient, now):
            reason = Text(f"pause.reasons.{patient.pause_reason or 'other'}")
            if patient.paused_until is not None and patient.timezone:
                until = local_now(patient.timezone, patient.paused_until).strftime("%Y-%m-%d %H:%M")
                parts.append(Text("summary.paused_until", {"until": until, "reason": reason}))
            else:
                parts.append(Text("summary.paused", {"reason": reason}))
        if patient.quiet_start is not None and patient.quiet_end is not None:
            parts.append(
                Text(
                    "summary.quiet",
                    {
                        "start": format_time_of_day(patient.quiet_start),
                        "end": format_time_of_day(patient.quiet_end),
                    },
                )
            )
        return tuple(parts)

    async def _stale_button(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        now: datetime,
    ) -> Reply:
        """An old, paused or unreadable button: say so and ask again for what is pending."""
        language = patient.language if patient else None
        if conversation.paused:
            return _say("common.paused", toast="common.button_expired", language=language)
        _touch(conversation, now, bump=True)
        reply = await self._prompt(session, conversation, patient, now)
        return Reply(
            screens=(
                _prepend_screen(reply.screens[0], Text("common.button_stale")),
                *reply.screens[1:],
            ),
            toast=Text("common.button_expired"),
            revision=reply.revision,
            language=reply.language,
        )

    def _zone_of_city(self, region: object, label: str) -> str | None:
        for city in self.regions.get(str(region), []):
            if city.label == label:
                return city.zone
        return None


# -- helpers ------------------------------------------------------------------------------


def _goto(conversation: Conversation, flow: Flow, step: Step, now: datetime) -> None:
    conversation.flow = flow
    conversation.step = step
    _touch(conversation, now, bump=True)


def _draft_of(patient: Patient) -> dict[str, Any]:
    """The patient's current days and times, as the draft the days and times steps edit."""
    slots = patient.reminder_slots
    days = sorted(weekdays.from_mask(slots[0].weekdays)) if slots else sorted(weekdays.ALL_DAYS)
    return {"days": days, "times": [format_time_of_day(slot.local_time) for slot in slots]}


def _advance(conversation: Conversation, step: Step, now: datetime) -> None:
    """Move to another step of the same flow."""
    conversation.step = step
    _touch(conversation, now, bump=True)


def _touch(conversation: Conversation, now: datetime, *, bump: bool = False) -> None:
    if bump:
        conversation.revision = (conversation.revision or 0) + 1
    conversation.updated_at = now


def _days_text(days: set[int] | frozenset[int]) -> Text | tuple[Text, ...]:
    if set(days) == weekdays.ALL_DAYS:
        return Text("days.every_day")
    if set(days) == weekdays.WORKING_DAYS:
        return Text("days.weekdays")
    if not days:
        return Text("days.none")
    return tuple(Text(f"days.short.{day}") for day in sorted(days))


def _say(key: str, *, toast: str | None = None, language: str | None = None) -> Reply:
    return Reply(screens=(screen(key),), toast=Text(toast) if toast else None, language=language)


def _prepend_screen(shown: Screen, note: Text) -> Screen:
    return Screen(
        body=(note, *shown.body),
        choices=shown.choices,
        ask_location=shown.ask_location,
        remove_reply_keyboard=shown.remove_reply_keyboard,
    )


def _prepend(reply: Reply, note: Text, *, remove_reply_keyboard: bool = False) -> Reply:
    first = _prepend_screen(reply.screens[0], note)
    if remove_reply_keyboard and not first.ask_location:
        first = Screen(body=first.body, choices=first.choices, remove_reply_keyboard=True)
    return Reply(
        screens=(first, *reply.screens[1:]),
        replace_origin=reply.replace_origin,
        toast=reply.toast,
        revision=reply.revision,
        language=reply.language,
    )


def _replace(reply: Reply) -> Reply:
    """Show the reply in place of the message whose button was pressed."""
    return Reply(
        screens=reply.screens,
        replace_origin=True,
        toast=reply.toast,
        revision=reply.revision,
        language=reply.language,
    )


def _with_origin(origin: Screen, reply: Reply) -> Reply:
    """Turn the pressed message into ``origin`` (without buttons), then send ``reply``."""
    return Reply(
        screens=(origin, *reply.screens),
        replace_origin=True,
        toast=reply.toast,
        revision=reply.revision,
        language=reply.language,
    )
