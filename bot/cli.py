"""The ``reed`` command (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from typing import Any

from bot.settings import Settings, SettingsError, configure_logging, get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reed",
        description="ReEd Coach: a Telegram bot for neuromuscular re-education drills.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot (polling, or webhook when WEBHOOK_URL is set)",
        description=(
            "Apply pending migrations, then run the bot: long polling, or a webhook server when "
            "WEBHOOK_URL is set. Without TELEGRAM_BOT_TOKEN it starts the local demo instead."
        ),
    )
    demo = commands.add_parser(
        "demo",
        help="chat with the bot in this terminal, against a local Telegram emulation",
        description=(
            "Run the real bot against a local emulation of the Telegram Bot API and chat with it "
            "here as a patient. Buttons are numbered: type the number or the label to press one. "
            "Uses reed-demo.db unless DATABASE_URL is set."
        ),
    )
    demo.add_argument(
        "--as",
        dest="demo_as",
        choices=("patient", "therapist"),
        default="patient",
        help="therapist: become a therapist with three demo patients (invite, QR code, alerts)",
    )
    _therapist_parser(commands)
    db = commands.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_commands.add_parser(
        "upgrade",
        help="apply pending migrations to DATABASE_URL",
        description="Apply every pending Alembic migration to the database DATABASE_URL names.",
    )
    content = commands.add_parser("content", help="coaching content", description="Content tools.")
    content_commands = content.add_subparsers(
        dest="content_command", metavar="ACTION", required=True
    )
    content_commands.add_parser(
        "check",
        help="validate content/ and report every problem with its file and field",
        description="Load all content and report each problem with its file and field.",
    )
    bench = commands.add_parser("bench", help="benchmarks", description="Benchmarks.")
    bench_commands = bench.add_subparsers(dest="bench_command", metavar="NAME", required=True)
    reminders = bench_commands.add_parser(
        "reminders",
        help="start-up, dispatch capacity and a rate-limited wave, beside a naive baseline",
        description=(
            "Seed opted-in patients in DATABASE_URL (removed afterwards), then measure start-up "
            "time and peak RSS against one run_daily job per patient, dispatch capacity with the "
            "rate limiter off, and a wave at 30 messages/s with patients chatting during it."
        ),
    )
    reminders.add_argument("--patients", type=int, default=100_000)
    reminders.add_argument("--wave", type=int, default=20_000, help="capacity wave size")
    reminders.add_argument("--limited-wave", type=int, default=10_000)
    reminders.add_argument("--chatters", type=int, default=2)
    reminders.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object"
    )
    checkins = bench_commands.add_parser(
        "checkins",
        help="check-in answers handled per second, beside an echo handler and one at a time",
        description=(
            "Patients in DATABASE_URL (removed afterwards) press Done on a reminder, then answer "
            "the check-in's first question (pain during the drill) through the local Telegram "
            "emulation, some tapping twice at once: answers handled per second with p50 and p99 "
            "latency, for a bare echo handler (the ceiling), the bot handling one update at a "
            "time, and the bot handling chats side by side; and whether each chat's answers "
            "were replied to and stored in the order pressed (exit status 1 if not)."
        ),
    )
    checkins.add_argument("--patients", type=int, default=3_000, help="patients per way")
    checkins.add_argument("--in-flight", type=int, default=64, help="patients pressing at once")
    checkins.add_argument(
        "--concurrency", type=int, default=None, help="updates handled at once (default: the bot's)"
    )
    checkins.add_argument(
        "--double-tap-every", type=int, default=5, help="1 in N patients taps twice; 0: none"
    )
    checkins.add_argument(
        "--rounds", type=int, default=3, help="the ways of processing take turns this often"
    )
    checkins.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object"
    )
    summaries = bench_commands.add_parser(
        "summaries",
        help="every therapist's weekly summary figures, beside a naive per-patient loop",
        description=(
            "Seed therapists with patients and a full week each in DATABASE_URL (removed "
            "afterwards), then time every weekly summary's figures, text and CSV rows, count "
            "the queries per therapist for two patient counts, run a naive per-patient loop "
            "beside it, and draw one summary's chart and PDF (p50/p95)."
        ),
    )
    summaries.add_argument("--therapists", type=int, default=2_000)
    summaries.add_argument("--patients", type=int, default=25, help="patients per therapist")
    summaries.add_argument("--naive-sample", type=int, default=40, help="therapists, naive loop")
    summaries.add_argument("--renders", type=int, default=20, help="chart and PDF draws")
    summaries.add_argument(
        "--json", action="store_true", help="print the figures as one JSON object"
    )
    return parser


def _therapist_parser(commands: Any) -> None:
    therapist = commands.add_parser(
        "therapist",
        help="therapist invites: make, list, revoke",
        description="Therapist invites: single-use, expiring links that make a therapist.",
    )
    actions = therapist.add_subparsers(dest="therapist_command", metavar="ACTION", required=True)
    invite = actions.add_parser(
        "invite",
        help="print a single-use invite link that registers a therapist",
        description=(
            "Print a single-use, expiring deep link (https://t.me/<bot>?start=<code>); whoever "
            "opens it becomes a therapist with this name. Only a hash of the code is stored. "
            "The bot's username comes from --bot-username, else from Telegram (getMe) with "
            "TELEGRAM_BOT_TOKEN, else a placeholder."
        ),
    )
    invite.add_argument("--name", required=True, help='what patients see, e.g. "Dr. Ana Ruiz"')
    invite.add_argument("--days", type=int, default=7, help="days until it expires (1-90)")
    invite.add_argument("--timezone", default=None, help="the therapist's zone (default UTC)")
    invite.add_argument("--bot-username", default=None, help="the bot's @username for the link")
    actions.add_parser(
        "list",
        help="list therapist invites and their state (never the codes)",
        description="Each invite: id, name, created, expires, state (open/used/expired/revoked).",
    )
    revoke = actions.add_parser(
        "revoke", help="revoke an open invite", description="Revoke a therapist invite by its id."
    )
    revoke.add_argument("id", type=int)


def _therapist(settings: Settings, args: argparse.Namespace) -> int:
    from bot.therapist_admin import run  # noqa: PLC0415

    if "log_level" not in settings.model_fields_set:
        configure_logging("WARNING")  # the migration's routine lines would bury the link
    status, text = asyncio.run(run(settings, args.therapist_command, vars(args)))
    print(text, file=sys.stderr if status else sys.stdout)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "content":
        return _content_check()
    try:
        settings = get_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    configure_logging(settings.log_level)
    if args.command == "bench" and args.bench_command == "checkins":
        return _bench_checkins(settings, args)
    if args.command == "bench" and args.bench_command == "summaries":
        return _bench_summaries(settings, args)
    if args.command == "bench":
        from bot.bench.reminders import report, run  # noqa: PLC0415

        figures = asyncio.run(
            run(settings, args.patients, args.wave, args.limited_wave, args.chatters)
        )
        print(report(figures, args.json))
        return 0
    if args.command == "therapist":
        return _therapist(settings, args)
    if args.command == "db":
        from db.migrate import upgrade_to_head  # noqa: PLC0415

        asyncio.run(upgrade_to_head(settings.database_url))
        print("Database is up to date.")
        return 0
    if args.command == "demo" or settings.telegram_bot_token is None:
        from bot.demo import run_demo  # noqa: PLC0415 - only the demo needs the emulator

        if "log_level" not in settings.model_fields_set:
            configure_logging("WARNING")  # the terminal is the chat: keep routine logs out
        if args.command == "run":
            print("TELEGRAM_BOT_TOKEN is not set: starting the local demo.", file=sys.stderr)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(run_demo(settings, role=getattr(args, "demo_as", "patient")))
        return 0
    from bot.runner import run_bot  # noqa: PLC0415 - keeps `reed --help` fast

    run_bot(settings)
    return 0


def _bench_checkins(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bench import checkins  # noqa: PLC0415
    from bot.updates import UPDATE_CONCURRENCY  # noqa: PLC0415

    options = checkins.Options(
        patients=args.patients,
        in_flight=args.in_flight,
        concurrency=args.concurrency or UPDATE_CONCURRENCY,
        double_tap_every=args.double_tap_every,
        rounds=args.rounds,
    )
    figures = asyncio.run(checkins.run(settings, options))
    print(checkins.report(figures, args.json))
    return 0 if figures.order_kept else 1


def _bench_summaries(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bench import summaries  # noqa: PLC0415

    options = summaries.Options(
        therapists=args.therapists,
        patients=args.patients,
        naive_sample=min(args.naive_sample, args.therapists),
        renders=args.renders,
    )
    print(summaries.report(asyncio.run(summaries.run(settings, options)), args.json))
    return 0


def _content_check() -> int:
    from bot.domain.safety import pain_scale_problems  # noqa: PLC0415
    from content.loader import check_content  # noqa: PLC0415

    problems = [str(problem) for problem in check_content(rules=(pain_scale_problems,))]
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("Content is valid.")
    return 0
