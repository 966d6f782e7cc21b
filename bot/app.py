"""The composition root: ``build_application`` wires every part of the bot together.

``reed run``, ``reed demo`` and the tests all call it; only the transport differs.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any, cast

from telegram import BotCommand
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot.context import SERVICES_KEY, ReedApplication, ReedContext
from bot.domain.clock import Clock, system_clock
from bot.domain.emergency import emergency_number
from bot.domain.library import Library, LibraryContent
from bot.domain.red_flags import Alarm, most_severe_alarm, scan
from bot.domain.red_flags import red_flag_rules as red_flag_rules_of
from bot.domain.reminders import ReminderAnswers
from bot.domain.safety import pain_scale_problems
from bot.domain.safety_screens import SafetyScreens
from bot.domain.timezones import LocationZoneFinder, zone_from_text
from bot.flows import FLOWS
from bot.flows.engine import Engine, FlowKit, LocateZone
from bot.handlers import COMMANDS, register_handlers
from bot.outbox import MorningChecks, Outbox, Policy, Reminders
from bot.outbox.alerts import Alerts
from bot.outbox.care_news import CareNews
from bot.outbox.notes import Notes
from bot.outbox.plan_news import PlanNews
from bot.outbox.summaries import SummaryKind
from bot.rate_limit import PriorityRateLimiter
from bot.services import Services
from bot.settings import Settings
from bot.turns import Turns
from bot.updates import PerChatUpdateProcessor
from content.loader import load_content
from content.messages import Text
from db.engine import Database
from db.plan_queries import PatientPlans

logger = logging.getLogger(__name__)


def build_services(
    settings: Settings, *, clock: Clock = system_clock, locate_zone: LocateZone | None = None
) -> Services:
    """Load content and create the database handle. Content errors fail here, at start-up."""
    content = load_content(rules=(pain_scale_problems,))
    messages = content.messages
    library = Library(
        {
            code: LibraryContent.of(content.catalogs[code], content.search_words[code])
            for code in content.languages
        }
    )
    plans = PatientPlans(content.starter_plan)
    db = Database.from_url(settings.database_url)
    numbers = content.emergency_numbers
    safety = SafetyScreens(content.catalog, lambda zone: emergency_number(zone, numbers))
    red_flag_rules = red_flag_rules_of(content).values()

    def red_flags(text: str) -> Alarm | None:
        # Patients write in the language they think in, not always the one the bot speaks.
        return most_severe_alarm(scan(text, rules) for rules in red_flag_rules)

    reminders = Reminders(
        timedelta(minutes=settings.reminder_grace_minutes),
        plans,
        content.catalog,
        safety,
    )
    morning_checks = MorningChecks(
        timedelta(minutes=settings.reminder_grace_minutes), content.catalog
    )
    outbox_policy = Policy(
        lease=timedelta(seconds=settings.reminder_claim_lease_seconds),
        batch_size=settings.reminder_batch_size,
        send_concurrency=settings.reminder_send_concurrency,
    )

    kit = FlowKit(
        consent_version=content.consent_version,
        regions=content.timezone_regions,
        locate_zone=locate_zone or LocationZoneFinder(),
        safety_screen=safety.screen,
        catalog_for=content.catalog,
        starter_plan=content.starter_plan,
    )
    return Services(
        settings=settings,
        db=db,
        messages=messages,
        turns=Turns(db, messages.resolve_language, clock),
        conversations=Engine(FLOWS, kit),
        library=library,
        reminder_answers=ReminderAnswers(content.catalog, safety),
        safety=safety,
        red_flags=red_flags,
        outbox=Outbox(
            db,
            [
                reminders,
                morning_checks,
                Alerts(clock),
                SummaryKind(),
                CareNews(),
                Notes(),
                PlanNews(content.catalog),
            ],
            messages,
            clock,
            outbox_policy,
        ),
        clock=clock,
        plans=plans,
    )


def build_application(
    settings: Settings,
    *,
    services: Services | None = None,
    request: BaseRequest | None = None,
    updates: BaseUpdateProcessor | None = None,
) -> ReedApplication:
    """Build the bot. ``request`` replaces the HTTP transport (the tests' fake Telegram);
    ``updates`` how updates are processed (default: chats side by side, each chat in order)."""
    if settings.telegram_bot_token is None:
        raise ValueError("build_application needs TELEGRAM_BOT_TOKEN (the demo supplies its own)")
    services = services or build_services(settings)
    api = settings.api_root
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .context_types(ContextTypes(context=ReedContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .concurrent_updates(updates or PerChatUpdateProcessor())
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if settings.telegram_rate_limit > 0:
        limiter = PriorityRateLimiter(settings.telegram_rate_limit)
        builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]
    application = cast(ReedApplication, builder.build())
    application.bot_data[SERVICES_KEY] = services
    register_handlers(application)
    schedule_outbox(application, services.outbox, settings)
    return application


def schedule_outbox(application: ReedApplication, outbox: Outbox, settings: Settings) -> None:
    """One repeating job for everything the bot sends on its own, whatever the number of
    patients.

    The first run happens at start-up, which is when reminders that fell due during downtime
    are sent (inside the grace window) or recorded as missed. Runs never overlap.
    """
    assert application.job_queue is not None
    application.job_queue.run_repeating(
        outbox.job,
        interval=settings.reminder_poll_seconds,
        first=0,
        name="outbox",
        job_kwargs={"max_instances": 1, "coalesce": True},
    )


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    await services.db.ping()
    # Reading the zone database touches many files; do it once, off the event loop.
    await asyncio.to_thread(zone_from_text, "UTC")
    # One command menu per language; Telegram shows the one matching the user's app language.
    for code in services.messages.languages:
        messages = services.messages.for_language(code)
        commands = [
            BotCommand(name, messages.plain(Text(f"commands.menu.{name}"))) for name in COMMANDS
        ]
        await application.bot.set_my_commands(commands, language_code=code)
        if code == services.messages.default:
            await application.bot.set_my_commands(commands)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    await services.db.dispose()
