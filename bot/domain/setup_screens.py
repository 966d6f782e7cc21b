"""The screens of setting up: consent, time zone, reminder days and times, and the menus.

Each function describes one question (its sentences and buttons) for the set-up flows in
:mod:`bot.flows`; nothing here reads or writes the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time

from bot.domain import weekdays
from bot.domain.local_times import MAX_TIMES_PER_DAY, format_time_of_day
from bot.domain.reminders import is_paused
from bot.domain.screens import Choice, Screen, Text, screen
from bot.domain.timezones import local_now
from content.models import City
from db.models import Patient

PAUSE_REASONS = ("illness", "travel", "flare_up", "other")
PAUSE_DAYS = (1, 3, 7, 14)
QUIET_CHOICES = ((time(22), time(7)), (time(21), time(8)), (time(23), time(6)))
COMMON_TIMES = (time(7), time(8), time(9), time(12), time(18), time(20))
DAY_ROWS = ((0, 1, 2, 3), (4, 5, 6))
REGION_ROWS = (("europe", "americas"), ("asia", "africa"), ("oceania", "utc"))
CITIES_PER_ROW = 3


def consent_screen(
    consent_version: str, therapist: str | None = None, patient_name: str | None = None
) -> Screen:
    """The consent question; when a therapist's invite brought the patient, it names the
    therapist and what they will see."""
    return Screen(
        body=consent_body(consent_version, therapist, patient_name),
        choices=(
            (Choice(Text("buttons.agree"), "agree"),),
            (Choice(Text("buttons.decline"), "decline"),),
        ),
    )


def reminders_opt_in_screen() -> Screen:
    return screen(
        "reminders.ask",
        choices=(
            (Choice(Text("buttons.remind_me"), "optin"),),
            (Choice(Text("buttons.not_now"), "optout"),),
        ),
    )


def pause_reason_screen() -> Screen:
    return Screen(
        body=(Text("pause.why"),),
        choices=tuple(
            (Choice(Text(f"pause.reasons.{reason}"), "reason", reason),) for reason in PAUSE_REASONS
        ),
    )


def pause_length_screen() -> Screen:
    return Screen(
        body=(Text("pause.how_long"),),
        choices=(
            *((Choice(Text(f"pause.lengths.{days}"), "days", str(days)),) for days in PAUSE_DAYS),
            (Choice(Text("pause.lengths.open"), "days"),),
        ),
    )


def quiet_hours_screen() -> Screen:
    return Screen(
        body=(Text("quiet.ask"),),
        choices=(
            *(
                (Choice(f"{start}–{end}", "quiet", start, end),)
                for start, end in (
                    (format_time_of_day(start), format_time_of_day(end))
                    for start, end in QUIET_CHOICES
                )
            ),
            (Choice(Text("quiet.none"), "quiet"),),
        ),
    )


def consent_body(
    consent_version: str, therapist: str | None = None, patient_name: str | None = None
) -> tuple[Text, ...]:
    body = (
        Text("welcome.intro"),
        Text("welcome.limits"),
        Text("consent.body", {"version": consent_version}),
    )
    if therapist:
        invited = {"therapist": therapist, "name": patient_name or ""}
        return (*body, Text("invites.consent_therapist", invited))
    return body


def timezone_screen() -> Screen:
    rows: list[tuple[Choice, ...]] = [(Choice(Text("buttons.share_location"), "locate"),)]
    rows.extend(
        tuple(Choice(Text(f"timezone.regions.{region}"), "region", region) for region in row)
        for row in REGION_ROWS
    )
    return Screen(body=(Text("timezone.ask"),), choices=tuple(rows))


def city_screen(regions: Mapping[str, list[City]], region: str) -> Screen:
    cities = regions.get(region, [])
    buttons = [Choice(city.label, "city", city.label) for city in cities]
    rows = [tuple(buttons[i : i + CITIES_PER_ROW]) for i in range(0, len(buttons), CITIES_PER_ROW)]
    rows.append((Choice(Text("buttons.back"), "back"),))
    return Screen(
        body=(Text("timezone.pick_city", {"region": Text(f"timezone.regions.{region}")}),),
        choices=tuple(rows),
    )


def days_screen(days: set[int]) -> Screen:
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
    return Screen(body=(Text("reminders.days", {"days": days_text(days)}),), choices=tuple(rows))


def times_screen(times: list[str]) -> Screen:
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


def settings_menu_screen(patient: Patient, now: datetime) -> Screen:
    rows: list[tuple[Choice, ...]] = [
        (Choice(Text("buttons.change_timezone"), "timezone"),),
        (Choice(Text("buttons.change_reminders"), "reminders"),),
    ]
    if patient.reminders_opt_in:
        rows.append((Choice(Text("buttons.reminders_off"), "off"),))
    elif patient.reminder_slots:
        rows.append((Choice(Text("buttons.reminders_on"), "on"),))
    rows.append((Choice(Text("buttons.close"), "close"),))
    return Screen(body=(Text("settings.title"), *summary(patient, now)), choices=tuple(rows))


def reminder_menu_screen(patient: Patient, now: datetime) -> Screen:
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
    return Screen(body=(Text("reminders_menu.title"), *summary(patient, now)), choices=tuple(rows))


def summary(patient: Patient, now: datetime) -> tuple[Text, ...]:
    parts: list[Text] = []
    if patient.timezone:
        local = local_now(patient.timezone, now).strftime("%H:%M")
        parts.append(Text("summary.timezone", {"zone": patient.timezone, "local_time": local}))
    else:
        parts.append(Text("summary.no_timezone"))
    if patient.reminders_opt_in and patient.reminder_slots:
        mask = patient.reminder_slots[0].weekdays
        times = ", ".join(format_time_of_day(slot.local_time) for slot in patient.reminder_slots)
        parts.append(
            Text(
                "summary.reminders_on",
                {"days": days_text(weekdays.from_mask(mask)), "times": times},
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


def days_text(days: set[int] | frozenset[int]) -> Text | tuple[Text, ...]:
    if set(days) == weekdays.ALL_DAYS:
        return Text("days.every_day")
    if set(days) == weekdays.WORKING_DAYS:
        return Text("days.weekdays")
    if not days:
        return Text("days.none")
    return tuple(Text(f"days.short.{day}") for day in sorted(days))
