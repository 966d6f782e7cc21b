"""Operators get one clear message naming each bad setting."""

from __future__ import annotations

import logging

import pytest

from bot.cli import main as reed
from bot.settings import SettingsError, configure_logging, get_settings


def test_bad_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "not-a-token")
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    monkeypatch.setenv("WEBHOOK_PORT", "99999")
    with pytest.raises(SettingsError) as caught:
        get_settings(_env_file=None)
    message = str(caught.value)
    assert "TELEGRAM_BOT_TOKEN" in message
    assert "DATABASE_URL: Value error, use a postgresql:// or sqlite:// URL" in message
    assert "WEBHOOK_PORT" in message


def test_webhook_needs_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/telegram")
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET must be set"):
        get_settings(_env_file=None)


def test_plain_database_urls_get_the_async_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/reed")
    assert get_settings(_env_file=None).database_url == "postgresql+asyncpg://u:p@db:5432/reed"
    monkeypatch.setenv("DATABASE_URL", "sqlite:///reed.db")
    assert get_settings(_env_file=None).database_url == "sqlite+aiosqlite:///reed.db"


def test_reed_exits_with_the_message_on_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    assert reed(["db", "upgrade"]) == 2
    assert "LOG_LEVEL" in capsys.readouterr().err


def test_a_lease_shorter_than_a_batch_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REMINDER_BATCH_SIZE", "300")
    monkeypatch.setenv("REMINDER_CLAIM_LEASE_SECONDS", "10")
    with pytest.raises(SettingsError, match="REMINDER_CLAIM_LEASE_SECONDS must be at least 20"):
        get_settings(_env_file=None)


def test_the_schedulers_routine_lines_show_only_at_debug() -> None:
    """APScheduler logs each outbox run at INFO: thousands of lines a day an operator skips."""
    root, runs = logging.getLogger(), logging.getLogger("apscheduler.executors.default")
    handlers, level = root.handlers[:], root.level  # pytest's own capture, put back below
    try:
        configure_logging("INFO")
        assert not runs.isEnabledFor(logging.INFO)
        assert runs.isEnabledFor(logging.WARNING)
        configure_logging("DEBUG")
        assert runs.isEnabledFor(logging.INFO)
    finally:
        logging.getLogger("apscheduler.executors").setLevel(logging.NOTSET)
        root.handlers[:] = handlers
        root.setLevel(level)
