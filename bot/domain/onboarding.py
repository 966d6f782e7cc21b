"""Onboarding and settings: the conversation that sets a patient up.

The conversation's place is a row in the database (flow, step, revision, draft data), read and
locked on every update, so a restart or another instance picks up exactly where it stopped.
Before the patient agrees to the consent text, that row holds nothing but their Telegram id,
the step and the deep-link payload.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import setup_screens as screens
from bot.domain import weekdays
from bot.domain.conversation import (
    ButtonPress,
    Flow,
    Step,
    TelegramUser,
    advance,
    goto,
    in_place,
    prepend,
    say,
    touch,
    with_origin,
)
from bot.domain.local_times import (
    MAX_TIMES_PER_DAY,
    TimeFormatError,
    format_time_of_day,
    parse_time_of_day,
    parse_times_of_day,
)
from bot.domain.reminders import pause, reschedule, resume
from bot.domain.screens import Reply, Screen, Text, screen
from bot.domain.timezones import (
    UnknownTimeZoneError,
    is_fixed_offset_zone,
    local_now,
    zone_from_text,
)
from content.messages import City
from db import queries
from db.models import Conversation, Patient

# Telegram deep-link payloads are at most 64 characters of [A-Za-z0-9_-].
_DEEP_LINK_PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

LocateZone = Callable[[float, float], Awaitable[str | None]]


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
            touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return prepend(reply, Text("start.resume"))
        if patient is not None:
            return Reply(
                screens=(
                    Screen(body=(Text("start.welcome_back"), *screens.summary(patient, now))),
                ),
                language=patient.language,
            )
        conversation = conversation or await queries.new_conversation_for_update(
            session, user.id, now
        )
        conversation.data = {"invite": invite} if invite else {}
        goto(conversation, Flow.ONBOARDING, Step.CONSENT, now)
        return await self._prompt(session, conversation, None, now)

    async def cancel(self, session: AsyncSession, user: TelegramUser, now: datetime) -> Reply:
        """/cancel: leave the current step; onboarding can be resumed later with /start."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        language = patient.language if patient else None
        if conversation is None or conversation.flow == Flow.IDLE:
            return say("cancel.nothing", language=language)
        if conversation.flow == Flow.SETTINGS:
            goto(conversation, Flow.IDLE, Step.NONE, now)
            conversation.data = {}
            return Reply(
                screens=(screen("cancel.settings", remove_reply_keyboard=True),), language=language
            )
        conversation.paused = True
        touch(conversation, now, bump=True)
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
                touch(conversation, now, bump=True)
                reply = await self._prompt(session, conversation, patient, now)
                return prepend(reply, Text("settings.finish_setup_first"))
            return say("common.start_first")
        if conversation is None:
            conversation = await queries.new_conversation_for_update(session, user.id, now)
        conversation.data = {}
        goto(conversation, Flow.SETTINGS, Step.MENU, now)
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
            conversation = await queries.new_conversation_for_update(session, user.id, now)
        conversation.data = {}
        goto(conversation, Flow.SETTINGS, Step.REMINDER_MENU, now)
        return await self._prompt(session, conversation, patient, now)

    async def press(
        self, session: AsyncSession, user: TelegramUser, press: ButtonPress | None, now: datetime
    ) -> Reply:
        """A button press. ``None`` means the button's data could not be read (forged or old)."""
        conversation = await queries.conversation_for_update(session, user.id)
        patient = await queries.patient_by_telegram_id(session, user.id)
        language = patient.language if patient else None
        if conversation is None or (conversation.flow == Flow.IDLE and patient is None):
            return say("common.start_first", toast="common.button_expired", language=language)
        if press is None or press.revision != conversation.revision or conversation.paused:
            return await self._stale_button(session, conversation, patient, now)
        if conversation.flow == Flow.IDLE:
            return say(
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
            return None if patient is not None else say("common.start_first")
        if conversation.paused:
            return say("common.paused", language=patient.language if patient else None)
        step = Step(conversation.step)
        if step in (Step.TIMEZONE, Step.CITY, Step.LOCATION):
            return await self._typed_zone(session, conversation, patient, text, now)
        if step == Step.TIMES:
            return await self._typed_times(session, conversation, patient, text, now)
        reply = await self._prompt(session, conversation, patient, now)
        return prepend(reply, Text("common.use_buttons"))

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
            touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now, step=Step.TIMEZONE)
            return prepend(reply, Text("timezone.location_unknown"), remove_reply_keyboard=True)
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
        advance(conversation, Step.TIMEZONE, now)
        accepted = Screen(
            body=(*screens.consent_body(self.consent_version), Text("consent.accepted"))
        )
        return with_origin(accepted, await self._prompt(session, conversation, patient, now))

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
            return in_place(await self._prompt(session, conversation, patient, now))
        if press.action == "back":
            conversation.step = Step.TIMEZONE
            return in_place(await self._prompt(session, conversation, patient, now))
        if press.action == "city":
            zone = self._zone_of_city(conversation.data.get("region"), press.arg)
            if zone is not None:
                return await self._zone_chosen(session, conversation, patient, zone, now)
        if press.action == "locate":
            advance(conversation, Step.LOCATION, now)
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
            advance(conversation, Step.DAYS, now)
            return in_place(await self._prompt(session, conversation, patient, now))
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
            advance(conversation, Step.TIMES, now)
            return in_place(await self._prompt(session, conversation, patient, now))
        else:
            return await self._stale_button(session, conversation, patient, now)
        conversation.data = {**conversation.data, "days": sorted(days)}
        touch(conversation, now)
        return in_place(await self._prompt(session, conversation, patient, now))

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
        touch(conversation, now)
        return in_place(await self._prompt(session, conversation, patient, now))

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
            goto(conversation, Flow.SETTINGS, Step.TIMEZONE, now)
            return in_place(await self._prompt(session, conversation, patient, now))
        if press.action == "reminders":
            conversation.data = _draft_of(patient)
            goto(conversation, Flow.SETTINGS, Step.DAYS, now)
            return in_place(await self._prompt(session, conversation, patient, now))
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
            advance(conversation, Step.TIMES, now)
            return in_place(await self._prompt(session, conversation, patient, now))
        if press.action == "on":
            if not patient.reminder_slots:
                return await self._menu_pressed(
                    session, conversation, patient, ButtonPress(press.revision, "reminders"), now
                )
            return await self._menu_pressed(session, conversation, patient, press, now)
        if press.action == "pause":
            advance(conversation, Step.PAUSE_REASON, now)
            return in_place(await self._prompt(session, conversation, patient, now))
        if press.action == "resume":
            resume(patient, now)
            return in_place(await self._finish(conversation, patient, now, Text("pause.resumed")))
        if press.action == "quiet":
            advance(conversation, Step.QUIET_HOURS, now)
            return in_place(await self._prompt(session, conversation, patient, now))
        return await self._stale_button(session, conversation, patient, now)

    async def _pause_reason_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        if press.action != "reason" or press.arg not in screens.PAUSE_REASONS:
            return await self._stale_button(session, conversation, patient, now)
        conversation.data = {"reason": press.arg}
        advance(conversation, Step.PAUSE_LENGTH, now)
        return in_place(await self._prompt(session, conversation, patient, now))

    async def _pause_length_pressed(
        self,
        session: AsyncSession,
        conversation: Conversation,
        patient: Patient | None,
        press: ButtonPress,
        now: datetime,
    ) -> Reply:
        assert patient is not None
        if press.action != "days" or (press.arg and int(press.arg) not in screens.PAUSE_DAYS):
            return await self._stale_button(session, conversation, patient, now)
        until = now + timedelta(days=int(press.arg)) if press.arg else None
        pause(patient, now, until, str(conversation.data.get("reason", "other")))
        return in_place(await self._finish(conversation, patient, now, Text("pause.paused")))

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
            if (start, end) not in screens.QUIET_CHOICES:
                return await self._stale_button(session, conversation, patient, now)
            patient.quiet_start = parse_time_of_day(start)
            patient.quiet_end = parse_time_of_day(end)
        else:
            patient.quiet_start = patient.quiet_end = None
        return in_place(await self._finish(conversation, patient, now, Text("quiet.saved")))

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
            touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return prepend(reply, Text("timezone.unknown", {"text": text.strip()[:60]}))
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
            touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return prepend(reply, Text("reminders.time_unreadable", {"text": error.fragment[:40]}))
        times = set(conversation.data.get("times", [])) | {format_time_of_day(t) for t in typed}
        if len(times) > MAX_TIMES_PER_DAY:
            touch(conversation, now, bump=True)
            reply = await self._prompt(session, conversation, patient, now)
            return prepend(reply, Text("reminders.too_many_times", {"limit": MAX_TIMES_PER_DAY}))
        conversation.data = {**conversation.data, "times": sorted(times)}
        touch(conversation, now, bump=True)
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
            advance(conversation, Step.REMINDERS, now)
            reply = await self._prompt(session, conversation, patient, now)
        if via_button:
            return with_origin(confirmation, reply)
        return dataclasses.replace(reply, screens=(confirmation, *reply.screens))

    async def _save_reminders(
        self, session: AsyncSession, conversation: Conversation, patient: Patient, now: datetime
    ) -> Reply:
        days = weekdays.to_mask(conversation.data.get("days", []))
        times = [parse_time_of_day(value) for value in conversation.data.get("times", [])]
        await queries.replace_reminder_slots(session, patient, times, days, now)
        patient.reminders_opt_in = True
        reschedule(patient, patient.reminder_slots, now)
        return in_place(await self._finish(conversation, patient, now, Text("reminders.saved")))

    async def _finish(
        self, conversation: Conversation, patient: Patient, now: datetime, note: Text | None
    ) -> Reply:
        """End the flow with a summary of what is set."""
        first_time = conversation.flow == Flow.ONBOARDING
        if first_time and patient.onboarded_at is None:
            patient.onboarded_at = now
        goto(conversation, Flow.IDLE, Step.NONE, now)
        conversation.data = {}
        title = Text("summary.all_set") if first_time else Text("summary.saved")
        body = tuple(part for part in (note, title) if part is not None)
        closing = (Text("summary.change_later"),) if first_time else ()
        return Reply(
            screens=(Screen(body=(*body, *screens.summary(patient, now), *closing)),),
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
            shown = screens.consent_screen(self.consent_version)
        elif current == Step.TIMEZONE:
            shown = screens.timezone_screen()
        elif current == Step.CITY:
            shown = screens.city_screen(self.regions, data.get("region", ""))
        elif current == Step.LOCATION:
            shown = screen("timezone.share_location", ask_location=True)
        elif current == Step.REMINDERS:
            shown = screens.reminders_opt_in_screen()
        elif current == Step.DAYS:
            shown = screens.days_screen(set(data.get("days", [])))
        elif current == Step.TIMES:
            shown = screens.times_screen(data.get("times", []))
        elif current == Step.REMINDER_MENU:
            assert patient is not None
            shown = screens.reminder_menu_screen(patient, now)
        elif current == Step.PAUSE_REASON:
            shown = screens.pause_reason_screen()
        elif current == Step.PAUSE_LENGTH:
            shown = screens.pause_length_screen()
        elif current == Step.QUIET_HOURS:
            shown = screens.quiet_hours_screen()
        elif current == Step.MENU:
            assert patient is not None
            shown = screens.settings_menu_screen(patient, now)
        else:
            shown = screen("common.nothing_pending")
        return Reply(screens=(shown,), revision=conversation.revision, language=language)

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
            return say("common.paused", toast="common.button_expired", language=language)
        touch(conversation, now, bump=True)
        reply = await self._prompt(session, conversation, patient, now)
        stale = prepend(reply, Text("common.button_stale"))
        return dataclasses.replace(stale, toast=Text("common.button_expired"))

    def _zone_of_city(self, region: object, label: str) -> str | None:
        for city in self.regions.get(str(region), []):
            if city.label == label:
                return city.zone
        return None


def _draft_of(patient: Patient) -> dict[str, Any]:
    """The patient's current days and times, as the draft the days and times steps edit."""
    slots = patient.reminder_slots
    days = sorted(weekdays.from_mask(slots[0].weekdays)) if slots else sorted(weekdays.ALL_DAYS)
    return {"days": days, "times": [format_time_of_day(slot.local_time) for slot in slots]}
